"""The time really done, read fresh from disk: the history, the exposure ledger and a run's checkpoint.

This lives in the run stage because the checkpoint is the run's: the safety stage only sees the
:class:`~companion.safety.exposure.Exposure` it returns.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from companion.catalogue.models import Catalog, Routine
from companion.disk.fileio import LockTimeout, read_bounded, read_regular
from companion.disk.paths import Paths
from companion.history import messages
from companion.history.parsing import parse
from companion.history.records import SessionRecord
from companion.history.remains import WHOLE_FILE, Remains, read_remains
from companion.history.store import MAX_HISTORY_BYTES, HistoryStore, StorageError
from companion.run.checkpoint import Checkpoint, CheckpointStep
from companion.run.unread import COPY_HINT, HISTORY_HINT, Damage, read_damage
from companion.safety.exposure import DAY, Bout, Exposure, Key, bout_of, exposure_at, merge
from companion.safety.ledger import ledger_path, ledger_remains, load_ledger, note_time
from companion.safety.plan import Plan, make_plan
from companion.safety.screening import ScreeningAnswers
from companion.settings.user_settings import Settings

PLAN_CHANGED = "Sessions or limits saved elsewhere since this plan was made changed it"
"""Said when the plan made again just before the countdown differs from the one shown (the app, plain mode)."""


def checkpoint_bout(paths: Paths) -> Bout | None:
    """The time of the run in progress or interrupted, from its checkpoint (read only: nothing is moved); ``None``
    when there is none or it cannot be read (the recovery at start reports it and sets it aside)."""
    try:
        bouts, remains = checkpoint_remains(read_regular(paths.checkpoint))
    except OSError:
        return None
    return bouts[0] if bouts and not remains else None


def checkpoint_remains(raw: bytes) -> tuple[list[Bout], list[Remains]]:
    """The time in a checkpoint (or a copy of one set aside), or what can be read of it when it is damaged."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (RecursionError, ValueError):
        return [], [WHOLE_FILE]
    try:
        checkpoint = Checkpoint.model_validate(data)
    except ValidationError:
        return [], [read_remains(data, "the unfinished session", _checkpoint_seconds, end="saved_at", key="session_id")]
    return [_bout(checkpoint.session_id, checkpoint.started_at, checkpoint.saved_at, checkpoint.steps)], []


def _checkpoint_seconds(data: dict[str, Any]) -> dict[Key, int] | None:
    """A damaged checkpoint's time per tool and area, when every step of it can be read."""
    steps = data.get("steps")
    if type(steps) is not list:
        return None
    try:
        return _seconds([CheckpointStep.model_validate(step) for step in steps])
    except ValidationError:
        return None


def _bout(session_id: uuid.UUID, started: datetime, saved: datetime, steps: Iterable[CheckpointStep]) -> Bout:
    return Bout(session_id, started, max(saved, started), _seconds(steps))


def _seconds(steps: Iterable[CheckpointStep]) -> dict[Key, int]:
    seconds: dict[Key, int] = defaultdict(int)
    for step in steps:
        seconds[(step.tool, step.area)] += int(step.actual_seconds + 0.999)  # rounded up: never less than done
    return dict(seconds)


def history_remains(raw: bytes) -> tuple[list[Bout], list[Remains]]:
    """The sessions in a copy of the history set aside, and what can be read of its damaged lines."""
    if len(raw) > MAX_HISTORY_BYTES:
        return [], [WHOLE_FILE]
    parsed = parse(raw)
    return [bout_of(entry.record) for entry in parsed.entries], parsed.remains


def read_exposure(
    paths: Paths, now: datetime, gap: timedelta, records: Iterable[SessionRecord] | None = None
) -> Exposure:
    """The exposure at ``now``, read fresh from disk: the history, the ledger and a run's checkpoint.

    ``records``: the history as the caller has just read it from disk (it is then not read twice). What cannot
    be read (a file, or lines of it, and the damaged copies set aside in the last 24 hours) is said in
    ``Exposure.unknown``; what can be read of it counts, and while the rest may still count every area's daily
    limits count as used up (``Exposure.unknown_until``; the rules are :mod:`companion.run.unread`'s): what cannot
    be read never makes a plan looser than the intact file would.
    """
    damage: list[Damage] = []
    history = _read_history(paths, now, damage) if records is None else [bout_of(record) for record in records]
    noted, problem = load_ledger(paths)
    if problem:
        damage += _damage(ledger_path(paths), problem, ledger_remains, noted, now)
    running: list[Bout] = []
    if paths.checkpoint.exists():
        unfinished = f"The unfinished session in {paths.checkpoint} could not be read."
        damage += _damage(paths.checkpoint, unfinished, checkpoint_remains, running, now)
    for copy, reader in set_aside_copies(paths):
        if now - last_written(copy, now) < DAY:
            damage += _damage(copy, f"{copy} holds time done that was set aside as damaged.", reader, noted, now,
                              COPY_HINT)  # fmt: skip
    readings = [read_damage(found, now) for found in damage]
    counted = [bout for reading in readings for bout in reading.bouts]
    untils = [reading.until for reading in readings if reading.until is not None]
    bouts = merge(history, noted, running, counted)
    return exposure_at(bouts, now, gap, tuple(r.said for r in readings), max(untils, default=None))


def _read_history(paths: Paths, now: datetime, damage: list[Damage]) -> list[Bout]:
    """The sessions in the history file; what cannot be read of it is added to ``damage``."""
    try:
        parsed = HistoryStore(paths).read_fresh()
    except StorageError as exc:
        damage.append(Damage(paths.history, str(exc), [WHOLE_FILE], last_written(paths.history, now)))
        return []
    if parsed is None:
        return []
    if parsed.remains:
        said = messages.unread_lines(paths.history, parsed.problems)
        damage.append(Damage(paths.history, said, parsed.remains, last_written(paths.history, now), HISTORY_HINT))
    return [bout_of(entry.record) for entry in parsed.entries]


Reader = Callable[[bytes], tuple[list[Bout], list[Remains]]]
"""Reads the time in a file of one kind: the intact sessions, and what can be read of the damaged ones."""


def _damage(path: Path, said: str, reader: Reader, counted: list[Bout], now: datetime, hint: str = "") -> list[Damage]:
    """What cannot be read of ``path``, a file of ``reader``'s kind (none of it, or nothing), its intact sessions
    added to ``counted``."""
    try:
        raw = read_bounded(path, MAX_HISTORY_BYTES)
    except OSError as exc:
        raw, said = None, f"{said.removesuffix('.')} ({exc.strerror or exc})."
    if raw is None:  # it cannot be read, or it is far too large: nothing of it can be
        return [Damage(path, said, [WHOLE_FILE], last_written(path, now), hint)]
    bouts, remains = reader(raw)
    counted.extend(bouts)
    return [Damage(path, said, remains, last_written(path, now), hint)] if remains else []


DAMAGE_SUFFIXES = ("corrupt-", "torn-")
"""How the history, the ledger and the checkpoint name the copies they keep of damaged data."""


def set_aside_copies(paths: Paths) -> list[tuple[Path, Reader]]:
    """The damaged copies of the history, the ledger and the checkpoint kept beside them, each with its reader."""
    found: list[tuple[Path, Reader]] = []
    kinds: list[tuple[Path, Reader]] = [(paths.history, history_remains), (ledger_path(paths), ledger_remains),
                                        (paths.checkpoint, checkpoint_remains)]  # fmt: skip
    for path, reader in kinds:
        try:
            found += sorted((p, reader) for p in path.parent.glob(f"{path.name}.*")
                            if p.name[len(path.name) + 1 :].startswith(DAMAGE_SUFFIXES))  # fmt: skip
        except OSError:
            continue
    return found


def last_written(path: Path, now: datetime) -> datetime:
    """When ``path`` was last written (``now`` when that cannot be told: the strict reading)."""
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return now


def note_deleted(paths: Paths, records: Iterable[SessionRecord], now: datetime) -> tuple[datetime | None, str | None]:
    """Keep the time of sessions about to be deleted in the exposure ledger: deleting a session takes it out of
    the history, never out of the limits (it was done all the same). Until when the last of them counts (``None``
    when none did in the last 24 hours), and a message for the person if the ledger could not be written."""
    ends: list[datetime] = []
    for record in records:
        if now - record.ended_at >= DAY or bout_of(record).total <= 0:
            continue
        problem = note_done(paths, record, now)
        if problem:
            return None, problem
        ends.append(record.ended_at)
    return (max(ends) + DAY if ends else None), None


def fresh_plan(
    paths: Paths,
    catalog: Catalog,
    settings: Settings,
    answers: ScreeningAnswers,
    routine: Routine,
    now: datetime,
) -> Plan:
    """The plan for ``routine`` at ``now``, counting the time done as read fresh from disk (the app's flow, its
    second look before the countdown, plain mode and ``companion plan`` all plan this way)."""
    exposure = read_exposure(paths, now, timedelta(minutes=catalog.safety.session_gap_minutes))
    return make_plan(routine, catalog, settings, answers, exposure)


def note_done(paths: Paths, done: SessionRecord | Bout, now: datetime) -> str | None:
    """Keep the time of a session in the exposure ledger, saved or not; a message for the person if it failed."""
    bout = done if isinstance(done, Bout) else bout_of(done)
    if bout.total <= 0:
        return None
    try:
        note_time(paths, bout, now)
    except (OSError, LockTimeout) as exc:
        return (
            f"The time done could not be noted for the daily limits ({exc}); if the session is not saved either, "
            "count it yourself before another session today."
        )
    return None
