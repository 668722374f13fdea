"""What a finished (or interrupted) session leaves behind: the record kept in the history."""

from __future__ import annotations

import uuid
from bisect import bisect_left
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from itertools import accumulate
from typing import TYPE_CHECKING, Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from companion.catalogue.models import ID_RULE, Identifier
from companion.catalogue.validation import area_rule
from companion.words import CONTROL_CHARACTERS, count, one_line, printable

if TYPE_CHECKING:
    from companion.catalogue.models import Catalog

RECORD_SCHEMA_VERSION = 1

# Bounds every session is checked against wherever one comes in (the history file, an import, a recovered run),
# so that no file can hold a session that makes no sense or that would make a view slow or crash. Design choices.
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)
"""No session started before this (Companion did not exist; an older time is a broken clock or a forged file)."""
LATEST_TIME = datetime(2100, 1, 1, tzinfo=UTC)
"""No session ends after this: far enough for any real clock, and every local day of it has a next day (the
year 9999 overflows the calendar arithmetic of streaks east of UTC)."""
MAX_AHEAD = timedelta(days=1)
"""Where the time now is known (an import, a recovered run): no session may start further ahead of it."""
MAX_STEP_SECONDS = 2 * 3600
"""No step, however often it was extended or revisited, holds more (a routine's step is planned at most 3600 s;
the catalogue's limits per tool and area are far stricter and are checked where the catalogue is known)."""
CLOCK_SLACK_SECONDS = 60
"""What the steps' seconds may exceed the time between start and end by (wall clock and monotonic clock drift
apart by a little, and each step's seconds are rounded), besides one second a step."""
MAX_STEPS = 200
"""A routine has at most 40 steps; room for newer versions, never for a file of a million."""
MAX_TITLE_LENGTH = 200
MAX_NOTES_LENGTH = 10_000
"""The reflection takes at most 2,000 characters; room for notes edited elsewhere, never for 200 MB."""

_NO_CONTROLS = f"^[^{CONTROL_CHARACTERS}\t\n]*$"
"""A title is one line of plain text (checked by pydantic's own engine: the history loads as fast as before)."""
_NO_CONTROLS_BUT_LINES = f"^[^{CONTROL_CHARACTERS}]*$"
"""Notes may hold tabs and new lines."""

Tension = Annotated[int, Field(strict=True, ge=0, le=10)]
"""Strict: ``true`` is not a tension of 1."""
Seconds = Annotated[int, Field(strict=True, ge=0, le=MAX_STEP_SECONDS)]
Moment = Annotated[AwareDatetime, Field(ge=EARLIEST_TIME, lt=LATEST_TIME)]
CatalogueId = Identifier
"""An area or tool id as the catalogue writes them; one this version does not know is kept and counts for no
known area or tool."""
Title = Annotated[str, StringConstraints(max_length=MAX_TITLE_LENGTH, pattern=_NO_CONTROLS)]
Notes = Annotated[str, StringConstraints(max_length=MAX_NOTES_LENGTH, pattern=_NO_CONTROLS_BUT_LINES)]


class SessionStatus(StrEnum):
    """How a session ended."""

    COMPLETED = "completed"
    STOPPED = "stopped"
    INTERRUPTED = "interrupted"
    """The app was closed or killed mid-run and the user chose to keep the time done."""


COMPLETED_SHARE = 0.5
"""A run counts as completed only with at least this share of its planned time done (a Companion design choice:
skipping through a routine is not doing it)."""


class StepDone(BaseModel):
    """One step as it was really done."""

    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)

    area: CatalogueId
    tool: CatalogueId
    planned_seconds: Seconds
    actual_seconds: Seconds


class SessionRecord(BaseModel):
    """A session in the history. Unknown fields (from a newer version) are kept, never dropped."""

    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)

    schema_version: int = Field(default=RECORD_SCHEMA_VERSION, strict=True, ge=1)
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    routine_id: Title
    routine_title: Title
    started_at: Moment
    ended_at: Moment
    status: SessionStatus
    steps: tuple[StepDone, ...] = Field(default=(), max_length=MAX_STEPS)
    tension_before: Tension | None = None
    tension_after: Tension | None = None
    notes: Notes = ""

    @model_validator(mode="after")
    def _within_its_time(self) -> SessionRecord:
        """The end is not before the start, and the steps hold no more time than passed between them."""
        # In UTC: two times with the same zone compare and subtract by wall clock, wrong across a clock put back.
        started, ended = self.started_at.astimezone(UTC), self.ended_at.astimezone(UTC)
        if ended < started:
            raise ValueError("ended_at is before started_at")
        allowed = (ended - started).total_seconds() + CLOCK_SLACK_SECONDS + len(self.steps)
        if self.actual_seconds > allowed:
            raise ValueError(
                f"the steps hold {self.actual_seconds} s, more than the {int(allowed)} s between start and end allow"
            )
        return self

    @property
    def actual_seconds(self) -> int:
        """Seconds really spent massaging (pauses excluded)."""
        return sum(step.actual_seconds for step in self.steps)

    @property
    def planned_seconds(self) -> int:
        """Seconds the plan gave the session's steps."""
        return sum(step.planned_seconds for step in self.steps)

    @property
    def credited(self) -> bool:
        """True when the session really was done: recorded as completed and honest about it (see
        :func:`honest_status`), so it counts toward the streak. Older records saved as ``completed`` after a
        skip-through get no credit either."""
        return self.status is SessionStatus.COMPLETED and honest_status(self.steps) is SessionStatus.COMPLETED

    def seconds_per_area(self) -> dict[str, int]:
        """Seconds really spent on each area, in the order areas were first worked."""
        totals: dict[str, int] = {}
        for step in self.steps:
            totals[step.area] = totals.get(step.area, 0) + step.actual_seconds
        return totals

    def local_day(self) -> datetime:
        """The start time in the machine's local time zone (streaks and "today" are local)."""
        return self.started_at.astimezone()


def record_problem(exc: ValidationError) -> str:
    """The first thing wrong with a session, for people: ``field 'steps.1.area': ...`` (one line, plain text)."""
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "string_pattern_mismatch":
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        message = (
            "contains a control character; text must be plain"
            if pattern in (_NO_CONTROLS, _NO_CONTROLS_BUT_LINES)
            else ID_RULE
        )
    return printable(f"field '{where}': {message}" if where else message)  # pydantic may quote what it found


CEILING_HEADROOM = 2
"""A session may hold at most this many times a tool's daily cap on an area (or its cap per session where there is
no daily one): never reached by a run, which keeps within the caps, while an old export stays importable after a
limit was made stricter. A design choice."""


def forbidden(catalog: Catalog, tool: str, area: str) -> bool:
    """Whether the content never lets ``tool`` work ``area`` (a tool to avoid there, or not one the area allows):
    its ceiling there is nothing."""
    rules = catalog.safety
    if any(rule.tool == tool and area in rule.areas for rule in rules.avoid):
        return True
    allowed = area_rule(rules, area)
    return allowed is not None and bool(allowed.tools) and tool not in allowed.tools


def implausible(record: SessionRecord, now: datetime, catalog: Catalog) -> str | None:
    """What makes ``record`` impossible where the time and the catalogue are known (an import, a recovered run):
    a start more than :data:`MAX_AHEAD` ahead of ``now``, time with a known tool on a known area the content never
    lets it work (:func:`forbidden`), or more there than any session could hold. ``None`` when it makes sense.
    Unknown tools and areas are kept and count for no known one.
    """
    if record.started_at > now + MAX_AHEAD:
        return f"field 'started_at': {record.started_at.isoformat()} is more than a day ahead of this computer's clock"
    totals: dict[tuple[str, str], int] = {}
    for step in record.steps:
        key = (step.tool, step.area)
        totals[key] = totals.get(key, 0) + step.actual_seconds
    tools, areas = catalog.tools, catalog.areas
    for (tool, area), seconds in totals.items():
        if tool not in tools or area not in areas:
            continue
        if seconds > 0 and forbidden(catalog, tool, area):
            return (
                f"field 'steps': {seconds} s with {tools[tool].name} on {areas[area].name}, which Companion never "
                "plans: no session of it can hold that"
            )
        limit = catalog.limit_for(tool, area)
        cap = limit.area_day_seconds or limit.session_seconds
        if cap is not None and seconds > cap * CEILING_HEADROOM:
            return (
                f"field 'steps': {seconds} s with {tools[tool].name} on {areas[area].name} is more than any session "
                f"can hold (at most {cap} s a day)"
            )
    return None


NOTHING_DONE = "Stopped before any time was done, so no session was recorded."
"""Said when a run ends with no time done: there is no session to keep (the app and plain mode alike)."""


def implausible_kept(records: Sequence[SessionRecord], now: datetime, catalog: Catalog) -> str | None:
    """What to tell the person of the sessions in their history file that no run could have given
    (:func:`implausible`: an import refuses them, a hand-edited or synced file can still hold them). They stay in
    the history and their time counts in full, which can only make a plan stricter; the message names the first so
    it can be looked at and deleted in History. ``None`` when every session makes sense."""
    found = [(record, problem) for record in records if (problem := implausible(record, now, catalog))]
    if not found:
        return None
    record, problem = found[0]
    others = f" ({count(len(found) - 1, 'other session')} too)" if len(found) > 1 else ""
    return printable(
        f"Your history holds a session no run could have given: {one_line(record.routine_title)}, "
        f"{span_text(record)} ({problem}){others}. It is kept, and its time counts towards the limits; you can "
        "look at it in History and delete it there."
    )


def honest_status(steps: Sequence[StepDone]) -> SessionStatus:
    """How a run that reached its end should be recorded: ``completed`` when at least half its planned time was
    done and at least one step ran its full time, else ``stopped`` (every step skipped, or most of it left out)."""
    planned = sum(step.planned_seconds for step in steps)
    done = sum(step.actual_seconds for step in steps)
    if planned == 0 or done < COMPLETED_SHARE * planned:
        return SessionStatus.STOPPED
    if all(step.actual_seconds < step.planned_seconds for step in steps):
        return SessionStatus.STOPPED
    return SessionStatus.COMPLETED


def _span(record: SessionRecord) -> tuple[float, float]:
    """A session's time as seconds since the epoch (in UTC, so a clock put back changes nothing)."""
    return record.started_at.timestamp(), record.ended_at.timestamp()


def span_text(record: SessionRecord) -> str:
    """When a session ran, as its file gives the times: ``2026-11-30 18:00 to 18:07``."""
    started, ended = record.started_at, record.ended_at.astimezone(record.started_at.tzinfo)
    end = f"{ended:%H:%M}" if ended.date() == started.date() else f"{ended:%Y-%m-%d %H:%M}"
    return f"{started:%Y-%m-%d %H:%M} to {end}"


def overlap_within(records: Sequence[SessionRecord]) -> tuple[int, int] | None:
    """Two sessions of ``records`` whose times overlap, as their indexes (the earlier in the list first); ``None``
    when none do.

    One routine runs at a time (the run lock), so two sessions sharing time are one session twice (a row copied
    under a new id) or a forged file, and their time would count twice toward the limits.
    """
    order = sorted(range(len(records)), key=lambda index: _span(records[index]))
    furthest, reach = -1, float("-inf")  # of the sessions so far, the one that ends last, and its end
    for index in order:
        start, end = _span(records[index])
        if start < reach:
            return min(index, furthest), max(index, furthest)
        if end > reach:
            furthest, reach = index, end
    return None


def overlap_with(
    incoming: Sequence[SessionRecord], present: Sequence[SessionRecord]
) -> tuple[int, SessionRecord] | None:
    """The first session of ``incoming`` (its index) whose time overlaps one of ``present``, with that session."""
    spans = sorted(present, key=_span)
    starts = [_span(record)[0] for record in spans]
    reach = list(accumulate((_span(record)[1] for record in spans), max))
    for index, record in enumerate(incoming):
        start, end = _span(record)
        before = bisect_left(starts, end) - 1  # the present sessions that start before this one ends
        if before >= 0 and reach[before] > start:
            return index, next(other for other in spans[: before + 1] if _span(other)[1] > start)
    return None
