"""The advisor's rules as data (``content/advice.toml``) and the advice it gives.

The thresholds live in the content file, each naming a source, so the user can be told why a piece of advice
was given and how firm the number behind it is (most are Companion design choices, labelled as such).
"""

from __future__ import annotations

import string
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from companion.catalogue.models import FileModel, Identifier, ShortText, Source, Text, TherapySource


def format_number(value: float | int) -> str:
    """A threshold as a person reads it: ``1`` rather than ``1.0``, ``1.5`` stays ``1.5``."""
    return f"{value:g}"


def _check_template(text: str, allowed: set[str], where: str) -> None:
    """Every ``{name}`` in ``text`` must be one of ``allowed`` (no positional or formatted fields)."""
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if name not in allowed or spec or conversion:
            names = ", ".join(sorted(allowed)) or "none"
            raise ValueError(f"{where}: unknown placeholder '{{{name}}}'; allowed: {names}")


class _Rule(FileModel):
    """A rule whose ``explain`` text may name the rule's own numbers in braces."""

    source: Identifier
    explain: Text

    def _numbers(self) -> dict[str, str]:
        return {
            name: format_number(value)
            for name, value in self.__dict__.items()
            if isinstance(value, int | float) and not isinstance(value, bool)
        }

    @model_validator(mode="after")
    def _explain_placeholders(self) -> _Rule:
        _check_template(self.explain, set(self._numbers()), "explain")
        return self

    def explanation(self) -> str:
        """The ``explain`` text with the thresholds filled in."""
        return self.explain.format(**self._numbers())


class NotImprovingRule(_Rule):
    """Tension in an area not easing over several sessions: suggest the matching professional therapy."""

    min_sessions: int = Field(ge=2, le=30)
    window_days: int = Field(ge=2, le=90)
    min_relief: float = Field(gt=0, le=10)
    """Average (tension before - tension after) below this counts as not improving."""
    max_therapies: int = Field(default=2, ge=1, le=9)


class SameAreaRule(_Rule):
    """The same area worked on most days: suggest rest and a professional assessment."""

    min_days: int = Field(ge=2, le=90)
    window_days: int = Field(ge=2, le=90)
    max_therapies: int = Field(default=2, ge=1, le=9)
    soreness_hours: int = Field(gt=0, le=24 * 14)
    soreness_source: Identifier

    @model_validator(mode="after")
    def _days_fit_window(self) -> SameAreaRule:
        if self.min_days > self.window_days:
            raise ValueError(f"min_days ({self.min_days}) cannot exceed window_days ({self.window_days})")
        return self


class WorseningRule(_Rule):
    """Tension on an area rising over recent sessions: see a doctor (the red flags), not a therapist.

    The rise is the larger of two readings over the rated sessions in the window: the average rise within a
    session (after minus before), and the rise across them (after the latest minus before the first).
    """

    window_days: int = Field(ge=2, le=90)
    min_sessions: int = Field(ge=2, le=30)
    min_rise: float = Field(gt=0, le=10)
    large_rise: float = Field(gt=0, le=10)
    """A rise this large is enough with only ``large_min_sessions`` rated sessions."""
    large_min_sessions: int = Field(ge=1, le=30)

    @model_validator(mode="after")
    def _large_is_larger(self) -> WorseningRule:
        if self.large_rise < self.min_rise or self.large_min_sessions > self.min_sessions:
            raise ValueError("large_rise must be at least min_rise, with no more sessions than min_sessions")
        return self


class PersistentHighRule(_Rule):
    """Tension at ``high`` or more on several days that has not eased: see a doctor (the red flags)."""

    window_days: int = Field(ge=2, le=90)
    min_days: int = Field(ge=2, le=90)
    high: int = Field(ge=1, le=10)

    @model_validator(mode="after")
    def _days_fit_window(self) -> PersistentHighRule:
        if self.min_days > self.window_days:
            raise ValueError(f"min_days ({self.min_days}) cannot exceed window_days ({self.window_days})")
        return self


class ReliefRule(_Rule):
    """How "what has helped you" is worked out: the fewest rated sessions before a figure is shown."""

    min_sessions: int = Field(ge=2, le=100)


class QuietSpellRule(_Rule):
    """No session for a while (or none ever): suggest a short routine to begin with."""

    days: int = Field(ge=1, le=365)
    goal: Identifier
    routines: int = Field(default=2, ge=1, le=10)
    empty: Text
    """What to say when there is no history at all."""


class RedFlagRule(FileModel):
    """A yes to a red flag or a screening question: see a doctor, not a therapist."""

    source: Identifier
    explain: Text
    ask_first: Text
    avoid_area: Text


class SuggestRule(FileModel):
    """How therapies are picked for suggestions."""

    specialised: tuple[Identifier, ...] = ()
    """Therapies for one situation (pregnancy, lymphedema): suggested only when a chosen routine links to them."""


class MatchingText(FileModel):
    """Why a therapy matches a routine, by what they share: placeholders ``{therapy}``, ``{goals}``, ``{areas}``;
    ``adapted`` (a therapy made for today's screening answers): ``{therapy}``, ``{summary}``; ``cautioned`` (the
    closest therapy has a caution about today's answers): ``{therapy}``, ``{caution}``."""

    both: Text
    goals: Text
    areas: Text
    neither: Text
    adapted: Text
    cautioned: Text

    @model_validator(mode="after")
    def _placeholders(self) -> MatchingText:
        for name in ("both", "goals", "areas", "neither"):
            _check_template(getattr(self, name), {"therapy", "goals", "areas"}, f"matching.{name}")
        _check_template(self.adapted, {"therapy", "summary"}, "matching.adapted")
        _check_template(self.cautioned, {"therapy", "caution"}, "matching.cautioned")
        return self


class ComparisonPoint(FileModel):
    """One point people decide by, seen from both sides."""

    id: Identifier
    title: ShortText
    self_massage: Text
    professional: Text


class ComparisonText(FileModel):
    """Self-massage against professional therapy, written from the domain facts."""

    title: ShortText
    intro: Text
    summary: Text
    break_even: Text
    break_even_unknown: Text
    free_tools: Text
    free_sessions: Text
    """When a professional session costs nothing, there is nothing for a device to pay back."""
    points: tuple[ComparisonPoint, ...] = Field(min_length=1)
    sources: tuple[TherapySource, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _placeholders(self) -> ComparisonText:
        _check_template(self.break_even, {"sessions"}, "comparison.break_even")
        return self


class AdviceRules(FileModel):
    """Everything in ``content/advice.toml``."""

    schema_version: Literal[1] = 1
    sources: tuple[Source, ...] = Field(min_length=1)
    not_improving: NotImprovingRule
    same_area: SameAreaRule
    worsening: WorseningRule
    persistent_high: PersistentHighRule
    relief: ReliefRule
    red_flags: RedFlagRule
    quiet_spell: QuietSpellRule
    suggest: SuggestRule = SuggestRule()
    matching: MatchingText
    comparison: ComparisonText

    @model_validator(mode="after")
    def _sources_exist(self) -> AdviceRules:
        known = {s.id for s in self.sources}
        named = {
            "not_improving.source": self.not_improving.source,
            "same_area.source": self.same_area.source,
            "same_area.soreness_source": self.same_area.soreness_source,
            "worsening.source": self.worsening.source,
            "persistent_high.source": self.persistent_high.source,
            "relief.source": self.relief.source,
            "red_flags.source": self.red_flags.source,
            "quiet_spell.source": self.quiet_spell.source,
        }
        for where, source in named.items():
            if source not in known:
                raise ValueError(f"{where}: unknown source '{source}'; add it to [[sources]]")
        seen: set[str] = set()
        for item in self.sources:
            if item.id in seen:
                raise ValueError(f"sources: duplicate id '{item.id}'")
            seen.add(item.id)
        return self

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)


AdviceKind = Literal["see-doctor", "rest-area", "see-professional", "try-routine"]
"""What the advice asks of the user, most urgent first."""

KIND_ORDER: tuple[AdviceKind, ...] = ("see-doctor", "rest-area", "see-professional", "try-routine")


class SessionRef(BaseModel):
    """A session an advice item rests on: when, and which routine."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    date: date
    routine_id: str
    routine_title: str
    relief: int | None = None
    """Tension before minus tension after, when both were rated."""


class Advice(BaseModel):
    """One piece of advice, saying why and from which sessions."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    kind: AdviceKind
    rule: str
    """Which rule gave it: ``worsening``, ``persistent-high``, ``not-improving``, ``same-area``, ``red-flag``,
    ``screening``, ``quiet-spell``."""
    area: str | None = None
    """The area the advice is about, or the first (main) of ``areas``."""
    areas: tuple[str, ...] = ()
    """Every area a doctor escalation names, ``area`` first: a rating is of the whole session, so the advice names
    every area the rated routines worked (empty for advice about one area)."""
    area_name: str | None = None
    """How the heading names the area or areas: ``lower back``, ``upper back, chest and shoulders``."""
    therapy_ids: tuple[str, ...] = ()
    routine_ids: tuple[str, ...] = ()
    reason: str
    """Why, naming the sessions (dates and routine titles) or the answer it comes from."""
    summary: str = ""
    """The reason in one short sentence, for a line on the home screen (the reason itself when empty)."""
    explanation: str = ""
    """The threshold behind the rule, in words, and whether it is a design choice."""
    source_ids: tuple[str, ...] = ()
    sessions: tuple[SessionRef, ...] = ()

    @property
    def named_areas(self) -> tuple[str, ...]:
        """Every area this advice is about (``areas``, else ``area`` alone)."""
        return self.areas or ((self.area,) if self.area else ())

    @property
    def short(self) -> str:
        """One sentence saying why (the summary, or the reason when there is none)."""
        return self.summary or self.reason

    def to_json(self) -> dict[str, Any]:
        """The item as ``companion advice --json`` documents it."""
        return {
            "kind": self.kind,
            "rule": self.rule,
            "area": self.area,
            "areas": list(self.named_areas),
            "area_name": self.area_name,
            "therapy_ids": list(self.therapy_ids),
            "routine_ids": list(self.routine_ids),
            "reason": self.reason,
            "summary": self.short,
            "explanation": self.explanation,
            "source_ids": list(self.source_ids),
            "sessions": [
                {
                    "date": ref.date.isoformat(),
                    "routine_id": ref.routine_id,
                    "routine_title": ref.routine_title,
                    "relief": ref.relief,
                }
                for ref in self.sessions
            ],
        }
