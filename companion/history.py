"""Queries over session records: what was done when, and how much each area has had today."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from companion.records import SessionRecord


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
