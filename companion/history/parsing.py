"""Reading a history file's bytes: every line decided (an intact session, a torn last line, damage, a session of
a newer version), and the file rendered back from the sessions kept; what :mod:`~companion.history.store` repairs
follows from what is found here. No I/O.

Parsing is fast because it shares: identical steps are one frozen ``StepDone``, routine ids and titles one string,
and records that set the same fields one pydantic fields-set; the cyclic garbage collector is paused meanwhile.
"""

from __future__ import annotations

import gc
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from companion.history import migrations
from companion.history.records import SessionRecord, StepDone, record_problem
from companion.history.remains import WHOLE_FILE, Remains, Span, read_remains, record_seconds

HISTORY_FORMAT = "companion-history"
BOM = b"\xef\xbb\xbf"
_STEP_KEYS = frozenset({"area", "tool", "planned_seconds", "actual_seconds"})
MAX_LINE_BYTES = 2**20
"""The longest line taken for a session (the bounds of :mod:`~companion.history.records` keep one under 100 KiB)."""


@dataclass
class Entry:
    record: SessionRecord
    raw: bytes | None
    """The line exactly as read (kept as is on rewrite, so unknown fields survive byte for byte)."""


@dataclass
class Parsed:
    entries: list[Entry] = field(default_factory=list)
    header: dict[str, Any] | None = None
    version: int = migrations.FIRST_SCHEMA_VERSION
    newer: bool = False
    damaged: bool = False
    """Anything besides a torn last line: bad header, bad lines, NUL bytes, duplicates, an empty file."""
    empty: bool = False
    torn: bytes = b""
    problems: list[str] = field(default_factory=list)
    migrated: int = 0
    """Records brought forward from an older schema version."""
    old_header: bool = False
    bom: bool = False
    remains: list[Remains] = field(default_factory=list)
    """What can be read of each session not kept as intact (damaged, torn, from a newer version, the file empty)."""

    @property
    def upgrade(self) -> bool:
        return self.migrated > 0 or self.old_header

    @property
    def needs_repair(self) -> bool:
        return self.damaged or bool(self.torn) or self.upgrade


def header_line(version: int, extra: dict[str, Any] | None = None) -> bytes:
    header: dict[str, Any] = {"format": HISTORY_FORMAT, "schema_version": version}
    for key, value in (extra or {}).items():
        header.setdefault(key, value)
    return json.dumps(header, ensure_ascii=False, separators=(", ", ": ")).encode() + b"\n"


class RecordParser:
    """Turns lines into records, sharing identical steps and strings (20,000 sessions stay small and fast)."""

    def __init__(self) -> None:
        self._steps: dict[tuple[str, str, int, int], StepDone] = {}
        self._strings: dict[str, str] = {}
        self._field_sets: dict[frozenset[str], set[str]] = {}

    def _slim(self, model: BaseModel) -> None:
        """Share one ``__pydantic_fields_set__`` between models that set the same fields (~0.7 KiB each).

        Safe because the models are frozen: pydantic only adds to that set on assignment, and ``model_copy``
        copies it first.
        """
        fields_set = model.__pydantic_fields_set__
        shared = self._field_sets.setdefault(frozenset(fields_set), fields_set)
        if shared is not fields_set:
            object.__setattr__(model, "__pydantic_fields_set__", shared)

    def _share(self, data: dict[str, Any]) -> None:
        steps = data.get("steps")
        if type(steps) is list:
            known_steps = self._steps
            for position, step in enumerate(steps):
                if type(step) is not dict or len(step) != len(_STEP_KEYS):
                    continue  # the record's validation names what is wrong, in full
                area, tool = step.get("area"), step.get("tool")
                planned, actual = step.get("planned_seconds"), step.get("actual_seconds")
                # Exact types: True == 1 as a key, and a boolean is no number of seconds.
                if not (type(area) is type(tool) is str and type(planned) is type(actual) is int):
                    continue
                key = (area, tool, planned, actual)
                known = known_steps.get(key)
                if known is None:
                    try:
                        known = StepDone.model_validate(step)
                    except ValidationError:
                        continue
                    self._slim(known)
                    known_steps[key] = known
                steps[position] = known
        for name in ("routine_id", "routine_title"):
            value = data.get(name)
            if type(value) is str:
                data[name] = self._strings.setdefault(value, value)

    def parse(self, line: bytes) -> tuple[SessionRecord | None, str, bool]:
        """``(record, problem, migrated)``; ``record`` is None when the line is not a valid session.

        A line from a newer version of Companion that this one cannot read is no damage: its problem is
        :data:`NEWER_RECORD` (the file is then read-only, and the line stays as it is).
        """
        if len(line) > MAX_LINE_BYTES:
            return None, f"longer than {MAX_LINE_BYTES // 1024} KiB, far more than a session holds", False
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            return None, "not valid UTF-8 text", False
        try:
            data = json.loads(text)
        except RecursionError:
            return None, "nested too deeply to be a session", False
        except ValueError:
            return None, "not valid JSON", False
        if type(data) is not dict:
            return None, f"a JSON {type(data).__name__}, not a session object", False
        migrated = False
        try:
            if migrations.needs_migration(data):
                data = migrations.migrate_record(data)
                migrated = True
            newer = migrations.record_version(data) > migrations.current_version()
        except migrations.MigrationError as exc:
            return None, f"field 'schema_version': {exc}", False
        if "id" not in data:
            return None, NEWER_RECORD if newer else "field 'id': missing", False
        try:
            self._share(data)
            record = SessionRecord.model_validate(data)
        except ValidationError as exc:
            return None, NEWER_RECORD if newer else record_problem(exc), False
        self._slim(record)
        return record, "", migrated


NEWER_RECORD = "a session written by a newer version of Companion"


def line_remains(line: bytes, number: int) -> Remains:
    """What can be read of the session on a line that is not an intact one (its times, id and steps)."""
    where = f"the session on line {number}"
    if len(line) > MAX_LINE_BYTES:
        return Remains(where)
    try:
        data = json.loads(line.decode("utf-8"))
    except (RecursionError, ValueError):  # UnicodeDecodeError is a ValueError
        return Remains(where)
    return read_remains(data, where, record_seconds)


def record_remains(record: SessionRecord, number: int) -> Remains:
    """A session read whole (a second one with an id already seen): everything in it can be read."""
    span = Span(started_at=record.started_at, ended_at=max(record.ended_at, record.started_at))
    return Remains(f"the session on line {number}", span, record_seconds({"steps": list(record.steps)}), record.id)


def is_header(data: Any) -> bool:
    return type(data) is dict and data.get("format") == HISTORY_FORMAT


def parse(data: bytes) -> Parsed:
    """Read a history file's bytes line by line: keep every intact session, describe everything else.

    The cyclic garbage collector is paused meanwhile: parsing creates ~10 objects a session and no cycles, and
    its repeated full passes over them otherwise double the load time of a large history.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return parse_lines(data)
    finally:
        if was_enabled:
            gc.enable()


def parse_lines(data: bytes) -> Parsed:
    parsed = Parsed()
    current = migrations.current_version()
    if data.startswith(BOM):
        parsed.bom = True
        data = data[len(BOM) :]
    if not data.strip(b" \t\r\n"):
        parsed.empty = parsed.damaged = True
        parsed.problems.append("the file is empty" if not data else "the file holds only blank space")
        parsed.remains.append(WHOLE_FILE)  # whatever it held is gone: nothing of it can be read
        return parsed
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with a newline, as it should
    parser = RecordParser()
    seen: set[uuid.UUID] = set()

    def take(number: int, line: bytes, last: bool) -> bool:
        """Handle one line; return False only for a torn last line (the caller sets it aside)."""
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line.strip():
            return True
        clean = line
        if b"\x00" in line:
            parsed.damaged = True
            clean = line.replace(b"\x00", b"")
            parsed.problems.append(f"line {number}: NUL bytes" + ("" if clean.strip() else " only"))
            if not clean.strip():
                parsed.remains.append(Remains(f"the session on line {number}"))
                return True
        if number == 1 and parsed.header is None:
            try:
                head = json.loads(clean.decode("utf-8"))
            except ValueError:
                head = None
            if is_header(head):
                try:
                    parsed.version = migrations.record_version(head)
                except migrations.MigrationError as exc:
                    parsed.damaged = True
                    parsed.problems.append(f"line 1: the header's {exc}")
                parsed.header = head
                parsed.newer = parsed.version > current
                parsed.old_header = parsed.version < current
                return True
            parsed.damaged = True
            if type(head) is dict:
                parsed.problems.append("line 1: the header line is missing")
            else:
                if last:
                    return False
                parsed.problems.append("line 1: not a Companion history header")
                parsed.remains.append(line_remains(clean, number))
                return True
        record, problem, migrated = parser.parse(clean)
        if record is None and problem == NEWER_RECORD and clean is line:
            parsed.newer = True  # read-only: the line is never rewritten, so it stays as it is
            parsed.problems.append(f"line {number}: {problem}, kept as it is")
            parsed.remains.append(line_remains(clean, number))
            return True
        if record is None:
            if last:
                return False
            parsed.damaged = True
            parsed.problems.append(f"line {number}: {problem}")
            parsed.remains.append(line_remains(clean, number))
            return True
        if record.id in seen:
            parsed.damaged = True
            parsed.problems.append(f"line {number}: a second session with id {record.id} (the first one is kept)")
            parsed.remains.append(record_remains(record, number))
            return True
        seen.add(record.id)
        if record.schema_version > current:
            parsed.newer = True
        parsed.migrated += migrated
        raw = line if clean is line and not migrated else None
        parsed.entries.append(Entry(record, raw))
        return True

    for number, line in enumerate(lines, start=1):
        take(number, line, last=False)
    if tail and not take(len(lines) + 1, tail, last=True):
        parsed.torn = tail
        parsed.problems.append(f"line {len(lines) + 1}: cut short ({len(tail)} bytes, no end of line)")
        parsed.remains.append(line_remains(tail.removesuffix(b"\r").replace(b"\x00", b""), len(lines) + 1))
    if parsed.header is None and not parsed.entries and not parsed.damaged and parsed.torn:
        parsed.damaged = True  # nothing but a fragment: the header itself was torn
    return parsed


def render(entries: Iterable[Entry], header: dict[str, Any] | None) -> bytes:
    extra = {k: v for k, v in (header or {}).items() if k not in ("format", "schema_version")}
    chunks = [header_line(migrations.current_version(), extra)]
    for entry in entries:
        chunks.append(entry.raw if entry.raw is not None else entry.record.model_dump_json().encode())
        chunks.append(b"\n")
    return b"".join(chunks)
