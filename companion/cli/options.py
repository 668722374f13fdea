"""Options several subcommands share, written once (imported only when the command line is built)."""

from __future__ import annotations

import argparse
from datetime import date


def add_json_option(parser: argparse._ActionsContainer, help: str = "print JSON for scripts") -> None:
    """The ``--json`` switch: the command prints JSON instead of text."""
    parser.add_argument("--json", action="store_true", help=help)


def iso_date(text: str) -> date:
    """A date typed as ``YYYY-MM-DD`` (an argparse ``type``: its error names the form to type)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-11-02") from None
