"""The catalogue's data model: body areas, tools, routines, therapies and safety rules.

Every model read from a file forbids unknown keys, so a typo in a content file is an error, not a silently
ignored setting. Models are frozen: the catalogue is loaded once and shared by the core and the UI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from companion.words import plain_text

ID_PATTERN = r"^[a-z][a-z0-9-]{0,39}$"
ID_RULE = "must be lower-case letters, digits and dashes, starting with a letter, at most 40 characters"
"""The id pattern in words, for people (in place of pydantic's message quoting the pattern)."""
Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
"""A catalogue id: lower case letters, digits and dashes, starting with a letter (e.g. ``upper-back``)."""


class FileModel(BaseModel):
    """Base for models read from disk: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        if isinstance(value, str):
            return plain_text(value)
        if isinstance(value, tuple | list):
            for item in value:
                if isinstance(item, str):
                    plain_text(item)
        return value


Text = Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True)]


class Intensity(StrEnum):
    """How hard to press, in words a person can act on."""

    GENTLE = "gentle"
    MODERATE = "moderate"
    FIRM = "firm"


class Position(StrEnum):
    """How the person is placed during a step (screening answers can leave some positions out)."""

    SITTING = "sitting"
    STANDING = "standing"
    SIDE_LYING = "side-lying"
    LYING_FACE_DOWN = "lying-face-down"
    LYING_ON_BACK = "lying-on-back"


INTENSITY_ORDER: tuple[Intensity, ...] = (Intensity.GENTLE, Intensity.MODERATE, Intensity.FIRM)
"""Intensities from the lightest to the firmest."""


def gentler(first: Intensity, second: Intensity | None) -> Intensity:
    """The lighter of two intensities (``None``: no cap)."""
    if second is None:
        return first
    return min(first, second, key=INTENSITY_ORDER.index)


class Strength(StrEnum):
    """How strong the evidence behind a safety fact is: peer-reviewed, a clinic's, a maker's, weak, or ours."""

    RESEARCH = "research"
    CLINIC = "clinic"
    VENDOR = "vendor"
    WEAK = "weak"
    DESIGN = "design"
    """Our own conservative choice, labelled as such."""


DESIGN_CHOICE = "a Companion design choice"
"""How one of our own design choices is cited: it has no publisher or address of its own."""
_ADDRESS = re.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b")
"""A web address in a reference (``nhs.uk/...``, ``pmc.ncbi.nlm.nih.gov``): what lets a person look a source up."""


def has_address(text: str) -> bool:
    """Whether ``text`` names a web address a person can look up."""
    return _ADDRESS.search(text) is not None


class Source(FileModel):
    """A fact the safety rules rest on, with where it comes from.

    ``reference`` is the full text (publisher, title, address), shown where sources are listed; ``cite`` is the
    short form shown beside a limit or a rule. A design choice of ours has no ``cite``: it is cited as
    :data:`DESIGN_CHOICE`, and its reference says "Companion design choice" and what it rests on.
    """

    id: Identifier
    fact: Text
    strength: Strength
    reference: Text
    """Where to read it: the publisher and the address, or "Companion design choice" and what it is based on."""
    cite: ShortText | None = None
    """The short citation: publisher and address, no brackets (it is shown inside them)."""

    @model_validator(mode="after")
    def _citable(self) -> Source:
        if self.strength is Strength.DESIGN:
            if self.cite is not None:
                raise ValueError(f"a design choice is cited as '{DESIGN_CHOICE}'; remove 'cite'")
            if "Companion design choice" not in self.reference:
                raise ValueError("the reference of a design choice must say 'Companion design choice'")
            return self
        if self.cite is None:
            raise ValueError("'cite' is required: the publisher and address shown beside a limit or a rule")
        if not has_address(self.cite) or not has_address(self.reference):
            raise ValueError("'cite' and 'reference' must each give an address a person can look up")
        if "(" in self.cite or ")" in self.cite:
            raise ValueError("'cite' is shown inside brackets; write it without any")
        return self

    @property
    def citation(self) -> str:
        """The short citation shown to a person: publisher and address, or "a Companion design choice"."""
        return self.cite or DESIGN_CHOICE


SETTINGS_SOURCE = "settings"
"""The source the plan names for a limit the person's own settings made stricter than the content's."""
OWN_SETTINGS = "your own settings"
"""How such a limit is cited."""
CITATION = re.compile(r"\s*\((?:sources?: [^()]*|a Companion design choice|your own settings)\)")
"""A citation as :func:`cited` writes it, for the places that must leave it out (spoken cues)."""


def citations(sources: Mapping[str, Source], source_ids: str) -> list[str]:
    """The short citations of ``source_ids`` (one id, or several separated by commas), each once, in order.

    ``settings`` is cited as the person's own settings; an id the sources do not hold (which the loader never
    lets through) is shown as it is rather than hidden.
    """
    found: dict[str, None] = {}
    for part in source_ids.split(","):
        source_id = part.strip()
        if not source_id:
            continue
        source = sources.get(source_id)
        text = OWN_SETTINGS if source_id == SETTINGS_SOURCE else source.citation if source else source_id
        found[text] = None
    return list(found)


def references(sources: Mapping[str, Source], source_ids: Iterable[str]) -> list[str]:
    """The full references of ``source_ids``, as listed under "Where these come from": each once, in order (several
    of our design choices share the reference "Companion design choice", two others the same case reports)."""
    return list(dict.fromkeys(sources[i].reference for i in source_ids if i in sources))


def cited(sources: Mapping[str, Source], source_ids: str) -> str:
    """The citation of ``source_ids`` in brackets, as shown after a limit or a rule:
    "(source: Therabody, therabody.com)", "(sources: a Companion design choice; NHS, nhs.uk)",
    "(a Companion design choice)" or "(your own settings)"."""
    found = citations(sources, source_ids)
    if found in ([DESIGN_CHOICE], [OWN_SETTINGS]):
        return f"({found[0]})"
    return f"({'sources' if len(found) > 1 else 'source'}: {'; '.join(found)})"


class Region(StrEnum):
    """Coarse grouping of body areas, for filters and red flags."""

    NECK = "neck"
    UPPER_BODY = "upper-body"
    BACK = "back"
    LOWER_BODY = "lower-body"


class BodyArea(FileModel):
    """A part of the body a step works on."""

    id: Identifier
    name: ShortText
    region: Region
    avoid: Text
    """Where on or near this area not to press, in plain words."""


class Tool(FileModel):
    """Something the user massages with (their hands count too)."""

    id: Identifier
    name: ShortText
    kind: Literal["manual", "device"]
    description: Text
    called: ShortText | None = None
    """How a sentence names the tool when "a <name>" reads wrong, e.g. "your hands"."""

    @property
    def phrase(self) -> str:
        """The tool named in a sentence: "a massage gun", "your hands"."""
        if self.called:
            return self.called
        name = self.name.lower()
        return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


class Technique(FileModel):
    """A way of working an area (gliding, kneading, holding pressure...)."""

    id: Identifier
    name: ShortText
    description: Text


class Goal(FileModel):
    """A need a person comes with ("What do you need today?")."""

    id: Identifier
    name: ShortText
    prompt: Text
    """The goal as the user would say it, e.g. "My shoulders are stiff from the desk"."""


BREATH_SECONDS_MIN = 2
INHALE_SECONDS_MAX = 8
EXHALE_SECONDS_MAX = 10
"""The bounds of a breathing rhythm, in a step's cue and in the settings alike (our design choice: a rhythm the
pacer can show and a person can follow)."""
STEP_SECONDS_MAX = 3600
"""The longest a step may be written (an hour): a bound on what a file or a setting may say; the safety limits in
``content/safety.toml`` are far stricter."""
DAY_SECONDS_MAX = 86400
"""The most seconds a day has: a bound on a daily limit a setting may give."""


class BreathingCue(FileModel):
    """A breathing rhythm for a step: breathe in for ``inhale`` seconds, out for ``exhale``."""

    inhale: int = Field(ge=BREATH_SECONDS_MIN, le=INHALE_SECONDS_MAX)
    exhale: int = Field(ge=BREATH_SECONDS_MIN, le=EXHALE_SECONDS_MAX)


class Step(FileModel):
    """One timed part of a routine: an area, a tool, a technique and how long."""

    title: ShortText
    area: Identifier
    tool: Identifier
    technique: Identifier
    seconds: int = Field(gt=0, le=STEP_SECONDS_MAX)
    intensity: Intensity
    position: Position
    """Sitting, standing, side-lying, lying face down or lying on the back."""
    instruction: Text
    breathing: BreathingCue | None = None
    heat: bool = False
    """The instruction suggests the device's heat (screening answers can turn it off)."""


class Routine(FileModel):
    """A sequence of steps for one need, linked to the professional therapies for the same need."""

    id: Identifier
    title: ShortText
    summary: Text
    goals: tuple[Identifier, ...] = Field(min_length=1)
    suits: Text
    """Who the routine suits, in a sentence."""
    steps: tuple[Step, ...] = Field(min_length=1, max_length=40)
    therapies: tuple[Identifier, ...] = Field(min_length=1)
    source: Literal["bundled", "user"] = "bundled"
    """Set by the loader, never read from a file."""

    @property
    def total_seconds(self) -> int:
        """Planned length of the routine before any safety trimming."""
        return sum(step.seconds for step in self.steps)

    @property
    def areas(self) -> tuple[str, ...]:
        """Area ids in the order the routine first reaches them."""
        return tuple(dict.fromkeys(step.area for step in self.steps))

    @property
    def tools(self) -> tuple[str, ...]:
        """Tool ids the routine needs, in order of first use."""
        return tuple(dict.fromkeys(step.tool for step in self.steps))


class TherapySource(FileModel):
    """Where a therapy explanation's facts come from: the article or page, and its publisher and address."""

    title: ShortText
    reference: Text

    @field_validator("reference")
    @classmethod
    def _addressed(cls, value: str) -> str:
        if not has_address(value):
            raise ValueError("must give the publisher and an address a person can look up")
        return value


class TherapyCaution(FileModel):
    """Who should avoid a therapy or ask a doctor first, and why, written "who: why" ("Blood thinners: firm pressure
    can bruise..."); the part before the first colon is what the guide's search matches and names.

    A therapy file writes it as that text alone, or as a table that also names the screening questions it is about
    (``questions``): after a routine done with one of them answered yes, the therapy is not the one suggested.
    """

    text: Text
    questions: tuple[Identifier, ...] = ()
    """The screening questions (``safety.toml``) whose yes this caution is about."""

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        return {"text": value} if isinstance(value, str) else value

    @property
    def who(self) -> str:
        """Who the caution is for: the text before its first colon ("Blood thinners"), or all of it."""
        return self.text.split(": ", 1)[0]


class Therapy(FileModel):
    """A professional massage therapy, explained for someone deciding whether to book one."""

    id: Identifier
    name: ShortText
    summary: Text
    what: Text
    best_for: tuple[Text, ...] = Field(min_length=1)
    expect: Text
    session_length: ShortText
    pressure: ShortText
    clothing: ShortText
    setting: ShortText
    avoid: tuple[TherapyCaution, ...] = Field(min_length=1)
    """Who should avoid it or ask a doctor first, and why."""
    adapted_to: tuple[Identifier, ...] = ()
    """The screening questions this therapy is made for (prenatal massage: pregnancy): after a routine done with one
    of them answered yes, it is the therapy suggested."""
    practitioner: Text
    credential: Text
    conditions: tuple[ShortText, ...] = ()
    """Conditions and keywords a person might search for (sciatica, desk work, pregnancy...)."""
    goals: tuple[Identifier, ...] = ()
    areas: tuple[Identifier, ...] = ()
    sources: tuple[TherapySource, ...] = Field(min_length=1)


class Limit(FileModel):
    """Safe-duration limits for a tool, optionally narrowed to one area; ``None`` means no limit of that kind.

    A limit for a specific area replaces the tool's general limit for that area, field by field.
    """

    tool: Identifier
    area: Identifier | None = None
    step_seconds: int | None = Field(default=None, gt=0)
    area_session_seconds: int | None = Field(default=None, gt=0)
    session_seconds: int | None = Field(default=None, gt=0)
    """Total time with this tool in one session, across areas."""
    area_day_seconds: int | None = Field(default=None, gt=0)
    """Total time with this tool on one area in any 24 hours."""
    day_uses: int | None = Field(default=None, gt=0, le=24)
    """Sessions a day with this tool at all, where a maker gives a number (the shiatsu pillow's 3 uses)."""
    source: Identifier
    session_source: Identifier | None = None
    """Source of ``session_seconds`` when it differs from ``source``."""
    area_session_source: Identifier | None = None
    """Source of ``area_session_seconds`` when it differs from ``source``."""
    day_source: Identifier | None = None
    """Source of the daily cap when it differs from ``source`` (the daily cap is a design choice)."""
    uses_source: Identifier | None = None
    """Source of ``day_uses`` when it differs from ``source``."""


class AvoidRule(FileModel):
    """Areas a tool must never be used on."""

    tool: Identifier
    areas: tuple[Identifier, ...] = Field(min_length=1)
    reason: Text
    source: Identifier


class AreaRule(FileModel):
    """What may work one area at all: the only tools allowed there and the firmest pressure (intensity caps)."""

    area: Identifier
    tools: tuple[Identifier, ...] = ()
    """The only tools allowed on the area (empty: any tool the avoid rules allow)."""
    max_intensity: Intensity | None = None
    reason: Text
    source: Identifier


class QuestionKind(StrEnum):
    """What a "yes" to a screening question does to the session."""

    STOP = "stop"
    """Do not self-massage today; see a doctor."""
    ASK_FIRST = "ask-first"
    """Continue only once a doctor has cleared it."""
    AVOID_AREA = "avoid-area"
    """Leave the named areas out of the plan (the person names them when the question names none)."""
    ADAPT = "adapt"
    """Continue with the plan adapted (see ``SafetyRules.adaptations``); no clearance needed."""


class Question(FileModel):
    """A contraindication question asked before a session."""

    id: Identifier
    text: Text
    kind: QuestionKind
    why: Text
    """Why it matters, in plain words."""
    instead: Text
    """What to do instead (see a doctor, ask a therapist, rest the area...)."""
    areas: tuple[Identifier, ...] = ()
    """For ``avoid-area``: the areas to leave out (all areas in the plan when empty)."""
    tools: tuple[Identifier, ...] = ()
    """Only relevant for routines using these tools (all routines when empty)."""
    source: Identifier
    terms: tuple[ShortText, ...] = ()
    """Words a person might type for it in the therapy guide's search, besides its id (blood thinners, warfarin)."""


class Adaptation(FileModel):
    """What a "yes" to a screening question changes in a plan (pregnancy, blood thinners, reduced sensation).

    Each effect removes or softens, never adds: steps with ``tools`` or in ``positions`` are left out, pressure
    on ``areas`` (every area when empty) is capped at ``max_intensity``, and the device's heat is turned off.
    """

    question: Identifier
    tools: tuple[Identifier, ...] = ()
    positions: tuple[Position, ...] = ()
    areas: tuple[Identifier, ...] = ()
    """For ``max_intensity``: the areas it applies to (every area when empty)."""
    max_intensity: Intensity | None = None
    no_heat: bool = False
    reason: Text
    source: Identifier

    @model_validator(mode="after")
    def _has_an_effect(self) -> Adaptation:
        if not (self.tools or self.positions or self.max_intensity or self.no_heat):
            raise ValueError("an adaptation must leave out tools or positions, cap the intensity or turn heat off")
        if self.areas and self.max_intensity is None:
            raise ValueError("'areas' only narrows 'max_intensity'; set it or remove 'areas'")
        return self


class RedFlag(FileModel):
    """A symptom that means: stop and get medical help, not a massage."""

    id: Identifier
    region: Literal["back", "neck", "anywhere"]
    text: Text
    action: Text
    source: Identifier
    terms: tuple[ShortText, ...] = ()
    """Words a person might type for it in the therapy guide's search (sciatica): found, it is shown first."""


class SafetyRules(FileModel):
    """Everything in ``content/safety.toml``."""

    schema_version: Literal[1] = 1
    sources: tuple[Source, ...]
    limits: tuple[Limit, ...]
    avoid: tuple[AvoidRule, ...]
    area_rules: tuple[AreaRule, ...] = ()
    questions: tuple[Question, ...]
    adaptations: tuple[Adaptation, ...] = ()
    red_flags: tuple[RedFlag, ...]
    session_gap_minutes: int = Field(gt=0, le=24 * 60)
    """Sessions starting within this many minutes of the last one's end count with it for session caps."""
    session_gap_source: Identifier

    @property
    def source_map(self) -> dict[str, Source]:
        return {s.id: s for s in self.sources}

    def cite(self, source_ids: str) -> str:
        """The bracketed short citation of ``source_ids`` (see :func:`cited`)."""
        return cited(self.source_map, source_ids)


class Vocabulary(FileModel):
    """Everything in ``content/catalog.toml``: the words routines are written in."""

    schema_version: Literal[1] = 1
    areas: tuple[BodyArea, ...]
    tools: tuple[Tool, ...]
    techniques: tuple[Technique, ...]
    goals: tuple[Goal, ...]


class EffectiveLimit(BaseModel):
    """The limits that apply to one tool on one area, with the source of each."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    tool: str
    area: str
    step_seconds: int | None
    area_session_seconds: int | None
    session_seconds: int | None
    area_day_seconds: int | None
    day_uses: int | None = None
    source: str
    session_source: str
    area_session_source: str = ""
    day_source: str
    uses_source: str = ""


class Catalog(BaseModel):
    """The validated catalogue: vocabulary, safety rules, routines and therapies, indexed by id."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    vocabulary: Vocabulary
    safety: SafetyRules
    routines: tuple[Routine, ...]
    therapies: tuple[Therapy, ...]

    @property
    def areas(self) -> dict[str, BodyArea]:
        return {a.id: a for a in self.vocabulary.areas}

    @property
    def tools(self) -> dict[str, Tool]:
        return {t.id: t for t in self.vocabulary.tools}

    @property
    def techniques(self) -> dict[str, Technique]:
        return {t.id: t for t in self.vocabulary.techniques}

    @property
    def goals(self) -> dict[str, Goal]:
        return {g.id: g for g in self.vocabulary.goals}

    @property
    def sources(self) -> dict[str, Source]:
        return self.safety.source_map

    def cite(self, source_ids: str) -> str:
        """The bracketed short citation of ``source_ids`` (see :func:`cited`)."""
        return self.safety.cite(source_ids)

    def routine(self, routine_id: str) -> Routine | None:
        """The routine with this id, or ``None``."""
        return next((r for r in self.routines if r.id == routine_id), None)

    def therapy(self, therapy_id: str) -> Therapy | None:
        """The therapy with this id, or ``None``."""
        return next((t for t in self.therapies if t.id == therapy_id), None)

    def limit_for(self, tool: str, area: str) -> EffectiveLimit:
        """The limits for ``tool`` on ``area``: the tool's general limit overlaid by an area-specific one."""
        return effective_limit(self.safety.limits, tool, area)


def effective_limit(limits: tuple[Limit, ...], tool: str, area: str) -> EffectiveLimit:
    """Overlay the area-specific limit for ``tool`` (if any) on the tool's general one."""
    general = next((lim for lim in limits if lim.tool == tool and lim.area is None), None)
    specific = next((lim for lim in limits if lim.tool == tool and lim.area == area), None)
    fields = ("step_seconds", "area_session_seconds", "session_seconds", "area_day_seconds", "day_uses")
    values: dict[str, Any] = {}
    for name in fields:
        value = getattr(specific, name) if specific else None
        if value is None and general is not None:
            value = getattr(general, name)
        values[name] = value
    chosen = specific or general
    source = chosen.source if chosen else "none"
    sources: dict[str, Any] = {
        key: (getattr(chosen, key) or chosen.source) if chosen else "none"
        for key in ("session_source", "area_session_source", "day_source", "uses_source")
    }
    return EffectiveLimit(tool=tool, area=area, source=source, **sources, **values)
