"""The exposure ledger: every run's time per tool and area, kept in the state folder for 48 hours.

The history may refuse a session (disk full, read-only, a newer file) and the recovery screen may discard one,
but the time was still done: the ledger keeps it, so the limits count it. One JSON document, replaced atomically
under a lock (0600)::

    {"format": "companion-exposure", "schema_version": 1, "sessions": [
      {"id": "…", "started_at": "…", "ended_at": "…", "seconds": [{"tool": "hands", "area": "neck", "seconds": 60}]}
    ]}

Entries that ended more than :data:`KEEP` ago are dropped on the next write (the rolling day and any sitting
that reaches into it are shorter). A ledger that cannot be read is reported and set aside on the next write; what
can be read of it counts (:func:`ledger_remains`), the rest as :mod:`companion.run.unread` says.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from companion.disk.fileio import atomic_write, file_lock, lock_path_for, move_aside, read_regular
from companion.disk.paths import Paths
from companion.history.remains import WHOLE_FILE, AreaSeconds, Remains, read_remains
from companion.safety.exposure import Bout

KEEP = timedelta(hours=48)
"""How long an entry is kept: twice the rolling day, so a sitting reaching into the day is never cut."""


class LedgerTime(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tool: Annotated[str, Field(min_length=1, max_length=40)]
    area: Annotated[str, Field(min_length=1, max_length=40)]
    seconds: int = Field(ge=0, le=24 * 3600)


class LedgerEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: uuid.UUID
    started_at: AwareDatetime
    ended_at: AwareDatetime
    seconds: tuple[LedgerTime, ...] = Field(max_length=200)

    def bout(self) -> Bout:
        return Bout(self.id, self.started_at, max(self.ended_at, self.started_at), _totals(self.seconds))

    @classmethod
    def of(cls, bout: Bout) -> LedgerEntry:
        return cls(
            id=bout.session_id,
            started_at=bout.started_at,
            ended_at=bout.ended_at,
            seconds=tuple(
                LedgerTime(tool=tool, area=area, seconds=seconds)
                for (tool, area), seconds in sorted(bout.seconds.items())
            ),
        )


class Ledger(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["companion-exposure"] = "companion-exposure"
    schema_version: Literal[1] = 1
    sessions: tuple[LedgerEntry, ...] = Field(default=(), max_length=10_000)


def ledger_path(paths: Paths) -> Path:
    return paths.state / "exposure.json"


def _read(path: Path) -> Ledger:
    """The ledger on disk (empty when there is none); raises ``OSError`` or ``ValueError`` when unusable."""
    try:
        raw = read_regular(path)
    except FileNotFoundError:
        return Ledger()
    try:
        return Ledger.model_validate(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, ValidationError) as exc:
        raise ValueError(str(exc)) from exc


def load_ledger(paths: Paths) -> tuple[list[Bout], str | None]:
    """The bouts in the ledger and, when it could not be read, a message saying so."""
    path = ledger_path(paths)
    try:
        ledger = _read(path)
    except OSError as exc:
        return [], f"The record of time done at {path} could not be read ({exc.strerror or exc})."
    except ValueError:
        return [], f"The record of time done at {path} is damaged and could not be read."
    return [entry.bout() for entry in ledger.sessions], None


def ledger_remains(raw: bytes) -> tuple[list[Bout], list[Remains]]:
    """What can be read of a damaged ledger (or a copy of one set aside): the entries that are intact, and what
    can be read of the others (:func:`companion.history.remains.read_remains`)."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (RecursionError, ValueError):
        return [], [WHOLE_FILE]
    entries = data.get("sessions") if type(data) is dict else None
    if type(entries) is not list:
        return [], [WHOLE_FILE]
    bouts: list[Bout] = []
    remains: list[Remains] = []
    for number, item in enumerate(entries, start=1):
        try:
            bouts.append(LedgerEntry.model_validate(item).bout())
        except ValidationError:
            remains.append(read_remains(item, f"the session in entry {number}", _entry_seconds))
    return bouts, remains


def _entry_seconds(data: dict[str, Any]) -> AreaSeconds | None:
    """A damaged entry's time per tool and area, when every item of it can be read."""
    items = data.get("seconds")
    if type(items) is not list:
        return None
    try:
        return _totals(LedgerTime.model_validate(item) for item in items)
    except ValidationError:
        return None


def _totals(items: Iterable[LedgerTime]) -> dict[tuple[str, str], int]:
    totals: dict[tuple[str, str], int] = {}
    for item in items:
        totals[(item.tool, item.area)] = totals.get((item.tool, item.area), 0) + item.seconds
    return totals


def note_time(paths: Paths, bout: Bout, now: datetime) -> None:
    """Add (or grow) ``bout`` in the ledger, dropping entries older than :data:`KEEP`. Raises ``OSError`` or
    :class:`companion.disk.fileio.LockTimeout` when it cannot be written."""
    path = ledger_path(paths)
    with file_lock(lock_path_for(path)):
        try:
            ledger = _read(path)
        except ValueError:
            move_aside(path, now)  # kept, never deleted; its time is lost to the count, as it was unreadable
            ledger = Ledger()
        kept = [e for e in ledger.sessions if now - e.ended_at < KEEP and e.id != bout.session_id]
        previous = next((e for e in ledger.sessions if e.id == bout.session_id), None)
        entry = LedgerEntry.of(bout)
        if previous is not None and previous.bout().total > bout.total:
            entry = previous
        kept.append(entry)
        kept.sort(key=lambda e: e.started_at)
        data = Ledger(sessions=tuple(kept)).model_dump(mode="json")
        atomic_write(path, (json.dumps(data, indent=1) + "\n").encode("utf-8"))
