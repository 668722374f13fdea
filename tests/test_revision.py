"""A running plan made stricter (companion.safety.revision, RoutineRun.revise), over random runs and changes.

Properties: after settings or answers change mid-run, no step and no area passes the new caps with the time added
after the change (what was done before stays done); a looser or unchanged setting changes nothing; the run's
time still equals the clock's running time.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from companion.catalogue.models import Catalog
from companion.run.clock import FakeClock
from companion.run.engine import RoutineRun, RunStatus
from companion.safety.exposure import Exposure
from companion.safety.plan import make_plan
from companion.safety.revision import revise
from companion.safety.screening import ScreeningAnswers
from companion.settings.user_settings import Settings, StricterLimit
from tests.test_run_properties import CATALOGS, EPS, action, plans

Chosen = tuple[int, str, Settings, dict[tuple[str, str], int]]


def play(run: RoutineRun, clock: FakeClock, actions: list[tuple[str, float]]) -> float:
    """Do ``actions``; the running time they added by the test's own reckoning."""
    added = 0.0
    for name, value in actions:
        if run.snapshot().finished:
            break
        if name == "advance":
            running = run.snapshot().status is RunStatus.RUNNING
            before = clock.monotonic()
            clock.advance(value)
            if running:
                ended = run.ended_at_monotonic if run.snapshot().finished else None
                added += (ended if ended is not None else clock.monotonic()) - before
        elif name == "extend":
            run.extend(value)
        elif name == "set_clock":
            clock.set_wall_clock(timedelta(seconds=value))
        elif name != "stop":
            getattr(run, name)()
    return added


def per_area(run: RoutineRun) -> dict[tuple[str, str], float]:
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for planned, seconds in zip(run.plan.steps, run.step_seconds_spent(), strict=True):
        totals[(planned.tool, planned.area)] += seconds
    return totals


def stricter_settings(draw: st.DrawFn, catalog: Catalog, routine_id: str, before: Settings) -> Settings:
    item = catalog.routine(routine_id)
    assert item is not None
    tools = sorted({s.tool for s in item.steps})
    limits = dict(before.limits)
    for tool in draw(st.lists(st.sampled_from(tools), max_size=2, unique=True)):
        limits[tool] = StricterLimit(
            step_seconds=draw(st.none() | st.integers(1, 200)),
            area_session_seconds=draw(st.none() | st.integers(1, 400)),
            area_day_seconds=draw(st.none() | st.integers(1, 600)),
        )
    return Settings(limits=limits)


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), st.lists(action, max_size=25), st.lists(action, max_size=40), st.data())
def test_a_change_mid_run_keeps_every_area_within_the_new_caps(
    chosen: Chosen, before: list[tuple[str, float]], after: list[tuple[str, float]], data: st.DataObject
) -> None:
    which, routine_id, settings, today = chosen
    catalog = CATALOGS[which]
    item = catalog.routine(routine_id)
    assert item is not None
    exposure = Exposure(now=datetime.now(UTC), day=today)
    plan = make_plan(item, catalog, settings, None, exposure)
    if plan.is_empty:
        return
    clock = FakeClock()
    run = RoutineRun(plan, clock)
    run.start()
    expected = play(run, clock, before)
    if run.snapshot().finished:
        return
    assert revise(run.plan, catalog, settings, None, run.progress()) is None, "nothing changed: nothing revised"
    new = stricter_settings(data.draw, catalog, routine_id, settings)
    questions = [q.id for q in catalog.safety.questions]
    yes = data.draw(st.lists(st.sampled_from(questions), max_size=2, unique=True))
    answers = ScreeningAnswers(day=datetime.now(UTC).date(), yes=frozenset(yes), cleared=frozenset(yes))
    old_steps = {planned.index: planned for planned in run.plan.steps}
    at_change = per_area(run)
    spent_at_change = {planned.index: s for planned, s in zip(run.plan.steps, run.step_seconds_spent(), strict=True)}
    revision = revise(run.plan, catalog, new, answers, run.progress())
    if revision is not None:
        run.revise(revision)
        for planned in run.plan.steps:  # never lengthened
            old = old_steps[planned.index]
            assert planned.seconds <= old.seconds and planned.max_seconds <= old.max_seconds
    expected += play(run, clock, after)
    assert abs(run.running_seconds - expected) < 1e-6 * max(1.0, expected)
    for planned, seconds in zip(run.plan.steps, run.step_seconds_spent(), strict=True):
        limit = new.apply_to_limit(catalog.limit_for(planned.tool, planned.area))
        if limit.step_seconds is not None:
            assert seconds <= max(limit.step_seconds, spent_at_change[planned.index]) + EPS
    for (tool, area), total in per_area(run).items():
        limit = new.apply_to_limit(catalog.limit_for(tool, area))
        was = at_change.get((tool, area), 0.0)
        if limit.area_session_seconds is not None:
            assert total <= max(limit.area_session_seconds, was) + EPS, (tool, area, total, was)
        if limit.area_day_seconds is not None:
            done = today.get((tool, area), 0)
            assert total + done <= max(limit.area_day_seconds, was + done) + EPS, (tool, area, total, was)
    record = run.to_record()
    assert abs(record.actual_seconds - run.running_seconds) <= 1.0


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), st.lists(action, max_size=25))
def test_looser_settings_never_change_a_running_plan(chosen: Chosen, before: list[tuple[str, float]]) -> None:
    which, routine_id, settings, today = chosen
    catalog = CATALOGS[which]
    item = catalog.routine(routine_id)
    assert item is not None
    plan = make_plan(item, catalog, settings, None, Exposure(now=datetime.now(UTC), day=today))
    if plan.is_empty:
        return
    clock = FakeClock()
    run = RoutineRun(plan, clock)
    run.start()
    play(run, clock, before)
    if not run.snapshot().finished:
        assert revise(run.plan, catalog, Settings(), None, run.progress()) is None
