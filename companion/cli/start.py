"""``companion start ROUTINE_ID``: the flow for one routine (screening first), in the app or as plain lines.

``--speak`` and ``--notify`` turn on spoken cues and desktop notifications for this session (the settings can
turn them on for good); ``--plain`` runs the whole flow without the full-screen UI (see :mod:`companion.cli.plain`).
"""

from __future__ import annotations

import argparse
import sys

from companion.cli.support import find_routine, load_catalog_for_cli
from companion.settings.user_settings import HandsFreeChoice


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``start`` to the ``companion`` parser."""
    p = subparsers.add_parser("start", help="start a routine: screening, then the timed steps")
    p.add_argument("id", help="routine id (see 'companion routines')")
    p.add_argument(
        "--speak", action="store_true", help="speak each step, the 5-second warnings, limits, pauses and the end"
    )
    p.add_argument("--notify", action="store_true", help="a desktop notification at each step change and at the end")
    p.add_argument(
        "--plain",
        action="store_true",
        help="no full-screen UI: numbered questions, then one line per event (for screen readers and logs)",
    )
    p.set_defaults(handler=cmd_start)


def cmd_start(args: argparse.Namespace) -> int:
    choice = HandsFreeChoice(speak=args.speak, notify=args.notify)
    if args.plain:
        from companion.cli.plain import run_plain

        return run_plain(args.id, choice)
    find_routine(load_catalog_for_cli(), args.id)
    if args.speak:
        from companion.run.speech import NO_ENGINE, find_engine

        if find_engine() is None:
            print(f"companion: {NO_ENGINE}", file=sys.stderr)
    from companion.cli.entry import open_app

    return open_app(start_routine=args.id, hands_free=choice)
