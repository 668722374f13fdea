"""The limits that apply to a routine for one person: every cap a plan would count for each step, from the content
made stricter by the person's settings, each with its source, before anything is done today.

``companion routine ID`` (its text and ``--json``) and the home preview show these. They are the plan's own caps
(:func:`companion.safety.plan.caps_for` with nothing done yet) and the tools' daily uses, so what a person reads
before choosing a routine can never disagree with the plan made when they start it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum

from companion.catalogue.models import SETTINGS_SOURCE, Catalog, Routine, citations
from companion.safety.exposure import Exposure
from companion.safety.plan import Candidate, Names, caps_for, tools_by_area
from companion.settings.user_settings import Settings
from companion.words import format_seconds, join_and


class LimitKind(StrEnum):
    """Which cap: per step, per area in a session or a day (one tool, or every tool together), per tool."""

    STEP = "step"
    AREA_SESSION = "area_session"
    """One tool on one area in a session (a sitting: sessions less than the session gap apart count as one)."""
    AREA_SESSION_ALL_TOOLS = "area_session_all_tools"
    TOOL_SESSION = "tool_session"
    """One tool over every area in a session."""
    AREA_DAY = "area_day"
    """One tool on one area in any 24 hours."""
    AREA_DAY_ALL_TOOLS = "area_day_all_tools"
    USES_A_DAY = "uses_a_day"
    """Sessions a day with the tool at all, where a maker gives a number."""


_KIND_OF_CAP = {
    "step": LimitKind.STEP,
    "tool-area": LimitKind.AREA_SESSION,
    "area": LimitKind.AREA_SESSION_ALL_TOOLS,
    "tool": LimitKind.TOOL_SESSION,
    "day": LimitKind.AREA_DAY,
    "day-area": LimitKind.AREA_DAY_ALL_TOOLS,
}
"""The plan's cap keys (``Cap.key[0]``) and the kinds they are."""

_SHORT = {
    LimitKind.STEP: "{amount} a step",
    LimitKind.AREA_SESSION: "{amount} a session",
    LimitKind.AREA_SESSION_ALL_TOOLS: "{amount} a session",
    LimitKind.TOOL_SESSION: "{amount} a session over every area",
    LimitKind.AREA_DAY: "{amount} in 24 h",
    LimitKind.AREA_DAY_ALL_TOOLS: "{amount} in 24 h",
    LimitKind.USES_A_DAY: "{amount} sessions a day",
}
"""Each kind in a few words, for a line that already names the tool or the area."""


@dataclass(frozen=True)
class AppliedLimit:
    """One limit as it applies to this person, and the steps of the routine it bears on."""

    kind: LimitKind
    amount: int
    """Seconds, or sessions for :attr:`LimitKind.USES_A_DAY`."""
    tool: str | None
    """The tool it is about (``None``: tools together on :attr:`area`, those in :attr:`tools`)."""
    area: str | None
    """The area it is about (``None``: every area, for a tool's session and its daily uses)."""
    what: str
    """The limit in the plan's words, e.g. "your own limit per step for a massage gun"."""
    source: str
    """Source ids in the content, or ``"settings"`` when the person's own setting is the stricter."""
    content_amount: int | None = None
    """The content's own value, where the person's setting is stricter."""
    steps: tuple[int, ...] = ()
    """Indices in ``routine.steps`` of the steps that share it."""
    tools: tuple[str, ...] = ()
    """For a limit tools share on an area: the group of tools that share it."""

    @property
    def yours(self) -> bool:
        """Whether the person's settings made this limit stricter than the content's."""
        return self.source == SETTINGS_SOURCE

    @property
    def short(self) -> str:
        """A few words: "2:00 a step", "8:00 in 24 h" (any 24 hours), "3 sessions a day"."""
        amount = str(self.amount) if self.kind is LimitKind.USES_A_DAY else format_seconds(self.amount)
        return _SHORT[self.kind].format(amount=amount)


@dataclass(frozen=True)
class RoutineLimits:
    """Every limit that applies to a routine for one person (see :func:`routine_limits`)."""

    routine: Routine
    limits: tuple[AppliedLimit, ...]

    def for_step(self, index: int) -> tuple[AppliedLimit, ...]:
        """The limits that bear on step ``index`` of the routine, in the order of :class:`LimitKind`."""
        order = list(LimitKind)
        return tuple(sorted((lim for lim in self.limits if index in lim.steps), key=lambda lim: order.index(lim.kind)))

    @property
    def settings_applied(self) -> bool:
        """Whether any limit is the person's own, stricter than the content's."""
        return any(limit.yours for limit in self.limits)

    @property
    def source_ids(self) -> tuple[str, ...]:
        """The content's source ids behind the limits, in order of first mention (``settings`` is not one)."""
        ids = (part.strip() for limit in self.limits for part in limit.source.split(","))
        return tuple(dict.fromkeys(i for i in ids if i and i != SETTINGS_SOURCE))


@dataclass
class _Found:
    limit: AppliedLimit
    steps: list[int] = field(default_factory=list)


def routine_limits(routine: Routine, catalog: Catalog, settings: Settings | None = None) -> RoutineLimits:
    """The limits that apply to ``routine`` for a person with ``settings``: the plan's caps for every step as
    written, with nothing done yet today, and each tool's daily uses. A limit several steps share is one limit."""
    settings = settings or Settings()
    names = Names.of(catalog)
    nothing_done = Exposure(now=datetime.now(UTC))
    area_tools = tools_by_area(routine.steps)
    found: dict[tuple[str, ...], _Found] = {}
    for index, step in enumerate(routine.steps):
        content = catalog.limit_for(step.tool, step.area)
        candidate = Candidate(index, step, step.intensity, step.heat, names.areas.get(step.area, step.area))
        _limit, caps = caps_for(candidate, catalog, settings, nothing_done, area_tools, names)
        for cap in caps:
            kind = _KIND_OF_CAP[cap.key[0]]
            entry = found.get(cap.key)
            if entry is None:
                own = cap.source == SETTINGS_SOURCE
                tool = None if kind in (LimitKind.AREA_SESSION_ALL_TOOLS, LimitKind.AREA_DAY_ALL_TOOLS) else step.tool
                area = None if kind is LimitKind.TOOL_SESSION else step.area
                written = _content_amount(kind, content) if own else None
                entry = found[cap.key] = _Found(
                    AppliedLimit(
                        kind, cap.total, tool, area, cap.what, cap.source, written, tools=tuple(sorted(cap.tools))
                    )
                )
            entry.steps.append(index)
        if content.day_uses is not None:
            key = ("uses", step.tool)
            if key not in found:
                what = f"the most sessions a day with {names.tool(step.tool)}"
                found[key] = _Found(
                    AppliedLimit(LimitKind.USES_A_DAY, content.day_uses, step.tool, None, what, content.uses_source)
                )
            found[key].steps.append(index)
    limits = tuple(replace(entry.limit, steps=tuple(dict.fromkeys(entry.steps))) for entry in found.values())
    return RoutineLimits(routine, limits)


def _content_amount(kind: LimitKind, content: object) -> int | None:
    field_name = {
        LimitKind.STEP: "step_seconds",
        LimitKind.AREA_SESSION: "area_session_seconds",
        LimitKind.AREA_DAY: "area_day_seconds",
    }.get(kind)
    return getattr(content, field_name) if field_name else None


class CitationKeys:
    """Numbered citations for a text too narrow to cite beside every limit: "[1]" beside it, and the list
    :meth:`lines` says what 1 is. Each source is numbered once: the same citation (two of our design choices, say)
    gets the same number, and a limit resting on two sources cites both numbers ("[1, 3]"), so that no source is
    listed twice."""

    def __init__(self, catalog: Catalog) -> None:
        self._sources = catalog.sources
        self.keys: dict[str, int] = {}

    def key(self, source_ids: str) -> str:
        """``"[n]"`` for the citation of ``source_ids``, ``"[n, m]"`` for several (numbered in order of first
        mention)."""
        numbers = [self.keys.setdefault(c, len(self.keys) + 1) for c in citations(self._sources, source_ids)]
        return f"[{', '.join(str(number) for number in numbers)}]"

    def lines(self) -> list[tuple[str, str]]:
        """``("[n]", citation)`` for every citation numbered so far."""
        return [(f"[{number}]", citation) for citation, number in self.keys.items()]


@dataclass(frozen=True)
class LimitLine:
    """One line of limits: what it is about (empty: the step it follows) and the limits with their keys."""

    subject: str
    parts: tuple[str, ...]

    def __str__(self) -> str:
        text = ", ".join(self.parts)
        return f"{self.subject}: {text}" if self.subject else text


def describe_limits(
    limits: RoutineLimits, catalog: Catalog, keys: CitationKeys
) -> tuple[dict[int, LimitLine], list[LimitLine]]:
    """The limits in words, as the CLI and the home preview show them: per step the limits of its tool on its area
    ("2:00 a step, 4:00 a session, 8:00 in 24 h [1]"), then the routine's other limits, one line each (every tool
    together on an area that more than one tool works, a tool over every area, daily uses). Limits in a row with
    the same citation share its key. A limit the person's settings made stricter says "yours"."""
    names = Names.of(catalog)

    def parts(items: list[AppliedLimit]) -> tuple[str, ...]:
        runs: list[tuple[list[str], str]] = []
        for limit in items:
            words = limit.short + (" (yours)" if limit.yours else "")
            key = keys.key(limit.source)
            if runs and runs[-1][1] == key:
                runs[-1][0].append(words)
            else:
                runs.append(([words], key))
        return tuple(", ".join(words) + f" {key}" for words, key in runs)

    own = (LimitKind.STEP, LimitKind.AREA_SESSION, LimitKind.AREA_DAY)
    per_step: dict[int, LimitLine] = {}
    for index in range(len(limits.routine.steps)):
        mine = [limit for limit in limits.for_step(index) if limit.kind in own]
        if mine:
            per_step[index] = LimitLine("", parts(mine))
    tools_on = tools_by_area(limits.routine.steps)
    grouped: dict[str, list[AppliedLimit]] = {}
    for limit in limits.limits:
        if limit.kind in (LimitKind.AREA_SESSION_ALL_TOOLS, LimitKind.AREA_DAY_ALL_TOOLS):
            if limit.area is None or len(tools_on.get(limit.area, set())) < 2:
                continue  # one tool there: the all-tools limit is that tool's own, said on its steps
            together = (
                "every tool"
                if set(limit.tools) == tools_on.get(limit.area, set())
                else join_and(sorted(names.tools.get(t, t).lower() for t in limit.tools))
            )
            subject = f"{names.areas.get(limit.area, limit.area)}, {together} together"
        elif limit.kind in (LimitKind.TOOL_SESSION, LimitKind.USES_A_DAY) and limit.tool is not None:
            subject = names.tools.get(limit.tool, limit.tool)
        else:
            continue
        grouped.setdefault(subject, []).append(limit)
    return per_step, [LimitLine(subject, parts(items)) for subject, items in grouped.items()]


def limits_note(catalog: Catalog) -> str:
    """What "a session" and "24 h" mean in the limits, in one sentence."""
    gap = catalog.safety.session_gap_minutes
    return (
        f"A session counts sessions less than {gap} minutes apart as one; 24 h is any 24 hours, not the calendar day."
    )


def limits_json(limits: RoutineLimits, catalog: Catalog) -> list[dict[str, object]]:
    """The limits as ``routine ID --json`` documents them (see README.md)."""
    return [limit_json(limit, catalog, steps=True) for limit in limits.limits]


def limit_json(limit: AppliedLimit, catalog: Catalog, *, steps: bool = False) -> dict[str, object]:
    """One limit: its kind, amount (``seconds`` or ``uses``), what it is about, whether it is the person's own
    (with the content's value) and its source, cited as a person sees it."""
    amount = "uses" if limit.kind is LimitKind.USES_A_DAY else "seconds"
    item: dict[str, object] = {
        "kind": limit.kind.value,
        amount: limit.amount,
        "tool": limit.tool,
        "area": limit.area,
        "what": limit.what,
        "yours": limit.yours,
        "source": limit.source,
        "cite": "; ".join(citations(catalog.sources, limit.source)),
    }
    if limit.yours:
        item[f"content_{amount}"] = limit.content_amount
    if limit.tools:
        item["tools"] = list(limit.tools)
    if steps:
        item["steps"] = list(limit.steps)
    return item
