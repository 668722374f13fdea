"""Exposure: the time each area has really had, over every tool, in the current session and the last 24 hours.

Time is gathered from three places, so that no second really done is forgotten:

- the history (saved sessions, read fresh from disk each time a plan is made);
- the exposure ledger (:mod:`companion.safety.ledger`, in the state folder): every run's time, written when it ends or
  is recovered or discarded, whether or not the history could save it;
- the checkpoint of a run in progress or interrupted (not yet recorded or discarded).

The same session (one id) found in several places counts once, with the most time any of them shows.

"Per day" is a rolling 24 hours: a session counts when it ended less than 24 hours ago (one dated after now, as
when the clock was set back, counts as just done). Sessions separated by
less than the session gap (``SafetyRules.session_gap_minutes``, a design choice) form one *sitting*: the plan
counts the current sitting (the one still open at ``now``) for every per-session cap, and a tool's daily uses
(``Limit.day_uses``) count sittings.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from companion.history.records import SessionRecord

DAY = timedelta(hours=24)
"""The rolling window of every daily cap."""

Key = tuple[str, str]
"""``(tool, area)``."""


@dataclass(frozen=True)
class Bout:
    """One session's time per ``(tool, area)``, with when it started and ended."""

    session_id: uuid.UUID
    started_at: datetime
    ended_at: datetime
    seconds: Mapping[Key, int]

    @property
    def total(self) -> int:
        return sum(self.seconds.values())


def bout_of(record: SessionRecord) -> Bout:
    """A record's time as a bout."""
    seconds: dict[Key, int] = defaultdict(int)
    for step in record.steps:
        if step.actual_seconds > 0:
            seconds[(step.tool, step.area)] += step.actual_seconds
    return Bout(record.id, record.started_at, max(record.ended_at, record.started_at), dict(seconds))


def merge(*groups: Iterable[Bout]) -> list[Bout]:
    """Every session once: the same id from several places counts with the most time any of them shows."""
    best: dict[uuid.UUID, Bout] = {}
    for group in groups:
        for bout in group:
            known = best.get(bout.session_id)
            if known is None or bout.total > known.total:
                best[bout.session_id] = bout
    return sorted(best.values(), key=lambda b: (b.started_at, b.ended_at))


def sittings(bouts: Iterable[Bout], gap: timedelta) -> list[list[Bout]]:
    """Bouts grouped into sittings: each starts less than ``gap`` after the previous one ended."""
    groups: list[list[Bout]] = []
    end: datetime | None = None
    for bout in sorted(bouts, key=lambda b: (b.started_at, b.ended_at)):
        if end is not None and groups and bout.started_at - end < gap:
            groups[-1].append(bout)
            end = max(end, bout.ended_at)
        else:
            groups.append([bout])
            end = bout.ended_at
    return groups


@dataclass(frozen=True)
class Exposure:
    """What the plan must count at ``now``: time in the current sitting and in the last 24 hours."""

    now: datetime
    session: Mapping[Key, int] = field(default_factory=dict)
    """Seconds per ``(tool, area)`` in the sitting still open at ``now`` (it ended less than a gap ago)."""
    day: Mapping[Key, int] = field(default_factory=dict)
    """Seconds per ``(tool, area)`` in sessions that ended in the last 24 hours."""
    uses: Mapping[str, int] = field(default_factory=dict)
    """Per tool: sittings in the last 24 hours that used it, the open sitting not included."""
    open_tools: frozenset[str] = frozenset()
    """Tools already used in the open sitting (the plan continues that use rather than starting one)."""
    last_worked: Mapping[str, datetime] = field(default_factory=dict)
    """Per area: when a session that really worked it last ended."""
    unknown: tuple[str, ...] = ()
    """Why some of the time could not be read, naming the files."""
    unknown_until: datetime | None = None
    """Until when time that could not be read may still count (24 hours after its file was last written): until
    then every area's daily limits count as used up, so what cannot be read never makes a plan looser."""

    @property
    def blocked(self) -> bool:
        """Whether time that could not be read still counts at ``now``."""
        return self.unknown_until is not None and self.now < self.unknown_until

    def session_area(self, area: str, tools: Collection[str] | None = None) -> int:
        """Seconds on ``area`` over every tool (or over ``tools``) in the open sitting."""
        return sum(s for (tool, where), s in self.session.items() if where == area and (tools is None or tool in tools))

    def day_area(self, area: str, tools: Collection[str] | None = None) -> int:
        """Seconds on ``area`` over every tool (or over ``tools``) in the last 24 hours."""
        return sum(s for (tool, where), s in self.day.items() if where == area and (tools is None or tool in tools))

    def session_tool(self, tool: str) -> int:
        """Seconds with ``tool`` over every area in the open sitting."""
        return sum(s for (which, _area), s in self.session.items() if which == tool)

    def tools_on(self, area: str, *, day: bool) -> set[str]:
        """Tools that worked ``area`` in the open sitting (or, with ``day``, in the last 24 hours)."""
        counts = self.day if day else self.session
        return {tool for (tool, where), s in counts.items() if where == area and s > 0}


def as_of(bout: Bout, now: datetime) -> Bout:
    """``bout`` as seen at ``now``: one that started or ended after ``now`` (the clock was set back since, or a
    session came from a clock running ahead) counts as done just now, in the open sitting and the rolling day."""
    if bout.ended_at <= now:
        return bout
    return Bout(bout.session_id, min(bout.started_at, now), now, bout.seconds)


def exposure_at(
    bouts: Iterable[Bout],
    now: datetime,
    gap: timedelta,
    unknown: tuple[str, ...] = (),
    unknown_until: datetime | None = None,
) -> Exposure:
    """The exposure at ``now`` from every bout known (see :func:`merge`); a bout later than ``now`` counts as
    just done (:func:`as_of`), never as not done yet."""
    known = [as_of(b, now) for b in bouts if b.total > 0]
    day: dict[Key, int] = defaultdict(int)
    recent = [b for b in known if now - b.ended_at < DAY]
    for bout in recent:
        for key, seconds in bout.seconds.items():
            day[key] += seconds
    session: dict[Key, int] = defaultdict(int)
    uses: dict[str, int] = defaultdict(int)
    open_tools: set[str] = set()
    groups = sittings(known, gap)
    if groups and now - max(b.ended_at for b in groups[-1]) < gap:
        current = groups.pop()
        for bout in current:
            for key, seconds in bout.seconds.items():
                session[key] += seconds
                open_tools.add(key[0])
    for group in groups:
        if any(now - b.ended_at < DAY for b in group):
            for tool in {tool for b in group for (tool, _area) in b.seconds}:
                uses[tool] += 1
    last: dict[str, datetime] = {}
    for bout in known:
        for _tool, area in bout.seconds:
            if area not in last or bout.ended_at > last[area]:
                last[area] = bout.ended_at
    return Exposure(now, dict(session), dict(day), dict(uses), frozenset(open_tools), last, unknown, unknown_until)


def with_time(exposure: Exposure, seconds: Mapping[Key, int]) -> Exposure:
    """``exposure`` with ``seconds`` more done just now (a run under way: in the open sitting and the day)."""
    session, day = dict(exposure.session), dict(exposure.day)
    for key, value in seconds.items():
        if value > 0:
            session[key] = session.get(key, 0) + value
            day[key] = day.get(key, 0) + value
    tools = {tool for (tool, _area), value in seconds.items() if value > 0}
    return replace(exposure, session=session, day=day, open_tools=exposure.open_tools | tools)
