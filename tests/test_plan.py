"""The plan: trimmed and dropped steps say why, and no plan ever passes a limit (property tests included)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from companion.catalogue.models import Catalog, QuestionKind
from companion.history.records import SessionRecord, SessionStatus, StepDone
from companion.safety.exposure import Exposure, bout_of, exposure_at
from companion.safety.plan import NoteKind, Plan, make_plan
from companion.safety.screening import ScreeningAnswers
from companion.settings.user_settings import Settings, StricterLimit
from tests.catalog_fixture import make_catalog, routine, step

NOW = datetime(2026, 11, 2, 18, 0).astimezone()


def bundled_catalog() -> Catalog:
    from companion.catalogue.loader import load_catalog

    return load_catalog().catalog


def limit_violations(
    plan: Plan,
    catalog: Catalog,
    settings: Settings,
    answers: ScreeningAnswers | None,
    today: dict[tuple[str, str], int],
) -> list[str]:  # fmt: skip
    """Every way ``plan`` (with every step run to its ``max_seconds``) breaks a limit: an independent check."""
    problems: list[str] = []
    avoided: set[str] = set()
    if answers is not None:
        for question in catalog.safety.questions:
            if question.id not in answers.yes or question.kind is not QuestionKind.AVOID_AREA:
                continue
            if question.tools and not set(question.tools) & set(plan.routine.tools):
                continue
            avoided.update(question.areas or plan.routine.areas)
    per_area: dict[tuple[str, str], int] = defaultdict(int)
    per_tool: dict[str, int] = defaultdict(int)
    indices = [s.index for s in plan.steps]
    if indices != sorted(set(indices)):
        problems.append(f"steps out of order or repeated: {indices}")
    for planned in plan.steps:
        step = planned.step
        if planned.step is not plan.routine.steps[planned.index]:
            problems.append(f"step {planned.index} is not the routine's step")
        if not 0 < planned.seconds <= step.seconds:
            problems.append(f"step {planned.index}: planned {planned.seconds} of {step.seconds}")
        if planned.max_seconds < planned.seconds:
            problems.append(f"step {planned.index}: max {planned.max_seconds} below planned {planned.seconds}")
        if step.area in avoided:
            problems.append(f"step {planned.index}: area {step.area} was to be left out")
        if any(r.tool == step.tool and step.area in r.areas for r in catalog.safety.avoid):
            problems.append(f"step {planned.index}: {step.tool} must avoid {step.area}")
        content = catalog.limit_for(step.tool, step.area)
        own = settings.limits.get(step.tool) or StricterLimit()
        for cap in (content.step_seconds, own.step_seconds):
            if cap is not None and planned.max_seconds > cap:
                problems.append(f"step {planned.index}: max {planned.max_seconds} > step limit {cap}")
        if content.step_seconds is None and own.step_seconds is None and planned.max_seconds > 2 * planned.seconds:
            problems.append(f"step {planned.index}: unlimited step may run {planned.max_seconds}")
        if planned.limit.step_seconds is not None and content.step_seconds is not None:
            assert planned.limit.step_seconds <= content.step_seconds
        per_area[(step.tool, step.area)] += planned.max_seconds
        per_tool[step.tool] += planned.max_seconds
    for (tool, area), total in per_area.items():
        content = catalog.limit_for(tool, area)
        own = settings.limits.get(tool) or StricterLimit()
        if content.area_session_seconds is not None and total > content.area_session_seconds:
            problems.append(f"{tool} on {area}: {total} > session {content.area_session_seconds}")
        for cap in (content.area_day_seconds, own.area_day_seconds):
            if cap is not None and total + today.get((tool, area), 0) > cap:
                problems.append(f"{tool} on {area}: {total} + today {today.get((tool, area), 0)} > day {cap}")
    for tool, total in per_tool.items():
        caps = [catalog.limit_for(tool, "").session_seconds]
        caps += [catalog.limit_for(tool, s.area).session_seconds for s in plan.steps if s.tool == tool]
        for cap in caps:
            if cap is not None and total > cap:
                problems.append(f"{tool}: {total} > session {cap}")
    return problems


# ---------------------------------------------------------------- examples


def test_untouched_routine_has_no_notes() -> None:
    catalog = make_catalog()
    easy = routine("easy", [step("shoulders", "hands", 60), step("calves", "massage-ball", 90)])
    plan = make_plan(easy, catalog)
    assert [s.seconds for s in plan.steps] == [60, 90]
    assert plan.notes == () and plan.warnings == ()
    assert plan.total_seconds == 150 and plan.can_start


def test_trim_drop_and_leave_out_say_why() -> None:
    catalog = make_catalog()
    plan = make_plan(catalog.routines[0], catalog)
    texts = [note.text for note in plan.notes]
    assert texts == [
        "Neck (step 1) trimmed from 2:00 to 1:30: the limit for your hands on the neck is 1:30 (source: "
        "neck-front.example.org)",
        "Neck (step 2) left out: a massage gun must not be used on the neck: Arteries run there. (source: "
        "neck-front.example.org)",
        "Calves (step 5) dropped: the session limit for a massage gun on the calves is 2:00 (source: "
        "gun-per-area.example.org); "
        "it is used up",
    ]
    assert [n.kind for n in plan.notes] == [NoteKind.TRIMMED, NoteKind.LEFT_OUT, NoteKind.DROPPED]
    assert [(s.index, s.seconds, s.max_seconds) for s in plan.steps] == [
        (0, 90, 90),
        (2, 60, 60),
        (3, 60, 60),
        (5, 90, 120),
        (6, 100, 200),  # no limit at all: at most twice the planned time
    ]
    assert (
        plan.steps[1].max_reason
        == "the limit for a massage gun on the calves is 1:00 (source: gun-per-area.example.org)"
    )
    assert "Companion design choice" in plan.steps[4].max_reason
    assert limit_violations(plan, catalog, Settings(), None, {}) == []


def test_day_allowance_counts_the_last_24_hours() -> None:
    catalog = make_catalog()
    calves = routine("calves", [step("calves", "massage-gun", 60), step("calves", "massage-gun", 60)])
    plan = make_plan(calves, catalog, exposure=Exposure(NOW, day={("massage-gun", "calves"): 200}))
    assert [s.seconds for s in plan.steps] == [40]
    assert [n.text for n in plan.notes] == [
        "Calves (step 1) trimmed from 1:00 to 0:40: the limit for a massage gun on the calves in any 24 hours is "
        "4:00, 3:20 already done in the last 24 hours (a Companion design choice); it has 0:40 left",
        "Calves (step 2) dropped: the limit for a massage gun on the calves in any 24 hours is 4:00, 3:20 already "
        "done in the last 24 hours (a Companion design choice); it is used up",
    ]
    used_up = make_plan(calves, catalog, exposure=Exposure(NOW, day={("massage-gun", "calves"): 240}))
    assert used_up.is_empty and not used_up.can_start
    assert used_up.notes[0].text.endswith("it is used up")


def test_settings_make_limits_stricter_and_say_so() -> None:
    catalog = make_catalog()
    one = routine("one", [step("calves", "massage-gun", 60)])
    strict = Settings(limits={"massage-gun": StricterLimit(step_seconds=45)})
    plan = make_plan(one, catalog, strict)
    assert plan.steps[0].seconds == 45 and plan.steps[0].max_seconds == 45
    assert plan.notes[0].source == "settings"
    assert plan.notes[0].text.endswith("your own limit per step for a massage gun is 0:45 (your own settings)")
    loose = Settings(limits={"massage-gun": StricterLimit(step_seconds=600, area_day_seconds=10_000)})
    assert make_plan(one, catalog, loose).steps[0].max_seconds == 60
    day = Settings(limits={"massage-gun": StricterLimit(area_day_seconds=50)})
    day_plan = make_plan(one, catalog, day, exposure=Exposure(NOW, day={("massage-gun", "calves"): 10}))
    assert day_plan.steps[0].seconds == 40
    assert "your own daily limit for a massage gun on the calves" in day_plan.notes[0].text


def test_screening_leaves_areas_out() -> None:
    catalog = make_catalog()
    answers = ScreeningAnswers.fresh(NOW.date()).with_answer("varicose-veins", True)
    plan = make_plan(catalog.routines[0], catalog, answers=answers)
    assert {s.area for s in plan.steps} == {"neck", "shoulders"}
    left_out = [n.text for n in plan.notes if n.kind is NoteKind.LEFT_OUT and n.source == "consensus"]
    assert left_out == [
        "Calves (step 3) left out: you answered yes to “Do you have varicose veins in your legs?” (source: "
        "consensus.example.org)",
        "Calves (step 4) left out: you answered yes to “Do you have varicose veins in your legs?” (source: "
        "consensus.example.org)",
        "Calves (step 5) left out: you answered yes to “Do you have varicose veins in your legs?” (source: "
        "consensus.example.org)",
        "Front of the thighs left out: you answered yes to “Do you have varicose veins in your legs?” "
        "(source: consensus.example.org)",
    ]
    stop = make_plan(catalog.routines[0], catalog, answers=answers.with_answer("fever", True))
    assert not stop.can_start and [q.id for q in stop.screening.stop] == ["fever"]


def test_slack_under_a_shared_limit_goes_to_the_first_step() -> None:
    catalog = make_catalog()
    neck = routine("neck", [step("neck", "hands", 60), step("neck", "hands", 30)])
    plan = make_plan(neck, catalog)
    # Hands on the neck: 90 s a step, 150 s a session. 60 + 30 planned; the first may grow to 90, the second 60.
    assert [(s.seconds, s.max_seconds) for s in plan.steps] == [(60, 90), (30, 60)]
    assert "shared with other steps there" in plan.steps[1].max_reason


def test_recent_area_warning() -> None:
    catalog = make_catalog()
    easy = routine("easy", [step("shoulders", "hands", 60), step("calves", "massage-ball", 90)])
    records = [
        SessionRecord(
            routine_id="x",
            routine_title="X",
            started_at=NOW - timedelta(hours=5, minutes=10),
            ended_at=NOW - timedelta(hours=5),
            status=SessionStatus.COMPLETED,
            steps=(
                StepDone(area="shoulders", tool="hands", planned_seconds=60, actual_seconds=60),
                StepDone(area="calves", tool="hands", planned_seconds=60, actual_seconds=0),
            ),
        ),
        SessionRecord(
            routine_id="x",
            routine_title="X",
            started_at=NOW - timedelta(hours=30),
            ended_at=NOW - timedelta(hours=30),
            status=SessionStatus.COMPLETED,
            steps=(StepDone(area="calves", tool="hands", planned_seconds=60, actual_seconds=60),),
        ),
    ]
    exposure = exposure_at([bout_of(r) for r in records], NOW, timedelta(minutes=60))
    assert exposure.last_worked == {"shoulders": NOW - timedelta(hours=5), "calves": NOW - timedelta(hours=30)}
    plan = make_plan(easy, catalog, exposure=exposure)
    assert len(plan.warnings) == 1
    assert plan.warnings[0].area == "shoulders"
    assert plan.warnings[0].text.startswith("You worked the shoulders 5 hours ago;")


def test_bundled_routines_are_untouched_by_default() -> None:
    catalog = bundled_catalog()
    for item in catalog.routines:
        plan = make_plan(item, catalog)
        assert [s.seconds for s in plan.steps] == [s.seconds for s in item.steps], item.id
        assert limit_violations(plan, catalog, Settings(), None, {}) == [], item.id


def test_sessions_in_one_sitting_share_the_session_caps() -> None:
    """Running a routine again right after the first does not start the session caps afresh."""
    catalog = make_catalog()
    calves = routine("calves", [step("calves", "massage-gun", 60), step("calves", "massage-gun", 60)])
    first = SessionRecord(
        routine_id="calves",
        routine_title="Calves",
        started_at=NOW - timedelta(minutes=12),
        ended_at=NOW - timedelta(minutes=10),
        status=SessionStatus.COMPLETED,
        steps=(StepDone(area="calves", tool="massage-gun", planned_seconds=60, actual_seconds=90),),
    )
    soon = exposure_at([bout_of(first)], NOW, timedelta(minutes=60))
    plan = make_plan(calves, catalog, exposure=soon)
    assert [s.seconds for s in plan.steps] == [30]
    assert "1:30 already done in this sitting (sessions less than 60 minutes apart count as one" in plan.notes[0].text
    later = exposure_at([bout_of(first)], NOW + timedelta(minutes=55), timedelta(minutes=60))
    assert [s.seconds for s in make_plan(calves, catalog, exposure=later).steps] == [60, 60]
