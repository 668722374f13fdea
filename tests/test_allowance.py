"""The statistics' time against the daily limits: the rolling 24 hours per area over every tool, with what a plan
made now could still give each tool there. Checked against the catalogue directly and against the plan itself."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from companion.catalogue.loader import load_catalog
from companion.catalogue.models import Catalog, Step
from companion.catalogue.validation import area_cap
from companion.safety.allowance import day_allowances
from companion.safety.exposure import Bout, exposure_at
from companion.safety.plan import make_plan
from companion.settings.user_settings import Settings, StricterLimit
from tests.catalog_fixture import step

CATALOG: Catalog = load_catalog().catalog
GAP = timedelta(minutes=CATALOG.safety.session_gap_minutes)
NOW = datetime(2026, 11, 3, 0, 30).astimezone()  # just after local midnight: yesterday evening still counts


def bout(hours_ago: float, minutes: float, seconds: dict[tuple[str, str], int]) -> Bout:
    start = NOW - timedelta(hours=hours_ago)
    return Bout(uuid.uuid4(), start, start + timedelta(minutes=minutes), seconds)


def test_ball_and_roller_share_their_cap_even_beside_the_hands() -> None:
    """Hands used on the calves earlier in the sitting do not lend the ball and the roller the hands' larger
    session cap: the two share their own 2:00 (the hands alone would allow 4:00)."""
    earlier = [bout(0.5, 5, {("hands", "calves"): 60})]  # ended 25 minutes ago: the same sitting
    steps = [
        Step.model_validate({**step("calves", "foam-roller", 120), "technique": "rolling"}),
        Step.model_validate({**step("calves", "massage-ball", 120), "technique": "hold-pressure"}),
    ]
    routine = CATALOG.routines[0].model_copy(update={"id": "rolled", "steps": tuple(steps), "source": "user"})
    plan = make_plan(routine, CATALOG, None, None, exposure_at(earlier, NOW, GAP))
    shared = CATALOG.limit_for("foam-roller", "calves").area_session_seconds
    assert shared == CATALOG.limit_for("massage-ball", "calves").area_session_seconds
    assert sum(planned.max_seconds for planned in plan.steps) == shared
    ball = next(note for note in plan.notes if note.tool == "massage-ball")
    assert "with a foam roller and a massage ball together" in ball.text


def test_the_rolling_day_not_the_calendar_day_across_tools() -> None:
    """Feet worked at 20:30 yesterday count at 00:30; one 25 hours ago does not. Ball and hands share the feet."""
    bouts = [
        bout(25, 3, {("massage-ball", "feet"): 120}),
        bout(4, 5, {("massage-ball", "feet"): 105, ("hands", "feet"): 135}),
    ]
    (feet,) = day_allowances(exposure_at(bouts, NOW, GAP), CATALOG)
    assert (feet.area, feet.seconds) == ("feet", 240)
    by_tool = {tool.tool: tool for tool in feet.tools}
    assert by_tool["massage-ball"].seconds == 105 and by_tool["hands"].seconds == 135
    day = CATALOG.limit_for("massage-ball", "feet").area_day_seconds
    across = area_cap(CATALOG.safety, "feet", {"massage-ball", "hands"}, "day")
    assert day is not None and across is not None and feet.limit_seconds == across.seconds
    assert by_tool["massage-ball"].left == min(day - 105, across.seconds - 240)


def test_stricter_settings_and_a_tools_daily_uses() -> None:
    """A person's own daily limit is the one shown (and named as theirs); the pillow's uses are counted."""
    bouts = [bout(6, 15, {("shiatsu-pillow", "upper-back"): 600}), bout(3, 15, {("shiatsu-pillow", "upper-back"): 300})]
    settings = Settings(limits={"shiatsu-pillow": StricterLimit(area_day_seconds=1200)})
    (back,) = day_allowances(exposure_at(bouts, NOW, GAP), CATALOG, settings)
    (pillow,) = back.tools
    assert (pillow.seconds, pillow.limit_seconds, pillow.left) == (900, 1200, 300)
    assert pillow.binding is not None and pillow.binding.source == "settings"
    assert (pillow.uses, pillow.day_uses) == (2, CATALOG.limit_for("shiatsu-pillow", "upper-back").day_uses)


def test_over_a_limit_leaves_nothing_and_nothing_done_lists_nothing() -> None:
    over = [bout(2, 10, {("massage-gun", "calves"): 300})]  # more than a plan allows (added by an import)
    (calves,) = day_allowances(exposure_at(over, NOW, GAP), CATALOG)
    assert calves.tools[0].left == 0 and calves.fraction > 1
    assert day_allowances(exposure_at([], NOW, GAP), CATALOG) == []


keys = st.tuples(st.sampled_from(sorted(CATALOG.tools)), st.sampled_from(sorted(CATALOG.areas)))
bouts = st.builds(
    bout,
    st.floats(0.1, 30),
    st.floats(1, 30),
    st.dictionaries(keys, st.integers(1, 1200), min_size=1, max_size=4),
)
own_limits = st.dictionaries(
    st.sampled_from(sorted(CATALOG.tools)),
    st.builds(StricterLimit, area_day_seconds=st.one_of(st.none(), st.integers(10, 2000))),
    max_size=2,
)


@hsettings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(bouts, max_size=6), own_limits, st.integers(10, 900))
def test_what_is_shown_left_is_what_a_plan_made_now_may_use(
    timeline: list[Bout], limits: dict[str, StricterLimit], length: int
) -> None:
    """For every tool on every area worked in the last 24 hours: the time left shown is the catalogue's (and the
    settings') daily caps net of the time done, counted here directly; and a plan made now of a step with that
    tool on that area never lets it run longer than that, whatever its length."""
    settings = Settings(limits=limits)
    exposure = exposure_at(timeline, NOW, GAP)
    recent = [b for b in timeline if NOW - b.ended_at < timedelta(hours=24) and b.started_at <= NOW]
    shown = day_allowances(exposure, CATALOG, settings)
    assert {a.area for a in shown} == {area for b in recent for (_tool, area) in b.seconds}
    for area in shown:
        done_area = sum(s for b in recent for (_tool, where), s in b.seconds.items() if where == area.area)
        used = {tool for b in recent for (tool, where) in b.seconds if where == area.area}
        assert area.seconds == done_area and {t.tool for t in area.tools} == used
        across = area_cap(CATALOG.safety, area.area, used, "day")
        assert area.limit_seconds == (across.seconds if across else None)
        content = {t: CATALOG.limit_for(t, area.area).area_day_seconds for t in used}
        for tool in area.tools:
            done = sum(b.seconds.get((tool.tool, area.area), 0) for b in recent)
            own = settings.apply_to_limit(CATALOG.limit_for(tool.tool, area.area)).area_day_seconds
            room = [] if own is None else [own - done]
            # each group: a tool and every tool whose cap is no larger share that cap (this tool among them)
            for cap in {c for c in content.values() if c is not None and c >= (content[tool.tool] or 0)}:
                group = [t for t, c in content.items() if c is not None and c <= cap]
                room.append(cap - sum(b.seconds.get((t, area.area), 0) for b in recent for t in group))
            assert tool.seconds == done and tool.limit_seconds == own
            assert tool.left == (max(0, min(room)) if room else None)
            single = Step.model_validate({**step(area.area, tool.tool, length), "technique": "kneading"})
            routine = CATALOG.routines[0].model_copy(update={"id": "one-step", "steps": (single,), "source": "user"})
            plan = make_plan(routine, CATALOG, settings, None, exposure)
            if tool.left is not None:
                assert all(planned.max_seconds <= tool.left for planned in plan.steps)
