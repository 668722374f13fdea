"""The session history on disk: JSON Lines, appended under a lock, never silently lost.

File format (``history.jsonl`` in the data folder, 0600)::

    {"format": "companion-history", "schema_version": 1}
    {"schema_version": 1, "id": "…", "routine_id": "…", …}      one SessionRecord a line

Guarantees (see ``docs/storage.md`` for the reasoning and the tests that prove each one):

- Saving a session appends one line with ``O_APPEND`` under an inter-process lock, then ``fsync``: its cost does
  not depend on how many sessions are stored. A failed save truncates the file back to its earlier size, so the
  earlier data stays byte-for-byte intact, and raises :class:`SaveError` holding the unsaved record.
- Edits, deletions, undo, imports and migrations rewrite the whole file atomically (temp file, fsync,
  ``os.replace``, fsync of the folder) under the same lock, always starting from what is on disk *now*, so a
  session saved meanwhile by another window is never lost.
- Reading decides line by line: intact sessions are kept; damaged lines are never dropped silently. A torn last
  line (a save cut short) is set aside in ``<name>.torn-<UTC time>``; any other damage keeps the whole original
  file as ``<name>.corrupt-<UTC time>`` (never overwriting an earlier one) before the intact sessions are written
  back. Each is reported in :attr:`LoadReport.messages`. An empty file is reported, never taken for an empty
  history. A file that cannot be read (permissions, I/O) raises :class:`StorageError` and nothing is moved.
- A file written by a newer release is read as far as possible and never written: every write is refused with
  :class:`ReadOnlyError`.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from companion.disk.fileio import (
    NOT_INHERITED,
    LockTimeout,
    atomic_write,
    ensure_dir,
    existing_copy,
    file_lock,
    keep_copy,
    set_aside_bytes,
    utc_stamp,
    write_all,
)
from companion.disk.paths import Paths
from companion.history import migrations
from companion.history.records import SessionRecord, StepDone, record_problem

T = TypeVar("T")

HISTORY_FORMAT = "companion-history"
BOM = b"\xef\xbb\xbf"
_STEP_KEYS = frozenset({"area", "tool", "planned_seconds", "actual_seconds"})
_MAX_PROBLEMS_SHOWN = 5
MAX_HISTORY_BYTES = 64 * 2**20
"""The largest history (or export of one) read: 20,000 sessions take 15 MiB; a larger file is refused with a message
before it is read whole. A design choice."""
MAX_LINE_BYTES = 2**20
"""The longest line taken for a session (the bounds of :mod:`~companion.history.records` keep one under 100 KiB)."""


class StorageError(Exception):
    """The history could not be read or written; the message is meant for the user, as it is."""


class ReadOnlyError(StorageError):
    """The history file was written by a newer Companion: it is read, never written."""


class StoreBusy(StorageError):
    """Another Companion held the lock too long (the cause is a :class:`~companion.disk.fileio.LockTimeout`)."""


class SaveError(StorageError):
    """A write failed; the file on disk is as it was before (byte for byte).

    ``record`` is the session that was not saved (for :meth:`HistoryStore.append` and ``update``): keep it in
    memory and offer the user to retry or to export it with :meth:`HistoryStore.export_unsaved`.
    """

    def __init__(self, message: str, record: SessionRecord | None = None) -> None:
        super().__init__(message)
        self.record = record


@dataclass
class LoadReport:
    """What :meth:`HistoryStore.load` found: the sessions, and what the user must be told."""

    records: list[SessionRecord]
    messages: list[str] = field(default_factory=list)
    """Plain sentences for the user: damage set aside (and where), read-only notice, upgrades."""
    read_only: bool = False
    """True when the file comes from a newer release: nothing will be written to it."""
    set_aside: list[Path] = field(default_factory=list)
    """Files written to keep damaged data (``*.corrupt-*``, ``*.torn-*``) or the pre-upgrade copy."""


@dataclass
class ImportResult:
    """Sessions added by :meth:`HistoryStore.import_records`, and those skipped because their id was present."""

    added: list[SessionRecord]
    skipped: list[SessionRecord]


@dataclass
class _Entry:
    record: SessionRecord
    raw: bytes | None
    """The line exactly as read (kept as is on rewrite, so unknown fields survive byte for byte)."""


@dataclass
class _Parsed:
    entries: list[_Entry] = field(default_factory=list)
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

    @property
    def upgrade(self) -> bool:
        return self.migrated > 0 or self.old_header

    @property
    def needs_repair(self) -> bool:
        return self.damaged or bool(self.torn) or self.upgrade


def _header_line(version: int, extra: dict[str, Any] | None = None) -> bytes:
    header: dict[str, Any] = {"format": HISTORY_FORMAT, "schema_version": version}
    for key, value in (extra or {}).items():
        header.setdefault(key, value)
    return json.dumps(header, ensure_ascii=False, separators=(", ", ": ")).encode() + b"\n"


class _RecordParser:
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
            shared: list[Any] = []
            for step in steps:
                if type(step) is dict and step.keys() == _STEP_KEYS:
                    area, tool = step["area"], step["tool"]
                    planned, actual = step["planned_seconds"], step["actual_seconds"]
                    if type(area) is str and type(tool) is str and type(planned) is int and type(actual) is int:
                        key = (area, tool, planned, actual)
                        known = self._steps.get(key)
                        if known is None:
                            try:
                                known = StepDone.model_validate(step)
                            except ValidationError:
                                shared.append(step)  # the record's validation names the field in full
                                continue
                            self._slim(known)
                            self._steps[key] = known
                        shared.append(known)
                        continue
                shared.append(step)
            data["steps"] = shared
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


def _is_header(data: Any) -> bool:
    return type(data) is dict and data.get("format") == HISTORY_FORMAT


def _parse(data: bytes) -> _Parsed:
    """Read a history file's bytes line by line: keep every intact session, describe everything else.

    The cyclic garbage collector is paused meanwhile: parsing creates ~10 objects a session and no cycles, and
    its repeated full passes over them otherwise double the load time of a large history.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_lines(data)
    finally:
        if was_enabled:
            gc.enable()


def _parse_lines(data: bytes) -> _Parsed:
    parsed = _Parsed()
    current = migrations.current_version()
    if data.startswith(BOM):
        parsed.bom = True
        data = data[len(BOM) :]
    if not data.strip(b" \t\r\n"):
        parsed.empty = parsed.damaged = True
        parsed.problems.append("the file is empty" if not data else "the file holds only blank space")
        return parsed
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with a newline, as it should
    parser = _RecordParser()
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
                return True
        if number == 1 and parsed.header is None:
            try:
                head = json.loads(clean.decode("utf-8"))
            except ValueError:
                head = None
            if _is_header(head):
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
                return True
        record, problem, migrated = parser.parse(clean)
        if record is None and problem == NEWER_RECORD and clean is line:
            parsed.newer = True  # read-only: the line is never rewritten, so it stays as it is
            parsed.problems.append(f"line {number}: {problem}, kept as it is")
            return True
        if record is None:
            if last:
                return False
            parsed.damaged = True
            parsed.problems.append(f"line {number}: {problem}")
            return True
        if record.id in seen:
            parsed.damaged = True
            parsed.problems.append(f"line {number}: a second session with id {record.id} (the first one is kept)")
            return True
        seen.add(record.id)
        if record.schema_version > current:
            parsed.newer = True
        parsed.migrated += migrated
        raw = line if clean is line and not migrated else None
        parsed.entries.append(_Entry(record, raw))
        return True

    for number, line in enumerate(lines, start=1):
        take(number, line, last=False)
    if tail and not take(len(lines) + 1, tail, last=True):
        parsed.torn = tail
        parsed.problems.append(f"line {len(lines) + 1}: cut short ({len(tail)} bytes, no end of line)")
    if parsed.header is None and not parsed.entries and not parsed.damaged and parsed.torn:
        parsed.damaged = True  # nothing but a fragment: the header itself was torn
    return parsed


def _render(entries: Iterable[_Entry], header: dict[str, Any] | None) -> bytes:
    extra = {k: v for k, v in (header or {}).items() if k not in ("format", "schema_version")}
    chunks = [_header_line(migrations.current_version(), extra)]
    for entry in entries:
        chunks.append(entry.raw if entry.raw is not None else entry.record.model_dump_json().encode())
        chunks.append(b"\n")
    return b"".join(chunks)


def _summarise(problems: list[str]) -> str:
    shown = "; ".join(problems[:_MAX_PROBLEMS_SHOWN])
    more = len(problems) - _MAX_PROBLEMS_SHOWN
    return shown + (f"; and {more} more" if more > 0 else "")


def _synchronized(method: Callable[..., T]) -> Callable[..., T]:
    """Run ``method`` holding the store's thread lock (re-entrant: a method may call another)."""

    @functools.wraps(method)
    def locked(self: HistoryStore, *args: Any, **kwargs: Any) -> T:
        with self._thread_lock:
            return method(self, *args, **kwargs)

    return locked


class HistoryStore:
    """The session history of one user. Thread-safe (one thread at a time reads or writes, the others wait) and
    safe across processes (every write holds the file lock).

    ``records`` is loaded on first use and kept up to date by this object's own writes; sessions saved by another
    window appear after :meth:`load`. Once loaded, ``records`` never waits for a write or a load under way in
    another thread: it returns the sessions as they stood before it.
    """

    def __init__(self, paths: Paths, *, lock_timeout: float = 3.0, now: Callable[[], datetime] | None = None) -> None:
        self.paths = paths
        self.lock_timeout = lock_timeout
        self._now = now or (lambda: datetime.now(UTC))
        self._records: list[SessionRecord] | None = None
        self._ids: set[uuid.UUID] = set()
        self.read_only = False
        self.messages: list[str] = []
        """Messages from writes (a torn line found while saving, ...), for the UI to show; it may clear them."""
        self._thread_lock = threading.RLock()

    @property
    def path(self) -> Path:
        return self.paths.history

    # -- reading ---------------------------------------------------------------------------------------------

    def _read(self) -> bytes | None:
        try:
            with open(self.path, "rb") as handle:
                # Checked before reading (the size), and while reading (a device or a pipe has no size).
                too_large = os.fstat(handle.fileno()).st_size > MAX_HISTORY_BYTES
                data = b"" if too_large else handle.read(MAX_HISTORY_BYTES + 1)
                if too_large or len(data) > MAX_HISTORY_BYTES:
                    raise StorageError(
                        f"Your history at {self.path} is larger than the {MAX_HISTORY_BYTES // 2**20} MiB Companion "
                        "reads (20,000 sessions take about 15 MiB); it was not read, and nothing was changed or "
                        "moved. Move it away to start a new history, or import it in parts."
                    )
                return data
        except FileNotFoundError:
            return None
        except PermissionError as exc:
            raise StorageError(
                f"Cannot read your history at {self.path}: permission denied. Nothing was changed or moved; "
                "check the file's owner and permissions."
            ) from exc
        except OSError as exc:
            raise StorageError(
                f"Cannot read your history at {self.path}: {exc.strerror or exc}. Nothing was changed or moved."
            ) from exc

    def _remember(self, records: list[SessionRecord]) -> None:
        self._ids = {record.id for record in records}
        self._records = records

    @_synchronized
    def load(self) -> LoadReport:
        """Read the history from disk, set damaged parts aside (under the lock) and report what happened.

        Raises :class:`StorageError` when the file cannot be read at all (permissions, I/O).
        """
        if self._stale_temp_files():
            with contextlib.suppress(StorageError, OSError), self._locked():
                self._sweep_locked()
        data = self._read()
        if data is None:
            self.read_only = False
            self._remember([])
            return LoadReport(records=[])
        parsed = _parse(data)
        report = LoadReport(records=[], read_only=parsed.newer)
        if parsed.newer:
            which = (
                f"format version {parsed.version}"
                if parsed.version > migrations.current_version()
                else "some of its sessions are of a newer format"
            )
            report.messages.append(
                f"Your history at {self.path} was written by a newer version of Companion ({which}; this one "
                f"knows up to format version {migrations.current_version()}). It is shown read-only: nothing will "
                "be changed or added to it. Update Companion to save new sessions."
            )
            if parsed.damaged or parsed.torn:
                report.messages.append(
                    f"Some lines could not be read and were left untouched: {_summarise(parsed.problems)}."
                )
        elif parsed.needs_repair:
            try:
                with self._locked():
                    data = self._read()
                    if data is not None:
                        parsed = _parse(data)
                        if not parsed.newer and parsed.needs_repair:
                            report.set_aside, notes = self._repair_locked(data, parsed, parsed.entries)
                            report.messages.extend(notes)
            except (StorageError, OSError) as exc:
                report.messages.append(
                    f"Your history at {self.path} has problems ({_summarise(parsed.problems)}) that could not be "
                    f"repaired now: {exc}. The intact sessions are shown; nothing was changed."
                )
        if parsed.bom:
            report.messages.append(
                f"Your history at {self.path} starts with a byte-order mark (it was probably saved by a text "
                "editor); it was read normally."
            )
        report.read_only = parsed.newer
        report.records = [entry.record for entry in parsed.entries]
        self.read_only = parsed.newer
        self._remember(report.records)
        return report

    @property
    def records(self) -> list[SessionRecord]:
        """The sessions, in file order (loaded on first use). A new list each time; the records are frozen."""
        records = self._records
        if records is None:
            with self._thread_lock:
                if self._records is None:
                    self.load()
                records = self._records
        assert records is not None
        return list(records)

    def get(self, session_id: uuid.UUID) -> SessionRecord | None:
        return next((record for record in self.records if record.id == session_id), None)

    # -- writing ---------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            with file_lock(self.paths.lock, timeout=self.lock_timeout):
                yield
        except LockTimeout as exc:
            raise StoreBusy(str(exc)) from exc

    def _target(self) -> Path:
        """The file writes go to: the history itself, or the file it links to inside the data folder.

        A link is followed, so a rewrite replaces the file linked to (atomically) and never the link itself. A
        link out of the data folder is refused: a write through it could change any file of the user's.
        (The data folder may itself be a link, to a synced folder for instance: what counts is where it is.)
        """
        path = self.path
        if not path.is_symlink():
            return path
        target, folder = path.resolve(), path.parent.resolve()
        if not target.is_relative_to(folder):
            raise StorageError(
                f"Your history at {path} is a link to {target}, outside Companion's data folder {folder}; Companion "
                "does not write through it, and nothing was changed. Put the file itself in the data folder, or "
                "link the whole data folder instead."
            )
        return target

    def _stale_temp_files(self) -> list[Path]:
        """Temporary files of rewrites that were killed before ``os.replace`` (they never held the only copy)."""
        try:
            target = self._target()
            return list(target.parent.glob(f".{target.name}.*.tmp"))
        except (OSError, StorageError):
            return []

    def _sweep_locked(self) -> None:
        """Remove stale temporary files; safe under the lock, since every rewrite of the history holds it."""
        for stale in self._stale_temp_files():
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()

    def _repair_locked(self, data: bytes, parsed: _Parsed, entries: list[_Entry]) -> tuple[list[Path], list[str]]:
        """Keep damaged data aside, then write ``entries`` back. Returns the files written and messages."""
        stamp = utc_stamp(self._now())
        kept: list[Path] = []
        notes: list[str] = []
        count = len(entries)
        target = self._target()
        if parsed.damaged:
            # A copy kept by a repair that then failed (a full disk) is the same file still: not kept twice.
            copy = existing_copy(target, "corrupt") or keep_copy(target, f"corrupt-{stamp}")
            kept.append(copy)
            if parsed.empty:
                notes.append(
                    f"Your history file {self.path} was empty; an empty file is not taken for an empty history. "
                    f"It was kept as {copy}. If you have a backup of your history, import it with "
                    "'companion import FILE'."
                )
            else:
                notes.append(
                    f"Your history file {self.path} was damaged ({_summarise(parsed.problems)}). The original is "
                    f"kept unchanged as {copy}; sessions in use: {count}, every intact one."
                )
        elif parsed.torn:
            side = set_aside_bytes(target, f"torn-{stamp}", parsed.torn)
            kept.append(side)
            notes.append(
                f"The last line of your history was cut short (a save was interrupted); the fragment was set "
                f"aside in {side}. Sessions in use: {count}, every complete one."
            )
        if parsed.upgrade and not parsed.damaged:
            copy = existing_copy(target, f"v{parsed.version}") or keep_copy(target, f"v{parsed.version}-{stamp}")
            kept.append(copy)
            notes.append(
                f"Your history was upgraded to format version {migrations.current_version()}; the previous file "
                f"is kept as {copy}."
            )
        atomic_write(target, _render(entries, parsed.header))
        return kept, notes

    def _rewrite(self, change: Callable[[list[_Entry]], list[_Entry]], record: SessionRecord | None = None) -> None:
        """Apply ``change`` to the sessions on disk now and replace the file atomically, under the lock."""
        if self.read_only:
            raise ReadOnlyError(self._read_only_message())
        with self._locked():
            self._sweep_locked()
            data = self._read()
            parsed = _parse(data) if data is not None else _Parsed()
            if parsed.newer:
                self.read_only = True
                raise ReadOnlyError(self._read_only_message())
            entries = change(list(parsed.entries))
            unchanged = len(entries) == len(parsed.entries) and all(
                a is b for a, b in zip(entries, parsed.entries, strict=True)
            )
            if data is not None and unchanged and not parsed.needs_repair:
                self._remember([entry.record for entry in entries])
                return
            try:
                if data is not None and parsed.needs_repair:
                    _kept, notes = self._repair_locked(data, parsed, entries)
                    self.messages.extend(notes)
                else:
                    atomic_write(self._target(), _render(entries, parsed.header))
            except OSError as exc:
                self._records = None  # the folder sync may have failed after the replacement: re-read on use
                raise SaveError(self._write_failed_message(exc), record) from exc
            self._remember([entry.record for entry in entries])

    def _read_only_message(self) -> str:
        return (
            f"Your history at {self.path} was written by a newer version of Companion; this version only reads "
            "it and changes nothing. Update Companion to save or change sessions."
        )

    def _write_failed_message(self, exc: OSError) -> str:
        reason = "the disk is full" if exc.errno == 28 else (exc.strerror or str(exc))
        return (
            f"Could not save to your history at {self.path}: {reason}. Your earlier sessions are unchanged. "
            "Free some space or fix the problem, then try again, or export the session to a file."
        )

    @_synchronized
    def append(self, record: SessionRecord) -> None:
        """Save one new session: one line appended under the lock, fsynced. Cost independent of history size.

        Raises :class:`SaveError` (with ``record``) on any failure: disk full, I/O or permission error, another
        window holding the lock too long (the cause is then a ``LockTimeout``), or a newer file (read-only).
        The file is then exactly as it was.
        """
        if self._records is not None and record.id in self._ids:
            raise ValueError(f"session {record.id} is already saved; use update() to change it")
        if self.read_only:
            raise SaveError(self._read_only_message(), record)
        line = record.model_dump_json().encode() + b"\n"
        try:
            with self._locked():
                self._append_locked(line)
        except SaveError as exc:
            exc.record = record
            raise
        except ReadOnlyError as exc:
            self.read_only = True
            raise SaveError(str(exc), record) from exc
        except StorageError as exc:
            raise SaveError(str(exc), record) from exc
        except OSError as exc:
            raise SaveError(self._write_failed_message(exc), record) from exc
        if self._records is not None:
            self._ids.add(record.id)
            self._records = [*self._records, record]  # a new list: readers in other threads keep theirs

    def _append_locked(self, line: bytes) -> None:
        ensure_dir(self.path.parent)
        path = self._target()
        if not path.exists():
            atomic_write(path, _header_line(migrations.current_version()))
        fd = os.open(path, os.O_RDWR | os.O_APPEND | NOT_INHERITED | getattr(os, "O_NOFOLLOW", 0))
        try:
            size = os.fstat(fd).st_size
            prefix = b""
            if size == 0:
                self.messages.append(f"Your history file {path} was empty when saving; a new header was written.")
                prefix = _header_line(migrations.current_version())
            else:
                self._refuse_newer(fd, size)
                size, prefix = self._mend_tail(fd, size)
            try:
                write_all(fd, prefix + line)
                os.fsync(fd)
            except OSError as exc:
                try:
                    os.ftruncate(fd, size)
                    os.fsync(fd)
                except OSError:
                    pass  # the torn line left behind is set aside by the next load or save
                raise SaveError(self._write_failed_message(exc)) from exc
        finally:
            os.close(fd)

    def _refuse_newer(self, fd: int, size: int) -> None:
        head = os.pread(fd, min(size, 65536), 0)
        first = head.split(b"\n", 1)[0].removeprefix(BOM)
        try:
            header = json.loads(first)
            version = migrations.record_version(header) if _is_header(header) else None
        except (ValueError, migrations.MigrationError):
            return
        if version is not None and version > migrations.current_version():
            raise ReadOnlyError(self._read_only_message())

    def _mend_tail(self, fd: int, size: int) -> tuple[int, bytes]:
        """Make sure the next line starts on a line of its own; set a torn last line aside. Reads the tail only."""
        if os.pread(fd, 1, size - 1) == b"\n":
            return size, b""
        start, position, chunk = 0, size, 65536
        while position > 0:
            begin = max(0, position - chunk)
            found = os.pread(fd, position - begin, begin).rfind(b"\n")
            if found != -1:
                start = begin + found + 1
                break
            position = begin
        tail = os.pread(fd, size - start, start)
        try:
            complete = type(json.loads(tail.removeprefix(BOM))) is dict
        except ValueError:
            complete = False
        if complete:
            return size, b"\n"
        side = set_aside_bytes(self._target(), f"torn-{utc_stamp(self._now())}", tail)
        os.ftruncate(fd, start)
        os.fsync(fd)
        self.messages.append(
            f"The last line of your history was cut short (a save was interrupted); the fragment was set aside "
            f"in {side}."
        )
        if start == 0:
            return 0, _header_line(migrations.current_version())
        return start, b""

    @_synchronized
    def save(self, record: SessionRecord) -> None:
        """Save ``record``: appended when its id is new, else it replaces the saved session with that id.

        Appending costs the same however long the history is; replacing rewrites the file. A session deleted in
        another window meanwhile is added back (the user is saving it now). Raises :class:`SaveError` (with
        ``record``) on any failure, the file then being exactly as it was.
        """
        try:
            self.records  # noqa: B018 - loaded on first use, so that ``_ids`` knows what is saved
        except StorageError as exc:
            raise SaveError(str(exc), record) from exc
        if record.id not in self._ids:
            self.append(record)
            return

        def change(entries: list[_Entry]) -> list[_Entry]:
            for index, entry in enumerate(entries):
                if entry.record.id == record.id:
                    entries[index] = _Entry(record, None)
                    return entries
            return [*entries, _Entry(record, None)]

        try:
            self._rewrite(change, record)
        except SaveError:
            raise
        except StorageError as exc:
            raise SaveError(str(exc), record) from exc

    @_synchronized
    def update(self, record: SessionRecord) -> None:
        """Replace the saved session with the same id (e.g. the reflection adds tension after and notes)."""

        def change(entries: list[_Entry]) -> list[_Entry]:
            for index, entry in enumerate(entries):
                if entry.record.id == record.id:
                    entries[index] = _Entry(record, None)
                    return entries
            raise StorageError(f"No saved session with id {record.id}; it may have been deleted in another window.")

        self._rewrite(change, record)

    @_synchronized
    def delete(self, ids: Iterable[uuid.UUID]) -> list[SessionRecord]:
        """Delete the sessions with these ids (unknown ids are ignored); return the deleted ones, for undo."""
        wanted = set(ids)
        removed: list[SessionRecord] = []

        def change(entries: list[_Entry]) -> list[_Entry]:
            removed.clear()
            removed.extend(entry.record for entry in entries if entry.record.id in wanted)
            return [entry for entry in entries if entry.record.id not in wanted]

        self._rewrite(change)
        return removed

    @_synchronized
    def restore(self, records: Iterable[SessionRecord]) -> None:
        """Put deleted sessions back (undo), each before the first session that started after it."""
        restoring = list(records)

        def change(entries: list[_Entry]) -> list[_Entry]:
            present = {entry.record.id for entry in entries}
            for record in restoring:
                if record.id in present:
                    continue
                position = next(
                    (i for i, entry in enumerate(entries) if entry.record.started_at > record.started_at),
                    len(entries),
                )
                entries.insert(position, _Entry(record, None))
                present.add(record.id)
            return entries

        self._rewrite(change)

    @_synchronized
    def import_records(self, records: Iterable[SessionRecord]) -> ImportResult:
        """Add sessions whose id is not present yet, all or nothing; report what was added and skipped."""
        incoming = list(records)
        result = ImportResult(added=[], skipped=[])

        def change(entries: list[_Entry]) -> list[_Entry]:
            present = {entry.record.id for entry in entries}
            result.added.clear()
            result.skipped.clear()
            for record in incoming:
                if record.id in present:
                    result.skipped.append(record)
                else:
                    present.add(record.id)
                    result.added.append(record)
                    entries.append(_Entry(record, None))
            return entries

        self._rewrite(change)
        return result

    def export_unsaved(self, record: SessionRecord, path: Path) -> None:
        """Write one session (typically one that could not be saved) to ``path`` as an importable JSON file."""
        from companion.history.interchange import dump

        target = Path(path).expanduser()
        if target.resolve() == self.path.resolve():
            raise StorageError("Choose another file than the history itself.")
        try:
            atomic_write(target, dump([record], "json"))
        except OSError as exc:
            raise SaveError(f"Could not write {target}: {exc.strerror or exc}.", record) from exc


__all__ = [
    "HISTORY_FORMAT",
    "HistoryStore",
    "ImportResult",
    "LoadReport",
    "ReadOnlyError",
    "SaveError",
    "StorageError",
    "StoreBusy",
]
