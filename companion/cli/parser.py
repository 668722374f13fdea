"""The ``companion`` command line: every subcommand, with errors as one clear line (exit status 2).

Built only when the command has arguments; plain ``companion`` opens the app without it (see
:mod:`companion.cli.entry`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import NoReturn

from companion import __version__

Handler = Callable[[argparse.Namespace], int]
"""What a subcommand sets as its ``handler`` default: it gets the parsed arguments and returns the exit status."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are a single clear line (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The full command line: the app by default, plus every subcommand."""
    from companion.cli import advice, catalogue, history, plan, start, status, validate

    parser = _Parser(
        prog="companion",
        description="Timed self-massage routines with safe limits, therapy explanations and a private history.",
        epilog="Run 'companion' with no command to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"companion {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in (catalogue, validate, advice, history, plan, start, status):
        module.register(subparsers)
    return parser
