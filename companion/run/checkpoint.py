"""The run in progress, saved to the state folder so that a crash loses nothing.

The UI saves a :class:`Checkpoint` (built by ``RoutineRun.checkpoint()``) on every change and every few seconds
with :func:`save_checkpoint`, and clears it with :func:`clear_checkpoint` once the session is recorded. On the next
start, :func:`load_checkpoint` finds an interrupted run; the user records it (:func:`checkpoint_to_record`, status
``interrupted``, with the time actually done) or discards it.

The checkpoint carries the session's id, which the record keeps, so recording the same run twice (the app
recorded it, then died before clearing the checkpoint) can be recognised by the history.

One run at a time: the window whose routine is running holds the run lock (:func:`claim_run`). The operating
system releases it when that process ends, however it ends, so a checkpoint whose lock is free was left by a
run that is over, and one whose lock is held belongs to a run still going in another window (which must
neither be offered for recovery nor have its checkpoint overwritten by a second run).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from companion.disk.fileio import (
    MAX_SMALL_FILE_BYTES,
    HeldLock,
    atomic_write,
    file_lock,
    lock_path_for,
    move_aside,
    parse_json,
    read_bounded,
    try_lock,
)
from companion.disk.paths import Paths
from companion.history.records import (
    CLOCK_SLACK_SECONDS,
    MAX_STEP_SECONDS,
    MAX_STEPS,
    CatalogueId,
    Moment,
    Seconds,
    SessionRecord,
    SessionStatus,
    StepDone,
    Tension,
    Title,
    implausible,
    record_problem,
)

if TYPE_CHECKING:
    from companion.catalogue.models import Catalog

CHECKPOINT_SCHEMA_VERSION = 1


class CheckpointStep(BaseModel):
    """One planned step and the seconds really spent on it so far (all visits)."""

    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)

    title: Title
    area: CatalogueId
    tool: CatalogueId
    planned_seconds: Seconds
    actual_seconds: float = Field(ge=0, le=MAX_STEP_SECONDS, allow_inf_nan=False)
    """Unrounded; rounded when the checkpoint becomes a record. Finite: ``Infinity`` is no time done."""


class Checkpoint(BaseModel):
    """A snapshot of a run in progress, enough to record it as interrupted."""

    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)

    schema_version: int = Field(default=CHECKPOINT_SCHEMA_VERSION, strict=True, ge=1)
    session_id: uuid.UUID
    """The id the session record will carry."""
    routine_id: Title
    routine_title: Title
    started_at: Moment
    saved_at: Moment
    """When the checkpoint was taken: the last moment the run is known to have been going."""
    steps: tuple[CheckpointStep, ...] = Field(min_length=1, max_length=MAX_STEPS)
    current_index: int = Field(strict=True, ge=0)
    """Position in ``steps`` of the step under way."""
    paused: bool = Field(default=False, strict=True)
    tension_before: Tension | None = None

    @model_validator(mode="after")
    def _within_its_time(self) -> Checkpoint:
        """Saved after it started, with no more time done than passed in between (and a step under way)."""
        if self.current_index >= len(self.steps):
            raise ValueError(f"current_index {self.current_index} is past the last of {len(self.steps)} steps")
        started, saved = self.started_at.astimezone(UTC), self.saved_at.astimezone(UTC)  # see SessionRecord
        if saved < started:
            raise ValueError("saved_at is before started_at")
        allowed = (saved - started).total_seconds() + CLOCK_SLACK_SECONDS + len(self.steps)
        if self.actual_seconds > allowed:
            raise ValueError(
                f"the steps hold {self.actual_seconds:.0f} s, more than the {allowed:.0f} s between start and the "
                "last save allow"
            )
        return self

    @property
    def actual_seconds(self) -> float:
        """Seconds really spent so far."""
        return sum(step.actual_seconds for step in self.steps)


def round_seconds(values: list[float]) -> list[int]:
    """Whole seconds for ``values`` whose sum is the rounded sum of ``values`` (no drift from rounding each).

    Each result is within one second of its value and never above an integer bound the value was within.
    """
    out: list[int] = []
    total = 0.0
    previous = 0
    for value in values:
        total += max(0.0, value)
        rounded = int(total + 0.5)  # half up: with integer bounds no result can pass its bound
        out.append(max(0, rounded - previous))
        previous = rounded
    return out


def checkpoint_to_record(checkpoint: Checkpoint) -> SessionRecord:
    """The session as it stood at the checkpoint, with status ``interrupted``."""
    actual = round_seconds([step.actual_seconds for step in checkpoint.steps])
    return SessionRecord(
        id=checkpoint.session_id,
        routine_id=checkpoint.routine_id,
        routine_title=checkpoint.routine_title,
        started_at=checkpoint.started_at,
        ended_at=max(checkpoint.saved_at, checkpoint.started_at),
        status=SessionStatus.INTERRUPTED,
        steps=tuple(
            StepDone(area=step.area, tool=step.tool, planned_seconds=step.planned_seconds, actual_seconds=seconds)
            for step, seconds in zip(checkpoint.steps, actual, strict=True)
        ),
        tension_before=checkpoint.tension_before,
    )


def save_checkpoint(paths: Paths, checkpoint: Checkpoint) -> None:
    """Replace the checkpoint file atomically (0600) under a lock."""
    data = json.dumps(checkpoint.model_dump(mode="json"), indent=1)
    with file_lock(lock_path_for(paths.checkpoint)):
        atomic_write(paths.checkpoint, (data + "\n").encode("utf-8"))


def load_checkpoint(
    paths: Paths, now: datetime | None = None, catalog: Catalog | None = None
) -> tuple[Checkpoint | None, str | None]:
    """The checkpoint left by an interrupted run (``None`` if there is none) and a message when it was unusable.

    An unusable file is moved aside (never deleted) so it is not offered again; ``now`` stamps its new name. With
    ``now`` and ``catalog`` the session it would record is also checked against the clock and the catalogue's
    limits (:func:`companion.history.records.implausible`). A file from a newer Companion is read if it can be, and left
    untouched if not.
    """
    path = paths.checkpoint
    try:
        raw = read_bounded(path, MAX_SMALL_FILE_BYTES)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"Could not read the unfinished session ({path}: {exc.strerror or exc})."
    data: Any = None
    try:
        data = parse_json(raw)
        checkpoint = Checkpoint.model_validate(data)
        problem = None
        if now is not None and catalog is not None:
            problem = implausible(checkpoint_to_record(checkpoint), now, catalog)
        if problem is None:
            return checkpoint, None
    except ValidationError as exc:
        problem = record_problem(exc)
    except UnicodeDecodeError:
        problem = "not UTF-8 text"
    except json.JSONDecodeError:
        problem = "not valid JSON"
    except ValueError as exc:  # too large, nested too deeply
        problem = str(exc)
    version = data.get("schema_version") if isinstance(data, dict) else None
    if isinstance(version, int) and version > CHECKPOINT_SCHEMA_VERSION:
        return None, f"The unfinished session in {path} was saved by a newer Companion; it is left as is."
    moved = move_aside(path, now)
    where = f"kept as {moved}" if moved else f"left at {path}"
    return None, (
        f"An unfinished session could not be read ({problem}), so it cannot be recorded; the file was {where}."
    )


def clear_checkpoint(paths: Paths) -> None:
    """Remove the checkpoint (after the session was recorded or discarded); no error if there is none."""
    with file_lock(lock_path_for(paths.checkpoint)):
        paths.checkpoint.unlink(missing_ok=True)


RunLock = HeldLock
"""The run lock, held while this window runs a routine; ``release()`` lets another window run one."""


def run_lock_path(paths: Paths) -> Path:
    return paths.state / "run.lock"


def claim_run(paths: Paths) -> RunLock | None:
    """Take the run lock without waiting; ``None`` while another window is running a routine."""
    return try_lock(run_lock_path(paths))


def run_elsewhere(paths: Paths) -> bool:
    """Whether a routine is running in another window right now."""
    lock = claim_run(paths)
    if lock is None:
        return True
    lock.release()
    return False
