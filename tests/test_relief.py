"""What has helped you: averages per routine, tool and area, their 95% intervals, and the routine to suggest."""

from __future__ import annotations

import math
import statistics
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.advice.models import AdviceRules
from companion.advice.relief import RATING_ROUNDING_SD, figure, most_helpful_routine, relief_figures, t_975
from companion.catalogue.models import Catalog
from companion.history.records import SessionRecord, StepDone
from tests.test_advisor import catalog, rules, session

__all__ = ["catalog", "rules"]  # fixtures


def with_tool(record: SessionRecord, tool: str) -> SessionRecord:
    steps = tuple(StepDone(area=s.area, tool=tool, planned_seconds=60, actual_seconds=60) for s in record.steps)
    return record.model_copy(update={"steps": steps})


def planted_history() -> list[SessionRecord]:
    """Three routines over three weeks; "Calm back" (ball, upper back) eases tension most, by 3 points."""
    records = []
    for day in range(15):
        records.append(session(day, "desk-neck", ("neck", "upper-back"), before=6, after=5 + day % 2, hour=8))
        if day % 2 == 0:
            back = session(day, "calm-back", ("upper-back",), before=7, after=4 - day % 4 // 2, hour=12)
            records.append(with_tool(back, "ball"))
        if day < 3:
            records.append(session(day, "calf-roll", ("calves",), before=5, after=1, hour=18))
    records.append(session(16, "desk-neck", before=None, after=2))  # not rated before: left out
    return records


def test_planted_best_routine_comes_first_with_its_interval(catalog: Catalog, rules: AdviceRules) -> None:
    figures = relief_figures(catalog, rules.relief, planted_history())
    routines = [f for f in figures if f.kind == "routine"]
    assert [f.key for f in routines] == ["calm-back", "desk-neck", "calf-roll"]
    best = routines[0]
    reliefs = [3, 4] * 4  # 7 -> 4 and 7 -> 3 in turn, 8 sessions
    assert best.sessions == 8 and best.mean == pytest.approx(3.5)
    half = 2.365 * statistics.stdev(reliefs) / math.sqrt(8)
    assert (best.low, best.high) == (pytest.approx(3.5 - half), pytest.approx(3.5 + half))
    assert best.text() == "eased by 3.5 points on average (95% interval: eased by 3.1 to 3.9; 8 sessions)"
    desk = routines[1]
    assert desk.sessions == 15 and desk.mean == pytest.approx(8 / 15)
    calf = routines[2]
    assert calf.sessions == 3 and calf.mean is None  # 4 points each time, but only 3 ratings
    assert calf.text() == "not enough data yet (3 of 5 rated sessions)"


def test_figures_per_tool_and_area(catalog: Catalog, rules: AdviceRules) -> None:
    figures = {(f.kind, f.key): f for f in relief_figures(catalog, rules.relief, planted_history())}
    assert figures[("tool", "ball")].sessions == 8 and figures[("tool", "ball")].mean == pytest.approx(3.5)
    assert figures[("tool", "hands")].sessions == 18  # desk-neck 15 and calf-roll 3
    assert figures[("area", "upper-back")].sessions == 23  # desk-neck 15 and calm-back 8
    assert figures[("area", "calves")].mean is None
    assert figures[("area", "neck")].name == "Neck"


def test_a_session_counts_once_per_area_however_many_steps(catalog: Catalog, rules: AdviceRules) -> None:
    two_steps = session(1, areas=("neck", "neck"), before=6, after=2)
    figures = relief_figures(catalog, rules.relief, [two_steps])
    assert [(f.kind, f.key, f.sessions) for f in figures] == [("routine", "desk-neck", 1), ("tool", "hands", 1),
                                                              ("area", "neck", 1)]  # fmt: skip


def test_tension_that_rose_is_said_so(catalog: Catalog, rules: AdviceRules) -> None:
    records = [session(d, before=4, after=6 + d % 2) for d in range(6)]
    item = relief_figures(catalog, rules.relief, records)[0]
    assert item.mean == pytest.approx(-2.5)
    assert item.text().startswith("rose by 2.5 points on average (95% interval: rose by 1.9 to 3.1")


def test_the_most_helpful_routine_is_suggested_only_within_todays_limits(catalog: Catalog, rules: AdviceRules) -> None:
    figures = relief_figures(catalog, rules.relief, planted_history())
    routine, item = most_helpful_routine(catalog, figures, lambda r: True) or (None, None)
    assert routine is not None and routine.id == "calm-back" and item is not None
    # Today's limits leave no room for Calm back: the next best that has really helped.
    second = most_helpful_routine(catalog, figures, lambda r: r.id != "calm-back")
    assert second is not None and second[0].id == "desk-neck"
    # Calf roll helped most per session, but 3 ratings are not enough to say so.
    assert most_helpful_routine(catalog, figures, lambda r: r.id == "calf-roll") is None


def test_nothing_is_suggested_from_routines_that_did_not_help(catalog: Catalog, rules: AdviceRules) -> None:
    records = [session(d, before=5, after=5 + d % 2) for d in range(8)]
    assert most_helpful_routine(catalog, relief_figures(catalog, rules.relief, records), lambda r: True) is None


def test_t_quantiles() -> None:
    assert t_975(1) == 12.706 and t_975(30) == 2.042
    assert t_975(40) == pytest.approx(2.021, abs=0.001)
    assert t_975(120) == pytest.approx(1.980, abs=0.001)
    with pytest.raises(ValueError):
        t_975(0)


@given(st.lists(st.integers(-10, 10), min_size=5, max_size=60))
def test_the_interval_holds_the_mean_and_narrows_with_agreement(reliefs: list[int]) -> None:
    item = figure("routine", "r", "R", reliefs, 5)
    assert item.mean is not None and item.low is not None and item.high is not None
    assert item.low <= item.mean <= item.high
    assert min(reliefs) - 1e-9 <= item.mean <= max(reliefs) + 1e-9
    # Never narrower than whole-number ratings allow; identical ratings give just that width, not certainty.
    floor = 2 * t_975(len(reliefs) - 1) * RATING_ROUNDING_SD / math.sqrt(len(reliefs))
    assert item.high - item.low >= floor - 1e-9
    if len(set(reliefs)) == 1:
        assert item.high - item.low == pytest.approx(floor)


def test_old_dates_count_as_much_as_new_ones(catalog: Catalog, rules: AdviceRules) -> None:
    records = [session(0, before=6, after=3)] * 5
    old = [r.model_copy(update={"started_at": r.started_at - timedelta(days=400)}) for r in records]
    assert relief_figures(catalog, rules.relief, old)[0].mean == pytest.approx(3.0)


def test_the_interval_reads_in_the_headlines_words_and_is_never_certainty() -> None:
    """Finding 44: the interval in eased/rose points like the headline; five identical ratings are not certainty."""
    straddling = figure("routine", "r", "R", [-1, 0, 1, -2, 0, 1], 5)
    assert straddling.text() == (
        "rose by 0.2 points on average (95% interval: from a rise of 1.4 to an easing of 1.1; 6 sessions)"
    )
    alike = figure("routine", "r", "R", [4, 4, 4, 4, 4], 5)
    assert alike.low is not None and alike.high is not None and alike.high - alike.low > 0.5
    assert alike.text() == "eased by 4 points on average (95% interval: eased by 3.5 to 4.5; 5 sessions)"
