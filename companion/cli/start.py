"""``companion start ROUTINE_ID``: open the app straight at the flow for one routine (screening first)."""

from __future__ import annotations

import argparse

from companion.cli.support import CliError, load_catalog_for_cli


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``start`` to the ``companion`` parser."""
    p = subparsers.add_parser("start", help="start a routine: screening, then the timed steps")
    p.add_argument("id", help="routine id (see 'companion routines')")
    p.set_defaults(handler=cmd_start)


def cmd_start(args: argparse.Namespace) -> int:
    catalog = load_catalog_for_cli()
    if catalog.routine(args.id) is None:
        raise CliError(f"no routine '{args.id}'; run 'companion routines' to list them")
    from companion.cli.entry import open_app

    return open_app(start_routine=args.id)
