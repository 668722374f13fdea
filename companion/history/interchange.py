"""Export and import of the history: a documented JSON document and a spreadsheet-friendly CSV.

JSON::

    {"format": "companion-history", "schema_version": 1, "sessions": [
        {"id": "…", "routine_id": "…", "routine_title": "…", "started_at": "2026-11-02T09:00:00+01:00",
         "ended_at": "…", "status": "completed", "steps": [{"area": "neck", "tool": "hands",
         "planned_seconds": 60, "actual_seconds": 60}], "tension_before": 6, "tension_after": 3, "notes": ""}]}

CSV: one row a session, with ``actual_seconds`` and one ``area:<id>`` column per body area (seconds) for reading in
a spreadsheet, plus ``steps`` (the steps as compact JSON) and ``extra`` (fields from newer versions, compact JSON)
so that importing the file gives back every session exactly. On import the ``steps`` column is what counts; the
per-area columns are derived from it and ignored.

Import validates everything before anything is written; a problem is one message naming the session and field.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from companion.history import migrations
from companion.history.records import SessionRecord, implausible, overlap_within, record_problem, span_text
from companion.words import plural

if TYPE_CHECKING:
    from companion.catalogue.models import Catalog

FORMAT = "companion-history"
Format = Literal["json", "csv"]
BASE_COLUMNS = (
    "id",
    "routine_id",
    "routine_title",
    "started_at",
    "ended_at",
    "status",
    "actual_seconds",
    "tension_before",
    "tension_after",
    "notes",
)
REQUIRED_CSV_COLUMNS = ("id", "routine_id", "routine_title", "started_at", "ended_at", "status", "steps")
AREA_PREFIX = "area:"
_KNOWN = frozenset(SessionRecord.model_fields)


class InterchangeError(ValueError):
    """A file that cannot be imported; the message names the session and the field."""


def session_json(record: SessionRecord) -> dict[str, Any]:
    """One session as the interchange format documents it (unknown fields from newer versions included)."""
    data: dict[str, Any] = {
        "id": str(record.id),
        "routine_id": record.routine_id,
        "routine_title": record.routine_title,
        "started_at": record.started_at.isoformat(),
        "ended_at": record.ended_at.isoformat(),
        "status": record.status.value,
        "steps": [step.model_dump(mode="json") for step in record.steps],
        "tension_before": record.tension_before,
        "tension_after": record.tension_after,
        "notes": record.notes,
    }
    for key, value in (record.model_extra or {}).items():
        data.setdefault(key, value)
    return data


def document(records: list[SessionRecord]) -> dict[str, Any]:
    """The JSON interchange document for ``records``."""
    return {
        "format": FORMAT,
        "schema_version": migrations.current_version(),
        "sessions": [session_json(record) for record in records],
    }


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""How a spreadsheet recognises a formula (OWASP's list for CSV injection)."""
TEXT_GUARD = "'"
"""Put before a text cell that a spreadsheet would take for a formula, and taken off again on import."""


def guarded(text: str) -> str:
    """``text`` for a CSV cell that no spreadsheet runs: a title or note starting as a formula does (``=HYPERLINK(…)``)
    is written with a leading ``'``, as is one that import would otherwise take a guard off, so import gives back
    the very text."""
    return TEXT_GUARD + text if text.startswith(FORMULA_STARTS) or unguarded(text) != text else text


def unguarded(cell: str) -> str:
    """The text a :func:`guarded` cell holds (a hand-written ``'Tis`` is left as it is: no guard precedes a ``T``)."""
    guarded_start = cell[1:2]
    return cell[1:] if cell.startswith(TEXT_GUARD) and guarded_start.startswith((*FORMULA_STARTS, TEXT_GUARD)) else cell


def csv_text(records: list[SessionRecord]) -> str:
    """The CSV export: one row a session, per-area seconds columns, and exact ``steps``/``extra`` columns."""
    areas = sorted({step.area for record in records for step in record.steps})
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([*BASE_COLUMNS, *(AREA_PREFIX + area for area in areas), "steps", "extra"])
    for record in records:
        per_area = record.seconds_per_area()
        data = session_json(record)
        extra = {key: value for key, value in data.items() if key not in _KNOWN}
        writer.writerow(
            [
                data["id"],
                record.routine_id,
                guarded(record.routine_title),
                data["started_at"],
                data["ended_at"],
                data["status"],
                record.actual_seconds,
                "" if record.tension_before is None else record.tension_before,
                "" if record.tension_after is None else record.tension_after,
                guarded(record.notes),
                *(per_area.get(area, "") for area in areas),
                _compact(data["steps"]),
                _compact(extra) if extra else "",
            ]
        )
    return out.getvalue()


def format_for(path: Path, explicit: str | None = None) -> Format:
    """The export format: ``explicit`` if given, else ``csv`` for a ``.csv`` file and ``json`` otherwise."""
    if explicit in ("json", "csv"):
        return explicit  # type: ignore[return-value]
    return "csv" if Path(path).suffix.lower() == ".csv" else "json"


def dump(records: list[SessionRecord], fmt: Format) -> bytes:
    """The bytes of an export file."""
    if fmt == "csv":
        return csv_text(records).encode("utf-8")
    return (json.dumps(document(records), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# -- import -----------------------------------------------------------------------------------------------------


def _label(kind: str, number: int, data: Any) -> str:
    ident = data.get("id") if isinstance(data, dict) else None
    return f"{kind} {number}" + (f" (id {ident})" if isinstance(ident, str) and ident else "")


MAX_SESSION_BYTES = 2**20
"""The most one session may take as JSON (as it would as a line of the history file)."""


def _validate(data: dict[str, Any], label: str) -> SessionRecord:
    if len(_compact(data)) > MAX_SESSION_BYTES:
        raise InterchangeError(f"{label}: larger than {MAX_SESSION_BYTES // 1024} KiB, far more than a session holds")
    if "id" not in data or data["id"] in ("", None):
        raise InterchangeError(f"{label}: field 'id': missing (every session needs its id)")
    try:
        data = migrations.migrate_record(data)
    except migrations.MigrationError as exc:
        raise InterchangeError(f"{label}: field 'schema_version': {exc}") from None
    if migrations.record_version(data) > migrations.current_version():
        raise InterchangeError(f"{label}: written by a newer version of Companion; update Companion to import it")
    if "notes" in data and data["notes"] is None:  # a hand-written export: null is no note, as for the ratings
        data = {**data, "notes": ""}
    try:
        return SessionRecord.model_validate(data)
    except ValidationError as exc:
        raise InterchangeError(f"{label}: {record_problem(exc)}") from None


def _check_unique(records: list[SessionRecord], kind: str, first_number: int) -> None:
    seen: dict[uuid.UUID, int] = {}
    for offset, record in enumerate(records):
        number = first_number + offset
        if record.id in seen:
            raise InterchangeError(f"{kind}s {seen[record.id]} and {number} have the same id {record.id}")
        seen[record.id] = number


def _nested_too_deeply() -> InterchangeError:
    return InterchangeError("nested too deeply to be an export (lists or objects within each other without end)")


def parse_json(text: str) -> list[SessionRecord]:
    """Sessions from a JSON interchange document (or from a ``history.jsonl`` file, header first)."""
    try:
        top = json.loads(text)
    except RecursionError:
        raise _nested_too_deeply() from None
    except json.JSONDecodeError as exc:
        lines = [line for line in text.splitlines() if line.strip()]
        if lines and exc.msg == "Extra data":
            return _parse_json_lines(lines)
        raise InterchangeError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(top, dict):
        raise InterchangeError(f'expected a JSON object with "format": "{FORMAT}", found a {type(top).__name__}')
    if top.get("format") != FORMAT:
        raise InterchangeError(f"field 'format': expected \"{FORMAT}\", found {top.get('format')!r}")
    try:
        version = migrations.record_version(top)
    except migrations.MigrationError as exc:
        raise InterchangeError(f"field 'schema_version': {exc}") from None
    if version > migrations.current_version():
        raise InterchangeError(
            f"this file was written by a newer version of Companion (format version {version}); "
            "update Companion to import it"
        )
    sessions = top.get("sessions")
    if not isinstance(sessions, list):
        raise InterchangeError("field 'sessions': expected a list of sessions")
    records = []
    for number, data in enumerate(sessions, start=1):
        label = _label("session", number, data)
        if not isinstance(data, dict):
            raise InterchangeError(f"{label}: expected an object, found a {type(data).__name__}")
        session = dict(data)
        session.setdefault("schema_version", version)
        records.append(_validate(session, label))
    _check_unique(records, "session", 1)
    return records


def _parse_json_lines(lines: list[str]) -> list[SessionRecord]:
    try:
        header = json.loads(lines[0])
    except ValueError:
        header = None
    if not (isinstance(header, dict) and header.get("format") == FORMAT):
        raise InterchangeError("line 1: not a Companion history or export file")
    records = []
    for number, line in enumerate(lines[1:], start=2):
        try:
            data = json.loads(line)
        except RecursionError:
            raise _nested_too_deeply() from None
        except ValueError:
            raise InterchangeError(f"line {number}: not valid JSON") from None
        if not isinstance(data, dict):
            raise InterchangeError(f"line {number}: expected a session object")
        records.append(_validate(data, _label("line", number, data)))
    _check_unique(records, "line", 2)
    return records


def parse_csv(text: str) -> list[SessionRecord]:
    """Sessions from a CSV export (the ``steps`` column makes each session exact again)."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        columns = reader.fieldnames or []
        missing = [name for name in REQUIRED_CSV_COLUMNS if name not in columns]
        if missing:
            names = ", ".join(repr(m) for m in missing)
            raise InterchangeError(f"the CSV has no {names} {plural(len(missing), 'column')}")
        rows = list(reader)
    except csv.Error as exc:
        raise InterchangeError(f"not a readable CSV file ({exc})") from None
    records = []
    for number, row in enumerate(rows, start=2):
        label = _label("row", number, row)
        if None in row:
            raise InterchangeError(f"{label}: more values than columns")
        data: dict[str, Any] = {name: row[name] for name in REQUIRED_CSV_COLUMNS}
        if isinstance(data.get("routine_title"), str):
            data["routine_title"] = unguarded(data["routine_title"])
        for name in ("tension_before", "tension_after"):
            value = (row.get(name) or "").strip()
            # A number written as digits is a number; anything else is left for validation to name.
            data[name] = (int(value) if value.isascii() and value.isdigit() else value) if value else None
        data["notes"] = unguarded(row.get("notes") or "")
        for name in ("steps", "extra"):
            raw = row.get(name) or ""
            if name == "extra" and not raw.strip():
                continue
            try:
                value = json.loads(raw)
            except (ValueError, RecursionError):
                raise InterchangeError(f"{label}: field '{name}': not valid JSON") from None
            if name == "extra":
                if not isinstance(value, dict) or _KNOWN & value.keys():
                    raise InterchangeError(f"{label}: field 'extra': expected an object of additional fields")
                data.update(value)
            else:
                data["steps"] = value
        records.append(_validate(data, label))
    _check_unique(records, "row", 2)
    return records


def parse(
    data: bytes, name: str = "", *, now: datetime | None = None, catalog: Catalog | None = None
) -> list[SessionRecord]:
    """Sessions from an export file, JSON or CSV told apart by content (the suffix when the content is unclear).

    With ``now`` and ``catalog`` (as ``companion import`` gives them), each session is also checked against the
    clock and the catalogue's limits (:func:`companion.history.records.implausible`).
    """
    records = _parse(data, name)
    if now is not None and catalog is not None:
        for number, record in enumerate(records, start=1):
            problem = implausible(record, now, catalog)
            if problem:
                raise InterchangeError(f"session {number} (id {record.id}): {problem}")
    pair = overlap_within(records)
    if pair is not None:
        first, second = (records[index] for index in pair)
        raise InterchangeError(
            f"sessions {pair[0] + 1} (id {first.id}) and {pair[1] + 1} (id {second.id}) overlap in time "
            f"({span_text(first)} and {span_text(second)}): one routine runs at a time, so one of them is not real"
        )
    return records


def _parse(data: bytes, name: str) -> list[SessionRecord]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InterchangeError(f"not UTF-8 text (byte {exc.start})") from None
    stripped = text.lstrip()
    if not stripped:
        raise InterchangeError("the file is empty")
    if stripped[0] in "{[":
        return parse_json(text)
    if stripped.startswith("id,") or Path(name).suffix.lower() == ".csv":
        return parse_csv(text)
    raise InterchangeError("neither a Companion JSON export nor a CSV export with an 'id' column first")
