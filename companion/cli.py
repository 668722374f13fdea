"""The ``companion`` command: with no arguments it opens the app; subcommands serve scripts.

Output is plain text (or JSON with ``--json``), never markup. A user mistake prints one line on stderr and exits
with status 2; Textual is imported only inside :func:`open_app`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from companion import __version__
from companion.cli_support import CliError

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are a single clear line (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The full command line: the app by default, plus every subcommand."""
    from companion import cli_advice, cli_catalog, cli_history, cli_start, cli_validate

    parser = _Parser(
        prog="companion",
        description="Timed self-massage routines with safe limits, therapy explanations and a private history.",
        epilog="Run 'companion' with no command to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"companion {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in (cli_catalog, cli_validate, cli_advice, cli_history, cli_start):
        module.register(subparsers)
    return parser


def open_app(start_routine: str | None = None) -> int:
    """Build and run the Textual app (imported here so the core never imports Textual)."""
    from screens.app import run_app

    return run_app(start_routine=start_routine)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``companion`` script."""
    words = sys.argv[1:] if argv is None else list(argv)
    args = argparse.Namespace()
    if words:  # with none it is the app: no need to build the command line and import every subcommand
        args = build_parser().parse_args(words)
    handler: Handler | None = getattr(args, "handler", None)
    try:
        if handler is None:
            return open_app()
        return handler(args)
    except CliError as exc:
        print(f"companion: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("companion: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
