"""Two Companion windows over the same files: today's answers and the limits are read from disk, the newest of any
window, and never written back older over newer (findings 99, 96, 81, 80). The other window is the files it
writes, as its saves would."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Static

from companion.history.records import SessionStatus
from companion.run.clock import FakeClock
from companion.run.cues import PLAN_CHANGED
from companion.run.done import PLAN_CHANGED as PLAN_CHANGED_BEFORE
from companion.run.engine import RunStatus
from companion.safety.plan import Plan
from companion.safety.screening import ScreeningAnswers, load_screening, questions_for, save_screening
from companion.services import Services, build_services
from companion.settings.user_settings import Settings, StricterLimit, save_settings
from screens.app import CompanionApp
from screens.confirm import ConfirmScreen
from screens.home import HomeScreen
from screens.plan_review import PlanReviewScreen
from screens.reflection import ReflectionScreen
from screens.runner import RunnerScreen
from screens.screening import ScreeningScreen
from screens.screening_result import ClearanceScreen
from screens.settings import CHANGED_ELSEWHERE
from tests.advice_history import wait_until
from tests.test_footer_keys import settle
from tests.test_history_watch import LONG
from tests.test_routine_flow import record_notifications, saved_records, tick
from tests.test_settings_screen import open_settings, saved, type_into

GUN = "forearms-gun-grip"


def pregnant_elsewhere(services: Services) -> None:
    """Another window ticks "Are you pregnant?" (ask first) and saves today's answers."""
    save_screening(services.paths, ScreeningAnswers.fresh(services.today()).with_answer("pregnancy", True))


def ticked(screen: ScreeningScreen) -> set[str]:
    return {q.id for q in screen.questions if q.id in screen.ticked}


async def test_the_screening_opens_with_the_answers_another_window_gave(make_app, services: Services) -> None:
    """Finding 99: this window had answered "none apply"; another window's "pregnant" since is shown, and kept."""
    app = make_app(start_routine="desk-break-quick")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, ScreeningScreen)
        await pilot.press("enter")  # none apply
        await settle(pilot, PlanReviewScreen)
        assert load_screening(services.paths, services.today()).yes == frozenset()
        app.flow.back_to_home()
        await settle(pilot, HomeScreen)
        pregnant_elsewhere(services)
        app.flow.start(GUN)
        screen = await settle(pilot, ScreeningScreen)
        assert ticked(screen) == {"pregnancy"}
        assert "Continue with 1 ticked answer" in str(screen.query_one("#continue").label)
        await pilot.press("c")
        await settle(pilot, ClearanceScreen)  # ask first, as it is on disk
        assert load_screening(services.paths, services.today()).yes == {"pregnancy"}


async def test_a_yes_given_elsewhere_while_the_screening_is_open_is_kept_and_said(make_app, services: Services) -> None:
    """The screening opened before the other window's answer: going on writes only what was changed here."""
    routine = services.catalog.routine(GUN)
    assert routine is not None
    position = [q.id for q in questions_for(routine, services.catalog)].index("blood-thinners")
    app = make_app(start_routine=GUN)
    async with app.run_test(size=(80, 24)) as pilot:
        said = record_notifications(app)
        screen = await settle(pilot, ScreeningScreen)
        assert ticked(screen) == set()
        pregnant_elsewhere(services)
        await pilot.press("a", *(["down"] * position), "space", "c")  # ticks one answer of its own
        await settle(pilot, ClearanceScreen)
        answers = load_screening(services.paths, services.today())
        assert answers.yes == {"pregnancy", "blood-thinners"}, "the other window's yes is not written over"
        assert any("Another Companion window changed" in s and "Are you pregnant? (yes)" in s for s in said)


async def test_returning_to_the_screening_shows_what_another_window_answered(make_app, services: Services) -> None:
    """Back from the plan, the screening shows the newest answers, with what was ticked here kept."""
    app = make_app(start_routine=GUN)
    async with app.run_test(size=(80, 24)) as pilot:
        said = record_notifications(app)
        await settle(pilot, ScreeningScreen)
        await pilot.press("enter")
        await settle(pilot, PlanReviewScreen)
        pregnant_elsewhere(services)
        await pilot.press("escape")
        screen = await settle(pilot, ScreeningScreen)
        assert ticked(screen) == {"pregnancy"}
        assert any("changed meanwhile" in s for s in said)


def ball_limited_elsewhere(services: Services, **caps: int) -> None:
    """Another window's Settings sets a stricter limit for the massage ball (its save writes the whole file)."""
    save_settings(services.paths, Settings(limits={"massage-ball": StricterLimit(**caps)}))  # type: ignore[arg-type]


def ball_steps(plan: Plan) -> list[int]:
    return [planned.seconds for planned in plan.steps if planned.step.tool == "massage-ball"]


async def test_a_limit_set_elsewhere_before_the_countdown_changes_the_plan(make_app, services: Services) -> None:
    """Finding 81 (at the start): the plan is made again with the limits on disk, not those the window held."""
    app = make_app(start_routine="feet-reset")
    async with app.run_test(size=(80, 24)) as pilot:
        said = record_notifications(app)
        await settle(pilot, ScreeningScreen)
        await pilot.press("enter")
        screen = await settle(pilot, PlanReviewScreen)
        assert ball_steps(screen.plan) and max(ball_steps(screen.plan)) > 20
        ball_limited_elsewhere(services, step_seconds=20)
        await pilot.press("enter")  # skip the rating: the countdown would start
        await pilot.pause()
        assert app.screen is screen, "not started: the changed plan is shown"
        assert ball_steps(screen.plan) and max(ball_steps(screen.plan)) == 20
        assert any(PLAN_CHANGED_BEFORE in s for s in said)
        assert app.services.settings.stricter_limit("massage-ball").step_seconds == 20
        await pilot.press("enter")
        runner = await settle(pilot, RunnerScreen)
        assert ball_steps(runner.plan) == ball_steps(screen.plan)


async def test_an_ask_first_answer_given_elsewhere_before_the_countdown_asks_first(
    make_app, services: Services
) -> None:
    """Finding 96 (at the start): "pregnant" ticked in another window while the plan was shown: no countdown; the
    screening shows it and asks for the clearance, as it does."""
    app = make_app(start_routine=GUN)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, ScreeningScreen)
        await pilot.press("enter")
        await settle(pilot, PlanReviewScreen)
        pregnant_elsewhere(services)
        await pilot.press("enter")
        screen = await settle(pilot, ScreeningScreen)
        assert ticked(screen) == {"pregnancy"}
        assert not any(isinstance(s, RunnerScreen) for s in app.screen_stack)
        await pilot.press("c")
        await settle(pilot, ClearanceScreen)
        await pilot.press("y")
        plan = (await settle(pilot, PlanReviewScreen)).plan
        assert not any(planned.step.tool == "massage-gun" for planned in plan.steps)
        await pilot.press("enter")
        runner = await settle(pilot, RunnerScreen)
        assert runner.plan.steps == plan.steps


async def test_a_settings_screen_opened_later_shows_limits_set_elsewhere(make_app, services: Services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, HomeScreen)
        ball_limited_elsewhere(services, area_day_seconds=20)
        screen = await open_settings(app, pilot)
        assert screen.query_one("#day-massage-ball", Input).value == "0:20"


async def test_two_settings_screens_keep_each_others_stricter_limits(make_app, services: Services) -> None:
    """Finding 80: a Settings screen opened before another window set a limit writes only the box changed on it,
    then shows the other window's limit and says so."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        said = record_notifications(app)
        screen = await open_settings(app, pilot)
        day = screen.query_one("#day-massage-ball", Input)
        assert day.value == ""
        ball_limited_elsewhere(services, area_day_seconds=20)
        await type_into(pilot, screen.query_one("#step-massage-ball", Input), "0:30")
        assert (await saved(app))["limits"]["massage-ball"] == {
            "step_seconds": 30, "area_session_seconds": None, "area_day_seconds": 20,
        }  # fmt: skip
        await pilot.pause()
        assert day.value == "0:20"
        assert any(CHANGED_ELSEWHERE in s and "Massage ball, a day on one area: 0:20" in s for s in said)
        await pilot.press("escape")  # leaving commits every box: the other window's limit stays
        await pilot.pause()
        assert (await saved(app))["limits"]["massage-ball"]["area_day_seconds"] == 20


async def test_a_window_started_before_keeps_the_limits_another_window_saved(services: Services) -> None:
    """Two apps over the same folders, one after the other as two windows' saves would come: window A, opened
    before B set its limit, changes another setting; B's limit stays."""
    first = CompanionApp(build_services(services.paths, clock=FakeClock()))
    second = CompanionApp(build_services(services.paths, clock=FakeClock()))
    async with second.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(second, pilot)
        await type_into(pilot, screen.query_one("#day-massage-ball", Input), "0:20")
        await saved(second)
    async with first.run_test(size=(80, 24)) as pilot:
        await settle(pilot, HomeScreen)
        first.apply_settings(first.services.settings.updated(bell=True))  # e.g. from the palette
        stored = await saved(first)
        assert stored["bell"] is True and stored["limits"]["massage-ball"]["area_day_seconds"] == 20
        assert first.services.settings.stricter_limit("massage-ball").area_day_seconds == 20


async def start_run(pilot: Pilot[Any]) -> RunnerScreen:
    """From the screening the app opened with: none apply, the plan, no rating: the countdown."""
    await settle(pilot, ScreeningScreen)
    await pilot.press("enter")
    await settle(pilot, PlanReviewScreen)
    await pilot.press("enter")
    runner: RunnerScreen = await settle(pilot, RunnerScreen)
    return runner


async def test_an_answer_changed_from_the_palette_during_a_run_leaves_the_gun_out_once_cleared(
    make_app, services: Services
) -> None:
    """Finding 96 (during a run): the countdown pauses while the answers are open; "pregnant" ticked there asks,
    on the way back, whether a doctor cleared it (as before a run); y: the gun steps to come are left out, said in
    words, and the rest goes on with the time done so far."""
    questions = [q.id for q in services.catalog.safety.questions]
    app = make_app(start_routine=GUN)
    async with app.run_test(size=(80, 24)) as pilot:
        said = record_notifications(app)
        runner = await start_run(pilot)
        await tick(pilot, services, 10)
        app.action_screening()  # as the palette's "Change today's screening answers" does
        await settle(pilot, ScreeningScreen)
        assert runner.run.snapshot().paused
        await pilot.press("a", *(["down"] * questions.index("pregnancy")), "space", "c")
        await settle(pilot, ConfirmScreen)
        assert runner.run.snapshot().paused, "no countdown while the question is open"
        await pilot.press("y")
        await settle(pilot, RunnerScreen)
        assert [step.step.tool for step in runner.plan.steps] == ["hands", "hands", "hands"]
        snap = runner.run.snapshot()
        assert snap.paused and snap.index == 0 and round(snap.elapsed) == 10, "held since the answers opened"
        await pilot.press("space")
        assert runner.run.snapshot().status is RunStatus.RUNNING
        assert any(PLAN_CHANGED in s and "“Gun on the left forearm” is left out" in s for s in said)
        assert "Step 1 of 3" in str(runner.query_one("#step-title", Static).content)
        assert load_screening(services.paths, services.today()).cleared == {"pregnancy"}
        for _ in range(4):
            await tick(pilot, services, 61)
        await settle(pilot, ReflectionScreen)
        (record,) = saved_records(services)
        assert [step.tool for step in record.steps] == ["hands", "hands", "hands"]
        assert record.actual_seconds == 180


async def test_an_ask_first_answer_given_elsewhere_during_a_run_stops_it_at_the_next_step_unless_cleared(
    make_app, services: Services
) -> None:
    app = make_app(start_routine=GUN)
    async with app.run_test(size=(80, 24)) as pilot:
        runner = await start_run(pilot)
        assert runner.plan.steps[1].step.tool == "massage-gun"
        await tick(pilot, services, 10)
        pregnant_elsewhere(services)
        await tick(pilot, services, 1)
        assert not isinstance(app.screen, ConfirmScreen), "the file is looked at every few seconds, not every tick"
        await tick(pilot, services, 2)
        await settle(pilot, ConfirmScreen)  # the file changed: asked
        await pilot.press("n")  # not cleared: it stops, what was done saved
        await settle(pilot, ReflectionScreen)
        # why it stopped, still on screen on the reflection (the run's end clears its toasts)
        assert any(PLAN_CHANGED in str(n.message) and "must not go on" in str(n.message) for n in app._notifications)
        (record,) = saved_records(services)
        assert record.status is SessionStatus.STOPPED and record.actual_seconds == 13
        assert all(step.actual_seconds == 0 for step in record.steps if step.tool == "massage-gun")


async def test_a_stricter_limit_set_elsewhere_during_a_run_shortens_the_step_under_way(
    make_app, services: Services
) -> None:
    """Finding 81 (during a run): another window's limit of 0:20 per massage-ball step reaches the run within a
    few seconds: the ball step under way ends at 0:20, the next is shortened, and the screen says why."""
    app = make_app(start_routine="feet-reset")
    async with app.run_test(size=(80, 24)) as pilot:
        said = record_notifications(app)
        runner = await start_run(pilot)
        await tick(pilot, services, 15)
        ball_limited_elsewhere(services, step_seconds=20)
        await tick(pilot, services, 3)
        assert any(PLAN_CHANGED in s and "your own limit per step" in s for s in said)
        assert ball_steps(runner.plan) == [20, 20]
        assert runner.run.snapshot().index == 0 and round(runner.run.snapshot().remaining) == 2
        assert "0:02 left of 0:20" in str(runner.query_one("#remaining-text", Static).content)
        await tick(pilot, services, 2)
        assert runner.run.snapshot().index == 1
        assert runner.run.extend().ok is False, "the new limit holds for extensions too"


async def test_looser_settings_saved_in_this_window_during_a_run_change_nothing(make_app, services: Services) -> None:
    services.settings = Settings(limits={"massage-ball": StricterLimit(step_seconds=30)})
    save_settings(services.paths, services.settings)
    app = make_app(start_routine="feet-reset")
    async with app.run_test(size=(80, 24)) as pilot:
        runner = await start_run(pilot)
        assert ball_steps(runner.plan) == [30, 30]
        await tick(pilot, services, 5)
        app.apply_settings(app.services.settings.updated(limits={}))  # as the Settings screen would
        await tick(pilot, services, 3)
        assert ball_steps(runner.plan) == [30, 30]
        app.apply_settings(app.services.settings.updated(limits={"massage-ball": StricterLimit(step_seconds=10)}))
        await pilot.pause()
        assert ball_steps(runner.plan) == [10, 10]
        assert runner.run.snapshot().index == 0 and round(runner.run.snapshot().remaining) == 2


async def test_home_follows_limits_and_routines_another_window_saves(make_app, services: Services) -> None:
    """Findings 104 and 116: the home screen showed the limits and routines of when it started. Another window's
    stricter limit shows in the preview, and a routine it builds (or deletes) in the list, without a restart."""
    from pathlib import Path

    from textual.widgets import OptionList

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        home = await settle(pilot, HomeScreen)
        home.show_routine("desk-break-quick")
        preview = home.query_one("#preview-text", Static)
        await wait_until(pilot, lambda: "2:00 a step" in str(preview.content))
        stricter = Settings().updated(limits={"hands": StricterLimit(step_seconds=45)})
        save_settings(services.paths, stricter)  # as another window's settings screen saves them
        await wait_until(pilot, lambda: "0:45 a step" in str(preview.content), rounds=LONG)
        assert app.services.settings.limits["hands"].step_seconds == 45

        names = home.query_one("#routines", OptionList)
        mine = services.paths.routines / "forearms-after-typing.toml"
        mine.parent.mkdir(parents=True, exist_ok=True)
        example = Path(__file__).parent.parent / "docs" / "example-routine.toml"
        mine.write_text(example.read_text(encoding="utf-8"), encoding="utf-8")  # another window's builder
        shown = lambda: " ".join(str(names.get_option_at_index(i).prompt) for i in range(names.option_count))  # noqa: E731
        await wait_until(pilot, lambda: "Forearms after typing" in shown(), rounds=LONG)
        mine.unlink()
        await wait_until(pilot, lambda: "Forearms after typing" not in shown(), rounds=LONG)
