"""Property tests: however sessions, tools, routines, times (across midnight) and answers are combined, no area
passes a cap in any sitting or any rolling 24 hours, and no pregnancy, blood-thinner or sensation rule is broken.

Each example is a timeline: sessions one after another at random gaps (minutes to a day, often across local
midnight), each planned from the exposure of every earlier session (as the app reads it fresh from disk), then
run for a random share of each step's most (extensions, backs and stops alike: a step never runs more than its
``max_seconds``), sometimes saved, sometimes only in the ledger (a recovery discarded it, or the store refused it),
sometimes seen twice (a second window, an import of the same session). The checks below are written
independently of the plan's code: they add up the timeline themselves.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from companion.catalogue.loader import load_catalog
from companion.catalogue.models import INTENSITY_ORDER, Catalog, Intensity, Position, Routine, Step
from companion.safety.exposure import DAY, Bout, exposure_at, merge
from companion.safety.plan import Plan, make_plan
from companion.safety.screening import ScreeningAnswers
from tests.catalog_fixture import step

CATALOG: Catalog = load_catalog().catalog
GAP = timedelta(minutes=CATALOG.safety.session_gap_minutes)
START = datetime(2026, 11, 2, 21, 30).astimezone()  # evenings: the timeline soon crosses local midnight
ADAPTING = ("pregnancy", "blood-thinners", "reduced-sensation")
KNEADING_OR_PERCUSSIVE = ("massage-gun", "shiatsu-pillow", "massage-chair", "massage-belt", "neck-shoulder-wrap")
"""The devices that knead or hammer (the catalogue's descriptions say so), all left out with blood thinners."""


@st.composite
def routines(draw: st.DrawFn) -> Routine:
    """A bundled routine, or one of random steps (a user's file; the loader's checks are not relied on)."""
    chosen: Routine = draw(st.sampled_from(CATALOG.routines))
    if draw(st.booleans()):
        return chosen
    raw = draw(
        st.lists(
            st.tuples(
                st.sampled_from(sorted(CATALOG.areas)),
                st.sampled_from(sorted(CATALOG.tools)),
                st.integers(5, 900),
                st.sampled_from(list(Position)),
                st.sampled_from(list(Intensity)),
                st.booleans(),
            ),
            min_size=1,
            max_size=10,
        )
    )
    steps = [
        Step.model_validate({**step(area, tool, seconds), "technique": "kneading", "position": position,
                             "intensity": intensity, "heat": heat})
        for area, tool, seconds, position, intensity, heat in raw
    ]  # fmt: skip
    return chosen.model_copy(update={"id": "random-user-routine", "steps": tuple(steps), "source": "user"})


@st.composite
def sessions(draw: st.DrawFn) -> tuple[timedelta, Routine, frozenset[str], float, str]:
    """One session: the wait since the last one ended, the routine, answers, share of time done, where it lands."""
    wait = timedelta(minutes=draw(st.one_of(st.integers(0, 70), st.integers(60, 30 * 60))))
    yes = draw(st.frozensets(st.sampled_from(ADAPTING)))
    share = draw(st.sampled_from([0.0, 0.3, 0.5, 1.0, 1.0]))
    where = draw(st.sampled_from(["history", "ledger", "both", "twice"]))
    return wait, draw(routines()), yes, share, where


def answers_for(yes: frozenset[str], day: datetime) -> ScreeningAnswers:
    answers = ScreeningAnswers.fresh(day.date())
    for question in yes:
        answers = answers.with_answer(question, True).with_cleared(question)
    return answers


def adaptation_violations(plan: Plan, yes: frozenset[str]) -> list[str]:
    """Each pregnancy, blood-thinner or sensation rule the plan breaks (the issue's words, checked directly)."""
    found = []
    for planned in plan.steps:
        where = f"step {planned.index} ({planned.tool} on {planned.area})"
        firm = INTENSITY_ORDER.index(planned.intensity) > INTENSITY_ORDER.index(Intensity.MODERATE)
        if "pregnancy" in yes:
            if planned.tool == "massage-gun":
                found.append(f"{where}: percussion in pregnancy")
            if planned.tool == "massage-belt":
                found.append(f"{where}: a kneading belt around the waist in pregnancy")
            if planned.tool in ("massage-chair", "shiatsu-pillow", "neck-shoulder-wrap", "vibration-massager"):
                found.append(f"{where}: a kneading or vibrating device in pregnancy")
            if planned.step.position in (Position.LYING_FACE_DOWN, Position.LYING_ON_BACK):
                found.append(f"{where}: {planned.step.position} in pregnancy")
            if planned.area == "calves" and firm:
                found.append(f"{where}: firm calf work in pregnancy")
            if planned.heat:
                found.append(f"{where}: heat in pregnancy")
        if "blood-thinners" in yes:
            if planned.tool in KNEADING_OR_PERCUSSIVE:
                found.append(f"{where}: percussive or kneading device with blood thinners")
            if firm:
                found.append(f"{where}: firm pressure with blood thinners")
        if "reduced-sensation" in yes and (planned.heat or firm):
            found.append(f"{where}: heat or firm pressure with reduced sensation")
        if planned.heat and not planned.step.heat:
            found.append(f"{where}: heat the step never asked for")
    return found


def cap_violations(earlier: list[Bout], new: Bout, now: datetime) -> list[str]:
    """Every cap the new session passes, counted over the sitting and the 24 hours it closes (from scratch)."""
    found: list[str] = []
    # the sitting: earlier sessions with time done, chained to now by gaps shorter than GAP (a session in which
    # nothing was done is no massage: the area rested through it)
    earlier = [b for b in earlier if b.total > 0]
    sitting: list[Bout] = []
    edge = now
    for bout in sorted(earlier, key=lambda b: b.ended_at, reverse=True):
        if edge - bout.ended_at < GAP:
            sitting.append(bout)
            edge = min(edge, bout.started_at)
        else:
            break
    window = [b for b in earlier if now - b.ended_at < DAY]
    for scope, bouts, kind in (("sitting", [*sitting, new], "session"), ("24 hours", [*window, new], "day")):
        per_key: dict[tuple[str, str], int] = defaultdict(int)
        for bout in bouts:
            for key, seconds in bout.seconds.items():
                per_key[key] += seconds
        for area in {area for (_tool, area), s in new.seconds.items() if s > 0}:
            tools = {tool for (tool, where), s in per_key.items() if where == area and s > 0}
            caps = {}
            for tool in tools:
                limit = CATALOG.limit_for(tool, area)
                caps[tool] = limit.area_session_seconds if kind == "session" else limit.area_day_seconds
            # every group of tools shares the largest cap among them: the binding groups are, for each tool,
            # it and every tool whose cap is no larger (ball and roller share 2:00 even beside the hands' 4:00)
            for top, cap in caps.items():
                group = sorted(t for t, c in caps.items() if cap is not None and c is not None and c <= cap)
                total = sum(per_key[(t, area)] for t in group)
                if cap is not None and total > cap:
                    found.append(f"{area}: {total} s in the {scope} over {group} > {cap} (that of {top})")
            for tool in tools:
                own = caps[tool]
                if own is not None and per_key[(tool, area)] > own and new.seconds.get((tool, area), 0) > 0:
                    found.append(f"{tool} on {area}: {per_key[(tool, area)]} s in the {scope} > {own}")
    for tool in {tool for (tool, _area), s in new.seconds.items() if s > 0}:
        limit = CATALOG.limit_for(tool, "")
        in_sitting = sum(s for b in [*sitting, new] for (which, _a), s in b.seconds.items() if which == tool)
        if limit.session_seconds is not None and in_sitting > limit.session_seconds:
            found.append(f"{tool}: {in_sitting} s in the sitting > {limit.session_seconds}")
    return found


def pillow_uses(bouts: list[Bout], now: datetime) -> int:
    """Sittings (sessions less than a gap apart) that used the pillow and ended in the 24 hours before ``now``,
    the one still open included."""
    uses, end, used = 0, None, False
    for bout in sorted((b for b in bouts if b.total > 0), key=lambda b: b.started_at):
        if end is not None and bout.started_at - end >= GAP:
            uses += used and now - end < DAY
            used = False
        used = used or any(tool == "shiatsu-pillow" and s > 0 for (tool, _a), s in bout.seconds.items())
        end = bout.ended_at if end is None else max(end, bout.ended_at)
    return uses + (used and end is not None and now - end < DAY)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(sessions(), min_size=1, max_size=9))
def test_no_combination_of_sessions_passes_a_cap(timeline: list[tuple[timedelta, Routine, frozenset[str], float,
                                                                      str]]) -> None:  # fmt: skip
    history: list[Bout] = []
    ledger: list[Bout] = []
    now = START
    for wait, routine, yes, share, where in timeline:
        now += wait
        known = merge(history, ledger)
        exposure = exposure_at(known, now, GAP)
        plan = make_plan(routine, CATALOG, None, answers_for(yes, now), exposure)
        assert adaptation_violations(plan, yes) == []
        seconds: dict[tuple[str, str], int] = defaultdict(int)
        for planned in plan.steps:
            seconds[(planned.tool, planned.area)] += int(planned.max_seconds * share)
        length = sum(seconds.values())
        bout = Bout(uuid.uuid4(), now, now + timedelta(seconds=length), dict(seconds))
        assert cap_violations(known, bout, now) == []
        assert pillow_uses([*known, bout], now) <= 3
        if where in ("history", "both", "twice"):
            history.append(bout)
        if where in ("ledger", "both"):
            ledger.append(bout)
        if where == "twice":  # a second window or an import of the same session: the same id, seen again
            ledger.append(bout)
        now = bout.ended_at


def test_the_pillow_is_used_at_most_three_times_a_day() -> None:
    """Four pillow sessions two hours apart: the fourth within 24 hours of the first is left out."""
    pillow = CATALOG.routine("shiatsu-pillow-back")
    assert pillow is not None
    bouts: list[Bout] = []
    now = START
    for number in range(4):
        plan = make_plan(pillow, CATALOG, None, None, exposure_at(bouts, now, GAP))
        if number < 3:
            assert plan.can_start, number
            seconds = {(s.tool, s.area): s.seconds for s in plan.steps}
            bouts.append(Bout(uuid.uuid4(), now, now + timedelta(seconds=sum(seconds.values())), seconds))
        else:
            assert plan.is_empty
            assert "already used in 3 sessions in the last 24 hours" in plan.notes[0].text
        now += timedelta(hours=2)
    later = make_plan(pillow, CATALOG, None, None, exposure_at(bouts, START + timedelta(hours=24, minutes=20), GAP))
    assert later.can_start


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    st.lists(
        st.tuples(sessions(), st.sampled_from([0, 0, 0, 5, 45, 90, 600, 1500])),
        min_size=2,
        max_size=8,
    )
)
def test_a_clock_set_back_never_frees_time(timeline: list[tuple[tuple[timedelta, Routine, frozenset[str], float,
                                                                      str], int]]) -> None:  # fmt: skip
    """Between sessions the clock may be set back (by minutes to a day). Each session is planned and stored by
    the clock's reading, as the app does; the caps are checked on the real timeline: setting the clock back
    makes a past session look later (or still to come), and that must never give an area more time."""
    stored: list[Bout] = []  # as the history and the ledger hold them: the clock's readings
    real: list[Bout] = []  # the same sessions in real time
    now = START
    skew = timedelta(0)  # how far the clock is behind real time (it only grows: set back, never forward)
    for (wait, routine, yes, share, _where), back in timeline:
        now += wait
        skew += timedelta(minutes=back)
        clock = now - skew
        plan = make_plan(routine, CATALOG, None, answers_for(yes, clock), exposure_at(stored, clock, GAP))
        seconds: dict[tuple[str, str], int] = defaultdict(int)
        for planned in plan.steps:
            seconds[(planned.tool, planned.area)] += int(planned.max_seconds * share)
        length = timedelta(seconds=sum(seconds.values()))
        bout = Bout(uuid.uuid4(), now, now + length, dict(seconds))
        assert cap_violations(real, bout, now) == []
        assert pillow_uses([*real, bout], now) <= 3
        real.append(bout)
        stored.append(Bout(bout.session_id, clock, clock + length, dict(seconds)))
        now = bout.ended_at
