"""Safety screening before a session: the user's answers for today and what they mean for a routine.

The questions come from the content (``catalog.safety.questions``). An unanswered question counts as "no", so
"none of these apply" is the default. Answers are remembered for the local day in ``Paths.screening``; on
another day the user starts fresh. :func:`assess` is pure: routine + catalogue + answers in, outcome out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from companion.catalogue.models import Catalog, Question, QuestionKind, Routine
from companion.disk.fileio import (
    MAX_SMALL_FILE_BYTES,
    atomic_write,
    file_lock,
    lock_path_for,
    move_aside,
    parse_json,
    read_bounded,
)
from companion.disk.paths import Paths
from companion.words import printable

SCREENING_SCHEMA_VERSION = 1


class ScreeningAnswers(BaseModel):
    """The user's screening answers for one local day. Frozen: change them with the ``with_*`` methods."""

    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)

    schema_version: int = SCREENING_SCHEMA_VERSION
    """Format of the stored answers."""
    day: date
    """The local day the answers were given on; they apply to that day only."""
    yes: frozenset[str] = frozenset()
    """Ids of the questions answered "yes" (every other question counts as "no")."""
    cleared: frozenset[str] = frozenset()
    """Ids of "ask first" questions for which the user confirmed a doctor has cleared them."""
    areas: dict[str, frozenset[str]] = {}
    """For "avoid area" questions that name no areas: the areas the person said it applies to."""
    unreadable: str | None = Field(default=None, exclude=True)
    """Why today's saved answers could not be read (never saved): these fresh ones stand in, and the person must
    be told to answer again, or a "pregnant" of this morning would be forgotten without a word."""

    @classmethod
    def fresh(cls, day: date) -> ScreeningAnswers:
        """No question answered yet ("none of these apply")."""
        return cls(day=day)

    def answered_yes(self, question_id: str) -> bool:
        """Whether the question was answered "yes"."""
        return question_id in self.yes

    def with_answer(self, question_id: str, yes: bool) -> ScreeningAnswers:
        """A copy with ``question_id`` answered; answering "no" also drops a clearance given for it."""
        if yes:
            return self.model_copy(update={"yes": self.yes | {question_id}})
        areas = {key: value for key, value in self.areas.items() if key != question_id}
        return self.model_copy(
            update={"yes": self.yes - {question_id}, "cleared": self.cleared - {question_id}, "areas": areas}
        )

    def with_areas(self, question_id: str, areas: frozenset[str]) -> ScreeningAnswers:
        """A copy answering "yes" to ``question_id`` for these areas only."""
        return self.model_copy(update={"yes": self.yes | {question_id}, "areas": {**self.areas, question_id: areas}})

    def with_cleared(self, question_id: str, cleared: bool = True) -> ScreeningAnswers:
        """A copy recording that the user has (or has not) been cleared by a doctor for ``question_id``."""
        updated = self.cleared | {question_id} if cleared else self.cleared - {question_id}
        return self.model_copy(update={"cleared": updated})


def load_screening(paths: Paths, today: date) -> ScreeningAnswers:
    """Today's answers, or fresh ones when none were saved today. When the file cannot be read the fresh answers
    say so (:attr:`ScreeningAnswers.unreadable`); the file stays until new answers are saved, so every reader
    can tell."""
    path = paths.screening
    try:
        data = parse_json(read_bounded(path, MAX_SMALL_FILE_BYTES))
        answers = ScreeningAnswers.model_validate(data)
    except FileNotFoundError:
        return ScreeningAnswers.fresh(today)
    except (OSError, ValueError) as exc:  # a ValidationError is a ValueError
        why = "not valid" if isinstance(exc, ValueError) else (exc.strerror or str(exc))
        said = f"Today's screening answers could not be read ({path}: {why}); answer the questions again."
        return ScreeningAnswers(day=today, unreadable=printable(said))
    if answers.day != today:
        return ScreeningAnswers.fresh(today)
    return answers


def save_screening(paths: Paths, answers: ScreeningAnswers) -> None:
    """Remember ``answers`` for their day (atomic write under a lock), in place of every answer kept."""
    save_change(paths, AnswersChange(answers))


@dataclass(frozen=True)
class AnswersChange:
    """Answers given in one window: ``answers`` as that window has them, of which only ``questions`` were
    changed there (``None``: the whole set). Applied to the answers kept on disk, it keeps what another window
    answered meanwhile for every other question, so an older set is never written over a newer one."""

    answers: ScreeningAnswers
    questions: frozenset[str] | None = None

    @classmethod
    def between(cls, before: ScreeningAnswers, after: ScreeningAnswers) -> AnswersChange:
        """The change from ``before`` (the answers shown) to ``after`` (the answers given)."""
        if before.day != after.day:
            return cls(after)
        return cls(
            after, frozenset(q for q in _answered(before) | _answered(after) if _state(before, q) != _state(after, q))
        )

    def then(self, later: AnswersChange) -> AnswersChange:
        """This change followed by a ``later`` one from the same window (whose answers are the newest)."""
        if later.questions is None or self.answers.day != later.answers.day:
            return later
        if self.questions is None:
            return AnswersChange(later.answers)
        return AnswersChange(later.answers, self.questions | later.questions)

    def applied_to(self, kept: ScreeningAnswers) -> ScreeningAnswers:
        """``kept`` (the newest answers of any window) with this change made to it."""
        if self.questions is None or kept.day != self.answers.day:
            return self.answers
        yes, cleared, areas = set(kept.yes), set(kept.cleared), dict(kept.areas)
        for question in self.questions:
            yes.discard(question)
            cleared.discard(question)
            areas.pop(question, None)
            said_yes, was_cleared, named = _state(self.answers, question)
            if said_yes:
                yes.add(question)
            if was_cleared:
                cleared.add(question)
            if named is not None:
                areas[question] = named
        return kept.model_copy(update={"yes": frozenset(yes), "cleared": frozenset(cleared), "areas": areas})


ANSWERED_ELSEWHERE = "Another Companion window changed today's screening answers meanwhile; they are kept with yours:"


def answered_elsewhere(given: ScreeningAnswers, answers: ScreeningAnswers, questions: Iterable[Question]) -> str | None:
    """What another window answered that ``answers`` (today's now) hold and the ``given`` ones did not, said in
    one sentence; ``None`` when nothing."""
    changed = AnswersChange.between(given, answers).questions or frozenset()
    said = [f"{q.text} ({'yes' if answers.answered_yes(q.id) else 'no'})" for q in questions if q.id in changed]
    return f"{ANSWERED_ELSEWHERE} {'; '.join(said)}." if said else None


def newly_applying(now: ScreeningOutcome, before: ScreeningOutcome) -> tuple[Question, ...]:
    """The answers that make ``now`` stricter than ``before`` for the same routine: a stop, an "ask first" (or a
    clearance taken back), an adaptation or an area left out that ``before`` did not have."""
    earlier = {q.id for q in (*before.stop, *before.needs_clearance, *before.cleared, *before.adapted)}
    found = [q for q in (*now.stop, *now.needs_clearance, *now.cleared, *now.adapted) if q.id not in earlier]
    found += [q for q in now.needs_clearance if q in before.cleared]
    found += [q for area, q in now.avoided_areas.items() if area not in before.avoided_areas]
    return tuple(dict.fromkeys(found))


def _answered(answers: ScreeningAnswers) -> set[str]:
    return set(answers.yes) | set(answers.cleared) | set(answers.areas)


def _state(answers: ScreeningAnswers, question: str) -> tuple[bool, bool, frozenset[str] | None]:
    return question in answers.yes, question in answers.cleared, answers.areas.get(question)


def save_change(paths: Paths, change: AnswersChange) -> ScreeningAnswers:
    """Make ``change`` to the answers kept on disk, read again under the lock, and keep the result (atomic write):
    what another window answered meanwhile for the other questions stays. Returns the answers now kept."""
    with file_lock(lock_path_for(paths.screening)):
        kept = load_screening(paths, change.answers.day)
        answers = change.applied_to(kept)
        if kept.unreadable is not None:
            move_aside(paths.screening)  # the answers that could not be read are kept aside, not replaced
        data = answers.model_dump(mode="json")
        data["yes"] = sorted(answers.yes)
        data["cleared"] = sorted(answers.cleared)
        data["areas"] = {key: sorted(value) for key, value in sorted(answers.areas.items())}
        atomic_write(paths.screening, (json.dumps(data, indent=2) + "\n").encode("utf-8"))
    return answers.model_copy(update={"unreadable": None})


def questions_for(routine: Routine, catalog: Catalog) -> tuple[Question, ...]:
    """The questions that matter for ``routine``: those for all routines and those naming one of its tools."""
    tools = set(routine.tools)
    return tuple(q for q in catalog.safety.questions if not q.tools or tools.intersection(q.tools))


def asks_which_areas(question: Question) -> bool:
    """An "avoid area" question that names no areas of its own: the person says which (the app's "Which areas?",
    plain mode's numbered areas)."""
    return question.kind is QuestionKind.AVOID_AREA and not question.areas


def areas_to_name(routine: Routine | None, catalog: Catalog) -> list[tuple[str, str]]:
    """The areas such a question offers, as (id, name): those of ``routine``, or every area without one."""
    ids = routine.areas if routine is not None else tuple(catalog.areas)
    return [(area, catalog.areas[area].name) for area in ids if area in catalog.areas]


@dataclass(frozen=True)
class ScreeningOutcome:
    """What the answers mean for one routine.

    ``stop``: "stop" questions answered yes; the session must not start (show each ``why`` and ``instead``).
    ``needs_clearance``: "ask first" questions answered yes and not yet confirmed as cleared; the session may
    start only once each is cleared. ``avoided_areas``: area id -> the question that takes it out of the plan.
    ``adapted``: "adapt" questions answered yes (their adaptations change the plan, see ``companion.safety.plan``).
    """

    stop: tuple[Question, ...] = ()
    needs_clearance: tuple[Question, ...] = ()
    cleared: tuple[Question, ...] = ()
    """"Ask first" questions answered yes that the user confirmed a doctor has cleared."""
    avoided_areas: Mapping[str, Question] = field(default_factory=dict)
    adapted: tuple[Question, ...] = ()

    @property
    def can_start(self) -> bool:
        """No stop answer and nothing waiting for clearance (the plan may still be empty: see ``Plan.steps``)."""
        return not self.stop and not self.needs_clearance

    @property
    def answered_yes(self) -> frozenset[str]:
        """The ids of every question that applies to the routine and was answered yes."""
        asked = (*self.stop, *self.needs_clearance, *self.cleared, *self.adapted, *self.avoided_areas.values())
        return frozenset(question.id for question in asked)


def assess(routine: Routine, catalog: Catalog, answers: ScreeningAnswers | None) -> ScreeningOutcome:
    """What the screening answers mean for ``routine``.

    A question limited to some tools (``Question.tools``) only applies when the routine uses one of them; an
    "avoid area" question then takes its areas out of the whole plan, whatever the tool (the safer reading). An
    "avoid area" question with no areas of its own takes out the areas the person named (``answers.areas``), or
    every area of the routine when they named none (the safe reading).
    """
    if answers is None:
        return ScreeningOutcome()
    stop: list[Question] = []
    needs: list[Question] = []
    cleared: list[Question] = []
    avoided: dict[str, Question] = {}
    adapted: list[Question] = []
    for question in questions_for(routine, catalog):
        if question.id not in answers.yes:
            continue
        if question.kind is QuestionKind.STOP:
            stop.append(question)
        elif question.kind is QuestionKind.ASK_FIRST:
            (cleared if question.id in answers.cleared else needs).append(question)
        elif question.kind is QuestionKind.ADAPT:
            adapted.append(question)
        else:
            named = question.areas or tuple(answers.areas.get(question.id, ())) or routine.areas
            for area in named:
                if area in routine.areas:
                    avoided.setdefault(area, question)
    return ScreeningOutcome(
        stop=tuple(stop), needs_clearance=tuple(needs), cleared=tuple(cleared), avoided_areas=avoided,
        adapted=tuple(adapted),
    )  # fmt: skip
