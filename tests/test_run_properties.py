"""Property tests of the run engine over random action sequences and clock jumps.

Invariants: the seconds accounted equal the clock's running time (pauses excluded, up to the moment the run
finished); no step's time passes its ``max_seconds``; steps sharing a limit never pass it together; the record's
whole seconds add up to the running time up to rounding; snapshots are always consistent.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from companion.catalogue.models import Catalog
from companion.history.records import SessionStatus
from companion.run.checkpoint import checkpoint_to_record
from companion.run.clock import FakeClock
from companion.run.engine import RoutineRun, RunStatus
from companion.safety.exposure import Exposure
from companion.safety.plan import Plan, make_plan
from companion.settings.user_settings import Settings, StricterLimit
from tests.catalog_fixture import make_catalog, thirty_minutes

EPS = 1e-6


def _catalogs() -> list[Catalog]:
    from companion.catalogue.loader import load_catalog

    return [load_catalog().catalog, make_catalog((thirty_minutes(),))]


CATALOGS = _catalogs()


@st.composite
def plans(draw: st.DrawFn) -> tuple[int, str, Settings, dict[tuple[str, str], int]]:
    """A catalogue (by index, to keep failure reports short), a routine id, stricter settings and today's time."""
    which = draw(st.integers(0, len(CATALOGS) - 1))
    catalog = CATALOGS[which]
    item = draw(st.sampled_from(catalog.routines))
    tools = sorted({s.tool for s in item.steps})
    limits = draw(
        st.dictionaries(
            st.sampled_from(tools),
            st.builds(
                StricterLimit,
                step_seconds=st.none() | st.integers(5, 200),
                area_day_seconds=st.none() | st.integers(5, 600),
            ),
            max_size=2,
        )
    )
    pairs = sorted({(s.tool, s.area) for s in item.steps})
    today = draw(st.dictionaries(st.sampled_from(pairs), st.integers(0, 300), max_size=2))
    return which, item.id, Settings(limits=limits), today


def build_plan(which: int, routine_id: str, settings: Settings, today: dict[tuple[str, str], int]) -> Plan:
    catalog = CATALOGS[which]
    item = catalog.routine(routine_id)
    assert item is not None
    plan = make_plan(item, catalog, settings, None, Exposure(now=datetime.now(UTC), day=today))
    return plan if not plan.is_empty else make_plan(item, catalog)


advance = st.one_of(
    st.floats(min_value=0, max_value=20, allow_nan=False),
    st.floats(min_value=0, max_value=20, allow_nan=False),
    st.floats(min_value=0, max_value=150, allow_nan=False),
    st.sampled_from([0.0, 1.0, 4.999, 5.0, 60.0, 3600.0, 100_000.0]),
).map(lambda seconds: ("advance", seconds))
extend = st.floats(min_value=0.5, max_value=90, allow_nan=False).map(lambda seconds: ("extend", seconds))
action = st.one_of(
    advance,
    advance,
    advance,
    st.sampled_from(["pause", "resume", "toggle_pause", "next", "snapshot", "drain_events"]).map(lambda a: (a, 0.0)),
    st.just(("back", 0.0)),
    st.just(("back", 0.0)),
    extend,
    extend,
    st.just(("stop", 0.0)),
    st.floats(min_value=-12 * 3600, max_value=12 * 3600, allow_nan=False).map(lambda seconds: ("set_clock", seconds)),
)
"""What a person can do to a run, and what can happen to its clock meanwhile (the wall clock set back or on:
by hand, a time zone, NTP; the monotonic clock never moves back)."""


def check_snapshot(run: RoutineRun) -> None:
    snap = run.snapshot()
    assert 0 <= snap.index < len(run.plan.steps)
    assert snap.step is run.plan.steps[snap.index]
    assert -EPS <= snap.remaining <= snap.step_seconds + EPS
    assert 0.0 <= snap.step_progress <= 1.0 and 0.0 <= snap.overall_progress <= 1.0
    assert snap.can_extend_by >= 0.0
    assert snap.paused == (snap.status is RunStatus.PAUSED)
    if snap.finished:
        assert snap.outcome in (SessionStatus.COMPLETED, SessionStatus.STOPPED)


def check_limits(run: RoutineRun, catalog: Catalog) -> None:
    spent = run.step_seconds_spent()
    per_area: dict[tuple[str, str], float] = defaultdict(float)
    per_tool: dict[str, float] = defaultdict(float)
    for planned, seconds in zip(run.plan.steps, spent, strict=True):
        assert seconds <= planned.max_seconds + EPS, (planned.index, seconds, planned.max_seconds)
        per_area[(planned.tool, planned.area)] += seconds
        per_tool[planned.tool] += seconds
    for (tool, area), total in per_area.items():
        cap = catalog.limit_for(tool, area).area_session_seconds
        assert cap is None or total <= cap + EPS
    for tool, total in per_tool.items():
        cap = catalog.limit_for(tool, "").session_seconds
        assert cap is None or total <= cap + EPS


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), st.lists(action, min_size=5, max_size=60), st.booleans())
def test_random_actions_keep_every_invariant(
    chosen: tuple[int, str, Settings, dict[tuple[str, str], int]], actions: list[tuple[str, float]], stop_at_end: bool
) -> None:
    catalog = CATALOGS[chosen[0]]
    plan = build_plan(*chosen)
    clock = FakeClock()
    run = RoutineRun(plan, clock)
    run.start()
    expected = 0.0  # running time by the test's own reckoning
    for name, value in actions:
        if name == "advance":
            before_status = run.snapshot().status
            before = clock.monotonic()
            clock.advance(value)
            after = run.snapshot()
            if before_status is RunStatus.RUNNING:
                if after.finished:
                    ended = run.ended_at_monotonic
                    assert ended is not None and before - EPS <= ended <= clock.monotonic() + EPS
                    expected += ended - before
                else:
                    expected += value
        elif name == "set_clock":
            clock.set_wall_clock(timedelta(seconds=value))
        elif name == "extend":
            result = run.extend(value)
            assert result.ok or result.reason
            assert result.seconds <= value + EPS
        else:
            result = getattr(run, name)()
            if name in ("pause", "resume", "toggle_pause", "next", "back", "stop"):
                assert result.ok or result.reason
        check_snapshot(run)
        check_limits(run, catalog)
        assert abs(run.running_seconds - expected) < 1e-6 * max(1.0, expected)
        if not run.snapshot().finished:  # what a crash now would leave is a valid checkpoint of a valid session
            checkpoint = run.checkpoint()
            assert checkpoint.saved_at == clock.now()
            assert checkpoint_to_record(checkpoint).actual_seconds <= run.running_seconds + len(plan.steps)
    if stop_at_end:
        run.stop()
        assert run.snapshot().finished
    record = run.to_record()  # valid however the clock moved: never a session lost to a clock set back
    assert record.ended_at <= clock.now()
    actual = [s.actual_seconds for s in record.steps]
    assert abs(sum(actual) - run.running_seconds) <= 1.0
    for planned, seconds in zip(plan.steps, actual, strict=True):
        assert seconds <= planned.max_seconds
    if run.snapshot().finished:
        assert record.status is run.outcome
        clock.advance(1000)
        assert abs(run.running_seconds - expected) < 1e-6 * max(1.0, expected)


@hsettings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=200, allow_nan=False), min_size=1, max_size=60))
def test_uninterrupted_run_gives_each_step_exactly_its_time(steps_of_time: list[float]) -> None:
    item = thirty_minutes()
    plan = make_plan(item, make_catalog((item,)))
    clock = FakeClock()
    run = RoutineRun(plan, clock)
    run.start()
    for seconds in steps_of_time:
        clock.advance(seconds)
        run.snapshot()
    clock.advance(2000)
    assert run.snapshot().outcome is SessionStatus.COMPLETED
    assert [round(s, 6) for s in run.step_seconds_spent()] == [120.0] * 15
    assert run.to_record().actual_seconds == 1800


busy = st.one_of(
    st.floats(min_value=0, max_value=30, allow_nan=False).map(lambda seconds: ("advance", seconds)),
    st.sampled_from(["back", "next", "toggle_pause"]).map(lambda a: (a, 0.0)),
    st.just(("extend", 15.0)),
    st.just(("extend", 15.0)),
)


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), st.lists(busy, min_size=10, max_size=80))
def test_going_back_and_extending_never_passes_a_limit(
    chosen: tuple[int, str, Settings, dict[tuple[str, str], int]], actions: list[tuple[str, float]]
) -> None:
    catalog = CATALOGS[chosen[0]]
    clock = FakeClock()
    run = RoutineRun(build_plan(*chosen), clock)
    run.start()
    for name, value in actions:
        if name == "advance":
            clock.advance(value)
        elif name == "extend":
            run.extend(value)
        else:
            getattr(run, name)()
        check_limits(run, catalog)
    if run.status is RunStatus.PAUSED:
        run.resume()
    clock.advance(100_000)  # let every remaining step run out
    check_limits(run, catalog)
    assert run.snapshot().finished


def test_a_clock_put_back_mid_run_keeps_the_session_whole_and_counts_it_as_just_done() -> None:
    """Finding 97: ten minutes in, the clock goes back an hour; the run was refused as ending before it started."""
    item = thirty_minutes()
    plan = make_plan(item, make_catalog((item,)))
    clock = FakeClock()
    run = RoutineRun(plan, clock)
    run.start()
    clock.advance(300)
    clock.set_wall_clock(timedelta(hours=-1))
    clock.advance(100)
    checkpoint = run.checkpoint()
    assert checkpoint.saved_at == clock.now()
    assert checkpoint.saved_at - checkpoint.started_at == timedelta(seconds=400)
    run.stop()
    record = run.to_record()
    assert record.actual_seconds == 400
    assert record.ended_at == clock.now() and record.started_at == clock.now() - timedelta(seconds=400)
