"""Screening: answers remembered for the day, and what they mean for a routine."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from companion.disk.paths import Paths
from companion.safety.screening import ScreeningAnswers, assess, load_screening, questions_for, save_screening
from tests.catalog_fixture import make_catalog, routine, step

DAY = date(2026, 11, 2)


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(data=tmp_path / "data", config=tmp_path / "config", state=tmp_path / "state")


def test_no_answers_means_nothing_applies() -> None:
    catalog = make_catalog()
    outcome = assess(catalog.routines[0], catalog, ScreeningAnswers.fresh(DAY))
    assert outcome.can_start
    assert outcome.stop == () and outcome.needs_clearance == () and dict(outcome.avoided_areas) == {}
    assert assess(catalog.routines[0], catalog, None).can_start


def test_stop_answer_blocks_with_why_and_instead() -> None:
    catalog = make_catalog()
    outcome = assess(catalog.routines[0], catalog, ScreeningAnswers.fresh(DAY).with_answer("fever", True))
    assert not outcome.can_start
    assert [q.id for q in outcome.stop] == ["fever"]
    assert outcome.stop[0].why and outcome.stop[0].instead


def test_tool_specific_question_only_for_routines_using_the_tool() -> None:
    catalog = make_catalog()
    hands_only = routine("hands-only", [step("shoulders", "hands", 60)])
    answers = ScreeningAnswers.fresh(DAY).with_answer("blood-thinners", True)
    assert assess(hands_only, catalog, answers).can_start
    assert "blood-thinners" not in {q.id for q in questions_for(hands_only, catalog)}
    with_gun = catalog.routines[0]
    assert [q.id for q in assess(with_gun, catalog, answers).stop] == ["blood-thinners"]


def test_ask_first_needs_clearance_until_confirmed() -> None:
    catalog = make_catalog()
    answers = ScreeningAnswers.fresh(DAY).with_answer("pregnancy", True)
    outcome = assess(catalog.routines[0], catalog, answers)
    assert not outcome.can_start
    assert [q.id for q in outcome.needs_clearance] == ["pregnancy"]
    cleared = assess(catalog.routines[0], catalog, answers.with_cleared("pregnancy"))
    assert cleared.can_start and [q.id for q in cleared.cleared] == ["pregnancy"]
    # Answering "no" drops the clearance too.
    back_to_no = answers.with_cleared("pregnancy").with_answer("pregnancy", False)
    assert back_to_no.cleared == frozenset() and back_to_no.yes == frozenset()


def test_avoid_area_lists_the_routine_areas_it_removes() -> None:
    catalog = make_catalog()
    mixed = catalog.routines[0]
    outcome = assess(mixed, catalog, ScreeningAnswers.fresh(DAY).with_answer("varicose-veins", True))
    assert outcome.can_start
    assert {area: q.id for area, q in outcome.avoided_areas.items()} == {
        "calves": "varicose-veins",
        "quads": "varicose-veins",
    }
    upper = routine("upper", [step("shoulders", "hands", 60)])
    assert (
        dict(assess(upper, catalog, ScreeningAnswers.fresh(DAY).with_answer("varicose-veins", True)).avoided_areas)
        == {}
    )


def test_avoid_area_without_areas_means_every_area() -> None:
    catalog = make_catalog()
    mixed = catalog.routines[0]
    outcome = assess(mixed, catalog, ScreeningAnswers.fresh(DAY).with_answer("bruise", True))
    assert set(outcome.avoided_areas) == set(mixed.areas)


def test_answers_remembered_for_the_day(paths: Paths) -> None:
    assert load_screening(paths, DAY) == ScreeningAnswers.fresh(DAY)
    answers = ScreeningAnswers.fresh(DAY).with_answer("pregnancy", True).with_cleared("pregnancy")
    save_screening(paths, answers)
    assert load_screening(paths, DAY) == answers
    assert load_screening(paths, date(2026, 11, 3)) == ScreeningAnswers.fresh(date(2026, 11, 3))
    stored = json.loads(paths.screening.read_text())
    assert stored["yes"] == ["pregnancy"] and stored["day"] == "2026-11-02"


def test_unreadable_answers_start_fresh(paths: Paths) -> None:
    paths.state.mkdir(parents=True)
    paths.screening.write_text("{oops")
    assert load_screening(paths, DAY) == ScreeningAnswers.fresh(DAY)
