"""The history and its statistics as Rich ``Text``: titles and notes are appended as plain text, never markup."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from rich.text import Text

from companion.catalogue.models import Catalog
from companion.history.queries import Exposure, Statistics
from companion.history.records import SessionRecord
from companion.words import count, format_seconds

DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
BAR_WIDTH = 24
"""Cells of the longest bar in the daily chart (eighths of a cell are drawn with partial blocks)."""
_EIGHTHS = " ▏▎▍▌▋▊▉"


def parse_day(text: str) -> date | None:
    """A ``YYYY-MM-DD`` date typed by the user; ``ValueError`` with a message that says what to type."""
    text = text.strip()
    if not text:
        return None
    if not DATE_PATTERN.fullmatch(text):
        raise ValueError(f"'{text}' is not a date: type it as YYYY-MM-DD, e.g. 2026-11-02.")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text} is not a day of the calendar: check the month and the day.") from None


def local_time(moment: datetime) -> str:
    """``2026-11-02 09:00`` in the machine's local time zone."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def tension_change(record: SessionRecord) -> str:
    """``"6 → 3"``, ``"6 → –"`` when only one rating was given, ``"–"`` when none was."""
    before, after = record.tension_before, record.tension_after
    if before is None and after is None:
        return "–"
    return f"{'–' if before is None else before} → {'–' if after is None else after}"


def session_row(record: SessionRecord, *, short_date: bool = False) -> tuple[str, Text, str, str, str]:
    """One table row: local date and time (without the year if ``short_date``), routine title (plain text), time
    really spent, status, tension."""
    return (
        local_time(record.started_at)[5 if short_date else 0 :],
        Text(record.routine_title, no_wrap=True, overflow="ellipsis"),
        format_seconds(record.actual_seconds),
        record.status.value,
        tension_change(record),
    )


def area_name(catalog: Catalog, area: str) -> str:
    known = catalog.areas.get(area)
    return known.name if known else area


def tool_name(catalog: Catalog, tool: str) -> str:
    known = catalog.tools.get(tool)
    return known.name.lower() if known else tool


def session_detail(catalog: Catalog, record: SessionRecord) -> Text:
    """Everything about one session: when, how it ended, every step planned against done, tension, notes."""
    text = Text()
    text.append(record.routine_title, style="bold")
    text.append(f"\n{local_time(record.started_at)} to {record.ended_at.astimezone().strftime('%H:%M')}")
    planned = sum(step.planned_seconds for step in record.steps)
    text.append(f"\n{record.status.value.capitalize()} · {format_seconds(record.actual_seconds)} done")
    text.append(f" of {format_seconds(planned)} planned\n")
    text.append("Tension: ", style="bold")
    if record.tension_before is None and record.tension_after is None:
        text.append("not rated\n")
    else:
        before = "not rated" if record.tension_before is None else f"{record.tension_before}/10"
        after = "not rated" if record.tension_after is None else f"{record.tension_after}/10"
        text.append(f"before {before}, after {after}\n")
    text.append("\nSteps (done of planned)\n", style="bold")
    if not record.steps:
        text.append(" none recorded\n")
    for number, step in enumerate(record.steps, start=1):
        text.append(
            f"{number:>2}. {format_seconds(step.actual_seconds):>5} of {format_seconds(step.planned_seconds)}  "
        )
        text.append(f"{area_name(catalog, step.area)} · {tool_name(catalog, step.tool)}")
        if step.actual_seconds < step.planned_seconds:
            text.append("  (cut short)", style="italic")
        elif step.actual_seconds > step.planned_seconds:
            text.append("  (longer)", style="italic")
        text.append("\n")
    text.append("\nNotes\n", style="bold")
    text.append(record.notes if record.notes else "none")
    return text


def minutes(seconds: int) -> str:
    """Whole minutes, rounded: ``"12 min"``."""
    return f"{round(seconds / 60)} min"


def exposure_name(catalog: Catalog, exposure: Exposure) -> str:
    return f"{area_name(catalog, exposure.area)} · {tool_name(catalog, exposure.tool)}"


def exposure_line(catalog: Catalog, exposure: Exposure, name_width: int = 0) -> Text:
    """``Calves · massage gun  1:30 of 4:00`` (or ``no daily limit``); over the limit is said in words."""
    text = Text(exposure_name(catalog, exposure).ljust(name_width) + "  ")
    text.append(format_seconds(exposure.seconds))
    if exposure.limit_seconds is None:
        text.append("  (no daily limit)", style="dim")
    else:
        text.append(f" of {format_seconds(exposure.limit_seconds)}")
        if exposure.over:
            text.append("  over today's limit: rest this area", style="bold")
        elif exposure.remaining == 0:
            text.append("  limit reached for today", style="bold")
    return text


def daily_bar(seconds: int, most: int) -> str:
    """A bar of block characters ``BAR_WIDTH`` cells long at ``most`` seconds (any time done shows at least ▏)."""
    if seconds <= 0 or most <= 0:
        return ""
    eighths = max(1, round(seconds / most * BAR_WIDTH * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def stats_areas(stats: Statistics) -> list[str]:
    """The areas the statistics list, most worked in the last 30 days first."""
    return list(dict.fromkeys([*stats.area_seconds_30_days, *stats.area_seconds_7_days]))


def statistics_text(catalog: Catalog, stats: Statistics, advice: Text | None = None) -> Text:
    """The statistics view: streaks, totals, today's exposure, minutes per area, then ``advice`` (the advice behind
    those areas and what has helped, drawn by ``advice_text.statistics_advice_text``), then the daily chart."""
    text = Text()
    text.append("Streak", style="bold")
    text.append(f"\n  current {count(stats.current_streak, 'day')} · longest {count(stats.longest_streak, 'day')}\n")
    text.append("\nMinutes", style="bold")
    text.append(
        f"\n  today {minutes(stats.today_seconds)} · this week {minutes(stats.week_seconds)}"
        f" · last 30 days {minutes(stats.last_30_days_seconds)}\n"
    )

    text.append("\nToday's exposure against the daily limit\n", style="bold")
    if not stats.exposure:
        text.append("  nothing massaged yet today\n")
    name_width = max((len(exposure_name(catalog, exposure)) for exposure in stats.exposure), default=0)
    for exposure in stats.exposure:
        text.append("  ")
        text.append_text(exposure_line(catalog, exposure, name_width))
        text.append("\n")

    text.append("\nMinutes per body area", style="bold")
    text.append(f"\n  {'area':<24}{'7 days':>8}{'30 days':>9}\n", style="dim")
    areas = stats_areas(stats)
    if not areas:
        text.append("  no sessions in the last 30 days\n")
    for area in areas:
        week = minutes(stats.area_seconds_7_days.get(area, 0))
        month = minutes(stats.area_seconds_30_days.get(area, 0))
        text.append(f"  {area_name(catalog, area)[:23]:<24}{week:>8}{month:>9}\n")

    text.append("\n")
    if advice is None:
        text.append("What has helped you", style="bold")
        text.append("\n  working it out…\n")
    else:
        text.append_text(advice)
    text.append_text(daily_chart(stats.daily))
    return text


def daily_chart(daily: Sequence[tuple[date, int]]) -> Text:
    """Minutes per day as horizontal bars of block characters, each with its date and its number of minutes."""
    text = Text()
    text.append(f"\nDaily minutes, last {count(len(daily), 'day')}\n", style="bold")
    most = max((seconds for _day, seconds in daily), default=0)
    for day, seconds in daily:
        label = day.strftime("%a %d %b")
        text.append(f"  {label}  ")
        bar = daily_bar(seconds, most)
        text.append(bar.ljust(BAR_WIDTH + 1))
        text.append(f"{round(seconds / 60):>3} min\n" if seconds else "  –\n", style="" if seconds else "dim")
    return text
