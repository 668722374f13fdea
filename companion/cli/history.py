"""History subcommands: ``history``, ``export FILE`` and ``import FILE``.

Messages about the history file itself (damage set aside, read-only because newer) go to stderr; data goes to
stdout. Problems with the history file exit with status 1, user mistakes with status 2.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from companion.cli.options import add_json_option, iso_date
from companion.cli.support import CliError, find_routine, load_catalog_for_cli, print_json
from companion.disk.paths import default_paths
from companion.history import interchange
from companion.history.records import SessionRecord, implausible_kept, span_text
from companion.history.store import MAX_HISTORY_BYTES, HistoryStore, ImportRefused, ReadOnlyError, StorageError
from companion.run.checkpoint import run_elsewhere
from companion.run.clock import SystemClock
from companion.run.done import checkpoint_bout
from companion.words import count, format_seconds, join_and, one_line, plural, printable


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the history subcommands to the ``companion`` parser."""
    p = subparsers.add_parser("history", help="list your sessions")
    output = p.add_mutually_exclusive_group()
    add_json_option(output, "print the JSON interchange document")
    output.add_argument("--csv", action="store_true", help="print CSV (one row a session)")
    p.add_argument("--since", type=iso_date, metavar="DATE", help="only sessions started on or after DATE (YYYY-MM-DD)")
    p.add_argument("--routine", metavar="ID", help="only sessions of this routine")
    p.add_argument(
        "--oldest-first", action="store_true", help="list the oldest session first (default: newest first, as the app)"
    )
    p.set_defaults(handler=cmd_history)

    p = subparsers.add_parser("export", help="write your history to a JSON or CSV file")
    p.add_argument("file", type=Path, help="file to write (replaced if it exists)")
    p.add_argument("--format", choices=("json", "csv"), help="default: csv for a .csv file, json otherwise")
    p.set_defaults(handler=cmd_export)

    p = subparsers.add_parser("import", help="add the sessions of a JSON or CSV export to your history")
    p.add_argument("file", type=Path, help="a file written by 'companion export'")
    p.set_defaults(handler=cmd_import)


def open_store() -> HistoryStore:
    """Load the history, telling the user on stderr about anything found in the file."""
    store = HistoryStore(default_paths())
    try:
        report = store.load()
    except StorageError as exc:
        raise CliError(str(exc), exit_code=1) from None
    for message in report.messages:
        print(f"companion: {printable(message)}", file=sys.stderr)
    return store


def session_line(record: SessionRecord) -> str:
    """One session as a line of the ``history`` listing."""
    start = record.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
    before = "-" if record.tension_before is None else str(record.tension_before)
    after = "-" if record.tension_after is None else str(record.tension_after)
    tension = f"{before:>2} -> {after:<2}"
    return f"{start}  {format_seconds(record.actual_seconds):>6}  {record.status.value:<11}  {tension}  " + one_line(
        record.routine_title
    )


def cmd_history(args: argparse.Namespace) -> int:
    from companion.history.queries import filter_records

    store = open_store()
    tell_kept_aside(store)
    catalog = load_catalog_for_cli()
    kept = implausible_kept(store.records, SystemClock().now(), catalog)
    if kept:
        print(f"companion: {kept}", file=sys.stderr)
    if args.routine is not None and all(record.routine_id != args.routine for record in store.records):
        find_routine(catalog, args.routine)  # an id neither in the catalogue nor in the history
    records = filter_records(store.records, since=args.since, routine_id=args.routine)
    records.sort(key=lambda record: record.started_at, reverse=not args.oldest_first)
    if args.json:
        print_json(interchange.document(records))
        return 0
    if args.csv:
        # Rows end in CR LF (as CSV does); within them, nothing a terminal would obey (sessions hold none anyway).
        sys.stdout.write("\r\n".join(printable(row) for row in interchange.csv_text(records).split("\r\n")))
        return 0
    if not records:
        print("No sessions match." if (args.since or args.routine) else "No sessions yet.")
        return 0
    print(f"{'started':<16}  {'time':>6}  {'status':<11}  tension  routine")
    for record in records:
        print(session_line(record))
    total = sum(record.actual_seconds for record in records)
    order = "oldest first" if args.oldest_first else "newest first"
    print(f"{count(len(records), 'session')}, {format_seconds(total)} in all ({order})")
    return 0


def tell_kept_aside(store: HistoryStore) -> None:
    """Name the damaged parts of the history set aside before this command (on stderr): what they hold is not
    listed. (Those set aside by this command were named as it read the history.)"""
    kept = [path for path in store.kept_aside() if path not in store.set_aside]
    if kept:
        named = join_and([printable(str(path)) for path in kept[-3:]])
        more = f" (and {count(len(kept) - 3, 'older one')})" if len(kept) > 3 else ""
        print(
            f"companion: damaged parts of your history were set aside earlier, as {named}{more}; "
            "what they hold is not listed (a .corrupt- copy is the whole file as it was: 'companion import FILE' "
            "brings back its sessions)",
            file=sys.stderr,
        )


def missing_folders(folder: Path) -> list[Path]:
    """The folders, outermost first, that writing into ``folder`` will create."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing[::-1]


def cmd_export(args: argparse.Namespace) -> int:
    from companion.disk.fileio import atomic_write

    store = open_store()
    target: Path = args.file.expanduser()
    paths = store.paths
    if target.resolve() in {paths.history.resolve(), paths.lock.resolve()}:
        raise CliError("choose another file than the history itself")
    if target.is_dir():
        raise CliError(f"{target} is a folder; give a file name")
    fmt = interchange.format_for(target, args.format)
    records = store.records
    created = missing_folders(target.parent)
    try:
        atomic_write(target, interchange.dump(records, fmt))
    except OSError as exc:
        raise CliError(f"cannot write {target}: {exc.strerror or exc}", exit_code=1) from None
    if created:
        folders = join_and([str(folder) for folder in created])
        print(f"Created the {plural(len(created), 'folder')} {folders}, which did not exist.")
    print(f"Exported {count(len(records), 'session')} to {target} ({fmt}).")
    return 0


def overlaps_the_run(records: list[SessionRecord], now: datetime) -> str | None:
    """What refuses an import whose session shares time with the run going on now, or left unfinished (its
    checkpoint): one routine runs at a time, and that run would not count the imported time. ``None`` if none does."""
    run = checkpoint_bout(default_paths())
    if run is None:
        return None
    going_on = run_elsewhere(default_paths())
    end = max(run.ended_at, now) if going_on else run.ended_at
    for number, record in enumerate(records, start=1):
        if record.started_at < end and record.ended_at > run.started_at:
            state = "running now" if going_on else "left unfinished"
            return (
                f"session {number} (id {record.id}, {span_text(record)}) overlaps the routine {state} since "
                f"{run.started_at.astimezone():%Y-%m-%d %H:%M}: one routine runs at a time, so it cannot be real"
            )
    return None


def cmd_import(args: argparse.Namespace) -> int:
    from companion.disk.fileio import read_bounded

    source: Path = args.file.expanduser()
    too_large = (
        f"{source} is larger than {MAX_HISTORY_BYTES // 2**20} MiB; is it really an export? Nothing was imported"
    )
    try:
        if source.stat().st_size > MAX_HISTORY_BYTES:
            raise CliError(too_large)
        data = read_bounded(source, MAX_HISTORY_BYTES)
    except FileNotFoundError:
        raise CliError(f"no file {source}") from None
    except OSError as exc:
        raise CliError(f"cannot read {source}: {exc.strerror or exc}", exit_code=1) from None
    if data is None:
        raise CliError(too_large)
    try:
        records = interchange.parse(data, source.name, now=datetime.now(UTC), catalog=load_catalog_for_cli())
    except interchange.InterchangeError as exc:
        raise CliError(f"{source}: {exc}; nothing was imported") from None
    clash = overlaps_the_run(records, datetime.now(UTC))
    if clash:
        raise CliError(f"{source}: {clash}; nothing was imported")
    store = open_store()
    try:
        result = store.import_records(records)
    except ImportRefused as exc:
        raise CliError(f"{source}: {exc} Nothing was imported.") from None
    except ReadOnlyError as exc:
        raise CliError(f"{exc} Nothing was imported.", exit_code=1) from None
    except StorageError as exc:
        raise CliError(f"{exc} Nothing was imported.", exit_code=1) from None
    print(f"Imported {count(len(result.added), 'session')}; skipped {len(result.skipped)} already in your history.")
    return 0
