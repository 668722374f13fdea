"""The time really done, read fresh from disk: the history, the exposure ledger and a run's checkpoint.

This lives in the run stage because the checkpoint is the run's: the safety stage only sees the
:class:`~companion.safety.exposure.Exposure` it returns.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta

from pydantic import ValidationError

from companion.catalogue.models import Catalog, Routine
from companion.disk.fileio import LockTimeout
from companion.disk.paths import Paths
from companion.history.records import SessionRecord
from companion.run.checkpoint import Checkpoint
from companion.safety.exposure import Bout, Exposure, Key, bout_of, exposure_at, merge
from companion.safety.ledger import load_ledger, note_time
from companion.safety.plan import Plan, make_plan
from companion.safety.screening import ScreeningAnswers
from companion.settings.user_settings import Settings

UNKNOWN_NOTE = "Time done earlier may not be counted: this plan keeps to one session's limits."
"""Said after each thing that could not be read (the app's toast, plain mode, the plan screen)."""


def checkpoint_bout(paths: Paths) -> Bout | None:
    """The time of the run in progress or interrupted, from its checkpoint (read only: nothing is moved)."""
    try:
        checkpoint = Checkpoint.model_validate(json.loads(paths.checkpoint.read_bytes().decode("utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError, ValidationError):
        return None  # an unreadable checkpoint is reported (and set aside) by the recovery at start
    seconds: dict[Key, int] = defaultdict(int)
    for step in checkpoint.steps:
        seconds[(step.tool, step.area)] += int(step.actual_seconds + 0.999)  # rounded up: never less than done
    return Bout(checkpoint.session_id, checkpoint.started_at, max(checkpoint.saved_at, checkpoint.started_at),
                dict(seconds))  # fmt: skip


def read_exposure(paths: Paths, now: datetime, gap: timedelta) -> Exposure:
    """The exposure at ``now``, read fresh from disk: the history, the ledger and a run's checkpoint.

    What cannot be read is named in ``Exposure.unknown`` (the plan then holds to one session's caps).
    """
    from companion.history.store import HistoryStore, StorageError

    unknown: list[str] = []
    try:
        history = [bout_of(record) for record in HistoryStore(paths).records]
    except StorageError as exc:
        history = []
        unknown.append(str(exc))
    noted, problem = load_ledger(paths)
    if problem:
        unknown.append(problem)
    running = checkpoint_bout(paths)
    bouts = merge(history, noted, [running] if running else [])
    return exposure_at(bouts, now, gap, tuple(unknown))


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
