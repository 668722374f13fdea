"""Today's guidance in one piece: the advice, what has helped this person, and the routine to suggest.

The app works it out off the UI thread after every change to the history (or to today's screening answers) and
hands it to every screen that shows advice: the home screen, the plan, the reflection and the statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from companion.advice.advisor import advice
from companion.advice.models import Advice, AdviceRules
from companion.advice.relief import ReliefFigure, most_helpful_routine, relief_figures
from companion.catalogue.models import Catalog, Routine
from companion.history.records import SessionRecord
from companion.safety.screening import ScreeningAnswers

HOLD_KINDS = ("see-doctor", "rest-area")
"""Advice of these kinds keeps its area out of today's routines."""


def held_areas(items: Iterable[Advice]) -> set[str]:
    """Areas the advice says to leave alone today (rest, or a doctor first): every area a doctor item names."""
    return {area for item in items if item.kind in HOLD_KINDS for area in item.named_areas}


def advice_answers(catalog: Catalog, answers: ScreeningAnswers) -> list[str]:
    """The screening answers that call for advice: yes, not cleared by a doctor, and known to the catalogue."""
    known = {q.id for q in catalog.safety.questions} | {f.id for f in catalog.safety.red_flags}
    return sorted(answer for answer in answers.yes - answers.cleared if answer in known)


@dataclass(frozen=True)
class Guidance:
    """Everything the screens say about what to do today, worked out at once."""

    today: date
    items: tuple[Advice, ...]
    """Today's advice, most urgent first."""
    figures: tuple[ReliefFigure, ...]
    """What has helped, per routine, tool and area."""
    best: tuple[Routine, ReliefFigure] | None
    """The routine that has helped most and fits today (its limits, no area to rest), if any."""

    @property
    def hold_areas(self) -> set[str]:
        """Areas the advice says to leave alone today (rest, or a doctor first)."""
        return held_areas(self.items)

    def for_areas(self, areas: Iterable[str]) -> list[Advice]:
        """The advice about any of ``areas``, most urgent first."""
        wanted = set(areas)
        return [item for item in self.items if wanted.intersection(item.named_areas)]

    def held_in(self, routine: Routine) -> list[Advice]:
        """The advice holding one of ``routine``'s areas (rest it, or see a doctor first)."""
        return [item for item in self.for_areas(routine.areas) if item.kind in HOLD_KINDS]

    def figure(self, kind: str, key: str) -> ReliefFigure | None:
        return next((f for f in self.figures if f.kind == kind and f.key == key), None)


def guidance(
    catalog: Catalog,
    rules: AdviceRules,
    records: Iterable[SessionRecord],
    today: date,
    answers: ScreeningAnswers,
    can_plan: Callable[[Routine], bool],
) -> Guidance:
    """Today's guidance. ``can_plan`` says whether a routine can be done today within its limits (the plan's
    decision, made by the caller); the suggested routine must also leave alone every area the advice holds."""
    records = list(records)
    items = tuple(advice(catalog, rules, records, today, advice_answers(catalog, answers)))
    figures = tuple(relief_figures(catalog, rules.relief, records))
    hold = held_areas(items)
    best = most_helpful_routine(catalog, figures, lambda r: not hold & set(r.areas) and can_plan(r))
    return Guidance(today=today, items=items, figures=figures, best=best)


def alternative_routine(
    catalog: Catalog, routine: Routine, hold: set[str], can_plan: Callable[[Routine], bool]
) -> Routine | None:
    """A routine to do instead of ``routine`` that works none of the ``hold`` areas: one sharing most of its goals
    (then the shortest), that can be done today."""
    candidates = [r for r in catalog.routines if r.id != routine.id and not hold & set(r.areas)]
    candidates.sort(key=lambda r: (-len(set(r.goals) & set(routine.goals)), r.source != "bundled", r.total_seconds))
    return next((r for r in candidates if set(r.goals) & set(routine.goals) and can_plan(r)), None)
