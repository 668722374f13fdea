"""The run of a plan: a state machine driven only by an injected monotonic clock.

The UI calls actions (:meth:`RoutineRun.start`, :meth:`~RoutineRun.pause`, :meth:`~RoutineRun.resume`,
:meth:`~RoutineRun.next`, :meth:`~RoutineRun.back`, :meth:`~RoutineRun.extend`, :meth:`~RoutineRun.stop`) and, on
every redraw, :meth:`~RoutineRun.snapshot` and :meth:`~RoutineRun.drain_events` (for cues). Nothing counts ticks:
every reading works out where the run is from ``clock.monotonic()``, so a missed redraw, a slow terminal or a
clock jump spanning several steps gives each step exactly its time.

How time is accounted
    Each time a step is under way is a *visit* (``back`` restarts a step: a new visit). The seconds of every visit
    are added to the step's total, so a step visited twice records both times. The record has one ``StepDone``
    per planned step (in plan order, 0 s for steps never reached), with the summed seconds. The sum of all
    steps' seconds equals the clock's running time (pauses excluded) until the run finished.

Limits
    A step's total over all its visits and extensions never passes its ``PlannedStep.max_seconds``; the plan
    guarantees that steps sharing a limit cannot pass it together. A visit runs the step's planned time, or less
    if that is all the step has left; ``extend`` adds time up to the same bound and says why when it cannot.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from companion.history.records import SessionRecord, SessionStatus, StepDone, honest_status
from companion.run.checkpoint import Checkpoint, CheckpointStep, round_seconds
from companion.run.clock import Clock
from companion.safety.plan import Plan, PlannedStep
from companion.safety.revision import Progress, Revision
from companion.words import format_seconds

WARNING_SECONDS = 5.0
"""The "step ends soon" cue comes this many seconds before a step ends (only for steps longer than that)."""
EXTEND_SECONDS = 15
"""What one press of ``+`` adds."""
MIN_USEFUL_SECONDS = 1.0
"""Extending or restarting a step with less time than this left is refused."""


class RunStatus(StrEnum):
    """Where the run is."""

    READY = "ready"
    """Not started yet."""
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    """Completed or stopped; see ``outcome``."""


class RunEventKind(StrEnum):
    """Moments the UI gives a cue for."""

    STEP_CHANGED = "step-changed"
    """A step began (the first one at start, then by itself, ``next`` or ``back``)."""
    STEP_ENDING = "step-ending"
    """The current step ends in :data:`WARNING_SECONDS`."""
    FINISHED = "finished"
    """The routine completed or was stopped (reaching the end with under half the time done, or with every step
    skipped, counts as stopped)."""


@dataclass(frozen=True)
class RunEvent:
    """A cue: what happened, to which step (position in ``plan.steps``), at which monotonic time."""

    kind: RunEventKind
    index: int
    at: float


@dataclass(frozen=True)
class ActionResult:
    """What an action did: ``ok`` false means nothing changed, and ``reason`` says why in words for the user.

    ``reason`` may also be set when ``ok`` (e.g. an extension that could only add part of what was asked).
    """

    ok: bool
    reason: str = ""
    seconds: float = 0.0
    """For ``extend``: the seconds really added."""


@dataclass(frozen=True)
class RunSnapshot:
    """Everything a redraw needs, computed at one instant. Immutable."""

    status: RunStatus
    index: int
    """Position of the current step in ``plan.steps``."""
    step: PlannedStep
    next_step: PlannedStep | None
    remaining: float
    """Seconds left in the current step (visit), >= 0."""
    elapsed: float
    """Seconds done in the current step (visit)."""
    step_seconds: float
    """Length of the current visit: the planned time (or what the step has left), plus extensions."""
    step_progress: float
    """0-1 through the current step."""
    overall_progress: float
    """0-1 through the routine, by position in the plan."""
    running_seconds: float
    """Seconds the routine has been running, pauses excluded."""
    can_extend_by: float
    """Seconds ``extend`` could still add to this step (0 when it is at its limit)."""
    outcome: SessionStatus | None
    """``completed`` or ``stopped`` once finished, else ``None``."""

    @property
    def paused(self) -> bool:
        return self.status is RunStatus.PAUSED

    @property
    def finished(self) -> bool:
        return self.status is RunStatus.FINISHED

    @property
    def remaining_text(self) -> str:
        """Remaining time as ``m:ss``, rounded up (shows ``0:01`` until the step really ends)."""
        return format_seconds(math.ceil(self.remaining - 1e-9))


class RoutineRun:
    """One run of a :class:`~companion.safety.plan.Plan`, timed by ``clock``.

    ``tension_before`` (0-10) goes into the record and the checkpoints. Raises ``ValueError`` for an empty plan.
    """

    def __init__(self, plan: Plan, clock: Clock, *, tension_before: int | None = None) -> None:
        if not plan.steps:
            raise ValueError("the plan has no steps to run")
        self.plan = plan
        self.clock = clock
        self.tension_before = tension_before
        self.session_id = uuid.uuid4()
        """The id of the session record (and of its checkpoints)."""
        self.started_at: datetime | None = None
        """Wall-clock time of ``start()``."""
        self._started_monotonic: float | None = None
        self._status = RunStatus.READY
        self._outcome: SessionStatus | None = None
        self._spent = [0.0] * len(plan.steps)  # closed visits, per step
        self._visits = [0] * len(plan.steps)
        self._index = 0
        self._target = float(min(plan.steps[0].seconds, plan.steps[0].max_seconds))
        self._banked = 0.0  # running time of the current visit before the current segment
        self._segment_start: float | None = None  # monotonic start of the current running segment
        self._warned = False
        self._ended_at: float | None = None
        self._final_elapsed = 0.0
        self._events: list[RunEvent] = []

    # ------------------------------------------------------------------ reading

    @property
    def status(self) -> RunStatus:
        """The status as of the last update (call :meth:`update` or :meth:`snapshot` for the current one)."""
        return self._status

    @property
    def outcome(self) -> SessionStatus | None:
        """``completed`` or ``stopped`` once finished."""
        return self._outcome

    @property
    def ended_at_monotonic(self) -> float | None:
        """Monotonic time the run finished (a completed run ends when its last step's time was up)."""
        return self._ended_at

    def step_seconds_spent(self) -> list[float]:
        """Seconds really spent per planned step so far, all visits, the current one included (unrounded)."""
        self.update()
        spent = list(self._spent)
        if self._status in (RunStatus.RUNNING, RunStatus.PAUSED):
            spent[self._index] += self._visit_elapsed(self.clock.monotonic())
        return spent

    def visits(self) -> list[int]:
        """How many times each planned step was begun."""
        self.update()
        visits = list(self._visits)
        if self._status in (RunStatus.RUNNING, RunStatus.PAUSED):
            visits[self._index] += 1
        return visits

    @property
    def running_seconds(self) -> float:
        """Seconds of running time accounted so far (pauses excluded)."""
        return sum(self.step_seconds_spent())

    def drain_events(self) -> tuple[RunEvent, ...]:
        """Cues since the last call, oldest first (after bringing the run up to date)."""
        self.update()
        events, self._events = tuple(self._events), []
        return events

    def snapshot(self) -> RunSnapshot:
        """Where the run is now (after bringing it up to date)."""
        self.update()
        now = self.clock.monotonic()
        steps = self.plan.steps
        index = self._index
        if self._status is RunStatus.FINISHED:
            elapsed = self._final_elapsed
            remaining = 0.0
        else:
            elapsed = self._visit_elapsed(now)
            remaining = max(0.0, self._target - elapsed)
        step_progress = 1.0 if self._target <= 0 else min(1.0, elapsed / self._target)
        if self._outcome is SessionStatus.COMPLETED:
            overall = 1.0
        else:
            total = sum(s.seconds for s in steps)
            before = sum(s.seconds for s in steps[:index])
            overall = min(1.0, (before + step_progress * steps[index].seconds) / total) if total else 1.0
        return RunSnapshot(
            status=self._status,
            index=index,
            step=steps[index],
            next_step=steps[index + 1] if index + 1 < len(steps) else None,
            remaining=remaining,
            elapsed=elapsed,
            step_seconds=self._target,
            step_progress=step_progress,
            overall_progress=overall,
            running_seconds=self.running_seconds,
            can_extend_by=self._extend_room() if self._status in (RunStatus.RUNNING, RunStatus.PAUSED) else 0.0,
            outcome=self._outcome,
        )

    # ------------------------------------------------------------------ actions

    def start(self) -> ActionResult:
        """Start the first step now."""
        if self._status is not RunStatus.READY:
            return ActionResult(False, "The routine has already started.")
        now = self.clock.monotonic()
        self.started_at, self._started_monotonic = self.clock.now(), now
        self._status = RunStatus.RUNNING
        self._begin_visit(0, now)
        return ActionResult(True)

    def update(self) -> None:
        """Bring the run up to the clock: end every step whose time is up (each gets exactly its time)."""
        if self._status is not RunStatus.RUNNING or self._segment_start is None:
            return
        now = self.clock.monotonic()
        while True:
            end_at = self._segment_start + (self._target - self._banked)
            if now < end_at:
                break
            self._close_visit(self._target)
            if self._index + 1 < len(self.plan.steps):
                self._begin_visit(self._index + 1, end_at)
            else:
                self._finish(SessionStatus.COMPLETED, end_at, self._target)
                return
        if not self._warned and end_at - now <= WARNING_SECONDS:
            self._warned = True
            self._events.append(RunEvent(RunEventKind.STEP_ENDING, self._index, now))

    def pause(self) -> ActionResult:
        """Hold the countdown."""
        self.update()
        if self._status is not RunStatus.RUNNING or self._segment_start is None:
            return ActionResult(False, "The routine is not running.")
        self._banked += self.clock.monotonic() - self._segment_start
        self._segment_start = None
        self._status = RunStatus.PAUSED
        return ActionResult(True)

    def resume(self) -> ActionResult:
        """Carry on after a pause."""
        if self._status is not RunStatus.PAUSED:
            return ActionResult(False, "The routine is not paused.")
        self._segment_start = self.clock.monotonic()
        self._status = RunStatus.RUNNING
        return ActionResult(True)

    def toggle_pause(self) -> ActionResult:
        """Pause when running, resume when paused."""
        self.update()
        return self.resume() if self._status is RunStatus.PAUSED else self.pause()

    def next(self) -> ActionResult:
        """Skip to the next step (the time spent on this one is kept); on the last step, complete the routine."""
        self.update()
        if self._status not in (RunStatus.RUNNING, RunStatus.PAUSED):
            return ActionResult(False, self._not_under_way())
        now = self.clock.monotonic()
        elapsed = self._visit_elapsed(now)
        self._close_visit(elapsed)
        if self._index + 1 < len(self.plan.steps):
            self._begin_visit(self._index + 1, now)
        else:
            self._finish(SessionStatus.COMPLETED, now, elapsed)
        return ActionResult(True)

    def back(self) -> ActionResult:
        """Restart the previous step (the current one on the first step), within what that step has left."""
        self.update()
        if self._status not in (RunStatus.RUNNING, RunStatus.PAUSED):
            return ActionResult(False, self._not_under_way())
        now = self.clock.monotonic()
        elapsed = self._visit_elapsed(now)
        target = max(0, self._index - 1)
        planned = self.plan.steps[target]
        left = planned.max_seconds - self._spent[target] - (elapsed if target == self._index else 0.0)
        if left < MIN_USEFUL_SECONDS:
            return ActionResult(
                False,
                f"“{planned.title}” cannot be done again: it has had {format_seconds(planned.max_seconds)}, "
                f"all it may have this session; {planned.max_reason}.",
            )
        self._close_visit(elapsed)
        self._begin_visit(target, now)
        return ActionResult(True)

    def extend(self, seconds: float = EXTEND_SECONDS) -> ActionResult:
        """Add ``seconds`` to the current step, or as much as its limit allows; refused at the limit."""
        self.update()
        if self._status not in (RunStatus.RUNNING, RunStatus.PAUSED):
            return ActionResult(False, self._not_under_way())
        if seconds <= 0:
            return ActionResult(False, "Nothing to add.")
        step = self.plan.steps[self._index]
        added = min(float(seconds), self._extend_room())
        if added < MIN_USEFUL_SECONDS:
            return ActionResult(
                False,
                f"“{step.title}” cannot run longer than {format_seconds(step.max_seconds)}: {step.max_reason}.",
            )
        self._target += added
        if self._target - self._visit_elapsed(self.clock.monotonic()) > WARNING_SECONDS:
            self._warned = False
        if added < seconds:
            return ActionResult(
                True,
                f"Added only {format_seconds(round(added))}: “{step.title}” cannot run longer than "
                f"{format_seconds(step.max_seconds)}; {step.max_reason}.",
                added,
            )
        return ActionResult(True, "", added)

    def stop(self) -> ActionResult:
        """End the run now; the time done so far is kept (outcome ``stopped``)."""
        self.update()
        if self._status is RunStatus.FINISHED:
            return ActionResult(False, "The routine has already ended.")
        now = self.clock.monotonic()
        if self._status is RunStatus.READY:
            self.started_at, self._started_monotonic = self.clock.now(), now
            self._finish(SessionStatus.STOPPED, now, 0.0)
            return ActionResult(True)
        elapsed = self._visit_elapsed(now)
        self._close_visit(elapsed)
        self._finish(SessionStatus.STOPPED, now, elapsed)
        return ActionResult(True)

    def progress(self) -> Progress:
        """Where the run is, for :func:`companion.safety.revision.revise`: the time spent and the time left read at
        one instant (read apart, on a real clock, the step under way seemed to have less left than it was due, and
        a cap it fits exactly said it was cut short)."""
        self.update()
        spent = list(self._spent)
        elapsed = self._visit_elapsed(self.clock.monotonic())
        if self._status in (RunStatus.RUNNING, RunStatus.PAUSED):
            spent[self._index] += elapsed
        left = 0.0 if self._status is RunStatus.FINISHED else max(0.0, self._target - elapsed)
        return Progress(tuple(spent), self._index, left)

    def revise(self, revision: Revision) -> None:
        """Run ``revision.plan`` from now on (made from :meth:`progress` just before): the visit under way shortened
        to what it may still run, or ended now (the next step kept begins, or the run stops when none is left).
        The time done so far stays with its steps."""
        self.update()
        if self._status not in (RunStatus.RUNNING, RunStatus.PAUSED):
            return
        now = self.clock.monotonic()
        elapsed = self._visit_elapsed(now)
        current = self._index
        ends_now = revision.current_left <= 0 or current not in revision.kept
        if ends_now:
            self._close_visit(elapsed)
        else:
            self._target = min(self._target, elapsed + revision.current_left)
        self._spent = [self._spent[position] for position in revision.kept]
        self._visits = [self._visits[position] for position in revision.kept]
        self.plan = revision.plan
        if not ends_now:
            self._index = revision.kept.index(current)
            return
        following = [new for new, old in enumerate(revision.kept) if old > current]
        if following:
            self._begin_visit(following[0], now)
        else:
            self._index = len(revision.kept) - 1  # the step under way if it is kept, else the last done before it
            self._finish(SessionStatus.STOPPED, now, elapsed)

    # ------------------------------------------------------------------ records

    def to_record(
        self,
        *,
        status: SessionStatus | None = None,
        started_at: datetime | None = None,
        ended_at: datetime | None = None,
    ) -> SessionRecord:
        """The session as really done so far: one ``StepDone`` per planned step with its summed whole seconds.

        ``status`` defaults to the outcome (``interrupted`` while the run is still under way); ``started_at`` to
        the time of ``start()``; ``ended_at`` to when the run finished (or now).
        """
        self.update()
        steps = self._steps_done()
        end = ended_at or self._wall_time(self._ended_at)
        start = started_at or self._wall_start(end, self._ended_at)
        return SessionRecord(
            id=self.session_id,
            routine_id=self.plan.routine.id,
            routine_title=self.plan.routine.title,
            started_at=start,
            ended_at=max(end, start),
            status=status or self._outcome or SessionStatus.INTERRUPTED,
            steps=steps,
            tension_before=self.tension_before,
        )

    def _steps_done(self) -> tuple[StepDone, ...]:
        """One ``StepDone`` per planned step, with its summed whole seconds."""
        actual = round_seconds(self.step_seconds_spent())
        return tuple(
            StepDone(
                area=step.area,
                tool=step.tool,
                planned_seconds=step.seconds,
                actual_seconds=min(seconds, step.max_seconds),
            )
            for step, seconds in zip(self.plan.steps, actual, strict=True)
        )

    def checkpoint(self) -> Checkpoint:
        """What to save so the run can be recorded as interrupted after a crash (:mod:`companion.run.checkpoint`)."""
        self.update()
        spent = self.step_seconds_spent()
        return Checkpoint(
            session_id=self.session_id,
            routine_id=self.plan.routine.id,
            routine_title=self.plan.routine.title,
            started_at=self._wall_start(self.clock.now(), None),
            saved_at=self.clock.now(),
            steps=tuple(
                CheckpointStep(
                    title=step.title,
                    area=step.area,
                    tool=step.tool,
                    planned_seconds=step.seconds,
                    actual_seconds=seconds,
                )
                for step, seconds in zip(self.plan.steps, spent, strict=True)
            ),
            current_index=self._index,
            paused=self._status is RunStatus.PAUSED,
            tension_before=self.tension_before,
        )

    # ------------------------------------------------------------------ internals

    def _visit_elapsed(self, now: float) -> float:
        if self._segment_start is None:
            return self._banked
        return self._banked + max(0.0, now - self._segment_start)

    def _extend_room(self) -> float:
        step = self.plan.steps[self._index]
        return max(0.0, step.max_seconds - self._spent[self._index] - self._target)

    def _begin_visit(self, index: int, at: float) -> None:
        step = self.plan.steps[index]
        self._index = index
        self._target = float(max(0.0, min(step.seconds, step.max_seconds - self._spent[index])))
        self._banked = 0.0
        self._segment_start = at if self._status is RunStatus.RUNNING else None
        self._warned = self._target <= WARNING_SECONDS
        self._events.append(RunEvent(RunEventKind.STEP_CHANGED, index, at))

    def _close_visit(self, elapsed: float) -> None:
        self._spent[self._index] += min(elapsed, self._target)
        self._visits[self._index] += 1

    def _finish(self, outcome: SessionStatus, at: float, elapsed: float) -> None:
        self._status = RunStatus.FINISHED
        # Reaching the end by skipping through is not completing: see honest_status.
        self._outcome = honest_status(self._steps_done()) if outcome is SessionStatus.COMPLETED else outcome
        self._ended_at = at
        self._final_elapsed = elapsed
        self._segment_start = None
        self._events.append(RunEvent(RunEventKind.FINISHED, self._index, at))

    def _not_under_way(self) -> str:
        if self._status is RunStatus.READY:
            return "The routine has not started yet."
        return "The routine has ended."

    def _wall_start(self, end: datetime, end_monotonic: float | None) -> datetime:
        """The wall-clock start of a run that ends (or is saved) at ``end``, the monotonic ``end_monotonic`` (now
        when ``None``). A clock put back during the run would make it end before it started, holding more time than
        it lasted, and the record would be refused: the start then moves back by the time that really passed, so
        the session is kept whole and its time counts as just done (stricter for the limits, never looser)."""
        if self.started_at is None or self._started_monotonic is None:
            return end
        until = self.clock.monotonic() if end_monotonic is None else end_monotonic
        passed = timedelta(seconds=max(0.0, until - self._started_monotonic))
        return min(self.started_at, end - passed)

    def _wall_time(self, monotonic: float | None) -> datetime:
        """The wall-clock time of a monotonic reading (now when ``None``)."""
        now = self.clock.now()
        if monotonic is None:
            return now
        return now - timedelta(seconds=max(0.0, self.clock.monotonic() - monotonic))
