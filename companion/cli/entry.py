"""The ``companion`` command: with no arguments it opens the app; subcommands serve scripts.

Output is plain text (or JSON with ``--json``), never markup. A user mistake prints one line on stderr and exits
with status 2; Textual is imported only inside :func:`open_app`.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from companion.cli.support import CliError
from companion.words import printable

if TYPE_CHECKING:
    from companion.settings.user_settings import HandsFreeChoice


def open_app(start_routine: str | None = None, hands_free: HandsFreeChoice | None = None) -> int:
    """Build and run the Textual app (imported here so the core never imports Textual).

    The cyclic garbage collector is off until the app has drawn its first frame (the app turns it back on): the
    start makes many objects that live as long as the app and next to no garbage, and each full collection over
    them would cost tens of milliseconds.
    """
    gc.disable()
    from screens.app import run_app

    return run_app(start_routine=start_routine, hands_free=hands_free)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``companion`` script."""
    words = sys.argv[1:] if argv is None else list(argv)
    try:
        if not words:  # the app: no need to build the command line (argparse and every subcommand's module)
            return open_app()
        from companion.cli.parser import Handler, build_parser

        args = build_parser().parse_args(words)
        handler: Handler | None = getattr(args, "handler", None)
        return open_app() if handler is None else handler(args)
    except CliError as exc:
        print(f"companion: {printable(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("companion: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
