"""History queries: streaks, minutes this week and last 30 days, per area, relief, daily chart, today's exposure.

Days are local: these tests run in a time zone far from UTC so a session late in the evening belongs to its local
day, not the UTC one.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from companion.history import queries as history
from companion.history.records import SessionRecord, SessionStatus, StepDone

TODAY = date(2026, 11, 4)  # a Wednesday


@pytest.fixture(autouse=True)
def new_york() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "America/New_York")
        time.tzset()
        yield
    time.tzset()


_counter = iter(range(1, 1_000_000))


def session(
    day: date,
    *areas: tuple[str, str, int],
    hour: int = 9,
    routine: str = "neck",
    title: str = "Neck",
    before: int | None = None,
    after: int | None = None,
) -> SessionRecord:
    start = datetime(day.year, day.month, day.day, hour, 0).astimezone()  # local time
    steps = tuple(StepDone(area=a, tool=t, planned_seconds=s, actual_seconds=s) for a, t, s in areas)
    return SessionRecord(
        id=uuid.UUID(int=next(_counter)),
        routine_id=routine,
        routine_title=title,
        started_at=start,
        ended_at=start + max(timedelta(minutes=10), timedelta(seconds=sum(step.actual_seconds for step in steps))),
        status=SessionStatus.COMPLETED,
        steps=steps,
        tension_before=before,
        tension_after=after,
    )


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


NECK = ("neck", "hands", 60)


def test_seconds_on_day_uses_the_local_day() -> None:
    late = session(TODAY, NECK, hour=23)  # 04:00 UTC the next day
    assert late.started_at.astimezone(tz=None).date() == TODAY
    assert history.seconds_on_day([late], TODAY) == {("hands", "neck"): 60}
    assert history.seconds_on_day([late], TODAY + timedelta(days=1)) == {}


def test_streaks() -> None:
    records = [session(days_ago(n), NECK) for n in (0, 1, 2, 5, 6, 7, 8, 20)]
    assert history.current_streak(records, TODAY) == 3
    assert history.longest_streak(records) == 4
    # today not done yet: the streak ending yesterday still counts
    assert history.current_streak(records[1:], TODAY) == 2
    # two days without: broken
    assert history.current_streak([session(days_ago(2), NECK)], TODAY) == 0
    # several sessions a day count once; a session with no time spent does not count
    empty = session(days_ago(3))
    assert history.current_streak([*records, session(TODAY, NECK), empty], TODAY) == 3
    assert history.longest_streak([]) == 0 and history.current_streak([], TODAY) == 0


def test_minutes_this_week_and_last_30_days() -> None:
    records = [
        session(days_ago(0), ("neck", "hands", 120)),  # Wednesday
        session(days_ago(2), ("neck", "hands", 60)),  # Monday
        session(days_ago(3), ("neck", "hands", 600)),  # Sunday: last week
        session(days_ago(29), ("neck", "hands", 30)),
        session(days_ago(30), ("neck", "hands", 1000)),  # outside the 30 days
    ]
    assert history.week_start(TODAY) == date(2026, 11, 2)
    assert history.seconds_this_week(records, TODAY) == 180
    assert history.seconds_last_days(records, TODAY, 30) == 810
    assert history.seconds_last_days(records, TODAY, 1) == 120


def test_seconds_per_area_over_7_and_30_days() -> None:
    records = [
        session(days_ago(1), ("neck", "hands", 60), ("calves", "ball", 120)),
        session(days_ago(6), ("neck", "ball", 30)),
        session(days_ago(7), ("calves", "ball", 500)),
        session(days_ago(40), ("feet", "ball", 999)),
    ]
    assert history.seconds_per_area(records, TODAY, 7) == {"calves": 120, "neck": 90}
    assert history.seconds_per_area(records, TODAY, 30) == {"calves": 620, "neck": 90}
    assert list(history.seconds_per_area(records, TODAY, 30)) == ["calves", "neck"]  # most worked first


def test_daily_seconds_over_30_days_includes_empty_days() -> None:
    records = [session(days_ago(0), NECK), session(days_ago(0), NECK), session(days_ago(29), NECK)]
    daily = history.daily_seconds(records, TODAY, 30)
    assert len(daily) == 30
    assert daily[0] == (days_ago(29), 60) and daily[-1] == (TODAY, 120)
    assert sum(seconds for _day, seconds in daily) == 180


def test_filter_records() -> None:
    a = session(days_ago(10), NECK, routine="neck")
    b = session(days_ago(2), ("calves", "ball", 60), routine="legs")
    c = session(days_ago(0), NECK, routine="legs")
    records = [a, b, c]
    assert history.filter_records(records, since=days_ago(2)) == [b, c]
    assert history.filter_records(records, until=days_ago(2)) == [a, b]
    assert history.filter_records(records, routine_id="legs") == [b, c]
    assert history.filter_records(records, area="calves") == [b]
    assert history.filter_records(records, since=days_ago(5), routine_id="neck") == []


def test_statistics_gathers_everything() -> None:
    records = [
        session(days_ago(0), ("neck", "hands", 120), before=6, after=2),
        session(days_ago(1), ("calves", "ball", 60)),
        session(days_ago(9), ("neck", "hands", 30)),
    ]
    stats = history.statistics(records, TODAY)
    assert (stats.current_streak, stats.longest_streak) == (2, 2)
    assert (stats.today_seconds, stats.week_seconds, stats.last_30_days_seconds) == (120, 180, 210)
    assert stats.area_seconds_7_days == {"neck": 120, "calves": 60}
    assert stats.area_seconds_30_days == {"neck": 150, "calves": 60}
    assert len(stats.daily) == 30 and stats.daily[-1] == (TODAY, 120)
    assert history.statistics([], TODAY).current_streak == 0


def test_statistics_over_20000_sessions() -> None:
    """A long history adds up exactly (how quickly is benchmarks/bench_history.py's concern, not a test's)."""
    records = [session(days_ago(n % 400), NECK, ("calves", "ball", 30)) for n in range(20_000)]
    stats = history.statistics(records, TODAY)
    assert stats.current_streak == stats.longest_streak == 400
    assert stats.last_30_days_seconds == 30 * 50 * 90  # 30 days of 50 sessions of 60 s + 30 s
    assert len(stats.daily) == 30 and all(seconds == 50 * 90 for _day, seconds in stats.daily)
