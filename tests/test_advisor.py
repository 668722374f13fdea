"""The advisor over fabricated histories: each rule fires when it should and stays quiet otherwise."""

from __future__ import annotations

import copy
import tomllib
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from companion.advice.advisor import (
    advice,
    advice_lines,
    goal_suggestions,
    matching_therapy,
    red_flag_lines,
)
from companion.advice.comparison import break_even_sessions, compare
from companion.advice.loader import ADVICE_FILE, advice_problems, load_advice
from companion.advice.models import AdviceRules
from companion.catalogue.loader import BUNDLED_ROOT
from companion.catalogue.models import Catalog, Routine, SafetyRules, Therapy, Vocabulary
from companion.history.records import SessionRecord, SessionStatus, StepDone

TODAY = date(2026, 11, 20)

# --- a small catalogue of our own, so the tests do not depend on the bundled content's details ----------------


def _therapy(therapy_id: str, name: str, goals: list[str], areas: list[str]) -> dict[str, Any]:
    return {
        "id": therapy_id,
        "name": name,
        "summary": f"{name} summary.",
        "what": "What it is.",
        "best_for": [f"Best for {name.lower()} things."],
        "expect": "What to expect.",
        "session_length": "60 min",
        "pressure": "moderate",
        "clothing": "undressed to comfort",
        "setting": "table",
        "avoid": ["Ask a doctor first if unsure."],
        "practitioner": "A licensed therapist.",
        "credential": "Licence.",
        "goals": goals,
        "areas": areas,
        "sources": [{"title": "Test", "reference": "Test clinic: example.org/test"}],
    }


def _routine(routine_id: str, title: str, goals: list[str], areas: list[str], therapies: list[str], seconds: int):
    steps = [
        {
            "title": f"Step {area}",
            "area": area,
            "tool": "hands",
            "technique": "kneading",
            "seconds": seconds,
            "intensity": "gentle",
            "position": "sitting",
            "instruction": "Knead gently.",
        }
        for area in areas
    ]
    return Routine.model_validate(
        {"id": routine_id, "title": title, "summary": "S.", "goals": goals, "suits": "Anyone.", "steps": steps,
         "therapies": therapies}
    )  # fmt: skip


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    vocabulary = Vocabulary.model_validate(
        {
            "areas": [
                {"id": "neck", "name": "Neck", "region": "neck", "avoid": "Front."},
                {"id": "upper-back", "name": "Upper back", "region": "back", "avoid": "Spine."},
                {"id": "calves", "name": "Calves", "region": "lower-body", "avoid": "Shin."},
            ],
            "tools": [{"id": "hands", "name": "Hands", "kind": "manual", "description": "Your hands."}],
            "techniques": [{"id": "kneading", "name": "Kneading", "description": "Knead."}],
            "goals": [
                {"id": "stress", "name": "Stress", "prompt": "I am stressed."},
                {"id": "posture", "name": "Posture", "prompt": "My posture."},
                {"id": "desk-break", "name": "A quick desk break", "prompt": "A break."},
                {"id": "sleep", "name": "Sleep", "prompt": "Sleep."},
            ],
        }
    )
    safety = SafetyRules.model_validate(
        {
            "sources": [
                {"id": "s1", "fact": "A fact.", "strength": "clinic", "reference": "Clinic: example.org/ref",
                 "cite": "Clinic, example.org"}
            ],
            "session_gap_minutes": 60,
            "session_gap_source": "s1",
            "limits": [],
            "avoid": [],
            "questions": [
                {"id": "fever", "text": "Do you have a fever?", "kind": "stop", "why": "W.",
                 "instead": "Rest and see a doctor.", "source": "s1"},
                {"id": "pregnant", "text": "Are you pregnant?", "kind": "ask-first", "why": "W.",
                 "instead": "Ask your doctor first.", "source": "s1"},
                {"id": "bruise", "text": "A bruise on your calf?", "kind": "avoid-area", "why": "W.",
                 "instead": "Leave it alone.", "areas": ["calves"], "source": "s1"},
            ],
            "red_flags": [
                {"id": "saddle", "region": "back", "text": "Numbness in the saddle area.", "action": "Go to A&E now.",
                 "source": "s1"},
                {"id": "arm-numb", "region": "neck", "text": "Numbness in an arm.", "action": "See a doctor today.",
                 "source": "s1"},
                {"id": "calf", "region": "anywhere", "text": "A swollen, warm calf.", "action": "See a doctor now.",
                 "source": "s1"},
            ],
        }
    )  # fmt: skip
    routines = (
        _routine("desk-neck", "Desk neck", ["posture", "desk-break"], ["neck", "upper-back"], ["swedish", "deep"], 60),
        _routine("quick-neck", "Quick neck", ["desk-break"], ["neck"], ["swedish"], 30),
        _routine("calf-roll", "Calf roll", ["stress"], ["calves"], ["deep", "mom"], 120),
        _routine("calm-back", "Calm back", ["stress", "sleep"], ["upper-back"], ["swedish", "deep"], 90),
    )
    therapies = tuple(
        Therapy.model_validate(t)
        for t in (
            _therapy("swedish", "Swedish massage", ["stress", "sleep"], ["neck", "upper-back", "calves"]),
            _therapy("deep", "Deep tissue massage", ["posture"], ["neck", "upper-back", "calves"]),
            _therapy("mom", "Prenatal massage", ["stress", "sleep"], ["upper-back", "calves"]),
        )
    )
    return Catalog(vocabulary=vocabulary, safety=safety, routines=routines, therapies=therapies)


@pytest.fixture(scope="module")
def rules() -> AdviceRules:
    data = tomllib.loads((BUNDLED_ROOT / ADVICE_FILE).read_text(encoding="utf-8"))
    data["suggest"] = {"specialised": ["mom"]}
    return AdviceRules.model_validate(data)


def session(
    days_ago: int,
    routine: str = "desk-neck",
    areas: tuple[str, ...] = ("neck",),
    before: int | None = 6,
    after: int | None = 6,
    seconds: int = 60,
    hour: int = 12,
    title: str | None = None,
) -> SessionRecord:
    """A session ``days_ago`` local days before ``TODAY``, working ``areas``."""
    day = TODAY - timedelta(days=days_ago)
    start = datetime(day.year, day.month, day.day, hour, 0).astimezone()
    return SessionRecord(
        routine_id=routine,
        routine_title=title or routine.replace("-", " ").capitalize(),
        started_at=start,
        ended_at=start + timedelta(minutes=5),
        status=SessionStatus.COMPLETED,
        steps=tuple(StepDone(area=a, tool="hands", planned_seconds=60, actual_seconds=seconds) for a in areas),
        tension_before=before,
        tension_after=after,
    )


def kinds(items) -> list[tuple[str, str, str | None]]:
    return [(item.kind, item.rule, item.area) for item in items]


# --- empty history and the quiet spell ------------------------------------------------------------------------


def test_empty_history_suggests_a_short_first_routine(catalog: Catalog, rules: AdviceRules) -> None:
    items = advice(catalog, rules, [], TODAY)
    assert kinds(items) == [("try-routine", "quiet-spell", None)]
    item = items[0]
    # The desk-break goal's routines, shortest first.
    assert item.routine_ids == ("quick-neck", "desk-neck")
    assert item.sessions == ()
    assert "No sessions recorded yet" in item.reason
    assert "Quick neck" in item.reason
    assert item.source_ids == ("design-quiet-spell",)
    assert item.therapy_ids == ()
    # A choice between them ("or"); no threshold about days without a session for someone who never had one; the
    # routines by title, not by our ids.
    assert "such as Quick neck or Desk neck" in item.summary
    assert item.explanation == ""
    text = "\n".join(advice_lines(catalog, rules, items))
    assert "Why this threshold" not in text and "(quick-neck)" not in text and "Routines: Quick neck, Desk neck" in text


@pytest.mark.parametrize(("days_ago", "fires"), [(6, False), (7, True), (30, True)])
def test_quiet_spell_boundary(catalog: Catalog, rules: AdviceRules, days_ago: int, fires: bool) -> None:
    items = advice(catalog, rules, [session(days_ago)], TODAY)
    quiet = [i for i in items if i.rule == "quiet-spell"]
    assert bool(quiet) is fires
    if fires:
        assert f"{days_ago} days ago" in quiet[0].reason
        assert (TODAY - timedelta(days=days_ago)).isoformat() in quiet[0].reason
        assert quiet[0].sessions[0].routine_id == "desk-neck"


def test_a_session_today_means_no_advice(catalog: Catalog, rules: AdviceRules) -> None:
    items = advice(catalog, rules, [session(0, before=7, after=3)], TODAY)
    assert items == []
    assert advice_lines(catalog, rules, items)[0].startswith("No advice today")


def test_future_sessions_are_ignored(catalog: Catalog, rules: AdviceRules) -> None:
    records = [session(-1 - n, before=5, after=5) for n in range(6)]
    items = advice(catalog, rules, records, TODAY)
    assert kinds(items) == [("try-routine", "quiet-spell", None)]
    assert "No sessions recorded yet" in items[0].reason


# --- tension not improving ------------------------------------------------------------------------------------


def test_not_improving_fires_with_dates_titles_and_therapies(catalog: Catalog, rules: AdviceRules) -> None:
    records = [
        session(1, before=6, after=6),
        session(4, before=7, after=6),
        session(9, routine="calm-back", areas=("upper-back", "neck"), before=6, after=6, title="Calm back"),
    ]
    items = advice(catalog, rules, records, TODAY)
    pro = [i for i in items if i.kind == "see-professional"]
    assert [(i.area, i.rule) for i in pro] == [("neck", "not-improving")]
    item = pro[0]
    assert len(item.sessions) == 3
    assert [s.date for s in item.sessions] == [TODAY - timedelta(days=d) for d in (9, 4, 1)]
    assert [s.relief for s in item.sessions] == [0, 1, 0]
    for days in (9, 4, 1):
        assert (TODAY - timedelta(days=days)).isoformat() in item.reason
    day = {d: (TODAY - timedelta(days=d)).isoformat() for d in (9, 4, 1)}
    assert f"(Calm back on {day[9]}; Desk neck on {day[4]}, {day[1]})" in item.reason
    assert "A therapist trained in Swedish massage and Deep tissue massage can work on it." in item.reason
    assert "eased by 0.3 points on average" in item.reason
    # Linked from the routines used, most used first; the routines' order breaks ties.
    assert item.therapy_ids == ("swedish", "deep")
    assert item.routine_ids == ()
    assert item.source_ids == ("design-not-improving",)
    assert "design" in item.explanation or "our own" in item.explanation
    assert "3 or more" in item.explanation and "14 days" in item.explanation


def test_not_improving_reports_tension_that_rose_a_little(catalog: Catalog, rules: AdviceRules) -> None:
    # 0.7 points higher after than before on average: below the doctor's threshold (1 point), a therapist's case.
    records = [session(d, before=5, after=after) for d, after in ((3, 6), (2, 6), (1, 5))]
    item = next(i for i in advice(catalog, rules, records, TODAY) if i.kind == "see-professional")
    assert "rose by 0.7" in item.reason


@pytest.mark.parametrize(
    ("records_spec", "fires"),
    [
        ([(1, 6, 6), (2, 6, 6)], False),  # two sessions are not enough
        ([(1, 6, 5), (2, 6, 5), (3, 6, 5)], False),  # exactly 1 point of relief on average counts as easing
        ([(1, 6, 5), (2, 6, 5), (3, 6, 6)], True),  # 0.67 points
        ([(1, 6, 6), (2, 6, 6), (14, 6, 6)], False),  # 14 days ago is outside the 14-day window
        ([(1, 6, 6), (2, 6, 6), (13, 6, 6)], True),  # 13 days ago is inside
        ([(0, 6, 6), (1, 6, 6), (2, 6, 6)], True),  # today counts
        ([(1, 6, 6), (2, 6, 6), (3, None, 6)], False),  # an unrated session does not count
        ([(1, 6, 6), (2, 6, 6), (3, 6, None)], False),
        ([(1, 8, 2), (2, 6, 6), (3, 6, 6)], False),  # 2 points on average
    ],
)
def test_not_improving_thresholds_and_window(
    catalog: Catalog, rules: AdviceRules, records_spec: list[tuple[int, int | None, int | None]], fires: bool
) -> None:
    records = [session(d, before=b, after=a) for d, b, a in records_spec]
    items = advice(catalog, rules, records, TODAY)
    assert any(i.rule == "not-improving" for i in items) is fires


def test_not_improving_is_per_area_and_ignores_untouched_steps(catalog: Catalog, rules: AdviceRules) -> None:
    records = [
        session(1, areas=("neck",)),
        session(2, areas=("upper-back",)),
        session(3, areas=("calves",)),
        session(4, areas=("neck", "upper-back"), seconds=0),  # skipped steps: nothing was worked
    ]
    assert not any(i.rule == "not-improving" for i in advice(catalog, rules, records, TODAY))


def test_not_improving_falls_back_to_general_therapies_for_the_area(catalog: Catalog, rules: AdviceRules) -> None:
    records = [session(d, routine="deleted-routine", areas=("calves",)) for d in (1, 2, 3)]
    item = next(i for i in advice(catalog, rules, records, TODAY) if i.rule == "not-improving")
    # Not the specialised prenatal therapy, even though it names the area.
    assert item.therapy_ids == ("swedish", "deep")
    assert item.area_name == "calves"


def test_specialised_therapy_is_suggested_when_the_routine_links_to_it(catalog: Catalog, rules: AdviceRules) -> None:
    records = [session(d, routine="calf-roll", areas=("calves",)) for d in (1, 2, 3)]
    item = next(i for i in advice(catalog, rules, records, TODAY) if i.rule == "not-improving")
    assert item.therapy_ids == ("deep", "mom")


# --- the same area most days ----------------------------------------------------------------------------------


def test_same_area_on_five_of_seven_days_suggests_rest(catalog: Catalog, rules: AdviceRules) -> None:
    records = [session(d, before=8, after=3) for d in (0, 1, 2, 4, 6)]
    items = advice(catalog, rules, records, TODAY)
    assert kinds(items) == [("rest-area", "same-area", "neck")]
    item = items[0]
    assert "5 of the last 7 days" in item.reason
    assert "48 hours" in item.reason
    assert item.source_ids == ("design-same-area", "soreness-48h")
    assert len(item.sessions) == 5
    assert item.therapy_ids == ("swedish", "deep")


@pytest.mark.parametrize(
    ("days", "fires"),
    [
        ((0, 1, 2, 3), False),  # four days
        ((0, 1, 2, 3, 7), False),  # 7 days ago is outside the last 7 days
        ((0, 1, 2, 3, 6), True),  # 6 days ago is inside
        ((1, 2, 3, 4, 5), True),  # today need not be one of them
    ],
)
def test_same_area_window_boundaries(catalog: Catalog, rules: AdviceRules, days: tuple[int, ...], fires: bool) -> None:
    records = [session(d, before=8, after=3) for d in days]
    assert any(i.rule == "same-area" for i in advice(catalog, rules, records, TODAY)) is fires


def test_same_area_counts_days_not_sessions(catalog: Catalog, rules: AdviceRules) -> None:
    records = [session(d, before=8, after=3, hour=h) for d in (0, 1, 2, 3) for h in (8, 13, 19)]
    assert not any(i.rule == "same-area" for i in advice(catalog, rules, records, TODAY))


# --- red flags and screening answers --------------------------------------------------------------------------


def test_red_flag_means_see_a_doctor_first(catalog: Catalog, rules: AdviceRules) -> None:
    not_improving = [session(d, before=6, after=6) for d in (1, 2, 4, 5, 6)]  # also worked 5 of 7 days
    items = advice(catalog, rules, not_improving, TODAY, red_flag_answers=["saddle"])
    assert kinds(items) == [("see-doctor", "red-flag", None), ("rest-area", "same-area", "neck")]
    doctor = items[0]
    assert "Numbness in the saddle area." in doctor.reason and "Go to A&E now." in doctor.reason
    assert doctor.therapy_ids == () and doctor.routine_ids == ()
    assert "not a massage therapist" in doctor.explanation


def test_no_routine_suggestion_alongside_a_red_flag(catalog: Catalog, rules: AdviceRules) -> None:
    assert kinds(advice(catalog, rules, [], TODAY, red_flag_answers=("calf",))) == [("see-doctor", "red-flag", None)]


def test_screening_answers(catalog: Catalog, rules: AdviceRules) -> None:
    items = advice(catalog, rules, [session(0)], TODAY, red_flag_answers=["fever", "pregnant", "bruise", "fever"])
    assert kinds(items) == [
        ("see-doctor", "screening", None),
        ("see-doctor", "screening", None),
        ("rest-area", "screening", "calves"),
    ]
    assert "Do you have a fever?" in items[0].reason
    assert "Ask them before your next session" in items[1].explanation
    assert "Leave it alone." in items[2].reason


def test_unknown_answer_is_an_error(catalog: Catalog, rules: AdviceRules) -> None:
    with pytest.raises(ValueError, match="unknown red flag or screening question 'nope'"):
        advice(catalog, rules, [], TODAY, red_flag_answers=["nope"])


def test_advice_is_ordered_by_urgency(catalog: Catalog, rules: AdviceRules) -> None:
    records = [session(d, areas=("neck", "upper-back"), before=6, after=6) for d in (0, 1, 2, 3, 4)]
    items = advice(catalog, rules, records, TODAY)
    assert kinds(items) == [
        ("rest-area", "same-area", "neck"),
        ("rest-area", "same-area", "upper-back"),
        ("see-professional", "not-improving", "neck"),
        ("see-professional", "not-improving", "upper-back"),
    ]
    text = "\n".join(advice_lines(catalog, rules, items))
    assert "Rest: neck" in text and "See a professional therapist: upper back" in text
    assert "Therapies: Swedish massage, Deep tissue massage\n" in text
    assert "Source (design): Companion design choice" in text
    assert "Source (clinic): PhysioWorks, physiotherapy clinics: physioworks.com.au" in text


def test_advice_json_shape(catalog: Catalog, rules: AdviceRules) -> None:
    records = [session(d) for d in (1, 2, 3)]
    data = [i.to_json() for i in advice(catalog, rules, records, TODAY)]
    assert data[0]["kind"] == "see-professional"
    assert {"kind", "area", "therapy_ids", "routine_ids", "reason", "sessions", "source_ids"} <= data[0].keys()
    assert data[0]["sessions"][0] == {
        "date": (TODAY - timedelta(days=3)).isoformat(),
        "routine_id": "desk-neck",
        "routine_title": "Desk neck",
        "relief": 0,
    }


# --- goal suggestions and matching ----------------------------------------------------------------------------


def test_goal_suggestions(catalog: Catalog, rules: AdviceRules) -> None:
    found = goal_suggestions(catalog, "desk-break", rules)
    assert [r.id for r in found.routines] == ["quick-neck", "desk-neck"]
    # No therapy names the desk-break goal: the one its routines link to most.
    assert found.therapy is not None and found.therapy.id == "swedish"
    assert "Swedish massage" in found.why

    stress = goal_suggestions(catalog, "stress", rules)
    assert [r.id for r in stress.routines] == ["calm-back", "calf-roll"]
    assert stress.therapy is not None and stress.therapy.id == "swedish"  # the specialised one is linked less

    posture = goal_suggestions(catalog, "posture", rules)
    assert posture.therapy is not None and posture.therapy.id == "deep"


def test_goal_suggestions_without_routines_or_therapy(catalog: Catalog, rules: AdviceRules) -> None:
    bare = catalog.model_copy(update={"routines": (), "therapies": ()})
    found = goal_suggestions(bare, "sleep", rules)
    assert found.routines == () and found.therapy is None and found.why == ""
    with pytest.raises(KeyError):
        goal_suggestions(catalog, "juggling", rules)


def test_specialised_therapy_not_offered_for_a_goal_alone(catalog: Catalog, rules: AdviceRules) -> None:
    only_mom = catalog.model_copy(update={"therapies": (catalog.therapy("mom"),), "routines": ()})
    assert goal_suggestions(only_mom, "sleep", rules).therapy is None


def test_matching_therapy_prefers_shared_goals_then_areas(catalog: Catalog, rules: AdviceRules) -> None:
    desk = catalog.routine("desk-neck")
    assert desk is not None
    match = matching_therapy(desk, catalog, rules)
    assert match is not None
    therapy, why = match
    assert therapy.id == "deep"  # shares the posture goal; Swedish shares none
    assert why.startswith("Deep tissue massage")
    assert "posture" in why and "neck and upper back" in why

    calm = catalog.routine("calm-back")
    assert calm is not None
    therapy, why = matching_therapy(calm, catalog, rules) or (None, "")
    assert therapy is not None and therapy.id == "swedish"
    assert "stress and sleep" in why


def test_matching_therapy_texts_and_missing_therapy(catalog: Catalog, rules: AdviceRules) -> None:
    neck = catalog.routine("quick-neck")
    assert neck is not None
    therapy, why = matching_therapy(neck, catalog, rules) or (None, "")
    assert therapy is not None and therapy.id == "swedish"
    assert "same areas (neck)" in why and "same needs" not in why
    no_therapies = catalog.model_copy(update={"therapies": ()})
    assert matching_therapy(neck, no_therapies, rules) is None


def test_matching_therapy_uses_the_bundled_text_by_default(catalog: Catalog) -> None:
    routine = catalog.routine("desk-neck")
    assert routine is not None
    match = matching_therapy(routine, catalog)
    assert match is not None and match[0].id == "deep"


def _with_cautions(catalog: Catalog) -> Catalog:
    """The small catalogue with deep tissue cautioned for pregnancy and a bruise, and prenatal made for pregnancy."""
    deep = catalog.therapy("deep")
    mom = catalog.therapy("mom")
    assert deep is not None and mom is not None
    cautions = (
        {"text": "Pregnancy: book a prenatal massage instead.", "questions": ["pregnant"]},
        {"text": "A fresh bruise: wait until it has healed.", "questions": ["bruise"]},
    )
    deep = Therapy.model_validate({**deep.model_dump(), "avoid": cautions})
    mom = Therapy.model_validate({**mom.model_dump(), "adapted_to": ["pregnant"]})
    therapies = tuple(deep if t.id == "deep" else mom if t.id == "mom" else t for t in catalog.therapies)
    return catalog.model_copy(update={"therapies": therapies})


def test_a_therapy_made_for_an_answer_is_suggested_with_the_usual_ones_caution(
    catalog: Catalog, rules: AdviceRules
) -> None:
    cautioned = _with_cautions(catalog)
    desk = cautioned.routine("desk-neck")  # links Swedish and deep tissue, not prenatal
    assert desk is not None
    usual = matching_therapy(desk, cautioned, rules)
    assert usual is not None and usual[0].id == "deep"
    therapy, why = matching_therapy(desk, cautioned, rules, answered=frozenset({"pregnant"})) or (None, "")
    assert therapy is not None and therapy.id == "mom"
    assert why.startswith("Prenatal massage is the therapy made for your screening answers today")
    assert "Deep tissue massage needs care: Pregnancy: book a prenatal massage instead." in why


def test_a_cautioned_therapy_gives_way_to_one_without_a_caution(catalog: Catalog, rules: AdviceRules) -> None:
    cautioned = _with_cautions(catalog)
    desk = cautioned.routine("desk-neck")
    assert desk is not None
    therapy, why = matching_therapy(desk, cautioned, rules, answered=frozenset({"bruise"})) or (None, "")
    assert therapy is not None and therapy.id == "swedish"
    assert why.startswith("Swedish massage") and "Deep tissue massage needs care: A fresh bruise" in why
    # An answer no caution names changes nothing.
    assert matching_therapy(desk, cautioned, rules, answered=frozenset({"fever"})) == matching_therapy(
        desk, cautioned, rules
    )


def test_with_every_linked_therapy_cautioned_the_closest_is_named_with_its_caution(
    catalog: Catalog, rules: AdviceRules
) -> None:
    cautioned = _with_cautions(catalog)
    only_deep = _routine("deep-only", "Deep only", ["posture"], ["neck"], ["deep"], 60)
    therapy, why = matching_therapy(only_deep, cautioned, rules, answered=frozenset({"bruise"})) or (None, "")
    assert therapy is not None and therapy.id == "deep"
    assert why.endswith("Deep tissue massage needs care: A fresh bruise: wait until it has healed.")


def test_bundled_pregnant_and_cleared_every_routine_suggests_prenatal_massage() -> None:
    from companion.catalogue.loader import load_catalog

    catalog = load_catalog().catalog
    for routine in catalog.routines:
        match = matching_therapy(routine, catalog, answered=frozenset({"pregnancy"}))
        assert match is not None and match[0].id == "prenatal", routine.id
    for therapy_id in ("deep-tissue", "trigger-point"):
        therapy = catalog.therapy(therapy_id)
        assert therapy is not None
        (caution,) = [c for c in therapy.avoid if "pregnancy" in c.questions]
        assert caution.who == "Pregnancy" and "prenatal massage" in caution.text


# --- comparison -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("device", "session_price", "expected"),
    [
        (120, 70, 2),
        (140, 70, 2),
        (141, 70, 3),
        (0.3, 0.1, 3),  # exact decimal arithmetic: no 2.9999...
        (Decimal("299.99"), Decimal("60"), 5),
        ("80", "80", 1),
        (0, 60, 0),
        (None, 60, None),
        (120, None, None),
        (None, None, None),
        (120, 0, None),
    ],
)
def test_break_even_sessions(device: Any, session_price: Any, expected: int | None) -> None:
    assert break_even_sessions(device, session_price) == expected


@pytest.mark.parametrize(("device", "session_price"), [(-1, 60), (100, -5), ("abc", 60), (float("nan"), 60)])
def test_break_even_rejects_bad_prices(device: Any, session_price: Any) -> None:
    with pytest.raises(ValueError):
        break_even_sessions(device, session_price)


def test_compare_texts(rules: AdviceRules) -> None:
    known = compare(rules, 120, 70)
    assert known.break_even_sessions == 2
    assert "2 sessions" in known.cost_line
    assert "1 session " in compare(rules, 50, 70).cost_line
    assert compare(rules).cost_line == rules.comparison.break_even_unknown
    assert compare(rules, 0, 70).cost_line == rules.comparison.free_tools
    assert compare(rules, 90, 0).cost_line == rules.comparison.free_sessions  # a price given is never asked for
    assert compare(rules, None, 0).cost_line == rules.comparison.free_sessions
    ids = [p.id for p in known.points]
    assert ids == ["cost", "time", "reach", "personal", "safety"]
    text = "\n".join(known.lines())
    assert "Self-massage:" in text and "Professional:" in text and "Sources:" in text
    assert known.to_json()["break_even_sessions"] == 2


# --- red flags as text ----------------------------------------------------------------------------------------


def test_red_flag_lines_group_by_region(catalog: Catalog) -> None:
    lines = red_flag_lines(catalog)
    text = "\n".join(lines)
    assert lines[0].startswith("Red flags")
    assert text.index("Back:") < text.index("Neck:") < text.index("Anywhere:")
    for flag in catalog.safety.red_flags:
        assert flag.text in text and flag.action in text


# --- the content file -----------------------------------------------------------------------------------------


def test_bundled_advice_loads_and_matches_the_bundled_catalogue() -> None:
    from companion.catalogue.loader import load_catalog

    bundled = load_catalog().catalog
    loaded = load_advice(catalog=bundled)
    assert advice_problems(loaded, bundled) == []
    for source in loaded.sources:
        if source.strength.value == "design":
            assert "design choice" in source.reference
    for explanation in (loaded.not_improving.explanation(), loaded.same_area.explanation()):
        assert "{" not in explanation and "our own cautious choice" in explanation


def _raw() -> dict[str, Any]:
    return tomllib.loads((BUNDLED_ROOT / ADVICE_FILE).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["not_improving"].update(explain="Below {min_releif}."), "unknown placeholder"),
        (lambda d: d["not_improving"].update(source="nowhere"), "unknown source 'nowhere'"),
        (lambda d: d["same_area"].update(min_days=9), "cannot exceed window_days"),
        (lambda d: d["matching"].update(both="{therapy} {x}"), "unknown placeholder"),
        (lambda d: d.update(surprise=1), "Extra inputs are not permitted"),
        (lambda d: d["sources"].append(copy.deepcopy(d["sources"][0])), "duplicate id"),
    ],
)
def test_advice_rules_reject_mistakes(change: Any, message: str) -> None:
    data = _raw()
    change(data)
    with pytest.raises(ValidationError, match=message):
        AdviceRules.model_validate(data)


def test_advice_problems_name_unknown_references(catalog: Catalog) -> None:
    data = _raw()
    data["quiet_spell"]["goal"] = "juggling"
    data["suggest"] = {"specialised": ["reiki"]}
    found = [str(p) for p in advice_problems(AdviceRules.model_validate(data), catalog)]
    assert found == [
        "advice.toml: quiet_spell.goal: unknown goal 'juggling'",
        "advice.toml: suggest.specialised[0]: unknown therapy 'reiki'",
    ]
