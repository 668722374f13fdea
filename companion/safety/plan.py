"""The plan for one session: a routine fitted to today's limits, screening answers and settings.

:func:`make_plan` is pure. It never lets a step, or a step's extensions, pass any limit:

- per step (the content's limit, or the user's stricter one);
- per tool and area in the session (``area_session_seconds``);
- per tool in the session (``session_seconds``);
- per tool and area in the day, counting what was already done today (``area_day_seconds``).

Every step the plan keeps has ``seconds`` (what it will run) and ``max_seconds`` (the most it may ever run,
extensions and restarts included). The ``max_seconds`` of all steps sharing a limit add up to no more than that
limit, so a run that keeps each step within its ``max_seconds`` keeps every limit, however the user extends or
goes back. Slack under a shared limit goes to the earliest step. Where no per-step limit applies, a step may run
at most twice its planned time (:data:`UNLIMITED_FACTOR`, a Companion design choice).

Every change says what and why, naming the source: ``"Neck trimmed from 3:00 to 2:00: the limit for a massage
gun on the neck is 2:00 (source gun-per-area)"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from companion.catalogue.models import Catalog, EffectiveLimit, Question, Routine, Step
from companion.history.queries import local_date, seconds_on_day
from companion.history.records import SessionRecord
from companion.safety.screening import ScreeningAnswers, ScreeningOutcome, assess
from companion.settings.user_settings import Settings
from companion.words import format_seconds

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
    """Left out because of a screening answer or an area the tool must avoid."""


@dataclass(frozen=True)
class PlanNote:
    """One change the plan made, in words for the user, with the source it rests on."""

    kind: NoteKind
    step_index: int
    """Index of the (first) step concerned in ``routine.steps``."""
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
    """A step as it will run: its planned time after trimming and the most it may ever run."""

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
    """Why ``max_seconds`` is what it is, e.g. "the limit for a massage gun on the neck is 1:00 (source ...)"."""
    area_name: str
    tool_name: str

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
    """A routine fitted to today: the steps to run, what changed and why, and warnings."""

    routine: Routine
    steps: tuple[PlannedStep, ...]
    notes: tuple[PlanNote, ...] = ()
    warnings: tuple[PlanWarning, ...] = ()
    screening: ScreeningOutcome = field(default_factory=ScreeningOutcome)

    @property
    def total_seconds(self) -> int:
        """Planned length of the session."""
        return sum(step.seconds for step in self.steps)

    @property
    def is_empty(self) -> bool:
        """Nothing left to do (every step left out or dropped)."""
        return not self.steps

    @property
    def can_start(self) -> bool:
        """Screening allows the session and there is at least one step."""
        return self.screening.can_start and not self.is_empty


@dataclass
class _Cap:
    """One limit as it bears on a step: a group of steps sharing ``total`` seconds."""

    key: tuple[str, ...]
    total: int
    """Seconds the whole group may use in this session (for the daily cap: net of today's history)."""
    what: str
    source: str
    """A source id or ``"settings"``."""
    already: int = 0
    """Seconds done earlier today that ``total`` already accounts for (daily cap only)."""

    @property
    def source_label(self) -> str:
        return "settings" if self.source == "settings" else f"source {self.source}"

    def describe(self, shared: bool) -> str:
        text = f"{self.what} is {format_seconds(self.total + self.already)}"
        if self.already:
            text += f", {format_seconds(self.already)} already done today"
        if shared:
            text += ", shared with its other steps" if self.key[0] == "tool" else ", shared with other steps there"
        return f"{text} ({self.source_label})"


def area_phrase(name: str) -> str:
    """``"the neck"``: an area's name inside a sentence."""
    return f"the {name.lower()}"


def _caps(
    step: Step,
    limit: EffectiveLimit,
    content: EffectiveLimit,
    tool_session: tuple[int, str] | None,
    today: int,
    tool: str,
    area: str,
) -> list[_Cap]:
    caps: list[_Cap] = []
    if limit.step_seconds is not None:
        if content.step_seconds is None or limit.step_seconds < content.step_seconds:
            caps.append(_Cap(("step",), limit.step_seconds, f"your own limit per step for {tool}", "settings"))
        else:
            caps.append(_Cap(("step",), limit.step_seconds, f"the limit for {tool} on {area}", limit.source))
    if limit.area_session_seconds is not None:
        caps.append(
            _Cap(
                ("area", step.tool, step.area),
                limit.area_session_seconds,
                f"the session limit for {tool} on {area}",
                limit.source,
            )
        )
    if tool_session is not None:
        caps.append(_Cap(("tool", step.tool), tool_session[0], f"the session limit for {tool}", tool_session[1]))
    if limit.area_day_seconds is not None:
        own = content.area_day_seconds is None or limit.area_day_seconds < content.area_day_seconds
        caps.append(
            _Cap(
                ("day", step.tool, step.area),
                limit.area_day_seconds - today,
                f"your own daily limit for {tool} on {area}" if own else f"today's allowance for {tool} on {area}",
                "settings" if own else limit.day_source,
                already=today,
            )
        )
    return caps


def _tool_session_caps(routine: Routine, catalog: Catalog) -> dict[str, tuple[int, str]]:
    """Per tool: the strictest per-session limit among its general limit and any area limit the routine meets."""
    caps: dict[str, tuple[int, str]] = {}
    for step in routine.steps:
        for limit in (catalog.limit_for(step.tool, ""), catalog.limit_for(step.tool, step.area)):
            if limit.session_seconds is None:
                continue
            current = caps.get(step.tool)
            if current is None or limit.session_seconds < current[0]:
                caps[step.tool] = (limit.session_seconds, limit.session_source)
    return caps


def _hours_phrase(hours: float) -> str:
    if hours < 1:
        return "less than an hour ago"
    whole = int(hours)
    return "1 hour ago" if whole == 1 else f"{whole} hours ago"


def make_plan(
    routine: Routine,
    catalog: Catalog,
    settings: Settings | None = None,
    answers: ScreeningAnswers | None = None,
    today_seconds: Mapping[tuple[str, str], int] | None = None,
    last_worked: Mapping[str, datetime] | None = None,
    now: datetime | None = None,
) -> Plan:
    """Fit ``routine`` to every limit, the screening ``answers`` and the user's ``settings``.

    ``today_seconds`` is the time already spent today per ``(tool, area)`` (see
    :func:`companion.history.queries.seconds_on_day`); ``last_worked`` the last time each area was worked (see
    :func:`last_worked_by_area`) and ``now`` the current time, for the "worked again within 24 hours" warnings.
    """
    settings = settings or Settings()
    today_seconds = today_seconds or {}
    outcome = assess(routine, catalog, answers)
    area_names = {a.id: a.name for a in catalog.vocabulary.areas}
    tool_names = {t.id: t.name for t in catalog.vocabulary.tools}
    tool_phrases = {t.id: t.phrase for t in catalog.vocabulary.tools}
    tool_session = _tool_session_caps(routine, catalog)
    multiple = {
        area for area in routine.areas if sum(1 for s in routine.steps if s.area == area) > 1
    }  # areas needing a step number in notes

    notes: list[PlanNote] = []
    noted_out: set[tuple[str, str]] = set()
    kept: list[tuple[int, Step, EffectiveLimit, list[_Cap], int]] = []
    used: dict[tuple[str, ...], int] = {}

    for index, step in enumerate(routine.steps):
        area_name = area_names.get(step.area, step.area)
        tool_name = tool_names.get(step.tool, step.tool)
        tool, area = tool_phrases.get(step.tool, f"the {tool_name}"), area_phrase(area_name)
        label = f"{area_name} (step {index + 1})" if step.area in multiple else area_name

        question: Question | None = outcome.avoided_areas.get(step.area)
        if question is not None:
            if ("screening", step.area) not in noted_out:
                noted_out.add(("screening", step.area))
                notes.append(
                    PlanNote(
                        NoteKind.LEFT_OUT,
                        index,
                        step.area,
                        step.tool,
                        "screening",
                        f"{area_name} left out: you answered yes to “{question.text}” (screening)",
                    )
                )
            continue
        rule = next((r for r in catalog.safety.avoid if r.tool == step.tool and step.area in r.areas), None)
        if rule is not None:
            if (step.tool, step.area) not in noted_out:
                noted_out.add((step.tool, step.area))
                notes.append(
                    PlanNote(
                        NoteKind.LEFT_OUT,
                        index,
                        step.area,
                        step.tool,
                        rule.source,
                        f"{area_name} left out: {tool} must not be used on {area}: {rule.reason} "
                        f"(source {rule.source})",
                    )
                )
            continue

        content = catalog.limit_for(step.tool, step.area)
        limit = settings.apply_to_limit(content)
        caps = _caps(
            step, limit, content, tool_session.get(step.tool), today_seconds.get((step.tool, step.area), 0), tool, area
        )
        for cap in caps:
            if cap.key == ("step",):
                cap.key = ("step", str(index))
        seconds = step.seconds
        binding: _Cap | None = None
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
                    PlanNote(
                        NoteKind.DROPPED,
                        index,
                        step.area,
                        step.tool,
                        binding.source,
                        f"{label} dropped: {binding.what} {state} ({binding.source_label})",
                    )
                )
                continue
            state = f"has {format_seconds(left)} left" if earlier else f"is {format_seconds(binding.total)}"
            notes.append(
                PlanNote(
                    NoteKind.TRIMMED,
                    index,
                    step.area,
                    step.tool,
                    binding.source,
                    f"{label} trimmed from {format_seconds(step.seconds)} to {format_seconds(seconds)}: "
                    f"{binding.what} {state} ({binding.source_label})",
                )
            )
        for cap in caps:
            used[cap.key] = used.get(cap.key, 0) + seconds
        kept.append((index, step, limit, caps, seconds))

    # Second pass: the most each step may run, so that the steps sharing a limit never pass it together.
    steps: list[PlannedStep] = []
    members: dict[tuple[str, ...], int] = {}
    for _, _, _, caps, _ in kept:
        for cap in caps:
            members[cap.key] = members.get(cap.key, 0) + 1
    granted: dict[tuple[str, ...], int] = {}  # max_seconds of earlier steps
    pending: dict[tuple[str, ...], int] = dict(used)  # planned seconds of this and later steps
    for index, step, limit, caps, seconds in kept:
        for cap in caps:
            pending[cap.key] -= seconds
        best: int | None = None
        reason = ""
        for cap in caps:
            room = cap.total - granted.get(cap.key, 0) - pending.get(cap.key, 0)
            if best is None or room < best:
                best, reason = room, cap.describe(members[cap.key] > 1)
        if not any(cap.key[0] == "step" for cap in caps) and (best is None or seconds * UNLIMITED_FACTOR < best):
            best = seconds * UNLIMITED_FACTOR
            reason = (
                f"no per-step limit applies, so Companion lets a step run at most {UNLIMITED_FACTOR} times "
                f"its planned time ({format_seconds(best)}; a Companion design choice)"
            )
        assert best is not None
        max_seconds = max(seconds, best)
        for cap in caps:
            granted[cap.key] = granted.get(cap.key, 0) + max_seconds
        steps.append(
            PlannedStep(
                index=index,
                step=step,
                seconds=seconds,
                limit=limit,
                max_seconds=max_seconds,
                max_reason=reason,
                area_name=area_names.get(step.area, step.area),
                tool_name=tool_names.get(step.tool, step.tool),
            )
        )

    warnings: list[PlanWarning] = []
    if last_worked and now is not None:
        for area in dict.fromkeys(s.area for s in steps):
            when = last_worked.get(area)
            if when is None:
                continue
            hours = max(0.0, (now - when) / timedelta(hours=1))
            if hours < RECENT_HOURS:
                name = area_phrase(area_names.get(area, area))
                warnings.append(
                    PlanWarning(
                        area,
                        hours,
                        f"You worked {name} {_hours_phrase(hours)}; go gently today and skip it if it is still "
                        "sore (soreness lasting more than two days needs a professional's look).",
                    )
                )
    return Plan(routine, tuple(steps), tuple(notes), tuple(warnings), outcome)


def last_worked_by_area(records: Iterable[SessionRecord]) -> dict[str, datetime]:
    """For each area, when a session that really worked it (more than 0 s) last ended."""
    last: dict[str, datetime] = {}
    for record in records:
        for step in record.steps:
            if step.actual_seconds <= 0:
                continue
            current = last.get(step.area)
            if current is None or record.ended_at > current:
                last[step.area] = record.ended_at
    return last


def plan_for_day(
    routine: Routine,
    catalog: Catalog,
    settings: Settings,
    answers: ScreeningAnswers,
    records: Iterable[SessionRecord],
    now: datetime,
) -> Plan:
    """:func:`make_plan` for ``now``, counting the time ``records`` spent today and when they last worked each area
    (the app's flow and plain mode both plan this way)."""
    records = list(records)
    return make_plan(
        routine,
        catalog,
        settings,
        answers,
        seconds_on_day(records, local_date(now)),
        last_worked_by_area(records),
        now,
    )
