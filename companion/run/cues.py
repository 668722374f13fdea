"""Cues for following a routine without looking: what the run's events and the user's actions mean, in words.

:class:`CueMaker` is pure: it turns the run's events and snapshots (and the outcome of each action) into
:class:`Cue` values, each with a line to print or show, words to speak, and whether it deserves a desktop
notification. The app's runner and plain mode (``companion start ID --plain``) both use it, so a cue reads the
same on the screen, in a terminal line, aloud and in a notification.

One change gives one cue: a jump over several steps (a missed redraw, a suspended laptop) is one "step started"
cue for the step now under way, and a step that starts as the previous one's warning is due gives only the start.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

from companion.catalogue.models import CITATION
from companion.history.records import SessionStatus
from companion.run.engine import ActionResult, RunEvent, RunEventKind, RunSnapshot, RunStatus
from companion.safety.plan import Plan, area_phrase
from companion.words import format_seconds


class CueKind(StrEnum):
    """What a cue is about."""

    STEP_STARTED = "step-started"
    STEP_ENDING = "step-ending"
    """The step ends in :data:`companion.run.engine.WARNING_SECONDS`."""
    TIME_LEFT = "time-left"
    """The regular reminder of the time left in plain mode (never spoken)."""
    PAUSED = "paused"
    RESUMED = "resumed"
    EXTENDED = "extended"
    LIMIT_REFUSED = "limit-refused"
    """An extension or a restart refused (or cut short) by a limit, with the reason."""
    REFUSED = "refused"
    """Any other action that could not be done."""
    STOP_ASKED = "stop-asked"
    PLAN_CHANGED = "plan-changed"
    """Settings or answers saved during the run made the rest of it stricter (:mod:`companion.safety.revision`)."""
    FINISHED = "finished"
    """The routine completed or was stopped."""


class Action(StrEnum):
    """What the user asked for (the keys of the runner and of plain mode)."""

    PAUSE = "pause"
    """Space: pause or resume."""
    NEXT = "next"
    BACK = "back"
    EXTEND = "extend"
    ASK_STOP = "ask-stop"
    """``s``: the question before stopping."""
    STOP = "stop"
    KEEP_GOING = "keep-going"
    """The answer "no" to the stop question."""


@dataclass(frozen=True)
class Cue:
    """One cue: ``line`` to show or print, ``speech`` to say (empty: nothing), ``notify`` for the desktop."""

    kind: CueKind
    index: int
    """Position of the step concerned in ``plan.steps``."""
    at: float
    """Monotonic time of the moment the cue is about."""
    line: str
    speech: str = ""
    notify: bool = False
    title: str = ""
    """A short form: the notification's summary (``line`` is its body) and the runner's toast."""
    changes: tuple[str, ...] = ()
    """For a plan changed during the run: what changed and why, one sentence each (plain mode prints each)."""


_TIME = re.compile(r"\b(\d+):(\d\d)\b")
_SHORT_SECONDS = re.compile(r"\+?\b(\d+) s\b")
_WORDS = {"&": " and ", "/": " or ", "%": " percent", "·": ",", "…": "...", "—": ", ", "–": " to "}
_SPACE_BEFORE_MARK = re.compile(r" ([.,;:!?])")
_DROP = str.maketrans({mark: None for mark in '“”‘’"*_#<>[]{}|~^`'})


def spoken_seconds(seconds: float) -> str:
    """A duration as words: ``2 minutes 30 seconds``, ``1 minute``, ``45 seconds``."""
    total = max(0, round(seconds))
    minutes, secs = divmod(total, 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    if secs or not minutes:
        parts.append(f"{secs} second{'s' if secs != 1 else ''}")
    return " ".join(parts)


def speakable(text: str) -> str:
    """``text`` as it reads well aloud: times and units in words, no quotes, marks or citations read out."""
    text = CITATION.sub("", text)
    text = _TIME.sub(lambda m: spoken_seconds(int(m.group(1)) * 60 + int(m.group(2))), text)
    text = _SHORT_SECONDS.sub(lambda m: spoken_seconds(int(m.group(1))), text)
    for mark, words in _WORDS.items():
        text = text.replace(mark, words)
    text = " ".join(text.translate(_DROP).split())
    return _SPACE_BEFORE_MARK.sub(r"\1", text).lstrip("-+ ")


PLAN_CHANGED = "The plan changed: settings or screening answers saved during this routine are stricter."
"""How a change of the running plan is announced (the runner, plain mode, speech and notifications)."""


class CueMaker:
    """Turns a run's events and the user's actions into cues, for one plan.

    ``time_left_every``: seconds between the "time left" reminders (plain mode); ``None`` for none.
    """

    def __init__(self, plan: Plan, *, time_left_every: float | None = None) -> None:
        self.plan = plan
        self.time_left_every = time_left_every
        self._reminded: tuple[int, int] | None = None  # (step index, reminder number) last given

    # ------------------------------------------------------------------ from the run

    def observe(self, events: tuple[RunEvent, ...], snap: RunSnapshot) -> list[Cue]:
        """The cues for ``events`` (drained from the run) given where the run is now (``snap``)."""
        cues: list[Cue] = []
        started = [e for e in events if e.kind is RunEventKind.STEP_CHANGED]
        ending = [e for e in events if e.kind is RunEventKind.STEP_ENDING]
        finished = [e for e in events if e.kind is RunEventKind.FINISHED]
        if finished:
            cues.append(self.finished(snap, finished[-1].at))
            return cues
        if started:
            cues.append(self.step_started(snap, started[-1].at))
            self._reminded = (snap.index, self._reminder_number(snap))
        if ending and ending[-1].index == snap.index and snap.remaining > 0 and not started:
            cues.append(self._ending(snap, ending[-1].at))
        reminder = self._time_left(snap, ending_now=bool(ending))
        if reminder is not None:
            cues.append(reminder)
        return cues

    def step_started(self, snap: RunSnapshot, at: float) -> Cue:
        """The cue for the step now under way (also the first one, at start)."""
        step = snap.step
        count = len(self.plan.steps)
        length = format_seconds(round(snap.step_seconds))
        where = f"Step {snap.index + 1} of {count}"
        line = f"{where}: {step.title} ({step.area_name}, {step.tool_name}, {length}). {step.step.instruction}"
        speech = speakable(
            f"{where}. {step.title}. {step.area_name}, {spoken_seconds(snap.step_seconds)}. {step.step.instruction}"
        )
        return Cue(
            CueKind.STEP_STARTED,
            snap.index,
            at,
            line,
            speech,
            notify=True,
            title=f"Now: {step.title} ({step.area_name}, {length})",
        )

    def _ending(self, snap: RunSnapshot, at: float) -> Cue:
        following = snap.next_step
        after = f"then {following.title}" if following else "then the routine is done"
        seconds = math.ceil(snap.remaining)
        line = f"{snap.step.title} ends in {seconds} s; {after}."
        return Cue(CueKind.STEP_ENDING, snap.index, at, line, speakable(f"{spoken_seconds(seconds)}."))

    def _reminder_number(self, snap: RunSnapshot) -> int:
        every = self.time_left_every or 0
        return int(snap.elapsed // every) if every > 0 else 0

    def _time_left(self, snap: RunSnapshot, *, ending_now: bool) -> Cue | None:
        """Every ``time_left_every`` seconds into a step, its time left (not while paused, not with a warning)."""
        if self.time_left_every is None or snap.status is not RunStatus.RUNNING:
            return None
        number = self._reminder_number(snap)
        if number == 0 or self._reminded == (snap.index, number):
            return None
        self._reminded = (snap.index, number)
        if ending_now or snap.remaining <= 0:
            return None
        line = f"{snap.remaining_text} left in {snap.step.title}."
        return Cue(CueKind.TIME_LEFT, snap.index, 0.0, line)

    def finished(self, snap: RunSnapshot, at: float) -> Cue:
        """The end: completed or stopped, with the time done."""
        done = format_seconds(round(snap.running_seconds))
        if snap.outcome is SessionStatus.STOPPED:
            line, speech = f"Routine stopped: {done} done.", "Routine stopped."
        else:
            line, speech = f"Routine complete: {done} done.", "Routine complete. Well done."
        return Cue(CueKind.FINISHED, snap.index, at, line, speech, notify=True, title=self.plan.routine.title)

    def revised(self, plan: Plan, changes: tuple[str, ...], snap: RunSnapshot, at: float) -> Cue:
        """The plan to run from now on, and the cue saying what changed in it and why."""
        self.plan = plan
        said = " ".join(f"{change}." for change in changes) or "The steps to come fit today's limits."
        line = f"{PLAN_CHANGED} {said}"
        return Cue(CueKind.PLAN_CHANGED, snap.index, at, line, speakable(line), notify=True, title=PLAN_CHANGED,
                   changes=changes)  # fmt: skip

    # ------------------------------------------------------------------ from the user's actions

    def acted(self, action: Action, result: ActionResult, snap: RunSnapshot, at: float) -> list[Cue]:
        """The cue for what ``action`` did (``snap`` taken just after it). A step change or the end comes from
        :meth:`observe` with the run's events, so ``next``, ``back`` and ``stop`` give a cue here only when
        refused."""
        index = snap.index
        if not result.ok:
            if action in (Action.EXTEND, Action.BACK) and snap.status in (RunStatus.RUNNING, RunStatus.PAUSED):
                return [self._limit(action, result, snap, at)]
            return [Cue(CueKind.REFUSED, index, at, result.reason, speakable(result.reason))]
        if action is Action.PAUSE:
            if snap.paused:
                return [Cue(CueKind.PAUSED, index, at, "Paused. Space resumes.", "Paused.")]
            left = f"{snap.remaining_text} left in {snap.step.title}"
            return [Cue(CueKind.RESUMED, index, at, f"Resumed: {left}.", "Resumed.")]
        if action is Action.EXTEND:
            if result.reason:  # only part of it could be added: a limit
                return [self._limit(action, result, snap, at)]
            added = format_seconds(round(result.seconds))
            line = f"Added {added}: {snap.remaining_text} left in {snap.step.title}."
            return [Cue(CueKind.EXTENDED, index, at, line, f"Added {spoken_seconds(result.seconds)}.")]
        if action is Action.ASK_STOP:
            line = "Stop the routine now? The time done so far is recorded. y stops, n keeps going."
            return [Cue(CueKind.STOP_ASKED, index, at, line, "Stop the routine? Press y to stop, or n to keep going.")]
        if action is Action.KEEP_GOING:
            left = f"{snap.remaining_text} left in {snap.step.title}"
            return [Cue(CueKind.RESUMED, index, at, f"Going on: {left}.", "Going on.")]
        return []

    def _limit(self, action: Action, result: ActionResult, snap: RunSnapshot, at: float) -> Cue:
        """A limit in the way: "time is up for the calves" and why."""
        index = snap.index if action is Action.EXTEND else max(0, snap.index - 1)
        area = area_phrase(self.plan.steps[index].area_name)
        opening = "Time is up for" if not result.ok else "Nearly at the limit for"
        return Cue(
            CueKind.LIMIT_REFUSED,
            snap.index,
            at,
            result.reason,
            speakable(f"{opening} {area}. {result.reason}"),
        )
