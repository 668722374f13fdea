"""The run's state for status bars and scripts: a small file the run replaces every second, and its reading.

While a routine runs, :class:`StatusWriter` replaces ``run-status.json`` in the state folder every second (and at
every change) by renaming a new file over it, so a reader sees the old or the new file, never half of one. It is
not fsynced: it is rewritten a second later anyway, and nothing is lost with it (the checkpoint and the history
are what keep the session). The run removes it when it ends.

:func:`read_status` says what is going on: ``idle``, ``running`` or ``paused`` (with the step and the seconds left,
counted on from the moment the file was written), or ``interrupted`` when the process that wrote the file is
gone and its session is still waiting to be recorded (its checkpoint is there), with the time done.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from companion.disk.fileio import FILE_MODE, ensure_dir, read_regular, write_all
from companion.disk.paths import Paths
from companion.run.checkpoint import Checkpoint
from companion.run.engine import RoutineRun, RunSnapshot
from companion.safety.plan import Plan

STATUS_SCHEMA_VERSION = 1
WRITE_SECONDS = 1.0
"""The run replaces the file at least this often."""
STALE_SECONDS = 10.0
"""A file older than this was left by a run that stopped writing (a dead or frozen process whose id may have been
reused): the run is taken as over. A Companion design choice, ten times the writing interval."""


MAX_PID = 2**31 - 1
"""The largest process id (``pid_t`` is a signed 32-bit number): a larger one is no process, never an overflow."""


class RunState(StrEnum):
    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"
    INTERRUPTED = "interrupted"
    """The process died during a run; the session waits to be recorded at the next start."""


class StatusFile(BaseModel):
    """What the run writes every second."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    schema_version: int = STATUS_SCHEMA_VERSION
    pid: int = Field(gt=0, le=MAX_PID)
    session_id: uuid.UUID
    routine_id: str = Field(max_length=200)
    routine_title: str = Field(max_length=500)
    step_number: int = Field(ge=1)
    step_count: int = Field(ge=1)
    step_title: str = Field(max_length=500)
    area: str = Field(max_length=200)
    area_name: str = Field(max_length=200)
    step_seconds_left: float = Field(ge=0, le=86400)
    routine_seconds_left: float = Field(ge=0, le=86400)
    seconds_done: float = Field(ge=0, le=86400)
    paused: bool
    written_at: AwareDatetime


def status_path(paths: Paths) -> Path:
    return paths.state / "run-status.json"


def status_of(plan: Plan, run: RoutineRun, snap: RunSnapshot, pid: int, at: datetime) -> StatusFile:
    """The status file's content for the run at ``snap``."""
    later = sum(step.seconds for step in plan.steps[snap.index + 1 :])
    return StatusFile(
        pid=pid,
        session_id=run.session_id,
        routine_id=plan.routine.id,
        routine_title=plan.routine.title,
        step_number=snap.index + 1,
        step_count=len(plan.steps),
        step_title=snap.step.title,
        area=snap.step.area,
        area_name=snap.step.area_name,
        step_seconds_left=snap.remaining,
        routine_seconds_left=snap.remaining + later,
        seconds_done=snap.running_seconds,
        paused=snap.paused,
        written_at=at,
    )


def replace_file(path: Path, data: bytes) -> None:
    """Put ``data`` at ``path`` by renaming a new file (0600) over it: readers see the old or the new file."""
    ensure_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            os.fchmod(fd, FILE_MODE)
            write_all(fd, data)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


StatusOutput = Callable[[Path, bytes | None], None]
"""Puts a status file's new contents at its path, or removes it (``None``): :func:`put_status` here and now, or
something that hands the same call to another thread (the app's, so the UI never waits on the disk). A failure is
the output's to swallow: the run goes on without its status file."""


def put_status(path: Path, data: bytes | None) -> None:
    """Replace the status file with ``data``, or remove it when ``data`` is ``None`` (errors are ignored)."""
    with contextlib.suppress(OSError):
        if data is None:
            path.unlink(missing_ok=True)
        else:
            replace_file(path, data)


class StatusWriter:
    """Keeps the status file up to date for one run (at most once a second unless something changed)."""

    def __init__(
        self, paths: Paths, plan: Plan, run: RoutineRun, pid: int | None = None, output: StatusOutput = put_status
    ) -> None:
        self.path = status_path(paths)
        self.plan = plan
        self.run = run
        self.pid = pid or os.getpid()
        self.output = output
        self._last: float | None = None

    def update(self, snap: RunSnapshot, *, changed: bool = False) -> None:
        """Write the file if a second has passed since the last write, or at once when ``changed``."""
        now = self.run.clock.monotonic()
        if snap.finished:
            self.clear()
            return
        if not changed and self._last is not None and now - self._last < WRITE_SECONDS:
            return
        self._last = now
        status = status_of(self.plan, self.run, snap, self.pid, self.run.clock.now())
        self.output(self.path, (status.model_dump_json() + "\n").encode("utf-8"))

    def clear(self) -> None:
        """The run is over: no status file."""
        self.output(self.path, None)


@dataclass(frozen=True)
class StatusReport:
    """What ``companion status`` says."""

    state: RunState
    status: StatusFile | None = None
    """The run's last status (``None`` when idle)."""
    step_seconds_left: float = 0.0
    routine_seconds_left: float = 0.0
    seconds_done: float = 0.0


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists (it may belong to another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _checkpoint_of(paths: Paths) -> Checkpoint | None:
    """The checkpoint on disk, read without touching it (recovery, not status, sets a bad one aside)."""
    try:
        return Checkpoint.model_validate_json(read_regular(paths.checkpoint))
    except (OSError, ValueError, ValidationError):
        return None


def read_status(paths: Paths, now: datetime, alive: Callable[[int], bool] = process_alive) -> StatusReport:
    """Where the run is now, from the status file (and the checkpoint when its process is gone)."""
    try:
        status = StatusFile.model_validate_json(read_regular(status_path(paths)))
    except (OSError, ValueError, ValidationError):
        return StatusReport(RunState.IDLE)
    age = (now - status.written_at).total_seconds()
    if alive(status.pid) and -STALE_SECONDS <= age <= STALE_SECONDS:
        gone = 0.0 if status.paused else max(0.0, age)
        return StatusReport(
            RunState.PAUSED if status.paused else RunState.RUNNING,
            status,
            max(0.0, status.step_seconds_left - gone),
            max(0.0, status.routine_seconds_left - gone),
            status.seconds_done + gone,
        )
    checkpoint = _checkpoint_of(paths)
    if checkpoint is None or checkpoint.session_id != status.session_id:
        return StatusReport(RunState.IDLE)
    return StatusReport(RunState.INTERRUPTED, status, seconds_done=checkpoint.actual_seconds)
