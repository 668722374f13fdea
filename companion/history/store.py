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
import json
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from companion.disk.fileio import (
    NOT_INHERITED,
    LockTimeout,
    Signature,
    atomic_write,
    ensure_dir,
    existing_copy,
    file_lock,
    file_signature,
    keep_copy,
    open_regular,
    require_regular,
    set_aside_bytes,
    utc_stamp,
    write_all,
)
from companion.disk.paths import Paths
from companion.history import messages, migrations
from companion.history.parsing import BOM, HISTORY_FORMAT, Entry, Parsed, header_line, is_header, parse, render
from companion.history.records import SessionRecord, overlap_with, span_text

T = TypeVar("T")

MAX_HISTORY_BYTES = 64 * 2**20
"""The largest history (or export of one) read: 20,000 sessions take 15 MiB; a larger file is refused with a message
before it is read whole. A design choice."""


class StorageError(Exception):
    """The history could not be read or written; the message is meant for the user, as it is."""


class ReadOnlyError(StorageError):
    """The history file was written by a newer Companion: it is read, never written."""


class ImportRefused(StorageError):
    """Sessions that cannot be added as they are (one overlaps a session already in the history): nothing is."""


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
    window appear after :meth:`load` (:meth:`changed_on_disk` says, cheaply, when one is due). Once loaded,
    ``records`` never waits for a write or a load under way in another thread: it returns the sessions as they stood
    before it.
    """

    def __init__(self, paths: Paths, *, lock_timeout: float = 3.0, now: Callable[[], datetime] | None = None) -> None:
        self.paths = paths
        self.lock_timeout = lock_timeout
        self._now = now or (lambda: datetime.now(UTC))
        self._records: list[SessionRecord] | None = None
        self._ids: set[uuid.UUID] = set()
        self.read_only = False
        self.messages: list[str] = []
        """Messages from writes (a torn line found while saving, ...) and from a load on first use of
        :attr:`records`, for the UI to show: see :meth:`take_messages`."""
        self._thread_lock = threading.RLock()
        self.set_aside: list[Path] = []
        """Every file this store has set aside (damage, a torn line, a pre-upgrade copy)."""
        self._seen: Signature | None = None
        """The file as ``records`` last matched it, whole: after a load, a rewrite, or an append to the file as
        read (see :meth:`changed_on_disk`)."""

    @property
    def path(self) -> Path:
        return self.paths.history

    # -- reading ---------------------------------------------------------------------------------------------

    def _signature(self) -> Signature | None:
        return file_signature(self.path)

    def changed_on_disk(self) -> bool:
        """Whether the file was changed by someone else (another window, plain mode, an import) since ``records``
        last matched it: one ``stat``, no lock and no reading, cheap enough to ask every second. ``False`` until
        the history is first loaded."""
        return self._records is not None and self._signature() != self._seen

    def _read(self) -> bytes | None:
        try:
            with open_regular(self.path) as handle:
                # Checked before reading (the size), and while reading (a file may grow meanwhile).
                too_large = os.fstat(handle.fileno()).st_size > MAX_HISTORY_BYTES
                data = b"" if too_large else handle.read(MAX_HISTORY_BYTES + 1)
                if too_large or len(data) > MAX_HISTORY_BYTES:
                    raise StorageError(messages.too_large(self.path, MAX_HISTORY_BYTES))
                return data
        except FileNotFoundError:
            return None
        except PermissionError as exc:
            raise StorageError(messages.cannot_read(self.path, None)) from exc
        except OSError as exc:
            raise StorageError(messages.cannot_read(self.path, exc)) from exc

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
        # Taken before reading, so a change made meanwhile is found by the next look; kept even when the file
        # cannot be read, so an unreadable file is reported once, not at every look.
        self._seen = self._signature()
        data = self._read()
        if data is None:
            self.read_only = False
            self._remember([])
            return LoadReport(records=[])
        parsed = parse(data)
        report = LoadReport(records=[], read_only=parsed.newer)
        unwritable = self._link_out()
        if parsed.newer:
            report.messages.append(messages.newer_file(self.path, parsed.version))
            if parsed.damaged or parsed.torn:
                report.messages.append(messages.left_untouched(parsed.problems))
        elif unwritable is not None:  # said at once, not first when a run's session cannot be saved at its end
            report.messages.append(unwritable)
            if parsed.damaged or parsed.torn:
                report.messages.append(messages.left_untouched(parsed.problems))
        elif parsed.needs_repair:
            try:
                with self._locked():
                    data = self._read()
                    if data is not None:
                        parsed = parse(data)
                        if not parsed.newer and parsed.needs_repair:
                            report.set_aside, notes = self._repair_locked(data, parsed, parsed.entries)
                            report.messages.extend(notes)
                            self.set_aside.extend(report.set_aside)
                            self._seen = self._signature()  # the file as repaired: what is read now
            except (StorageError, OSError) as exc:
                report.messages.append(messages.not_repaired(self.path, parsed.problems, exc))
        if parsed.bom:
            report.messages.append(messages.byte_order_mark(self.path))
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
                    self.messages.extend(self.load().messages)  # a repair on first use is told too
                records = self._records
        assert records is not None
        return list(records)

    def get(self, session_id: uuid.UUID) -> SessionRecord | None:
        return next((record for record in self.records if record.id == session_id), None)

    @_synchronized
    def take_messages(self) -> list[str]:
        """The messages not yet shown (see :attr:`messages`), once: the list is emptied."""
        taken, self.messages = self.messages, []
        return taken

    def kept_aside(self) -> list[Path]:
        """The damaged parts set aside over time (``.corrupt-``, ``.torn-`` copies), oldest first."""
        target = self.path
        found = [*target.parent.glob(f"{target.name}.corrupt-*"), *target.parent.glob(f"{target.name}.torn-*")]
        return sorted(found, key=lambda path: path.name.split("-", 1)[1])  # by the time in the name

    def read_fresh(self) -> Parsed | None:
        """The file on disk now, parsed, without repairing anything or keeping it (``None``: there is none): for
        readers that only need the sessions (the exposure, whether a run was saved). The store that shows the
        history repairs it, and says so; a repair by such a reader would be a message nobody sees.

        Raises :class:`StorageError` when the file cannot be read."""
        data = self._read()
        return None if data is None else parse(data)

    def intact_records(self) -> list[SessionRecord]:
        """The intact sessions on disk now (see :meth:`read_fresh`). Raises :class:`StorageError`."""
        parsed = self.read_fresh()
        return [] if parsed is None else [entry.record for entry in parsed.entries]

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
            raise StorageError(messages.link_outside(path, target, folder))
        return target

    def _link_out(self) -> str | None:
        """What to tell the person when the history is a link out of the data folder (see :meth:`_target`)."""
        try:
            self._target()
        except StorageError as exc:
            return str(exc)
        return None

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

    def _repair_locked(self, data: bytes, parsed: Parsed, entries: list[Entry]) -> tuple[list[Path], list[str]]:
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
            notes.append(
                messages.empty(self.path, copy)
                if parsed.empty
                else messages.damaged(self.path, parsed.problems, copy, count)
            )
        elif parsed.torn:
            side = set_aside_bytes(target, f"torn-{stamp}", parsed.torn)
            kept.append(side)
            notes.append(messages.torn(side, count))
        if parsed.upgrade and not parsed.damaged:
            copy = existing_copy(target, f"v{parsed.version}") or keep_copy(target, f"v{parsed.version}-{stamp}")
            kept.append(copy)
            notes.append(messages.upgraded(copy))
        atomic_write(target, render(entries, parsed.header))
        return kept, notes

    def _rewrite(self, change: Callable[[list[Entry]], list[Entry]], record: SessionRecord | None = None) -> None:
        """Apply ``change`` to the sessions on disk now and replace the file atomically, under the lock."""
        if self.read_only:
            raise ReadOnlyError(messages.read_only(self.path))
        with self._locked():
            self._sweep_locked()
            data = self._read()
            parsed = parse(data) if data is not None else Parsed()
            if parsed.newer:
                self.read_only = True
                raise ReadOnlyError(messages.read_only(self.path))
            entries = change(list(parsed.entries))
            unchanged = len(entries) == len(parsed.entries) and all(
                a is b for a, b in zip(entries, parsed.entries, strict=True)
            )
            if data is not None and unchanged and not parsed.needs_repair:
                self._remember([entry.record for entry in entries])
                self._seen = self._signature()
                return
            try:
                if data is not None and parsed.needs_repair:
                    _kept, notes = self._repair_locked(data, parsed, entries)
                    self.messages.extend(notes)
                else:
                    atomic_write(self._target(), render(entries, parsed.header))
            except OSError as exc:
                self._records = None  # the folder sync may have failed after the replacement: re-read on use
                raise SaveError(messages.write_failed(self.path, exc), record) from exc
            self._remember([entry.record for entry in entries])
            self._seen = self._signature()  # under the lock: the file as just written

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
            raise SaveError(messages.read_only(self.path), record)
        line = record.model_dump_json().encode() + b"\n"
        try:
            with self._locked():
                in_step = self._records is not None and self._signature() == self._seen
                self._append_locked(line)
                if in_step:  # nobody wrote since it was read: the file is what was read, and this line
                    self._seen = self._signature()
        except SaveError as exc:
            exc.record = record
            raise
        except ReadOnlyError as exc:
            self.read_only = True
            raise SaveError(str(exc), record) from exc
        except StorageError as exc:
            raise SaveError(str(exc), record) from exc
        except OSError as exc:
            raise SaveError(messages.write_failed(self.path, exc), record) from exc
        if self._records is not None:
            self._ids.add(record.id)
            self._records = [*self._records, record]  # a new list: readers in other threads keep theirs

    def _append_locked(self, line: bytes) -> None:
        ensure_dir(self.path.parent)
        path = self._target()
        if not path.exists():
            atomic_write(path, header_line(migrations.current_version()))
        fd = os.open(
            path, os.O_RDWR | os.O_APPEND | NOT_INHERITED | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
        try:
            require_regular(fd, path)
            size = os.fstat(fd).st_size
            prefix = b""
            if size == 0:
                self.messages.append(f"Your history file {path} was empty when saving; a new header was written.")
                prefix = header_line(migrations.current_version())
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
                raise SaveError(messages.write_failed(self.path, exc)) from exc
        finally:
            os.close(fd)

    def _refuse_newer(self, fd: int, size: int) -> None:
        head = os.pread(fd, min(size, 65536), 0)
        first = head.split(b"\n", 1)[0].removeprefix(BOM)
        try:
            header = json.loads(first)
            version = migrations.record_version(header) if is_header(header) else None
        except (ValueError, migrations.MigrationError):
            return
        if version is not None and version > migrations.current_version():
            raise ReadOnlyError(messages.read_only(self.path))

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
        self.messages.append(messages.torn(side, None))
        if start == 0:
            return 0, header_line(migrations.current_version())
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

        def change(entries: list[Entry]) -> list[Entry]:
            for index, entry in enumerate(entries):
                if entry.record.id == record.id:
                    entries[index] = Entry(record, None)
                    return entries
            return [*entries, Entry(record, None)]

        try:
            self._rewrite(change, record)
        except SaveError:
            raise
        except StorageError as exc:
            raise SaveError(str(exc), record) from exc

    @_synchronized
    def update(self, record: SessionRecord) -> None:
        """Replace the saved session with the same id (e.g. the reflection adds tension after and notes)."""

        def change(entries: list[Entry]) -> list[Entry]:
            for index, entry in enumerate(entries):
                if entry.record.id == record.id:
                    entries[index] = Entry(record, None)
                    return entries
            raise StorageError(f"No saved session with id {record.id}; it may have been deleted in another window.")

        self._rewrite(change, record)

    @_synchronized
    def delete(self, ids: Iterable[uuid.UUID]) -> list[SessionRecord]:
        """Delete the sessions with these ids (unknown ids are ignored); return the deleted ones, for undo."""
        wanted = set(ids)
        removed: list[SessionRecord] = []

        def change(entries: list[Entry]) -> list[Entry]:
            removed.clear()
            removed.extend(entry.record for entry in entries if entry.record.id in wanted)
            return [entry for entry in entries if entry.record.id not in wanted]

        self._rewrite(change)
        return removed

    @_synchronized
    def restore(self, records: Iterable[SessionRecord]) -> None:
        """Put deleted sessions back (undo), each before the first session that started after it."""
        restoring = list(records)

        def change(entries: list[Entry]) -> list[Entry]:
            present = {entry.record.id for entry in entries}
            for record in restoring:
                if record.id in present:
                    continue
                position = next(
                    (i for i, entry in enumerate(entries) if entry.record.started_at > record.started_at),
                    len(entries),
                )
                entries.insert(position, Entry(record, None))
                present.add(record.id)
            return entries

        self._rewrite(change)

    @_synchronized
    def import_records(self, records: Iterable[SessionRecord]) -> ImportResult:
        """Add sessions whose id is not present yet, all or nothing; report what was added and skipped."""
        incoming = list(records)
        result = ImportResult(added=[], skipped=[])

        def change(entries: list[Entry]) -> list[Entry]:
            present = {entry.record.id for entry in entries}
            result.added.clear()
            result.skipped.clear()
            for record in incoming:
                if record.id in present:
                    result.skipped.append(record)
                else:
                    present.add(record.id)
                    result.added.append(record)
            clash = overlap_with(result.added, [entry.record for entry in entries])
            if clash is not None:
                new, old = result.added[clash[0]], clash[1]
                raise ImportRefused(messages.overlaps(new.id, span_text(new), old.id, span_text(old)))
            entries.extend(Entry(record, None) for record in result.added)
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
    "ImportRefused",
    "ImportResult",
    "LoadReport",
    "ReadOnlyError",
    "SaveError",
    "StorageError",
    "StoreBusy",
]
