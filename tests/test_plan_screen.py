"""The plan screen for each answer that adapts a plan, and plans that see other windows and imports."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, OptionList, Static

from companion.cli.entry import main as cli_main
from companion.history.interchange import dump
from companion.history.records import SessionRecord, SessionStatus, StepDone
from companion.history.store import HistoryStore
from companion.run.clock import FakeClock
from companion.safety.screening import load_screening, questions_for
from companion.services import Services, build_services
from screens.app import CompanionApp
from screens.plan_review import PlanReviewScreen
from screens.runner import RunnerScreen
from screens.screening import AreasScreen, ScreeningScreen
from screens.screening_result import ClearanceScreen


async def settle(pilot: Pilot[Any], kind: type, tries: int = 200) -> Any:
    for _ in range(tries):
        if isinstance(pilot.app.screen, kind):
            return pilot.app.screen
        await pilot.pause(0.02)
    raise AssertionError(f"expected {kind.__name__}, got {type(pilot.app.screen).__name__}")


async def answer(pilot: Pilot[Any], services: Services, routine_id: str, *question_ids: str) -> None:
    """On the routine's screening: tick each question (Space), then go on (c)."""
    routine = services.catalog.routine(routine_id)
    assert routine is not None
    order = [q.id for q in questions_for(routine, services.catalog)]
    await settle(pilot, ScreeningScreen)
    await pilot.press("a")
    at = 0
    for question_id in question_ids:
        position = order.index(question_id)
        await pilot.press(*(["down"] * (position - at)), "space")
        at = position
        await pilot.pause()
        if isinstance(pilot.app.screen, AreasScreen):
            return
    await pilot.press("c")
    await pilot.pause()


def plan_text(app: Any) -> str:
    return str(app.screen.query_one("#plan-text", Static).content)


async def test_pregnancy_cleared_leaves_out_the_gun_and_lying_positions(make_app, services: Services) -> None:
    app = make_app(start_routine="legs-after-running")
    async with app.run_test(size=(80, 24)) as pilot:
        await answer(pilot, services, "legs-after-running", "pregnancy")
        await settle(pilot, ClearanceScreen)
        await pilot.press("y")
        screen = await settle(pilot, PlanReviewScreen)
        text = plan_text(app)
        assert "no percussive or vibrating device in pregnancy" in text and "(a Companion design choice)" in text
        assert "no lying face down or flat on the back in pregnancy" in text
        assert "Where these come from:" in text and " • Matria, Should you not lie on your back" in text
        assert "matria.in/faq/" in text and "prenatal-positions" not in text
        assert {s.tool for s in screen.plan.steps} == {"foam-roller", "hands"}
        assert all(s.step.position.value not in ("lying-face-down", "lying-on-back") for s in screen.plan.steps)


@pytest.mark.parametrize(
    ("question", "routine", "area"),
    [
        ("reduced-sensation", "wrap-shoulders-desk", "Shoulders (step 1)"),
        ("reduced-sensation", "shiatsu-pillow-back", "Upper back"),
    ],
)
async def test_reduced_sensation_turns_the_heat_off(
    make_app, services: Services, question: str, routine: str, area: str
) -> None:
    app = make_app(start_routine=routine)
    async with app.run_test(size=(80, 24)) as pilot:
        await answer(pilot, services, routine, question)
        await settle(pilot, ClearanceScreen)
        await pilot.press("y")
        screen = await settle(pilot, PlanReviewScreen)
        text = plan_text(app)
        assert f"{area}: keep the heat switched off" in text
        assert "(heat off)" in text
        assert not any(step.heat for step in screen.plan.steps)
        await pilot.press("enter")  # start: the runner says heat off too
        runner = await settle(pilot, RunnerScreen)
        assert "heat off" in str(runner.query_one("#step-meta", Static).render())


async def test_pregnancy_leaves_out_the_chair_and_the_pillow_with_their_makers_word(
    make_app, services: Services
) -> None:
    app = make_app(start_routine="shiatsu-pillow-back")
    async with app.run_test(size=(80, 24)) as pilot:
        await answer(pilot, services, "shiatsu-pillow-back", "pregnancy")
        await settle(pilot, ClearanceScreen)
        await pilot.press("y")
        screen = await settle(pilot, PlanReviewScreen)
        text = plan_text(app)
        assert "no massage chair or shiatsu pillow in pregnancy" in text and "zmindcn.com" in text
        assert all(s.tool not in ("shiatsu-pillow", "massage-chair") for s in screen.plan.steps)


async def test_blood_thinners_leave_out_kneading_devices_without_a_clearance(make_app, services: Services) -> None:
    app = make_app(start_routine="massage-chair-back")
    async with app.run_test(size=(80, 24)) as pilot:
        await answer(pilot, services, "massage-chair-back", "blood-thinners")
        screen = await settle(pilot, PlanReviewScreen)  # "adapt": no doctor's clearance asked
        text = plan_text(app)
        assert "Upper back left out: no percussive or kneading device with blood thinners" in text
        assert [s.tool for s in screen.plan.steps] == ["hands"] and screen.plan.can_start


async def test_a_bruise_asks_which_areas_and_leaves_only_those_out(make_app, services: Services) -> None:
    app = make_app(start_routine="calf-recovery")
    async with app.run_test(size=(80, 24)) as pilot:
        await answer(pilot, services, "calf-recovery", "bruise-or-strain")
        picker = await settle(pilot, AreasScreen)
        areas = picker.query_one("#areas", OptionList)
        assert [areas.get_option_at_index(i).id for i in range(areas.option_count)] == ["calves", "feet"]
        await pilot.press("ctrl+s")  # nothing ticked yet: refused, the picker stays
        await pilot.pause()
        assert isinstance(app.screen, AreasScreen)
        await pilot.press("space", "down", "enter", "enter")  # calves on; feet on, then off again
        await pilot.pause()
        assert picker.chosen == {"calves"}
        assert str(areas.get_option_at_index(0).prompt).startswith("[x] Calves")
        assert str(areas.get_option_at_index(1).prompt).startswith("[ ] Feet")
        await pilot.press("ctrl+s")
        screening = await settle(pilot, ScreeningScreen)
        assert screening.areas == {"bruise-or-strain": frozenset({"calves"})}
        await pilot.press("c")
        screen = await settle(pilot, PlanReviewScreen)
        assert {s.area for s in screen.plan.steps} == {"feet"}
        assert "Calves (step 1) left out: you answered yes to" in plan_text(app)


async def test_escape_on_which_areas_leaves_the_question_unanswered(make_app, services: Services) -> None:
    """Finding 124: Escape on "Which areas?" used to leave the question ticked, for every area; it goes back to
    the question unanswered, and the plan keeps every area."""
    app = make_app(start_routine="calf-recovery")
    async with app.run_test(size=(80, 24)) as pilot:
        await answer(pilot, services, "calf-recovery", "bruise-or-strain")
        await settle(pilot, AreasScreen)
        await pilot.press("space")  # ticked in the picker, then cancelled: nothing of it stays
        await pilot.press("escape")
        screening = await settle(pilot, ScreeningScreen)
        assert "bruise-or-strain" not in screening.ticked and screening.areas == {}
        answers = screening.query_one("#answers", OptionList)
        position = [q.id for q in screening.questions].index("bruise-or-strain")
        assert str(answers.get_option_at_index(position).prompt).startswith("[ ] ")
        assert str(screening.query_one("#continue", Button).label) == "None of these apply (Enter)"
        await pilot.press("c")
        screen = await settle(pilot, PlanReviewScreen)
        assert {s.area for s in screen.plan.steps} == {"calves", "feet"}
        assert "left out" not in plan_text(app)
        assert load_screening(services.paths, services.today()).yes == frozenset()


async def test_a_plan_emptied_by_answers_offers_routines_that_avoid_them(make_app, services: Services) -> None:
    app = make_app(start_routine="calf-recovery")
    async with app.run_test(size=(80, 24)) as pilot:
        await answer(pilot, services, "calf-recovery", "bruise-or-strain")
        await settle(pilot, AreasScreen)
        await pilot.press("space", "down", "space", "ctrl+s")  # both of its areas
        await settle(pilot, ScreeningScreen)
        await pilot.press("c")
        screen = await settle(pilot, PlanReviewScreen)
        assert screen.plan.is_empty and screen.others
        assert "Routines that fit your answers today (press its number):" in plan_text(app)
        first = screen.others[0].routine
        await pilot.press("1")
        screening = await settle(pilot, ScreeningScreen)
        assert screening.routine == first
        await pilot.press("c")  # the bruise stands for the calf routine's areas, not every area of this one
        offered = await settle(pilot, PlanReviewScreen)
        assert offered.plan.can_start and offered.plan.routine == first


def gun_session(start: Any, seconds: int, area: str = "quads") -> SessionRecord:
    return SessionRecord(
        id=uuid.uuid4(),
        routine_id="legs-after-running",
        routine_title="Legs after a run",
        started_at=start,
        ended_at=start + timedelta(seconds=seconds),
        status=SessionStatus.COMPLETED,
        steps=(StepDone(area=area, tool="massage-gun", planned_seconds=seconds, actual_seconds=seconds),),
    )


async def test_two_windows_and_an_import_are_counted(services: Services, tmp_path: Path) -> None:
    """Window B loaded the history at start; window A then runs the gun on the quads, and an import adds time on
    the calves while B shows its plan: B's plan counts both, the second before the countdown."""
    window_b = CompanionApp(services)
    async with window_b.run_test(size=(80, 24)) as pilot_b:
        await pilot_b.pause()
        clock = services.clock
        assert isinstance(clock, FakeClock)
        window_a = CompanionApp(build_services(clock=clock))
        async with window_a.run_test(size=(80, 24)) as pilot_a:
            await pilot_a.pause()
            HistoryStore(window_a.services.paths).append(gun_session(clock.now() - timedelta(minutes=5), 120))
        window_b.flow.start("legs-after-running")
        await settle(pilot_b, ScreeningScreen)
        await pilot_b.press("enter")
        screen = await settle(pilot_b, PlanReviewScreen)
        quads = [s for s in screen.plan.steps if s.area == "quads"]
        assert all(s.tool != "massage-gun" for s in quads), "window A's two minutes of gun on the quads count"
        assert "2:00 already done in this sitting" in plan_text(window_b)
        before = screen.plan
        export = tmp_path / "import.json"
        export.write_bytes(dump([gun_session(clock.now() - timedelta(minutes=2), 100, "calves")], "json"))
        assert cli_main(["import", str(export)]) == 0
        await pilot_b.press("enter")  # start: planned again first, the import changes it
        await pilot_b.pause()
        assert isinstance(window_b.screen, PlanReviewScreen)
        assert window_b.screen.plan != before
        calves_gun = [s for s in window_b.screen.plan.steps if s.area == "calves" and s.tool == "massage-gun"]
        assert [s.seconds for s in calves_gun] == [20]
        assert "1:40 already done in this sitting" in plan_text(window_b)


def test_snapshot_plan_adapted_for_pregnancy(snap_compare, make_app, services: Services) -> None:
    """The plan after "pregnant, cleared": what was left out and why, with sources, at 80x24."""
    from companion.safety.screening import ScreeningAnswers, save_screening

    answers = ScreeningAnswers.fresh(services.today()).with_answer("pregnancy", True).with_cleared("pregnancy")
    save_screening(services.paths, answers)
    assert snap_compare(make_app(start_routine="legs-after-running"), press=["c"], terminal_size=(80, 24))


def test_snapshot_which_areas(snap_compare, make_app, services: Services) -> None:
    """The "which areas?" question after ticking a bruise, the calves ticked, at 60x20."""
    routine = services.catalog.routine("calf-recovery")
    assert routine is not None
    position = [q.id for q in questions_for(routine, services.catalog)].index("bruise-or-strain")
    presses = ["a", *(["down"] * position), "space", "space"]
    assert snap_compare(make_app(start_routine="calf-recovery"), press=presses, terminal_size=(60, 20))


async def test_an_unreadable_history_is_said_and_counts_as_the_limits_used_up(make_app, services: Services) -> None:
    services.paths.history.parent.mkdir(parents=True, exist_ok=True)
    services.paths.history.mkdir()  # a folder where the history file should be: it cannot be read
    app = make_app(start_routine="legs-after-running")
    async with app.run_test(size=(80, 24)) as pilot:
        await answer(pilot, services, "legs-after-running")
        screen = await settle(pilot, PlanReviewScreen)
        text = plan_text(app)
        assert "Cannot read your history" in text and "every area's daily limits count as used up" in text
        assert screen.plan.steps == ()  # what it held may have used them up: never looser than the intact file
        assert "what is left of the daily limits while time done cannot be read" in text
        assert "Nothing can start until" in text and "Nothing is left to do" not in text


async def test_time_discarded_at_recovery_or_refused_by_the_store_still_counts(make_app, services: Services) -> None:
    """A run left by a crash is discarded at the recovery prompt: the next plan counts its time (the ledger)."""
    from companion.run.checkpoint import save_checkpoint
    from companion.run.engine import RoutineRun
    from companion.safety.plan import make_plan
    from screens.recovery import RecoveryScreen

    routine = services.catalog.routine("legs-after-running")
    assert routine is not None
    clock = services.clock
    assert isinstance(clock, FakeClock)
    run = RoutineRun(make_plan(routine, services.catalog), clock)
    run.start()
    clock.advance(50)  # 50 s of the gun on the quads
    save_checkpoint(services.paths, run.checkpoint())
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, RecoveryScreen)
        await pilot.press("d")  # discard: not in the history, but the time was done
        await pilot.pause()
        assert HistoryStore(services.paths).records == []
        app.flow.start("legs-after-running")
        await answer(pilot, services, "legs-after-running")
        screen = await settle(pilot, PlanReviewScreen)
        assert "0:50 already done in this sitting" in plan_text(app)
        first = screen.plan.steps[0]
        assert first.area == "quads" and first.tool == "massage-gun" and first.seconds == 30
        assert sum(s.max_seconds for s in screen.plan.steps if s.area == "quads") <= 120 - 50


async def test_a_session_a_read_only_history_refuses_still_counts(make_app, services: Services) -> None:
    from companion.history.store import SaveError
    from companion.safety.ledger import load_ledger

    services.paths.history.parent.mkdir(parents=True, exist_ok=True)
    services.paths.history.write_text('{"format": "companion-history", "schema_version": 99}\n', encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        clock = services.clock
        assert isinstance(clock, FakeClock)
        record = gun_session(clock.now() - timedelta(minutes=3), 90)
        with pytest.raises(SaveError):
            app.flow.save(record)
        [noted], problem = load_ledger(services.paths)
        assert problem is None and noted.session_id == record.id and noted.total == 90


def listed_under(text: str, heading: str) -> list[str]:
    """The bulleted lines under ``heading`` in a plan's text, up to the next blank line."""
    lines = text.split(f"{heading}\n", 1)[1].split("\n\n", 1)[0].splitlines()
    return [line.strip() for line in lines if line.strip()]


async def test_where_these_come_from_names_each_source_once(make_app, services: Services, capsys: Any) -> None:
    """Done twice earlier today, the calves are trimmed by two of our design choices (time over every tool, the
    day's cap): their one reference, "Companion design choice", is listed once, on screen and by ``companion plan``."""
    from tests.advice_history import completed_session

    now = services.clock.now()
    for hours in (3, 2):
        services.store.append(completed_session(services.catalog, "calf-recovery", now - timedelta(hours=hours), 5, 3))
    app = make_app(start_routine="calf-recovery")
    async with app.run_test(size=(80, 24)) as pilot:
        await answer(pilot, services, "calf-recovery")
        screen = await settle(pilot, PlanReviewScreen)
        assert {"design-across-tools", "design-day-cap"} <= set(screen.plan.source_ids)
        listed = listed_under(plan_text(app), "Where these come from:")
        assert listed and len(listed) == len(set(listed)), listed
        assert listed.count("• Companion design choice") == 1, listed
    real_now = datetime.now(UTC)  # the command line plans by the system's clock
    for hours in (3, 2):
        start = real_now - timedelta(hours=hours)
        services.store.append(completed_session(services.catalog, "calf-recovery", start, 5, 3))
    assert cli_main(["plan", "calf-recovery"]) == 0
    printed = capsys.readouterr().out
    listed = listed_under(printed, "Where these come from:")
    assert listed.count("- Companion design choice") == 1 and len(listed) == len(set(listed)), listed
