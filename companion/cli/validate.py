"""``companion validate FILE...``: check routine files against the same rules the app applies to the user's own.

Exit status 0 when every file is valid (one summary line each), 1 otherwise, with every problem on stdout as
``FILE:LINE: field: message`` (the form editors and linters understand). ``--json`` prints the same for tools.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from companion.catalogue.models import Catalog, Routine
from companion.catalogue.problems import Problem
from companion.cli.options import add_json_option
from companion.cli.support import print_json
from companion.disk.paths import default_paths
from companion.words import format_seconds


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``validate`` to the ``companion`` parser."""
    p = subparsers.add_parser(
        "validate",
        help="check routine files before adding them to your routines folder",
        description="Check routine files: format, known ids, safety limits and id clashes. "
        "Exit status 0 when all are valid, 1 otherwise.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="routine file (TOML), see docs/routines.md")
    add_json_option(p, "print JSON for tools")
    p.set_defaults(handler=cmd_validate)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def validate_files(paths: list[Path], catalog: Catalog, user_files: dict[str, Path]) -> list[dict[str, Any]]:
    """Validate each file as a user routine; ``user_files`` are the user's loaded routines by id."""
    from companion.catalogue.loader import MAX_USER_FILE_BYTES, id_clash_problem, load_routine_file, read_text
    from companion.words import printable

    therapy_ids = {t.id for t in catalog.therapies}
    seen: dict[str, tuple[Routine, str]] = {}
    results = []
    for path in paths:
        name = printable(str(path))
        routine, problems = load_routine_file(path, name, catalog.vocabulary, catalog.safety, therapy_ids, user=True)
        if routine is not None:
            other = catalog.routine(routine.id)
            other_file = user_files.get(routine.id)
            clash: tuple[Routine, str | None] | None = None
            if other is not None and (other_file is None or not _same_file(other_file, path)):
                clash = (other, printable(str(other_file)) if other_file else None)
            elif routine.id in seen:
                clash = seen[routine.id]
            if clash is not None:
                text = read_text(path, name, MAX_USER_FILE_BYTES)
                problems = [id_clash_problem(routine.id, name, text if isinstance(text, str) else "", *clash)]
                routine = None
            else:
                seen[routine.id] = (routine, name)
        problems = sorted(problems, key=lambda p: p.line if p.line is not None else 0)
        results.append({"file": name, "routine": routine, "problems": problems})
    return results


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {"file": problem.file, "line": problem.line, "field": problem.field, "message": problem.message}


def _summary(routine: Routine) -> str:
    steps = len(routine.steps)
    return (
        f"routine '{routine.id}' ({routine.title}), {steps} step{'s' if steps != 1 else ''}, "
        f"{format_seconds(routine.total_seconds)}"
    )


def cmd_validate(args: argparse.Namespace) -> int:
    from companion.catalogue.loader import load_catalog

    loaded = load_catalog(user_routines=default_paths().routines)
    results = validate_files([Path(f) for f in args.files], loaded.catalog, loaded.user_files)
    valid = all(r["routine"] is not None for r in results)
    if args.json:
        print_json(
            [
                {
                    "file": r["file"],
                    "valid": r["routine"] is not None,
                    "routine": (
                        {
                            "id": r["routine"].id,
                            "title": r["routine"].title,
                            "steps": len(r["routine"].steps),
                            "total_seconds": r["routine"].total_seconds,
                        }
                        if r["routine"] is not None
                        else None
                    ),
                    "problems": [_problem_json(p) for p in r["problems"]],
                }
                for r in results
            ]
        )
        return 0 if valid else 1
    for result in results:
        if result["routine"] is not None:
            print(f"{result['file']}: ok: {_summary(result['routine'])}")
        for problem in result["problems"]:
            print(problem)
    return 0 if valid else 1
