"""Queries over session records: what was done when, streaks, minutes per area (what has helped, the relief
figures, is the advice stage's: ``companion.advice.relief``; the time against the limits over a rolling 24 hours
is the safety stage's: ``companion.safety.allowance``).

Days are calendar days in the machine's local time zone; a session belongs to the day it started. Durations are
seconds really spent (``actual_seconds``, pauses excluded); the UI turns them into minutes. Every query takes
``today`` explicitly (from the injected clock) so tests never depend on the date they run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from companion.history.records import SessionRecord
from companion.words import count


def local_date(moment: datetime) -> date:
    """The calendar day of ``moment`` in the machine's local time zone."""
    return moment.astimezone().date()


def seconds_on_day(records: Iterable[SessionRecord], day: date) -> dict[tuple[str, str], int]:
    """Seconds really spent per ``(tool, area)`` in sessions started on local ``day``."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for record in records:
        if local_date(record.started_at) != day:
            continue
        for step in record.steps:
            totals[(step.tool, step.area)] += step.actual_seconds
    return dict(totals)


def _dated(records: Iterable[SessionRecord]) -> list[tuple[date, SessionRecord]]:
    return [(local_date(record.started_at), record) for record in records]


def active_days(records: Iterable[SessionRecord]) -> set[date]:
    """Local days with at least one session really done (completed, see ``SessionRecord.credited``): a stopped or
    skipped-through session does not count toward the streak."""
    return {local_date(record.started_at) for record in records if record.credited}


def current_streak(records: Iterable[SessionRecord], today: date) -> int:
    """Consecutive active days ending today, or ending yesterday when today has no session yet."""
    return _current_streak(active_days(records), today)


def _current_streak(days: set[date], today: date) -> int:
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def longest_streak(records: Iterable[SessionRecord]) -> int:
    """The longest run of consecutive active days ever."""
    return _longest_streak(active_days(records))


def _longest_streak(days: set[date]) -> int:
    best = 0
    for day in days:
        if day - timedelta(days=1) in days:
            continue  # not the start of a run
        length = 1
        while day + timedelta(days=length) in days:
            length += 1
        best = max(best, length)
    return best


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def _window(today: date, days: int) -> tuple[date, date]:
    if days < 1:
        raise ValueError("days must be at least 1")
    return today - timedelta(days=days - 1), today


def seconds_between(records: Iterable[SessionRecord], first: date, last: date) -> int:
    """Seconds really spent in sessions started on local days ``first`` to ``last`` (both included)."""
    return sum(r.actual_seconds for r in records if first <= local_date(r.started_at) <= last)


def seconds_this_week(records: Iterable[SessionRecord], today: date) -> int:
    """Seconds from Monday of this week to ``today``."""
    return seconds_between(records, week_start(today), today)


def seconds_last_days(records: Iterable[SessionRecord], today: date, days: int = 30) -> int:
    """Seconds over the last ``days`` days, today included."""
    return seconds_between(records, *_window(today, days))


def seconds_per_area(records: Iterable[SessionRecord], today: date, days: int) -> dict[str, int]:
    """Seconds per body area over the last ``days`` days (today included), most worked first."""
    first, last = _window(today, days)
    totals: dict[str, int] = defaultdict(int)
    for record in records:
        if first <= local_date(record.started_at) <= last:
            for step in record.steps:
                totals[step.area] += step.actual_seconds
    return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))


def daily_seconds(records: Iterable[SessionRecord], today: date, days: int = 30) -> list[tuple[date, int]]:
    """``(day, seconds)`` for each of the last ``days`` days, oldest first, days without sessions as 0."""
    first, last = _window(today, days)
    totals: dict[date, int] = defaultdict(int)
    for record in records:
        day = local_date(record.started_at)
        if first <= day <= last:
            totals[day] += record.actual_seconds
    return [(first + timedelta(days=i), totals.get(first + timedelta(days=i), 0)) for i in range(days)]


def filter_records(
    records: Iterable[SessionRecord],
    *,
    since: date | None = None,
    until: date | None = None,
    routine_id: str | None = None,
    area: str | None = None,
) -> list[SessionRecord]:
    """Sessions started on local days ``since`` to ``until`` (both included), of a routine, touching an area."""
    chosen = []
    for record in records:
        if since is not None or until is not None:
            day = local_date(record.started_at)
            if (since is not None and day < since) or (until is not None and day > until):
                continue
        if routine_id is not None and record.routine_id != routine_id:
            continue
        if area is not None and all(step.area != area for step in record.steps):
            continue
        chosen.append(record)
    return chosen


@dataclass(frozen=True)
class Statistics:
    """Everything the statistics view shows, computed in one go."""

    today: date
    current_streak: int
    longest_streak: int
    today_seconds: int
    week_seconds: int
    last_30_days_seconds: int
    area_seconds_7_days: dict[str, int]
    area_seconds_30_days: dict[str, int]
    daily: list[tuple[date, int]]
    """The last 30 days, oldest first."""


def statistics(records: Iterable[SessionRecord], today: date) -> Statistics:
    """All statistics over ``records`` as of local ``today``."""
    dated = _dated(records)
    days = active_days(record for _day, record in dated)
    recent = [record for day, record in dated if today - timedelta(days=29) <= day <= today]
    todays = [record for day, record in dated if day == today]
    return Statistics(
        today=today,
        current_streak=_current_streak(days, today),
        longest_streak=_longest_streak(days),
        today_seconds=sum(record.actual_seconds for record in todays),
        week_seconds=seconds_this_week(recent, today),  # a week is within the last 30 days
        last_30_days_seconds=sum(record.actual_seconds for record in recent),
        area_seconds_7_days=seconds_per_area(recent, today, 7),
        area_seconds_30_days=seconds_per_area(recent, today, 30),
        daily=daily_seconds(recent, today, 30),
    )


def today_summary(records: Iterable[SessionRecord], today: date) -> str:
    """One line for the header: minutes done today and the current streak, in words."""
    records = list(records)
    seconds = sum(seconds_on_day(records, today).values())
    streak = current_streak(records, today)
    minutes = round(seconds / 60)
    return f"Today {minutes} min · streak {count(streak, 'day')}"
