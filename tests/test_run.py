"""The run engine with a fake clock: a 30-minute routine in milliseconds, and every action at any moment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from companion.history.records import SessionStatus
from companion.run.clock import FakeClock
from companion.run.engine import RoutineRun, RunEventKind, RunStatus
from companion.safety.plan import Plan, make_plan
from tests.catalog_fixture import make_catalog, routine, step, thirty_minutes


def thirty_minute_plan() -> Plan:
    item = thirty_minutes()
    plan = make_plan(item, make_catalog((item,)))
    assert plan.total_seconds == 1800 and plan.notes == ()
    return plan


def started(plan: Plan | None = None) -> tuple[RoutineRun, FakeClock]:
    clock = FakeClock()
    run = RoutineRun(plan or thirty_minute_plan(), clock, tension_before=6)
    assert run.start().ok
    return run, clock


def test_thirty_minutes_in_one_jump() -> None:
    run, clock = started()
    clock.advance(7200)  # two hours later: the routine ended after exactly 30 minutes
    snap = run.snapshot()
    assert snap.finished and snap.outcome is SessionStatus.COMPLETED
    assert snap.overall_progress == 1.0 and snap.remaining == 0.0
    assert run.step_seconds_spent() == [120.0] * 15
    record = run.to_record()
    assert record.status is SessionStatus.COMPLETED
    assert [s.actual_seconds for s in record.steps] == [120] * 15
    assert record.actual_seconds == 1800
    assert record.ended_at - record.started_at == timedelta(seconds=1800)
    assert record.tension_before == 6 and record.id == run.session_id


def test_second_by_second_gives_every_cue_once() -> None:
    run, clock = started()
    seen = list(run.drain_events())
    for _ in range(1800):
        clock.advance(1)
        seen.extend(run.drain_events())
    kinds = [e.kind for e in seen]
    assert kinds.count(RunEventKind.STEP_CHANGED) == 15
    assert kinds.count(RunEventKind.STEP_ENDING) == 15
    assert kinds[-1] is RunEventKind.FINISHED and kinds.count(RunEventKind.FINISHED) == 1
    ending = [e for e in seen if e.kind is RunEventKind.STEP_ENDING]
    assert [e.at - 1000.0 for e in ending][:2] == [115.0, 235.0]
    assert run.to_record().actual_seconds == 1800


def test_jump_spanning_several_steps_gives_each_its_time() -> None:
    run, clock = started()
    clock.advance(250.5)
    snap = run.snapshot()
    assert snap.index == 2 and snap.elapsed == pytest.approx(10.5)
    assert snap.remaining == pytest.approx(109.5) and snap.remaining_text == "1:50"
    assert run.step_seconds_spent()[:3] == [120.0, 120.0, pytest.approx(10.5)]
    events = run.drain_events()
    assert [e.index for e in events if e.kind is RunEventKind.STEP_CHANGED] == [0, 1, 2]
    assert [e.at for e in events if e.kind is RunEventKind.STEP_CHANGED] == [1000.0, 1120.0, 1240.0]
    # Warnings of steps passed over by the jump are not replayed.
    assert not [e for e in events if e.kind is RunEventKind.STEP_ENDING]


def test_pause_holds_the_countdown() -> None:
    run, clock = started()
    clock.advance(30)
    assert run.pause().ok
    clock.advance(5000)
    snap = run.snapshot()
    assert snap.paused and snap.index == 0 and snap.remaining == 90.0
    assert run.toggle_pause().ok and run.status is RunStatus.RUNNING
    clock.advance(90)
    assert run.snapshot().index == 1
    assert run.running_seconds == 120.0
    assert not run.resume().ok  # not paused


def test_next_records_the_time_really_spent() -> None:
    run, clock = started()
    clock.advance(30)
    assert run.next().ok
    snap = run.snapshot()
    assert snap.index == 1 and snap.elapsed == 0.0 and snap.remaining == 120.0
    assert run.drain_events()[-1].kind is RunEventKind.STEP_CHANGED
    clock.advance(10)
    assert run.step_seconds_spent()[:2] == [30.0, 10.0]
    assert [s.actual_seconds for s in run.to_record().steps][:3] == [30, 10, 0]


def test_next_while_paused_stays_paused() -> None:
    run, clock = started()
    clock.advance(10)
    run.pause()
    run.next()
    clock.advance(100)
    snap = run.snapshot()
    assert snap.paused and snap.index == 1 and snap.elapsed == 0.0


def test_next_on_the_last_step_ends_the_run_and_skipping_through_is_not_completing() -> None:
    run, clock = started()
    for _ in range(14):
        run.next()
    clock.advance(3)
    assert run.next().ok
    assert run.snapshot().outcome is SessionStatus.STOPPED  # 3 s of the plan: skipped through, not done
    assert run.running_seconds == 3.0
    assert not run.next().ok


def test_back_restarts_the_previous_step_within_what_it_has_left() -> None:
    run, clock = started()
    clock.advance(30)
    run.next()
    clock.advance(10)
    assert run.back().ok
    snap = run.snapshot()
    # Step 1 has had 30 s of its 120 s limit: the new visit may run 90 s.
    assert snap.index == 0 and snap.elapsed == 0.0 and snap.step_seconds == 90.0
    clock.advance(95)
    assert run.snapshot().index == 1
    assert run.step_seconds_spent()[:2] == [120.0, pytest.approx(15.0)]
    assert run.visits()[:2] == [2, 2]
    # The first step has had its full limit: going back to it is refused with the reason.
    result = run.back()
    assert not result.ok
    assert "cannot be done again" in result.reason and "(source: roll-per-area.example.org)" in result.reason
    assert run.snapshot().index == 1


def test_back_on_the_first_step_restarts_it() -> None:
    run, clock = started()
    clock.advance(20)
    assert run.back().ok
    snap = run.snapshot()
    assert snap.index == 0 and snap.elapsed == 0.0 and snap.step_seconds == 100.0
    assert run.step_seconds_spent()[0] == 20.0


def test_extend_up_to_the_limit_then_refuse_with_the_reason() -> None:
    catalog = make_catalog()
    plan = make_plan(routine("r", [step("calves", "massage-gun", 30), step("shoulders", "hands", 60)]), catalog)
    run, clock = started(plan)
    clock.advance(10)
    assert run.extend().ok and run.snapshot().step_seconds == 45.0
    assert run.extend().ok and run.snapshot().step_seconds == 60.0
    refused = run.extend()
    assert not refused.ok
    assert refused.reason == (
        "“massage-gun on calves” cannot run longer than 1:00: the limit for a massage gun on the calves is 1:00 "
        "(source: gun-per-area.example.org)."
    )
    assert run.snapshot().can_extend_by == 0.0
    clock.advance(500)
    assert run.step_seconds_spent() == [60.0, 60.0]


def test_partial_extension_says_so() -> None:
    catalog = make_catalog()
    plan = make_plan(routine("r", [step("calves", "massage-gun", 50)]), catalog)
    run, _ = started(plan)
    result = run.extend(15)
    assert result.ok and result.seconds == 10.0 and "Added only 0:10" in result.reason


def test_extend_rearms_the_warning() -> None:
    catalog = make_catalog()
    plan = make_plan(routine("r", [step("shoulders", "hands", 30), step("calves", "hands", 30)]), catalog)
    run, clock = started(plan)
    clock.advance(26)
    assert [e.kind for e in run.drain_events()] == [RunEventKind.STEP_CHANGED, RunEventKind.STEP_ENDING]
    run.extend(15)
    clock.advance(10)
    assert run.drain_events() == ()
    clock.advance(5)
    assert [e.kind for e in run.drain_events()] == [RunEventKind.STEP_ENDING]


@pytest.mark.parametrize("at", [0.0, 0.4, 59.99, 120.0, 121.0, 900.0, 1799.9])
def test_stop_at_any_moment_keeps_the_time_done(at: float) -> None:
    run, clock = started()
    clock.advance(at)
    assert run.stop().ok
    clock.advance(100)
    snap = run.snapshot()
    assert snap.finished and snap.outcome is SessionStatus.STOPPED
    assert run.running_seconds == pytest.approx(at)
    record = run.to_record()
    assert record.status is SessionStatus.STOPPED
    assert record.actual_seconds == int(at + 0.5)
    assert record.ended_at - record.started_at == timedelta(seconds=at)
    assert not run.stop().ok and not run.extend().ok and not run.pause().ok


def test_stop_before_start_records_nothing_done() -> None:
    run = RoutineRun(thirty_minute_plan(), FakeClock())
    assert run.snapshot().status is RunStatus.READY
    assert not run.next().ok and "not started" in run.next().reason
    assert run.stop().ok
    record = run.to_record()
    assert record.status is SessionStatus.STOPPED and record.actual_seconds == 0
    assert len(record.steps) == 15


def test_snapshot_progress_and_next_step() -> None:
    run, clock = started()
    clock.advance(60)
    snap = run.snapshot()
    assert snap.step_progress == 0.5
    assert snap.overall_progress == pytest.approx(60 / 1800)
    assert snap.next_step is not None and snap.next_step.title == "Step 2"
    assert snap.running_seconds == 60.0 and snap.remaining_text == "1:00"
    with pytest.raises(AttributeError):
        snap.index = 3  # type: ignore[misc]


def test_record_while_running_is_interrupted() -> None:
    run, clock = started()
    clock.advance(42)
    record = run.to_record()
    assert record.status is SessionStatus.INTERRUPTED and record.actual_seconds == 42


def test_empty_plan_cannot_run() -> None:
    catalog = make_catalog()
    plan = make_plan(routine("r", [step("neck", "massage-gun", 30)]), catalog)
    assert plan.is_empty
    with pytest.raises(ValueError, match="no steps"):
        RoutineRun(plan, FakeClock())


def test_start_twice_is_refused() -> None:
    run, _ = started()
    assert not run.start().ok
