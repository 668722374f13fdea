"""Screening: answers remembered for the day, and what they mean for a routine."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from companion.disk.paths import Paths
from companion.safety.screening import (
    AnswersChange,
    ScreeningAnswers,
    assess,
    load_screening,
    questions_for,
    save_change,
    save_screening,
)
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


def test_unreadable_answers_start_fresh_and_say_so_until_answered_again(paths: Paths) -> None:
    """Finding 65: a cut file forgot this morning's "pregnant" without a word."""
    paths.state.mkdir(parents=True)
    paths.screening.write_text('{"day": "2026-11-02", "yes": ["pregn')
    answers = load_screening(paths, DAY)
    assert answers.yes == frozenset() and answers.unreadable is not None
    assert str(paths.screening) in answers.unreadable and "answer the questions again" in answers.unreadable
    assert load_screening(paths, DAY).unreadable == answers.unreadable  # every reader is told, not just the first
    save_screening(paths, answers.with_answer("pregnancy", True))
    (kept,) = paths.state.glob("screening.json.corrupt-*")
    assert kept.read_text() == '{"day": "2026-11-02", "yes": ["pregn'
    again = load_screening(paths, DAY)
    assert again.unreadable is None and again.yes == {"pregnancy"}
    assert "unreadable" not in json.loads(paths.screening.read_text())


def test_a_change_keeps_what_another_window_answered_for_the_other_questions(paths: Paths) -> None:
    """Finding 99: the answers a window shows may be older than the file; only what it changed is written."""
    shown = ScreeningAnswers.fresh(DAY)
    save_screening(paths, shown.with_answer("pregnancy", True).with_cleared("pregnancy"))  # another window
    given = shown.with_answer("bruise", True).with_areas("bruise", frozenset({"calves"}))
    kept = save_change(paths, AnswersChange.between(shown, given))
    assert kept == load_screening(paths, DAY)
    assert (
        kept.yes == {"pregnancy", "bruise"} and kept.cleared == {"pregnancy"} and kept.areas == {"bruise": {"calves"}}
    )
    # Un-ticking here drops that answer (and its clearance), still keeping the rest.
    again = save_change(paths, AnswersChange.between(kept, kept.with_answer("pregnancy", False)))
    assert again.yes == {"bruise"} and again.cleared == frozenset()
    # A whole set (no shown answers) replaces everything, as before.
    assert save_change(paths, AnswersChange(ScreeningAnswers.fresh(DAY))).yes == frozenset()


def test_changes_in_a_row_from_one_window_add_up() -> None:
    shown = ScreeningAnswers.fresh(DAY)
    first = AnswersChange.between(shown, shown.with_answer("fever", True))
    second = AnswersChange.between(first.answers, first.answers.with_answer("pregnancy", True))
    both = first.then(second)
    elsewhere = shown.with_answer("bruise", True)
    assert both.applied_to(elsewhere).yes == {"fever", "pregnancy", "bruise"}
    assert AnswersChange(shown).then(second).applied_to(elsewhere).yes == {"fever", "pregnancy"}
    assert first.applied_to(ScreeningAnswers.fresh(date(2026, 11, 3))) == first.answers  # another day: its own
