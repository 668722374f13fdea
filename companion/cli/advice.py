"""Advisor subcommands: ``advice`` (what to do, and why), ``redflags`` and ``compare``."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from companion.advice.advisor import advice, advice_lines, red_flag_lines
from companion.advice.comparison import compare
from companion.catalogue.models import citations
from companion.cli.options import add_json_option, iso_date
from companion.cli.support import CliError, load_catalog_for_cli, print_json
from companion.disk.paths import Paths, default_paths

if TYPE_CHECKING:
    from companion.advice.models import AdviceRules
    from companion.catalogue.models import Catalog
    from companion.history.records import SessionRecord


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the advisor subcommands to the ``companion`` parser."""
    p = subparsers.add_parser(
        "advice",
        help="what your recent sessions and answers suggest: rest, a therapist or a doctor, and why",
        description=(
            "Advice from your session history and today's screening answers: when to rest an area, when a "
            "professional therapist would serve you better, and when to see a doctor. Each item says why."
        ),
    )
    add_json_option(p)
    p.add_argument(
        "--yes",
        action="append",
        default=[],
        metavar="ID",
        help="count a red flag or screening question (see 'companion redflags') as answered yes; repeatable",
    )
    p.add_argument("--today", type=iso_date, metavar="YYYY-MM-DD", help="the day to advise for (default: today)")
    p.set_defaults(handler=cmd_advice)

    p = subparsers.add_parser("redflags", help="the warning signs that mean: stop and get medical help")
    add_json_option(p)
    p.set_defaults(handler=cmd_redflags)

    p = subparsers.add_parser(
        "compare",
        help="self-massage against professional therapy, with the break-even number of sessions",
    )
    p.add_argument("--device-price", metavar="PRICE", help="price of your device (default: from your settings)")
    p.add_argument("--session-price", metavar="PRICE", help="price of one local session (default: from settings)")
    add_json_option(p)
    p.set_defaults(handler=cmd_compare)


def load_rules_for_cli(catalog: Catalog) -> AdviceRules:
    """The bundled advice rules, checked against the catalogue."""
    from companion.advice.loader import load_advice

    return load_advice(catalog=catalog)


def load_records(paths: Paths) -> list[SessionRecord]:
    """The session history. Damage the store set aside (and any other notice) is reported on stderr."""
    try:
        from companion.history.store import HistoryStore, StorageError
    except ImportError:  # pragma: no cover - only while the storage module is not part of the build
        raise CliError("the session history cannot be read by this build of Companion", exit_code=1) from None
    try:
        report = HistoryStore(paths).load()
    except StorageError as exc:
        raise CliError(str(exc), exit_code=1) from None
    for message in report.messages:
        print(f"companion: {message}", file=sys.stderr)
    return list(report.records)


def cmd_advice(args: argparse.Namespace) -> int:
    from companion.history.queries import local_date
    from companion.run.clock import SystemClock

    paths = default_paths()
    catalog = load_catalog_for_cli(paths)
    rules = load_rules_for_cli(catalog)
    today: date = args.today or local_date(SystemClock().now())
    known = {q.id for q in catalog.safety.questions} | {f.id for f in catalog.safety.red_flags}
    for answer in args.yes:
        if answer not in known:
            raise CliError(f"no red flag or screening question '{answer}'; run 'companion redflags' to list them")
    from companion.advice.guidance import advice_answers
    from companion.safety.screening import load_screening

    screened = load_screening(paths, today)
    if screened.unreadable is not None:
        print(f"companion: {screened.unreadable}", file=sys.stderr)
    answers = [*args.yes, *advice_answers(catalog, screened)]
    items = advice(catalog, rules, load_records(paths), today, answers)
    if args.json:
        print_json([item.to_json() for item in items])
    else:
        print("\n".join(advice_lines(catalog, rules, items)))
    return 0


def cmd_redflags(args: argparse.Namespace) -> int:
    catalog = load_catalog_for_cli()
    if args.json:
        print_json(
            [
                {**flag.model_dump(mode="json"), "cite": "; ".join(citations(catalog.sources, flag.source))}
                for flag in catalog.safety.red_flags
            ]
        )
    else:
        print("\n".join(red_flag_lines(catalog)))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from companion.settings.price_entry import PriceError, parse_price
    from companion.settings.user_settings import load_settings
    from companion.words import money, printable

    paths = default_paths()
    catalog = load_catalog_for_cli(paths)
    rules = load_rules_for_cli(catalog)
    settings, message = load_settings(paths)
    if message:  # a bad settings file was set aside: say so, as the app does
        print(f"companion: {printable(message)}", file=sys.stderr)
    prices = settings.prices
    try:
        device = parse_price(args.device_price, "device price") if args.device_price is not None else None
        session = parse_price(args.session_price, "session price") if args.session_price is not None else None
    except PriceError as exc:
        raise CliError(str(exc)) from None
    if args.device_price is None and prices.device_price is not None:
        device = Decimal(str(prices.device_price))
    if args.session_price is None and prices.session_price is not None:
        session = Decimal(str(prices.session_price))
    comparison = compare(rules, device, session)
    if args.json:
        data = comparison.to_json()
        data["device_price"] = None if device is None else float(device)
        data["session_price"] = None if session is None else float(session)
        data["currency"] = prices.currency
        print_json(data)
        return 0
    lines = comparison.lines()
    if device is not None or session is not None:
        shown = [
            f"device {money(device, prices.currency)}" if device is not None else "device price not set",
            f"session {money(session, prices.currency)}" if session is not None else "session price not set",
        ]
        lines.insert(lines.index(comparison.cost_line), "Prices: " + ", ".join(shown) + ".")
    print("\n".join(lines))
    return 0
