"""Escalation to a doctor: tension getting worse, or staying at 7 or more for several days, goes to a doctor (the
red flags), says why, and is no longer sent to a therapist. Thresholds come from ``advice.toml``."""

from __future__ import annotations

import pytest

from companion.advice.advisor import advice, advice_lines
from companion.advice.models import AdviceRules
from companion.catalogue.models import Catalog
from tests.test_advisor import TODAY, catalog, kinds, rules, session

__all__ = ["catalog", "rules"]  # fixtures


def doctor(items) -> list[tuple[str, str | None]]:
    return [(item.rule, item.area) for item in items if item.kind == "see-doctor"]


def test_six_days_at_seven_that_never_ease_send_the_area_to_a_doctor(catalog: Catalog, rules: AdviceRules) -> None:
    # The new user: six days of one routine rated 7 before and 7 after.
    records = [session(d, routine="calm-back", areas=("upper-back",), before=7, after=7) for d in range(6)]
    items = advice(catalog, rules, records, TODAY)
    # Not also "rest it" or "see a therapist": the doctor comes first and already says to leave it alone.
    assert kinds(items) == [("see-doctor", "persistent-high", "upper-back")]
    item = items[0]
    assert "7 or more out of 10 on 6 of the last 7 days" in item.reason
    assert "not easing" in item.summary
    assert "see a doctor" in item.reason
    assert item.source_ids == ("design-persistent-high", "red-flags")
    assert "our own cautious choice" in item.explanation and "3 days" in item.explanation
    text = "\n".join(advice_lines(catalog, rules, items))
    assert "See a doctor: upper back" in text and "nhs.uk/conditions/back-pain/" in text


@pytest.mark.parametrize(
    ("spec", "fires"),
    [
        ([(2, 7, 7), (1, 7, 7), (0, 7, 7)], True),  # three days at 7
        ([(2, 8, 8), (1, 8, 7)], False),  # two days are not several
        ([(2, 7, 7), (1, 7, 7), (0, 9, 5)], False),  # the latest session eased it below 7
        ([(6, 7, 7), (3, 7, 7), (0, 7, None)], True),  # before-only rating counts; 6 days ago is in the window
        ([(7, 7, 7), (3, 7, 7), (0, 7, 7)], False),  # 7 days ago is outside the 7-day window
        ([(2, 6, 6), (1, 6, 6), (0, 6, 6)], False),  # 6 is not high
        ([(2, 7, 7), (2, 7, 7), (1, 7, 7)], False),  # days, not sessions
    ],
)
def test_persistent_high_thresholds(
    catalog: Catalog, rules: AdviceRules, spec: list[tuple[int, int, int | None]], fires: bool
) -> None:
    records = [session(d, before=b, after=a, hour=12 + i) for i, (d, b, a) in enumerate(spec)]
    assert (("persistent-high", "neck") in doctor(advice(catalog, rules, records, TODAY))) is fires


def test_two_sessions_going_from_8_to_10_are_enough_when_the_rise_is_large(
    catalog: Catalog, rules: AdviceRules
) -> None:
    records = [session(d, before=8, after=10) for d in (2, 1)]
    items = advice(catalog, rules, records, TODAY)
    assert doctor(items) == [("worsening", "neck")]
    item = items[0]
    assert "getting worse" in item.summary
    assert "not more massage or a massage therapist" in item.reason
    assert "see a professional" not in [i.kind for i in items]


def test_tension_rising_over_three_sessions_goes_to_a_doctor_not_a_therapist(
    catalog: Catalog, rules: AdviceRules
) -> None:
    records = [session(3, before=4, after=6), session(2, before=5, after=6), session(1, before=4, after=5)]
    items = advice(catalog, rules, records, TODAY)
    assert doctor(items) == [("worsening", "neck")]
    assert not [i for i in items if i.kind == "see-professional"]
    assert "was 1.3 points higher after each session than before it, on average" in items[0].reason


def test_tension_climbing_from_day_to_day_is_worsening_even_when_each_session_helps_a_little(
    catalog: Catalog, rules: AdviceRules
) -> None:
    records = [session(3, before=4, after=3), session(2, before=5, after=4), session(1, before=7, after=6)]
    items = advice(catalog, rules, records, TODAY)
    assert doctor(items) == [("worsening", "neck")]
    assert "went from 4 before your session on 2026-11-17 to 6 after your latest one on 2026-11-19" in items[0].reason


@pytest.mark.parametrize(
    ("spec", "fires"),
    [
        ([(2, 6, 7), (1, 6, 7)], False),  # two sessions rising by 1: too few for a small rise
        ([(3, 6, 7), (2, 6, 7), (1, 6, 7)], True),  # three sessions rising by 1
        ([(3, 6, 6), (2, 6, 7), (1, 6, 6)], False),  # 0.33 points on average, none across
        ([(1, 5, 9)], False),  # one session is never enough
        ([(2, 8, 10), (1, 8, None)], False),  # only rated sessions (before and after) count
        ([(15, 8, 10), (14, 8, 10)], False),  # outside the 14-day window
        ([(13, 8, 10), (0, 8, 10)], True),  # inside it, today included
    ],
)
def test_worsening_thresholds(
    catalog: Catalog, rules: AdviceRules, spec: list[tuple[int, int, int | None]], fires: bool
) -> None:
    records = [session(d, before=b, after=a) for d, b, a in spec]
    assert (("worsening", "neck") in doctor(advice(catalog, rules, records, TODAY))) is fires


def test_the_thresholds_are_read_from_the_rules(catalog: Catalog, rules: AdviceRules) -> None:
    records = [session(d, before=8, after=10) for d in (2, 1)]
    stricter = rules.model_copy(update={"worsening": rules.worsening.model_copy(update={"large_min_sessions": 3})})
    assert not doctor(advice(catalog, stricter, records, TODAY))
    lower = rules.model_copy(update={"persistent_high": rules.persistent_high.model_copy(update={"high": 6})})
    steady = [session(d, before=6, after=6) for d in (2, 1, 0)]
    assert doctor(advice(catalog, lower, steady, TODAY)) == [("persistent-high", "neck")]


def test_one_area_worse_and_another_fine_only_the_worse_goes_to_a_doctor(catalog: Catalog, rules: AdviceRules) -> None:
    worse = [session(d, areas=("neck",), before=8, after=10) for d in (2, 1)]
    fine = [session(d, routine="calf-roll", areas=("calves",), before=6, after=3) for d in (2, 1)]
    assert doctor(advice(catalog, rules, worse + fine, TODAY)) == [("worsening", "neck")]


def test_a_rating_goes_to_the_area_the_session_spent_most_time_on(catalog: Catalog, rules: AdviceRules) -> None:
    def mostly_neck(days_ago: int):
        record = session(days_ago, areas=("upper-back", "neck", "neck"), before=8, after=10)
        return record  # 60 s on the upper back, 120 s on the neck

    assert doctor(advice(catalog, rules, [mostly_neck(2), mostly_neck(1)], TODAY)) == [("worsening", "neck")]


def test_worsening_after_neck_work_names_the_neck(catalog: Catalog, rules: AdviceRules) -> None:
    """A routine mostly for the upper back that also works the neck, rated 8 -> 10 twice: one item names both
    areas, the neck first (its red flags are an emergency)."""
    areas = ("upper-back", "upper-back", "neck")
    records = [session(d, routine="desk-neck", areas=areas, before=8, after=10) for d in (1, 0)]
    items = advice(catalog, rules, records, TODAY)
    assert doctor(items) == [("worsening", "neck")]
    assert items[0].named_areas == ("neck", "upper-back")
    text = "\n".join(advice_lines(catalog, rules, items))
    assert "See a doctor: neck and upper back\n" in text, text
    assert "leave these areas alone" in text
    # Without neck work the area the routine has most steps on comes first, and every area worked is named.
    others = [session(d, routine="desk-neck", areas=("upper-back", "upper-back", "calves"), before=8, after=10)
              for d in (1, 0)]  # fmt: skip
    items = advice(catalog, rules, others, TODAY)
    assert doctor(items) == [("worsening", "upper-back")]
    assert items[0].named_areas == ("upper-back", "calves") and items[0].area_name == "upper back and calves"
