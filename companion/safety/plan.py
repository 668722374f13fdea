"""The plan for one session: a routine fitted to the limits, the exposure so far, screening answers and settings.

:func:`make_plan` is pure and runs in named stages:

1. :func:`screen_steps`: leave out what the answers and rules forbid (areas to avoid, tools an area or an answer
   rules out, positions, a tool's daily uses) and soften the rest (pressure capped, heat off), each with a note;
2. :func:`caps_for`: every limit that bears on a step, net of the exposure already counted;
3. :func:`fit_steps`: each step shortened (or dropped) to what every one of its caps has left;
4. :func:`grant_extensions`: the most each kept step may ever run, so that steps sharing a limit never pass it
   together, however the person extends or goes back.

The caps (each written once, in the content or the settings): per step; per tool and area in the sitting; per
area over each group of tools in the sitting (the most permissive cap in the group); per tool in the sitting;
per tool and area in any 24 hours; per area over each group of tools in any 24 hours. A *sitting* is the
current session plus sessions that ended less than the session gap before it (see :mod:`companion.exposure`).

Where no per-step limit applies, a step may run at most twice its planned time (:data:`UNLIMITED_FACTOR`, a
Companion design choice). Every change says what and why, naming the source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from companion.catalogue.models import (
    SETTINGS_SOURCE,
    Adaptation,
    Catalog,
    EffectiveLimit,
    Intensity,
    Question,
    Routine,
    Source,
    Step,
    citations,
    cited,
    gentler,
)
from companion.catalogue.validation import ACROSS_TOOLS_SOURCE, area_caps, area_rule_problem
from companion.safety.exposure import Exposure
from companion.safety.screening import ScreeningAnswers, ScreeningOutcome, assess, questions_for
from companion.settings.user_settings import Settings
from companion.words import format_seconds, join_and, moment

MIN_STEP_SECONDS = 10
"""A step that would be cut below this (or below its own length, if shorter) is dropped rather than kept."""
UNLIMITED_FACTOR = 2
"""With no per-step limit for a step, it may run at most this many times its planned length."""
RECENT_HOURS = 24
"""Working an area again within this many hours gives a warning."""


class NoteKind(StrEnum):
    """What the plan changed about a step."""

    TRIMMED = "trimmed"
    """Kept, but shorter than written."""
    DROPPED = "dropped"
    """Left out because a limit has no time left for it."""
    LEFT_OUT = "left-out"
    """Left out because of a screening answer or a rule about the tool, the area or the position."""
    ADAPTED = "adapted"
    """Kept, with lighter pressure or the heat off because of a screening answer."""


@dataclass(frozen=True)
class PlanNote:
    """One change the plan made, in words for the user, with the source it rests on."""

    kind: NoteKind
    step_index: int
    """Index of the step concerned in ``routine.steps``."""
    area: str
    tool: str
    source: str
    """A source id from the content, ``"settings"`` or ``"screening"``."""
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class PlanWarning:
    """An area in the plan that was worked less than :data:`RECENT_HOURS` ago."""

    area: str
    hours_ago: float
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class PlannedStep:
    """A step as it will run: its planned time after trimming, the most it may ever run, pressure and heat."""

    index: int
    """Position of the step in ``routine.steps``."""
    step: Step
    seconds: int
    """Seconds the step runs unless extended (at most ``step.seconds``)."""
    limit: EffectiveLimit
    """The content's limits for this tool and area, made stricter by the user's settings."""
    max_seconds: int
    """The most this step may run in the session, over all its visits and extensions."""
    max_reason: str
    """Why ``max_seconds`` is what it is, e.g. "the limit for a massage gun on the calves is 1:00 (source: ...)"."""
    area_name: str
    tool_name: str
    intensity: Intensity = Intensity.GENTLE
    """How hard to press: the step's own, or lighter when an answer caps it."""
    heat: bool = False
    """Whether the device's heat may be used (the step suggests it and no answer turned it off)."""

    @property
    def title(self) -> str:
        return self.step.title

    @property
    def area(self) -> str:
        return self.step.area

    @property
    def tool(self) -> str:
        return self.step.tool

    @property
    def trimmed(self) -> bool:
        """Whether the plan shortened the step."""
        return self.seconds < self.step.seconds


@dataclass(frozen=True)
class Plan:
    """A routine fitted to now: the steps to run, what changed and why, and warnings."""

    routine: Routine
    steps: tuple[PlannedStep, ...]
    notes: tuple[PlanNote, ...] = ()
    warnings: tuple[PlanWarning, ...] = ()
    screening: ScreeningOutcome = field(default_factory=ScreeningOutcome)
    unknown: tuple[str, ...] = ()
    """What could not be read (the history, the ledger, a checkpoint, copies set aside as damaged), and said so;
    while its time may still count, every daily limit counts as used up (``Exposure.blocked``)."""
    exposure: Exposure | None = None
    """The time done that the plan counted (``None``: none)."""

    @property
    def total_seconds(self) -> int:
        """Planned length of the session."""
        return sum(step.seconds for step in self.steps)

    @property
    def is_empty(self) -> bool:
        """Nothing left to do (every step left out or dropped)."""
        return not self.steps

    @property
    def blocked_until(self) -> datetime | None:
        """Until when time that could not be read blocks every area's daily limits (``None``: it does not now)."""
        return self.exposure.unknown_until if self.exposure is not None and self.exposure.blocked else None

    @property
    def can_start(self) -> bool:
        """Screening allows the session and there is at least one step."""
        return self.screening.can_start and not self.is_empty

    def notes_for(self, index: int) -> tuple[PlanNote, ...]:
        """The notes about step ``index`` of the routine."""
        return tuple(note for note in self.notes if note.step_index == index)

    def planned(self, index: int) -> PlannedStep | None:
        """The planned step for step ``index`` of the routine, ``None`` when it was left out or dropped."""
        return next((step for step in self.steps if step.index == index), None)

    @property
    def source_ids(self) -> tuple[str, ...]:
        """The content's source ids the notes cite, in order of first mention (``settings`` is not one)."""
        ids = (part.strip() for note in self.notes for part in note.source.split(","))
        return tuple(dict.fromkeys(i for i in ids if i and i != SETTINGS_SOURCE))

    @property
    def emptied_by_answers(self) -> bool:
        """Empty because screening answers left the steps out (not because time ran out)."""
        return self.is_empty and any(note.kind is NoteKind.LEFT_OUT for note in self.notes)


@dataclass
class Cap:
    """One limit as it bears on a step: a group of steps sharing ``total`` seconds."""

    key: tuple[str, ...]
    total: int
    """Seconds the whole group may use in this session, net of ``already``."""
    what: str
    source: str
    """A source id or ``"settings"``."""
    already: int = 0
    """Seconds already counted against the cap (earlier in the sitting, or in the last 24 hours)."""
    already_where: str = ""
    """Where ``already`` was done, e.g. "in the last 24 hours"."""
    tools: frozenset[str] = frozenset()
    """For a cap tools share on an area: the group of tools (see :func:`group_caps`)."""

    def describe(self, shared: bool, names: Names) -> str:
        text = f"{self.what} is {format_seconds(self.total + self.already)}"
        if self.already:
            text += f", {format_seconds(self.already)} already done {self.already_where}"
        if shared:
            text += ", shared with its other steps" if self.key[0] == "tool" else ", shared with other steps there"
        return f"{text} {names.cite(self.source)}"


@dataclass
class Candidate:
    """A step that screening and the rules let into the plan, with its pressure and heat."""

    index: int
    step: Step
    intensity: Intensity
    heat: bool
    label: str
    """How notes name it: the area, with the step number when the area has several steps."""


@dataclass
class Kept:
    """A step :func:`fit_steps` kept: its planned seconds and the caps it shares."""

    candidate: Candidate
    limit: EffectiveLimit
    caps: list[Cap]
    seconds: int


@dataclass(frozen=True)
class Names:
    """How areas and tools are named in notes, and how sources are cited."""

    areas: dict[str, str]
    tools: dict[str, str]
    phrases: dict[str, str]
    sources: dict[str, Source]

    @classmethod
    def of(cls, catalog: Catalog) -> Names:
        vocabulary = catalog.vocabulary
        return cls(
            {a.id: a.name for a in vocabulary.areas},
            {t.id: t.name for t in vocabulary.tools},
            {t.id: t.phrase for t in vocabulary.tools},
            catalog.sources,
        )

    def cite(self, source_ids: str) -> str:
        """The bracketed citation of ``source_ids`` (see :func:`companion.catalogue.models.cited`)."""
        return cited(self.sources, source_ids)

    def area(self, area: str) -> str:
        return area_phrase(self.areas.get(area, area))

    def tool(self, tool: str) -> str:
        return self.phrases.get(tool, f"the {self.tools.get(tool, tool)}")


def area_phrase(name: str) -> str:
    """``"the neck"``: an area's name inside a sentence."""
    return f"the {name.lower()}"


# ---------------------------------------------------------------------------------------------- 1. screening


def active_adaptations(routine: Routine, catalog: Catalog, answers: ScreeningAnswers | None) -> list[Adaptation]:
    """The adaptations of the questions answered yes that apply to ``routine``."""
    if answers is None:
        return []
    asked = {q.id for q in questions_for(routine, catalog)}
    return [a for a in catalog.safety.adaptations if a.question in asked and answers.answered_yes(a.question)]


def screen_steps(
    routine: Routine,
    catalog: Catalog,
    outcome: ScreeningOutcome,
    adaptations: list[Adaptation],
    exposure: Exposure,
    names: Names,
) -> tuple[list[Candidate], list[PlanNote]]:
    """The steps screening and the rules let in (softened where an answer says) and a note for each change."""
    multiple = {area for area in routine.areas if sum(1 for s in routine.steps if s.area == area) > 1}
    candidates: list[Candidate] = []
    notes: list[PlanNote] = []
    questions = {q.id: q for q in catalog.safety.questions}
    for index, step in enumerate(routine.steps):
        area_name = names.areas.get(step.area, step.area)
        label = f"{area_name} (step {index + 1})" if step.area in multiple else area_name

        def leave_out(source: str, why: str, *, index: int = index, step: Step = step, label: str = label) -> None:
            notes.append(PlanNote(NoteKind.LEFT_OUT, index, step.area, step.tool, source, f"{label} left out: {why}"))

        question: Question | None = outcome.avoided_areas.get(step.area)
        if question is not None:
            leave_out(question.source, f"you answered yes to “{question.text}” {names.cite(question.source)}")
            continue
        rule = next((r for r in catalog.safety.avoid if r.tool == step.tool and step.area in r.areas), None)
        if rule is not None:
            leave_out(
                rule.source,
                f"{names.tool(step.tool)} must not be used on {names.area(step.area)}: {rule.reason} "
                f"{names.cite(rule.source)}",
            )
            continue
        broken = area_rule_problem(catalog.safety, step)
        if broken is not None and broken[0] == "tool":
            leave_out(broken[1].source, f"{broken[1].reason} {names.cite(broken[1].source)}")
            continue
        removal = next((a for a in adaptations if step.tool in a.tools or step.position in a.positions), None)
        if removal is not None:
            asked = questions[removal.question].text
            leave_out(
                removal.source, f"{removal.reason}, as you answered yes to “{asked}” {names.cite(removal.source)}"
            )
            continue
        limit = catalog.limit_for(step.tool, step.area)
        if limit.day_uses is not None and step.tool not in exposure.open_tools:
            used = exposure.uses.get(step.tool, 0)
            if used >= limit.day_uses:
                leave_out(
                    limit.uses_source,
                    f"{names.tool(step.tool)} was already used in {used} sessions in the last 24 hours, the most "
                    f"in a day {names.cite(limit.uses_source)}",
                )
                continue
        intensity, heat = step.intensity, step.heat
        area_cap_rule = broken[1] if broken is not None else None
        if area_cap_rule is not None and area_cap_rule.max_intensity is not None:
            intensity = gentler(intensity, area_cap_rule.max_intensity)
            notes.append(
                PlanNote(NoteKind.ADAPTED, index, step.area, step.tool, area_cap_rule.source,
                         f"{label}: pressure {intensity.value} instead of {step.intensity.value}: "
                         f"{area_cap_rule.reason} {names.cite(area_cap_rule.source)}")
            )  # fmt: skip
        for adaptation in adaptations:
            capped = adaptation.max_intensity
            if capped is not None and (not adaptation.areas or step.area in adaptation.areas):
                lighter = gentler(intensity, capped)
                if lighter is not intensity:
                    notes.append(
                        PlanNote(NoteKind.ADAPTED, index, step.area, step.tool, adaptation.source,
                                 f"{label}: pressure {lighter.value} instead of {intensity.value}: "
                                 f"{adaptation.reason} {names.cite(adaptation.source)}")
                    )  # fmt: skip
                    intensity = lighter
            if adaptation.no_heat and heat:
                heat = False
                notes.append(
                    PlanNote(NoteKind.ADAPTED, index, step.area, step.tool, adaptation.source,
                             f"{label}: keep the heat switched off: {adaptation.reason} "
                             f"{names.cite(adaptation.source)}")
                )  # fmt: skip
        candidates.append(Candidate(index, step, intensity, heat, label))
    return candidates, notes


# ---------------------------------------------------------------------------------------------- 2. caps


GAP_NOTE = "in this sitting"


def stricter(value: int | None, content: int | None) -> bool:
    """Whether a limit of ``value`` is the person's own (their settings made the content's stricter)."""
    return value is not None and (content is None or value < content)


def own_or_content(
    key: tuple[str, ...],
    value: int | None,
    written: int | None,
    source: str,
    words: tuple[str, str],
    done: int = 0,
    where: str = "",
) -> Cap | None:
    """The cap of ``value`` (the content's ``written`` made stricter by the settings, ``None``: no limit), net of the
    ``done`` seconds: in ``words`` and from :data:`SETTINGS_SOURCE` when the person's own setting is the stricter,
    in the content's words (the second of ``words``) and from ``source`` otherwise."""
    if value is None:
        return None
    own_words, content_words = words
    if stricter(value, written):
        return Cap(key, value - done, own_words, SETTINGS_SOURCE, done, where)
    return Cap(key, value - done, content_words, source, done, where)


def group_caps(
    tool_id: str,
    area_id: str,
    tools: set[str],
    catalog: Catalog,
    exposure: Exposure,
    names: Names,
    *,
    day: bool,
    where: str,
) -> list[Cap]:
    """The caps on ``area_id`` that ``tool_id`` shares with other tools in the sitting (or, with ``day``, in any
    24 hours), net of the exposure: one for each group of tools whose own caps are no larger than one of theirs
    (:func:`companion.catalogue.validation.area_caps`). ``tools`` are those about to work the area; the step's
    own tool and those used there earlier in the window count as well."""
    here = tools | {tool_id} | exposure.tools_on(area_id, day=day)
    area = names.area(area_id)
    caps: list[Cap] = []
    for group in area_caps(catalog.safety, area_id, here, "day" if day else "session"):
        if tool_id not in group.tools or len(group.tools) < 2:
            continue  # a tool alone: its own cap says it
        done = exposure.day_area(area_id, group.tools) if day else exposure.session_area(area_id, group.tools)
        together = "every tool" if group.tools == here else join_and(sorted(names.tool(t) for t in group.tools))
        limit = f"the limit on {area} in any 24 hours" if day else f"the session limit on {area}"
        caps.append(
            Cap(("day-area" if day else "area", area_id, str(group.seconds)), group.seconds - done,
                f"{limit} with {together} together (that of {names.tool(group.tool)}, the most any one of them "
                "allows)", f"{ACROSS_TOOLS_SOURCE}, {group.source}", done, where, group.tools)
        )  # fmt: skip
    return caps


def caps_for(
    candidate: Candidate,
    catalog: Catalog,
    settings: Settings,
    exposure: Exposure,
    area_tools: dict[str, set[str]],
    names: Names,
) -> tuple[EffectiveLimit, list[Cap]]:
    """Every cap that bears on ``candidate``, net of the exposure counted so far; and its (stricter) limit.

    ``area_tools`` are, per area, the tools that may work it in this session; each group of them (and of those
    used there earlier in the window) shares the most permissive cap in the group (:func:`group_caps`).
    """
    step = candidate.step
    content = catalog.limit_for(step.tool, step.area)
    limit = settings.apply_to_limit(content)
    tool, area = names.tool(step.tool), names.area(step.area)
    rules = catalog.safety
    key = (step.tool, step.area)
    gap = rules.session_gap_minutes
    sitting = (
        f"{GAP_NOTE} (sessions less than {gap} minutes apart count as one, "
        f"{'; '.join(citations(names.sources, rules.session_gap_source))})"
    )
    caps = [
        own_or_content(("step", str(candidate.index)), limit.step_seconds, content.step_seconds, limit.source,
                       (f"your own limit per step for {tool}", f"the limit for {tool} on {area}")),
        own_or_content(("tool-area", *key), limit.area_session_seconds, content.area_session_seconds,
                       limit.area_session_source,
                       (f"your own session limit for {tool} on {area}", f"the session limit for {tool} on {area}"),
                       exposure.session.get(key, 0), sitting),
    ]  # fmt: skip
    kept = [cap for cap in caps if cap is not None]
    kept.extend(group_caps(step.tool, step.area, area_tools.get(step.area, set()), catalog, exposure, names,
                           day=False, where=sitting))  # fmt: skip
    session = tool_session_cap(step.tool, area_tools, catalog)
    if session is not None:
        done = exposure.session_tool(step.tool)
        kept.append(Cap(("tool", step.tool), session[0] - done, f"the session limit for {tool}", session[1], done,
                        sitting))  # fmt: skip
    kept.extend(day_caps(step.tool, step.area, catalog, settings, exposure, area_tools.get(step.area, set()), names))
    return limit, kept


DAY_NOTE = "in the last 24 hours"
UNREADABLE_SOURCE = "design-unreadable"
"""The rule that time which cannot be read counts as every daily limit used up (a design choice)."""


def day_caps(
    tool_id: str, area_id: str, catalog: Catalog, settings: Settings, exposure: Exposure, tools: set[str], names: Names
) -> list[Cap]:
    """The caps over any 24 hours on ``tool_id`` working ``area_id``, net of the exposure: the tool's own (made
    stricter by the settings) and those it shares with other tools on the area (:func:`group_caps`), ``tools``
    being those about to work it (those used there in the last 24 hours count as well). The plan and the
    statistics both count with these."""
    content = catalog.limit_for(tool_id, area_id)
    limit = settings.apply_to_limit(content)
    tool, area = names.tool(tool_id), names.area(area_id)
    caps = [
        own_or_content(("day", tool_id, area_id), limit.area_day_seconds, content.area_day_seconds, limit.day_source,
                       (f"your own daily limit for {tool} on {area}",
                        f"the limit for {tool} on {area} in any 24 hours"),
                       exposure.day.get((tool_id, area_id), 0), DAY_NOTE),
    ]  # fmt: skip
    kept = [cap for cap in caps if cap is not None]
    if exposure.blocked and exposure.unknown_until is not None:
        until = moment(exposure.unknown_until)
        kept.append(Cap(("unreadable",), 0, f"what is left of the daily limits while time done cannot be read (until "
                        f"{until})", UNREADABLE_SOURCE))  # fmt: skip
    return kept + group_caps(tool_id, area_id, tools, catalog, exposure, names, day=True, where=DAY_NOTE)


def tool_session_cap(tool: str, area_tools: dict[str, set[str]], catalog: Catalog) -> tuple[int, str] | None:
    """The strictest per-session limit for ``tool`` among its general limit and those of the areas it works."""
    best: tuple[int, str] | None = None
    areas = [area for area, tools in area_tools.items() if tool in tools]
    for limit in (catalog.limit_for(tool, ""), *(catalog.limit_for(tool, area) for area in areas)):
        if limit.session_seconds is not None and (best is None or limit.session_seconds < best[0]):
            best = (limit.session_seconds, limit.session_source)
    return best


# ---------------------------------------------------------------------------------------------- 3. fitting


def fit_steps(
    candidates: list[Candidate],
    catalog: Catalog,
    settings: Settings,
    exposure: Exposure,
    area_tools: dict[str, set[str]],
    names: Names,
) -> tuple[list[Kept], list[PlanNote]]:
    """Each candidate shortened to what all its caps have left (earlier steps first), or dropped."""
    kept: list[Kept] = []
    notes: list[PlanNote] = []
    used: dict[tuple[str, ...], int] = {}
    for candidate in candidates:
        step = candidate.step
        limit, caps = caps_for(candidate, catalog, settings, exposure, area_tools, names)
        seconds = step.seconds
        binding: Cap | None = None
        for cap in caps:
            left = cap.total - used.get(cap.key, 0)
            if left < seconds:
                seconds, binding = max(0, left), cap
        if binding is not None:
            left = binding.total - used.get(binding.key, 0)
            earlier = used.get(binding.key, 0) > 0 or binding.already > 0
            if seconds < min(step.seconds, MIN_STEP_SECONDS):
                state = "is used up" if left <= 0 else f"has only {format_seconds(left)} left"
                notes.append(
                    PlanNote(NoteKind.DROPPED, candidate.index, step.area, step.tool, binding.source,
                             f"{candidate.label} dropped: {binding.describe(False, names)}; it {state}")
                )  # fmt: skip
                continue
            state = f"; it has {format_seconds(left)} left" if earlier else ""
            notes.append(
                PlanNote(NoteKind.TRIMMED, candidate.index, step.area, step.tool, binding.source,
                         f"{candidate.label} trimmed from {format_seconds(step.seconds)} to "
                         f"{format_seconds(seconds)}: {binding.describe(False, names)}{state}")
            )  # fmt: skip
        for cap in caps:
            used[cap.key] = used.get(cap.key, 0) + seconds
        kept.append(Kept(candidate, limit, caps, seconds))
    return kept, notes


# ---------------------------------------------------------------------------------------------- 4. extensions


def grant_extensions(kept: list[Kept], names: Names) -> list[PlannedStep]:
    """The planned steps, each with the most it may run, so that steps sharing a cap never pass it together."""
    members: dict[tuple[str, ...], int] = {}
    pending: dict[tuple[str, ...], int] = {}
    for item in kept:
        for cap in item.caps:
            members[cap.key] = members.get(cap.key, 0) + 1
            pending[cap.key] = pending.get(cap.key, 0) + item.seconds
    granted: dict[tuple[str, ...], int] = {}
    steps: list[PlannedStep] = []
    for item in kept:
        for cap in item.caps:
            pending[cap.key] -= item.seconds
        best: int | None = None
        reason = ""
        for cap in item.caps:
            room = cap.total - granted.get(cap.key, 0) - pending.get(cap.key, 0)
            if best is None or room < best:
                best, reason = room, cap.describe(members[cap.key] > 1, names)
        if not any(cap.key[0] == "step" for cap in item.caps) and (
            best is None or item.seconds * UNLIMITED_FACTOR < best
        ):
            best = item.seconds * UNLIMITED_FACTOR
            reason = (
                f"no per-step limit applies, so Companion lets a step run at most {UNLIMITED_FACTOR} times "
                f"its planned time ({format_seconds(best)}; a Companion design choice)"
            )
        assert best is not None
        max_seconds = max(item.seconds, best)
        for cap in item.caps:
            granted[cap.key] = granted.get(cap.key, 0) + max_seconds
        step = item.candidate.step
        steps.append(
            PlannedStep(
                index=item.candidate.index,
                step=step,
                seconds=item.seconds,
                limit=item.limit,
                max_seconds=max_seconds,
                max_reason=reason,
                area_name=names.areas.get(step.area, step.area),
                tool_name=names.tools.get(step.tool, step.tool),
                intensity=item.candidate.intensity,
                heat=item.candidate.heat,
            )
        )
    return steps


# ---------------------------------------------------------------------------------------------- the plan


def make_plan(
    routine: Routine,
    catalog: Catalog,
    settings: Settings | None = None,
    answers: ScreeningAnswers | None = None,
    exposure: Exposure | None = None,
) -> Plan:
    """Fit ``routine`` to every limit, the exposure so far, the screening ``answers`` and the user's ``settings``.

    ``exposure`` is what the areas have had already (see :func:`companion.run.done.read_exposure`); ``None``
    means nothing (a first session). The caps shared by tools on an area are counted over every tool the
    screening lets in there (and those used there earlier): each group of tools shares its own cap, so a tool
    counted that ends up dropped can only make them stricter, never looser.
    """
    settings = settings or Settings()
    exposure = exposure or Exposure(now=datetime.now(UTC))
    names = Names.of(catalog)
    outcome = assess(routine, catalog, answers)
    candidates, notes = screen_steps(
        routine, catalog, outcome, active_adaptations(routine, catalog, answers), exposure, names
    )
    kept, fit_notes = fit_steps(candidates, catalog, settings, exposure, tools_by_area(c.step for c in candidates),
                                names)  # fmt: skip
    steps = grant_extensions(kept, names)
    all_notes = sorted([*notes, *fit_notes], key=lambda n: n.step_index)
    return Plan(
        routine, tuple(steps), tuple(all_notes), tuple(recent_warnings(steps, exposure, names)), outcome,
        exposure.unknown, exposure,
    )  # fmt: skip


def tools_by_area(steps: Iterable[Step]) -> dict[str, set[str]]:
    """Per area, the tools the steps use on it."""
    tools: dict[str, set[str]] = {}
    for step in steps:
        tools.setdefault(step.area, set()).add(step.tool)
    return tools


def _hours_phrase(hours: float) -> str:
    if hours < 1:
        return "less than an hour ago"
    whole = int(hours)
    return "1 hour ago" if whole == 1 else f"{whole} hours ago"


def recent_warnings(steps: Iterable[PlannedStep], exposure: Exposure, names: Names) -> list[PlanWarning]:
    """A warning for each planned area worked less than :data:`RECENT_HOURS` ago."""
    warnings: list[PlanWarning] = []
    for area in dict.fromkeys(s.area for s in steps):
        when = exposure.last_worked.get(area)
        if when is None:
            continue
        hours = max(0.0, (exposure.now - when) / timedelta(hours=1))
        if hours < RECENT_HOURS:
            warnings.append(
                PlanWarning(
                    area,
                    hours,
                    f"You worked {names.area(area)} {_hours_phrase(hours)}; go gently today and skip it if it is "
                    "still sore (soreness lasting more than two days needs a professional's look).",
                )
            )
    return warnings


def alternatives(
    plan: Plan,
    catalog: Catalog,
    settings: Settings | None = None,
    answers: ScreeningAnswers | None = None,
    limit: int = 3,
) -> list[Plan]:
    """For a plan the answers emptied: other routines whose plan, with the same answers, can start (the ones
    that keep most of their written time first). An answer that left out every area of this routine, as no
    areas were named, stands for those areas only."""
    if not plan.emptied_by_answers:
        return []
    if answers is not None:
        avoided = frozenset(plan.screening.avoided_areas)
        for question in {q.id: q for q in plan.screening.avoided_areas.values()}.values():
            if not question.areas and not answers.areas.get(question.id):
                answers = answers.with_areas(question.id, avoided)
    found = []
    for routine in catalog.routines:
        if routine.id == plan.routine.id:
            continue
        other = make_plan(routine, catalog, settings, answers, plan.exposure)
        if other.can_start:
            found.append(other)
    found.sort(key=lambda p: (-p.total_seconds / max(1, p.routine.total_seconds), p.routine.title))
    return found[:limit]
