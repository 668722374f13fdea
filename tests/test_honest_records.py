"""Honest records: skipping through is not completing, it earns no streak, and nothing done is not saved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.history.queries import current_streak
from companion.history.records import SessionRecord, SessionStatus, StepDone, honest_status
from screens.home import HomeScreen
from screens.reflection import ReflectionScreen
from screens.runner import RunnerScreen
from tests.advice_history import wait_until
from tests.test_routine_flow import record_notifications, saved_records, tick

ROUTINE = "neck-shoulders-desk"  # 7 steps, 7:30


def steps(*pairs: tuple[int, int]) -> tuple[StepDone, ...]:
    return tuple(StepDone(area="neck", tool="hands", planned_seconds=p, actual_seconds=a) for p, a in pairs)


@pytest.mark.parametrize(
    ("done", "status"),
    [
        (((60, 60), (90, 90)), SessionStatus.COMPLETED),
        (((60, 60), (90, 15)), SessionStatus.COMPLETED),  # 75 of 150 s: half is enough
        (((60, 60), (90, 14)), SessionStatus.STOPPED),  # 74 of 150 s: under half
        (((60, 50), (90, 80)), SessionStatus.STOPPED),  # 130 of 150 s, but every step skipped before its end
        (((150, 12),), SessionStatus.STOPPED),  # the 12 s of 2:30
        (((0, 0),), SessionStatus.STOPPED),
    ],
)
def test_honest_status(done: tuple[tuple[int, int], ...], status: SessionStatus) -> None:
    assert honest_status(steps(*done)) is status


@given(st.lists(st.tuples(st.integers(1, 600), st.integers(0, 600)), min_size=1, max_size=12))
def test_completed_always_means_at_least_half_done_and_one_step_finished(pairs: list[tuple[int, int]]) -> None:
    done = steps(*pairs)
    if honest_status(done) is SessionStatus.COMPLETED:
        assert 2 * sum(a for _p, a in pairs) >= sum(p for p, _a in pairs)
        assert any(a >= p for p, a in pairs)


def test_an_old_skip_through_saved_as_completed_earns_no_streak() -> None:
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)

    def record(days_ago: int, done: int) -> SessionRecord:
        at = start - timedelta(days=days_ago)
        end = at + timedelta(seconds=done)
        return SessionRecord(routine_id="r", routine_title="R", started_at=at, ended_at=end, status="completed",
                             steps=steps((150, done)))  # fmt: skip

    today = start.astimezone().date()
    assert current_streak([record(0, 150), record(1, 150)], today) == 2
    assert current_streak([record(0, 150), record(1, 12)], today) == 1
    assert not record(0, 12).credited and record(0, 150).credited


async def test_stopping_before_anything_was_done_saves_nothing(make_app, services) -> None:
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(80, 24)) as pilot:
        messages = record_notifications(app)
        await pilot.pause()
        await pilot.press("enter", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunnerScreen))
        await pilot.press("s", "y")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert saved_records(services) == []
        assert "Stopped before any time was done, so no session was recorded." in messages


async def test_skipping_through_with_n_is_recorded_as_stopped_with_no_streak(make_app, services) -> None:
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunnerScreen))
        for _ in range(7):  # every step skipped after 2 s
            await tick(pilot, services, 2)
            await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, ReflectionScreen))
        await pilot.pause()
        assert "Routine stopped:" in str(app.screen.query_one("#summary").content)
        [record] = saved_records(services)
        assert record.status is SessionStatus.STOPPED and record.actual_seconds == 14
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert app.sub_title == "Today 0 min · streak 0 days"
