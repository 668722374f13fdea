"""A running plan made stricter: settings or screening answers saved while a routine is under way.

:func:`revise` counts the run's own time so far as done, on top of the exposure the plan counted when it was made,
so each cap has what it has left now; the steps still to come (and the one under way) are fitted to that, with the
new answers' leaving out and softening, through the same stages as :func:`companion.safety.plan.make_plan`. It
only ever shortens, softens or drops: a looser setting never lengthens a running plan. Steps already done keep
their time (the record keeps it); they are simply not offered again. Every change says what and why.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from companion.catalogue.models import Catalog
from companion.safety.exposure import Exposure, Key, with_time
from companion.safety.plan import (
    MIN_STEP_SECONDS,
    Candidate,
    Cap,
    Names,
    Plan,
    PlannedStep,
    active_adaptations,
    caps_for,
    screen_steps,
    tools_by_area,
)
from companion.safety.screening import ScreeningAnswers, ScreeningOutcome, assess
from companion.settings.user_settings import Settings
from companion.words import format_seconds

ROUNDING = 1e-9
"""Seconds a cap may seem short of a step's time by float rounding alone (its time done rounded up, then taken off
again): not a cut."""


@dataclass(frozen=True)
class Progress:
    """Where a run is: the seconds spent so far on each planned step (every visit), the step under way (its
    position in ``plan.steps``) and the seconds its visit has left."""

    spent: tuple[float, ...]
    current: int
    visit_left: float


@dataclass(frozen=True)
class Revision:
    """The plan to run from now on, and what changed."""

    plan: Plan
    kept: tuple[int, ...]
    """For each step of ``plan``, its position in the plan that was running (the step under way is kept unless it
    ends now with no time done; steps left out or dropped stay only when they have time done)."""
    current_left: float
    """Seconds the visit under way may still run (0: it ends now)."""
    changes: tuple[str, ...]
    """What changed and why, one sentence each."""


@dataclass
class _Fit:
    """One step of the running plan as the revision sees it."""

    position: int
    old: PlannedStep
    done: int
    """Its seconds so far, rounded up (counted as done, never less)."""
    wanted: float
    """What it was still to run: the visit under way's time left, or a later step's next visit."""
    candidate: Candidate | None = None
    caps: tuple[Cap, ...] = ()
    slack: float = 0.0
    """For the step under way: how much ``done`` rounded its time up (the caps count it; its visit may use it)."""
    got: float = 0.0
    binding: Cap | None = None
    room: int = 0

    @property
    def net(self) -> float:
        """What it will use of each of its caps, net of the time they count as done."""
        return self.got - self.slack


def revise(
    plan: Plan, catalog: Catalog, settings: Settings, answers: ScreeningAnswers | None, progress: Progress
) -> Revision | None:
    """``plan``, under way at ``progress``, fitted to ``settings`` and ``answers`` as they are now; ``None`` when
    they change nothing for it."""
    names = Names.of(catalog)
    fits = [_fit_of(plan, position, progress) for position in range(len(plan.steps))]
    done: dict[Key, int] = defaultdict(int)
    for fit in fits:
        done[(fit.old.tool, fit.old.area)] += fit.done
    exposure = with_time(plan.exposure or Exposure(now=datetime.now(UTC)), done)
    outcome = assess(plan.routine, catalog, answers)
    changes: list[str] = []
    candidates: dict[int, Candidate] = {}
    notes: dict[int, list[str]] = defaultdict(list)
    if outcome.can_start:
        found, screen_notes = screen_steps(
            plan.routine, catalog, outcome, active_adaptations(plan.routine, catalog, answers), exposure, names
        )
        candidates = {c.index: c for c in found}
        for note in screen_notes:
            notes[note.step_index].append(note.text)
    else:
        stops = [f"“{q.text}” ({q.why})" for q in (*outcome.stop, *outcome.needs_clearance)]
        changes.append(f"Today's answers mean this routine must not go on: {'; '.join(stops)}")
    area_tools = tools_by_area(c.step for c in candidates.values())
    order = [*fits[progress.current :], *fits[: progress.current]]  # the step under way first, then those to come
    used: dict[tuple[str, ...], float] = defaultdict(float)
    for fit in order:
        fit.candidate = candidates.get(fit.old.index)
        if fit.candidate is None:
            if fit.wanted > 0 and outcome.can_start:
                changes.append(_left_out(fit, progress, notes[fit.old.index]))
            continue
        _limit, caps = caps_for(fit.candidate, catalog, settings, exposure, area_tools, names)
        fit.caps = tuple(_net_of_step(cap, fit.done) for cap in caps)
        fit.got = fit.wanted
        for cap in fit.caps:
            left = cap.total - used[cap.key] + fit.slack
            if fit.got > 0 and left < fit.got - ROUNDING:
                fit.got, fit.binding = max(0.0, left), cap
        later = fit.position > progress.current
        if later and fit.binding is not None and fit.got < min(fit.wanted, MIN_STEP_SECONDS):
            changes.append(_shortened(fit, progress, names, dropped=True))
            fit.candidate, fit.got = None, 0.0
            continue
        if fit.binding is not None:
            changes.append(_shortened(fit, progress, names, dropped=False))
        if fit.position >= progress.current and fit.wanted > 0:
            changes += _softened(fit, notes[fit.old.index])
        for cap in fit.caps:
            used[cap.key] += fit.net
    _grant(order)
    return _revision(plan, fits, progress, outcome, changes)


def _fit_of(plan: Plan, position: int, progress: Progress) -> _Fit:
    old = plan.steps[position]
    spent = progress.spent[position]
    done = min(old.max_seconds, math.ceil(spent - 1e-9))
    if position == progress.current:
        return _Fit(position, old, done, max(0.0, progress.visit_left), slack=max(0.0, done - spent))
    later = position > progress.current  # a step done before has nothing more to run unless gone back to
    return _Fit(position, old, done, float(max(0, min(old.seconds, old.max_seconds - done))) if later else 0.0)


def _net_of_step(cap: Cap, done: int) -> Cap:
    """A per-step cap net of the step's own time so far (the other caps count it through the exposure)."""
    if cap.key[0] != "step" or done <= 0:
        return cap
    return replace(cap, total=cap.total - done, already=cap.already + done, already_where="so far")


def _grant(order: list[_Fit]) -> None:
    """The most each kept step may still run (extensions, going back), so that steps sharing a cap never pass it
    together: as :func:`companion.safety.plan.grant_extensions` does, never more than the running plan allowed."""
    pending: dict[tuple[str, ...], float] = defaultdict(float)
    for fit in order:
        for cap in fit.caps if fit.candidate is not None else ():
            pending[cap.key] += fit.net
    granted: dict[tuple[str, ...], int] = defaultdict(int)
    for fit in order:
        if fit.candidate is None:
            continue
        for cap in fit.caps:
            pending[cap.key] -= fit.net
        room = fit.old.max_seconds - fit.done
        for cap in fit.caps:
            room = min(room, math.floor(cap.total - granted[cap.key] - pending[cap.key] + 1e-9))
        fit.room = max(0, math.ceil(fit.net - 1e-9), room)
        for cap in fit.caps:
            granted[cap.key] += fit.room


def _revision(
    plan: Plan, fits: list[_Fit], progress: Progress, outcome: ScreeningOutcome, changes: list[str]
) -> Revision | None:
    steps: list[PlannedStep] = []
    kept: list[int] = []
    current = fits[progress.current]
    for fit in fits:
        old = fit.old
        if fit.candidate is None:
            if fit.done > 0:
                steps.append(replace(old, max_seconds=fit.done))
                kept.append(fit.position)
            continue
        seconds = old.seconds
        if fit.got < fit.wanted:  # the planned length the record compares with
            new = progress.spent[fit.position] + fit.got if fit is current else fit.got
            seconds = max(1, min(old.seconds, round(new)))
        steps.append(
            replace(old, seconds=seconds, max_seconds=min(old.max_seconds, fit.done + fit.room),
                    intensity=fit.candidate.intensity, heat=fit.candidate.heat)
        )  # fmt: skip
        kept.append(fit.position)
    if not steps:  # nothing done and nothing left: the step under way stays, to end the run on
        steps, kept = [replace(current.old, max_seconds=current.done)], [current.position]
    left = current.got if current.candidate is not None else 0.0
    if tuple(steps) == plan.steps and left >= current.wanted:
        return None
    revised = replace(plan, steps=tuple(steps), screening=outcome)
    return Revision(revised, tuple(kept), left, tuple(changes))


def _where(fit: _Fit, progress: Progress) -> str:
    return "This step" if fit.position == progress.current else f"“{fit.old.title}”"


def _left_out(fit: _Fit, progress: Progress, notes: list[str]) -> str:
    why = notes[0].split(" left out: ", 1)[-1] if notes else "today's answers leave it out"
    if fit.position == progress.current:
        return f"This step ends now: {why}"
    return f"“{fit.old.title}” is left out: {why}"


def _shortened(fit: _Fit, progress: Progress, names: Names, *, dropped: bool) -> str:
    assert fit.binding is not None
    why = fit.binding.describe(False, names)
    if dropped:
        return f"“{fit.old.title}” is dropped: {why}, and it has no time left for it"
    if fit.position == progress.current:
        if fit.got <= 0:
            return f"This step ends now: {why}"
        return f"This step now ends in {format_seconds(math.ceil(fit.got))}: {why}"
    return f"{_where(fit, progress)} is shortened to {format_seconds(int(fit.got))}: {why}"


def _softened(fit: _Fit, notes: list[str]) -> list[str]:
    """The new answers' lighter pressure or heat off for a step still to run (or under way)."""
    candidate, old = fit.candidate, fit.old
    if candidate is None:
        return []
    said = [] if candidate.intensity is old.intensity else [n for n in notes if ": pressure " in n]
    if candidate.heat != old.heat:
        said += [n for n in notes if "heat" in n.split(": ", 2)[1]]
    return [f"“{old.title}”: {note.split(': ', 1)[-1]}" for note in said]
