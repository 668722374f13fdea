"""Shared pieces of the command line: errors for people, JSON output, loading the catalogue."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from companion.catalogue.models import Catalog, Routine
from companion.catalogue.problems import Problem
from companion.disk.paths import Paths, default_paths
from companion.words import CONTROL_CHARACTERS


class CliError(Exception):
    """A user mistake or a problem the user can act on: printed as one line, no traceback."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


_UNESCAPED = re.compile(f"[{CONTROL_CHARACTERS}]")


def json_text(value: Any) -> str:
    """``value`` as indented JSON that a terminal shows as text: JSON escapes C0 itself; DEL, C1 (U+009B is a
    CSI, U+009D an OSC) and the bidirectional overrides, which JSON may leave raw, are written as ``\\u`` escapes
    too (they occur only in strings)."""
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return _UNESCAPED.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def print_json(value: Any) -> None:
    """Write ``value`` as indented JSON to stdout (see :func:`json_text`)."""
    sys.stdout.write(json_text(value) + "\n")


def load_catalog_for_cli(paths: Paths | None = None) -> Catalog:
    """The bundled catalogue plus the user's routines; problems in user files are reported on stderr."""
    from companion.catalogue.loader import load_catalog

    paths = paths or default_paths()
    result = load_catalog(user_routines=paths.routines)
    report_user_problems(result.user_problems)
    return result.catalog


def find_routine(catalog: Catalog, routine_id: str) -> Routine:
    """The routine ``routine_id``, or the one-line error (status 2) every command gives for an unknown id."""
    routine = catalog.routine(routine_id)
    if routine is None:
        raise CliError(f"no routine '{routine_id}'; run 'companion routines' to list them")
    return routine


def report_user_problems(problems: list[Problem]) -> None:
    """Tell the user which of their routine files were left out, and why."""
    for problem in problems:
        print(f"companion: skipped routine file: {problem}", file=sys.stderr)
