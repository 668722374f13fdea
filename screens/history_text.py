"""The history and its statistics as Rich ``Text``: titles and notes are appended as plain text, never markup."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache

from rich.console import Console
from rich.text import Text

from companion.catalogue.models import Catalog
from companion.history.queries import Statistics
from companion.history.records import SessionRecord
from companion.safety.allowance import AreaAllowance
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


ROW_MARK = "▸ "
"""Before the date of the session under the table's cursor while the table has the focus (the cursor is marked in
characters, not by its colour alone, as in every list: ``›`` when the focus is elsewhere)."""
ROW_MARK_UNFOCUSED = "› "


def date_cell(record: SessionRecord, *, short_date: bool = False, mark: str = "  ") -> str:
    """The local date and time after ``mark``; ``short_date``: without the year, the time on a second line (a narrow
    table keeps its room for the routine's title)."""
    when = local_time(record.started_at)
    if short_date:
        day, clock = when[5:].split(" ", 1)
        return f"{mark}{day}\n{' ' * len(mark)}{clock}"
    return f"{mark}{when}"


def session_row(record: SessionRecord, *, short_date: bool = False) -> tuple[str, Text, str, str, str]:
    """One table row: local date and time (see :func:`date_cell`), routine title (plain text, wrapping in its
    column: the row is as high as its lines, :func:`row_height`), time really spent, status, tension."""
    return (
        date_cell(record, short_date=short_date),
        Text(record.routine_title),
        format_seconds(record.actual_seconds),
        record.status.value,
        tension_change(record),
    )


_WRAP_CONSOLE = Console(width=200, color_system=None, legacy_windows=False)


@lru_cache(maxsize=1024)
def title_lines(title: str, width: int) -> int:
    """How many lines ``title`` takes wrapped in ``width`` cells, as the table wraps it (titles repeat: cached)."""
    return len(Text(title).wrap(_WRAP_CONSOLE, max(1, width)))


def row_height(record: SessionRecord, title_width: int, *, short_date: bool = False) -> int:
    """The lines a session's row takes: its title wrapped (never cut), and two for a date on two lines."""
    return max(2 if short_date else 1, title_lines(record.routine_title, title_width))


def area_name(catalog: Catalog, area: str) -> str:
    known = catalog.areas.get(area)
    return known.name if known else area


def tool_name(catalog: Catalog, tool: str) -> str:
    known = catalog.tools.get(tool)
    return known.name if known else tool  # as everywhere else: "Massage gun"


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
        if step.actual_seconds == 0 < step.planned_seconds:
            text.append("  (not reached)", style="italic")
        elif step.actual_seconds < step.planned_seconds:
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


def allowance_state(seconds: int, limit: int | None, left: int | None = None) -> str:
    """``1:30 of 4:00, 2:30 left``; a limit reached or passed is said in words (``no daily limit`` without one)."""
    if limit is None:
        return f"{format_seconds(seconds)}, no daily limit"
    text = f"{format_seconds(seconds)} of {format_seconds(limit)}"
    if seconds > limit:
        return f"{text}: over the limit"
    if left is None:
        return text
    return f"{text}: limit reached" if left == 0 else f"{text}, {format_seconds(left)} left"


def exposure_lines(catalog: Catalog, areas: Sequence[AreaAllowance]) -> list[str]:
    """Each area worked in the last 24 hours (with several tools: their time together against the limit over every
    tool), then each tool on it: its time against its own limit and what a plan could still give it there."""
    width = max((len(tool_name(catalog, tool.tool)) for area in areas for tool in area.tools), default=0)
    lines: list[str] = []
    for area in areas:
        name = area_name(catalog, area.area)
        if len(area.tools) > 1:
            name += f", all tools: {allowance_state(area.seconds, area.limit_seconds)}"
        lines.append(name)
        for tool in area.tools:
            lines.append(f"  {tool_name(catalog, tool.tool).ljust(width)}  "
                         f"{allowance_state(tool.seconds, tool.limit_seconds, tool.left)}")  # fmt: skip
            if tool.day_uses is not None:
                lines.append(f"  {''.ljust(width)}  used in {tool.uses} of {count(tool.day_uses, 'sitting')} a day")
    return lines


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


def statistics_text(
    catalog: Catalog,
    stats: Statistics,
    advice: Text | None = None,
    allowances: Sequence[AreaAllowance] | None = None,
    unknown: Sequence[str] = (),
) -> Text:
    """The statistics view: streaks, totals, the last 24 hours against the daily limits (``allowances``, ``None``
    while still being read; ``unknown``: what could not be read), minutes per area, then ``advice`` (the advice
    behind those areas and what has helped, drawn by ``advice_text.statistics_advice_text``); the chart is
    :func:`daily_chart`."""
    text = Text()
    text.append("Streak", style="bold")
    text.append(f"\n  current {count(stats.current_streak, 'day')} · longest {count(stats.longest_streak, 'day')}\n")
    text.append("\nMinutes", style="bold")
    text.append(
        f"\n  today {minutes(stats.today_seconds)} · this week {minutes(stats.week_seconds)}"
        f" · last 30 days {minutes(stats.last_30_days_seconds)}\n"
    )

    text.append("\nThe last 24 hours against the daily limits\n", style="bold")
    for problem in unknown:
        text.append(f"  ! {problem} The time below may leave some out.\n")
    if allowances is None:
        text.append("  reading the time done…\n")
    elif not allowances:
        text.append("  nothing massaged in the last 24 hours\n")
    else:
        for line in exposure_lines(catalog, allowances):
            text.append(f"  {line}\n")

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
    return text


def daily_chart(daily: Sequence[tuple[date, int]]) -> Text:
    """Minutes per day as horizontal bars of block characters, each with its date and its number of minutes."""
    text = Text()
    text.append(f"Daily minutes, last {count(len(daily), 'day')}\n", style="bold")
    most = max((seconds for _day, seconds in daily), default=0)
    for day, seconds in daily:
        label = day.strftime("%a %d %b")
        text.append(f"  {label}  ")
        bar = daily_bar(seconds, most)
        text.append(bar.ljust(BAR_WIDTH + 1))
        text.append(f"{round(seconds / 60):>3} min\n" if seconds else "  –\n", style="" if seconds else "dim")
    return text
