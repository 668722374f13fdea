"""The routine flow with Pilot and the fake clock: screening, plan, runner, reflection, saving and recovery."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from companion.history.records import SessionRecord, SessionStatus
from companion.history.store import HistoryStore, SaveError
from companion.run.checkpoint import load_checkpoint, save_checkpoint
from companion.run.clock import FakeClock
from companion.run.engine import RoutineRun
from companion.safety.plan import make_plan
from companion.safety.screening import ScreeningAnswers, load_screening, questions_for, save_screening
from companion.services import Services
from companion.settings.user_settings import HandsFreeChoice
from screens.help import HelpScreen
from screens.home import HomeScreen
from screens.messages import (
    FlowMessage,
    PlanAccepted,
    ReflectionGiven,
    RoutineChosen,
    RunEnded,
    ScreeningAnswered,
)
from screens.plan_review import PlanReviewScreen
from screens.recovery import RecoveryScreen
from screens.reflection import ReflectionScreen
from screens.runner import RunnerScreen, StopConfirmScreen
from screens.save_failed import SaveFailedScreen
from screens.screening import ScreeningScreen
from screens.screening_result import ClearanceScreen, StopScreen
from tests.palette import run_command

SIZES = [(80, 24), (60, 20)]
ROUTINE = "neck-shoulders-desk"  # 7 steps, hands and a massage ball, 7:15


def clock_of(services: Services) -> FakeClock:
    assert isinstance(services.clock, FakeClock)
    return services.clock


def saved_records(services: Services) -> list[SessionRecord]:
    """The history as on disk (a fresh store: nothing cached)."""
    return HistoryStore(services.paths).load().records


def text_of(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


def record_notifications(app: Any) -> list[str]:
    """Every toast's message, as it is posted."""
    messages: list[str] = []
    notify = app.notify

    def spy(message: str, *args: Any, **kwargs: Any) -> None:
        messages.append(str(message))
        notify(message, *args, **kwargs)

    app.notify = spy
    return messages


async def tick(pilot: Pilot[Any], services: Services, seconds: float) -> None:
    """Let ``seconds`` pass on the fake clock and redraw the runner (as its interval would)."""
    clock_of(services).advance(seconds)
    screen = pilot.app.screen
    if isinstance(screen, RunnerScreen):
        screen.refresh_run()
    await pilot.pause()


async def to_runner(pilot: Pilot[Any]) -> RunnerScreen:
    """From the screening: Enter (none apply), Enter (skip rating)."""
    app = pilot.app
    assert isinstance(app.screen, ScreeningScreen)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, PlanReviewScreen)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, RunnerScreen)
    return app.screen


async def tick_screen(pilot: Pilot[Any], screen_type: type, services: Services | None = None) -> None:
    for _ in range(400):  # a save in a worker (lock, fsync) can take seconds on a loaded machine
        if isinstance(pilot.app.screen, screen_type):
            return
        await pilot.pause(0.02)
    raise AssertionError(f"expected {screen_type.__name__}, got {type(pilot.app.screen).__name__}")


@pytest.mark.parametrize("size", SIZES)
async def test_enter_through_from_home_to_completed_and_reflection(make_app, services: Services, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        app.screen.show_routine(ROUTINE)
        await pilot.press("enter")
        await pilot.pause()
        runner = await to_runner(pilot)
        assert load_checkpoint(services.paths)[0] is not None, "checkpointed from the start"
        assert text_of(app, "#remaining-text") == "1:00 left of 1:00"
        assert "Step 1 of 7" in text_of(app, "#step-title")
        await tick(pilot, services, 7 * 60 + 31)
        await tick_screen(pilot, ReflectionScreen)
        assert runner.run.outcome is SessionStatus.COMPLETED
        [record] = saved_records(services)
        assert record.status is SessionStatus.COMPLETED
        assert record.actual_seconds == 435
        assert load_checkpoint(services.paths) == (None, None), "cleared once recorded"
        # Reflection: rate 3, write a note with markup in it, Enter saves it as typed.
        for _ in range(4):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.press(*"[bold]calmer[/bold] now")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        [record] = saved_records(services)
        assert record.tension_after == 3
        assert record.notes == "[bold]calmer[/bold] now"
        assert record.status is SessionStatus.COMPLETED


async def test_screens_post_what_happened_and_the_flow_moves_on(make_app, services: Services) -> None:
    """Each screen of the flow posts one message saying what the user did; the app's flow opens the next."""
    posted: list[Any] = []
    app = make_app()
    async with app.run_test(size=(80, 24), message_hook=posted.append) as pilot:
        await pilot.pause()
        app.screen.show_routine(ROUTINE)
        await pilot.press("enter")
        await pilot.pause()
        await to_runner(pilot)
        await tick(pilot, services, 5)  # a session stopped before any time was done is not kept
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")
        await tick_screen(pilot, ReflectionScreen)
        await pilot.press("tab")
        await pilot.press(*"ok")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    flow = list(dict.fromkeys(m for m in posted if isinstance(m, FlowMessage)))  # a bubbling message is seen twice
    assert [type(m) for m in flow] == [RoutineChosen, ScreeningAnswered, PlanAccepted, RunEnded, ReflectionGiven]
    answered, accepted, ended, given = flow[1:]
    assert answered.routine.id == ROUTINE and accepted.plan.routine.id == ROUTINE
    assert ended.record.status is SessionStatus.STOPPED and given.record.notes == "ok"
    [record] = saved_records(services)
    assert record.notes == "ok"


async def test_tension_before_is_recorded_and_markup_in_note_is_shown_literally(make_app, services) -> None:
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(80, 24)) as pilot:
        messages = record_notifications(app)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        for _ in range(8):  # Skip, 0, 1, ... 7
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        runner = app.screen
        assert isinstance(runner, RunnerScreen)
        assert runner.run.tension_before == 7
        await tick(pilot, services, 10)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")
        await tick_screen(pilot, ReflectionScreen)
        await pilot.press("tab")
        await pilot.press(*"[red]x[/red]")
        await pilot.press("enter")
        await pilot.pause()
        [record] = saved_records(services)
        assert record.tension_before == 7
        assert record.notes == "[red]x[/red]"
        assert any("[red]x[/red]" in message for message in messages)


@pytest.mark.parametrize("size", SIZES)
async def test_stop_answer_ends_the_flow_with_what_to_do_instead(make_app, services: Services, size) -> None:
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ScreeningScreen)
        await pilot.press("a")  # the list; the cursor is on the first question
        await pilot.press("space")
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, StopScreen)
        question = services.catalog.safety.questions[0]
        assert question.kind.value == "stop"
        body = str(app.screen.query_one("#result-text", Static).render())
        assert "will not start" in body
        assert question.instead[:30] in body.replace("\n", " ") or question.instead.split()[0] in body
        # The answer is remembered for the day.
        assert load_screening(services.paths, services.today()).answered_yes(question.id)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ScreeningScreen), "Escape goes back to change the answers"
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("enter")  # Back to routines
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert saved_records(services) == []


async def test_ask_first_continues_only_after_confirming_clearance(make_app, services: Services) -> None:
    routine = services.catalog.routine(ROUTINE)
    assert routine is not None
    questions = [q.id for q in questions_for(routine, services.catalog)]
    position = questions.index("pregnancy")
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a", *(["down"] * position), "space", "c")
        await pilot.pause()
        assert isinstance(app.screen, ClearanceScreen)
        assert "Are you pregnant?" in str(app.screen.query_one("#result-text", Static).render())
        await pilot.press("enter")  # the focused button goes back
        await pilot.pause()
        assert isinstance(app.screen, ScreeningScreen)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ClearanceScreen)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, PlanReviewScreen)
        assert "cleared you for: Are you pregnant?" in text_of(app, "#plan-text")
        answers = load_screening(services.paths, services.today())
        assert answers.cleared == {"pregnancy"}


async def test_avoid_area_answer_removes_those_steps_and_says_so(make_app, services: Services) -> None:
    save_screening(services.paths, ScreeningAnswers.fresh(services.today()).with_answer("varicose-veins", True))
    routine = services.catalog.routine("feet-reset")  # feet, then calves
    assert routine is not None
    legs = {"calves", "quads", "hamstrings"}
    assert legs & set(routine.areas)
    app = make_app(start_routine="feet-reset")
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # "Continue with 1 ticked answer"
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PlanReviewScreen)
        kept = {step.area for step in screen.plan.steps}
        assert kept == set(routine.areas) - legs == {"feet"}
        assert screen.plan.can_start
        plan = text_of(app, "#plan-text")
        assert "left out: you answered yes to" in plan
        assert "Calves left out" in plan and "varicose veins" in plan
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RunnerScreen)
        assert all(step.area == "feet" for step in app.screen.plan.steps)


@pytest.mark.parametrize("size", SIZES)
async def test_pause_holds_the_countdown_and_says_paused(make_app, services: Services, size) -> None:
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await to_runner(pilot)
        await tick(pilot, services, 12)
        assert text_of(app, "#remaining-text") == "0:48 left of 1:00"
        await pilot.press("space")
        await tick(pilot, services, 30)
        assert text_of(app, "#remaining-text") == "0:48 left of 1:00"
        assert "PAUSED" in text_of(app, "#run-state")
        assert app.screen.query_one("#remaining").has_class("-paused")
        await pilot.press("space")
        await tick(pilot, services, 8)
        assert text_of(app, "#remaining-text") == "0:40 left of 1:00"
        assert "PAUSED" not in text_of(app, "#run-state")


async def test_next_and_back_move_between_steps(make_app, services: Services) -> None:
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(80, 24)) as pilot:
        messages = record_notifications(app)
        await pilot.pause()
        await to_runner(pilot)
        await tick(pilot, services, 20)
        await pilot.press("n")
        await pilot.pause()
        assert "Step 2 of 7: Knead the tops of the shoulders" in text_of(app, "#step-title")
        assert text_of(app, "#remaining-text") == "1:30 left of 1:30"
        assert "Next: Back of the neck" in text_of(app, "#next-step")
        assert text_of(app, "#cue-line").startswith("Now: Knead the tops"), "a cue at the step change"
        assert messages == [], "on the cue line, not a toast over the instruction"
        await pilot.press("b")
        await pilot.pause()
        assert "Step 1 of 7: Warm the shoulders" in text_of(app, "#step-title")
        # Step 1 had 20 s of its 1:00 at most: the 4:00 a sitting on the shoulders is shared by its four steps.
        assert text_of(app, "#remaining-text") == "0:40 left of 0:40"
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = str(app.screen.query_one("#help-keys", Static).render())
        assert "Pause" in keys and "+15 s" in keys and "Stop" in keys
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RunnerScreen)


async def test_step_ending_cue_flashes_and_rings_when_enabled(make_app, services: Services) -> None:
    services.settings = services.settings.updated(bell=True)
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(80, 24)) as pilot:
        messages = record_notifications(app)
        bells: list[bool] = []
        app.bell = lambda: bells.append(True)  # type: ignore[method-assign]
        await pilot.pause()
        runner = await to_runner(pilot)
        await tick(pilot, services, 56)
        assert "Warm the shoulders ends in 4 s" in text_of(app, "#cue-line")
        assert messages == []
        assert runner.query_one("#clock").has_class("-cue")
        assert bells == [True]


async def test_reduced_motion_shows_the_pacer_as_text(make_app, services: Services) -> None:
    services.settings = services.settings.updated(reduced_motion=True)
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await to_runner(pilot)
        await tick(pilot, services, 2.5)
        first = text_of(app, "#pacer")
        await tick(pilot, services, 1.0)
        assert text_of(app, "#pacer") == first == "Breathe in for 4, out for 6."


async def test_extend_is_refused_with_the_reason_at_the_limit(make_app, services: Services) -> None:
    app = make_app(start_routine="desk-break-quick")
    async with app.run_test(size=(80, 24)) as pilot:
        messages = record_notifications(app)
        await pilot.pause()
        runner = await to_runner(pilot)
        step = runner.plan.steps[0]
        for _ in range(int(step.max_seconds // 15) + 2):
            await pilot.press("plus")
        await pilot.pause()
        refusal = text_of(app, "#cue-line")
        assert refusal.startswith("! ") and "cannot run longer" in refusal and step.max_reason in refusal
        assert messages == [], "on the cue line, not a toast over the instruction"
        assert runner.run.snapshot().step_seconds <= step.max_seconds


@pytest.mark.parametrize("size", SIZES)
async def test_stop_asks_first_then_records_a_stopped_session(make_app, services: Services, size) -> None:
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        runner = await to_runner(pilot)
        await tick(pilot, services, 25)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StopConfirmScreen)
        await pilot.press("enter")  # the focused answer keeps going
        await pilot.pause()
        assert app.screen is runner
        assert runner.run.outcome is None
        await tick(pilot, services, 5)
        assert text_of(app, "#remaining-text") == "0:30 left of 1:00"
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")
        await tick_screen(pilot, ReflectionScreen)
        [record] = saved_records(services)
        assert record.status is SessionStatus.STOPPED
        assert record.actual_seconds == 30
        assert load_checkpoint(services.paths) == (None, None)
        summary = str(app.screen.query_one("#summary", Static).content)
        assert "Routine stopped" in summary and "0:30 done of 7:15" in summary
        assert "would add" in str(app.screen.query_one("#therapy", Static).render())
        await pilot.press("escape")  # nothing entered: closes, the record stays as saved
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert saved_records(services) == [record]


async def test_escape_goes_back_a_step_before_the_countdown(make_app, services: Services) -> None:
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PlanReviewScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ScreeningScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_checkpoint_follows_the_run_every_few_seconds(make_app, services: Services) -> None:
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await to_runner(pilot)
        for _ in range(4):
            await tick(pilot, services, 2)
        checkpoint, _ = load_checkpoint(services.paths)
        assert checkpoint is not None
        assert checkpoint.actual_seconds >= 6
        await pilot.press("space")
        await pilot.pause()
        checkpoint, _ = load_checkpoint(services.paths)
        assert checkpoint is not None and checkpoint.paused and checkpoint.actual_seconds == 8


async def test_save_failure_offers_retry_and_export(make_app, services: Services, monkeypatch, tmp_path) -> None:
    store = services.store
    real_append = store.append

    def failing_append(record: SessionRecord) -> None:
        raise SaveError("Could not save to your history: disk full.", record)

    monkeypatch.setattr(store, "append", failing_append)
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await to_runner(pilot)
        await tick(pilot, services, 10)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")
        await tick_screen(pilot, SaveFailedScreen)
        assert "disk full" in str(app.screen.query_one("#save-error", Static).render())
        assert load_checkpoint(services.paths)[0] is not None, "kept until the session is safe"
        await pilot.press("r")  # still failing
        await pilot.pause()
        assert isinstance(app.screen, SaveFailedScreen)
        monkeypatch.setattr(store, "append", real_append)
        await pilot.press("r")
        await tick_screen(pilot, ReflectionScreen)
        assert [r.status for r in saved_records(services)] == [SessionStatus.STOPPED]
        assert load_checkpoint(services.paths) == (None, None)


async def test_save_failure_export_to_a_file(make_app, services: Services, monkeypatch, tmp_path) -> None:
    def failing_append(record: SessionRecord) -> None:
        raise SaveError("Could not save to your history: disk full.", record)

    monkeypatch.setattr(services.store, "append", failing_append)
    target = tmp_path / "saved-elsewhere.json"
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await to_runner(pilot)
        await tick(pilot, services, 10)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")
        await tick_screen(pilot, SaveFailedScreen)
        await pilot.press("e")
        app.screen.query_one("#export-path").value = str(target)
        await pilot.press("enter")
        await tick_screen(pilot, ReflectionScreen)
        assert target.exists() and "stopped" in target.read_text()
        assert load_checkpoint(services.paths) == (None, None)


def _leave_checkpoint(services: Services, seconds: float) -> RoutineRun:
    routine = services.catalog.routine(ROUTINE)
    assert routine is not None
    run = RoutineRun(make_plan(routine, services.catalog), services.clock, tension_before=4)
    run.start()
    clock_of(services).advance(seconds)
    save_checkpoint(services.paths, run.checkpoint())
    return run


async def test_recovery_offer_records_an_interrupted_session(make_app, services: Services) -> None:
    run = _leave_checkpoint(services, 75)
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RecoveryScreen)
        assert "1:15 done of 7:15" in str(app.screen.query_one("#recovery-text", Static).render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    [record] = saved_records(services)
    assert record.id == run.session_id
    assert record.status is SessionStatus.INTERRUPTED
    assert record.actual_seconds == 75 and record.tension_before == 4
    assert load_checkpoint(services.paths) == (None, None)


async def test_recovery_offer_discard(make_app, services: Services) -> None:
    _leave_checkpoint(services, 30)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RecoveryScreen)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert saved_records(services) == []
    assert load_checkpoint(services.paths) == (None, None)


async def test_the_look_for_an_unfinished_run_is_a_worker_and_its_offer_comes_before_a_routine_started_meanwhile(
    make_app, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The history is read off the UI thread; a routine asked for at start (``companion start ID``, or Enter on
    the home screen) waits for the offer, then opens once it is answered."""
    import threading

    read_in: list[threading.Thread] = []
    intact_records = HistoryStore.intact_records

    def read_and_note_the_thread(store: HistoryStore) -> list[SessionRecord]:
        read_in.append(threading.current_thread())
        return intact_records(store)

    monkeypatch.setattr(HistoryStore, "intact_records", read_and_note_the_thread)
    _leave_checkpoint(services, 30)
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert read_in and threading.main_thread() not in read_in
        assert isinstance(app.screen, RecoveryScreen)
        assert [type(s).__name__ for s in app.screen_stack] == ["HomeScreen", "RecoveryScreen"]
        await pilot.press("escape")  # later: offered again at the next start
        await pilot.pause()
        assert isinstance(app.screen, ScreeningScreen)
        assert app.screen.routine is not None and app.screen.routine.id == ROUTINE
    assert load_checkpoint(services.paths)[0] is not None


async def test_checkpoint_of_an_already_saved_session_is_not_offered(make_app, services: Services) -> None:
    run = _leave_checkpoint(services, 30)
    services.store.append(run.to_record())
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert len(saved_records(services)) == 1
    assert load_checkpoint(services.paths) == (None, None)


async def test_screening_answers_can_be_changed_from_the_palette(make_app, services: Services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await run_command(pilot, "screening answers")
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.routine is None
        await pilot.press("a", "space", "c")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    first = services.catalog.safety.questions[0].id
    assert load_screening(services.paths, services.today()).yes == {first}


def test_start_command_rejects_an_unknown_routine(capsys) -> None:
    from companion.cli.entry import main

    assert main(["start", "no-such-routine"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no routine 'no-such-routine'" in err


def test_start_command_opens_the_app_at_the_routine(monkeypatch) -> None:
    import companion.cli.entry

    opened: list[tuple[str | None, object]] = []
    monkeypatch.setattr(
        companion.cli.entry,
        "open_app",
        lambda start_routine=None, hands_free=None: opened.append((start_routine, hands_free)) or 0,
    )
    assert companion.cli.entry.main(["start", ROUTINE]) == 0
    assert companion.cli.entry.main(["start", ROUTINE, "--speak", "--notify"]) == 0
    assert opened == [
        (ROUTINE, HandsFreeChoice(speak=False, notify=False)),
        (ROUTINE, HandsFreeChoice(speak=True, notify=True)),
    ]


async def test_screen_opening_keys_are_off_while_a_routine_runs(make_app, services: Services) -> None:
    """A stray h, t or comma must not cover the countdown; the same keys work again at home."""
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(80, 24)) as pilot:
        await tick_screen(pilot, ScreeningScreen)
        for key in ("h", "t", "comma"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, ScreeningScreen)
        runner = await to_runner(pilot)
        for key in ("h", "t", "comma"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is runner
        assert app.check_action("history", ()) is False  # so the Footer leaves it out too
        assert app.check_action("help", ()) is True


async def test_a_save_that_fails_before_the_reflection_is_composed_still_offers_a_retry(
    make_app, services: Services
) -> None:
    """A full disk fails the save at once, sometimes before the reflection has its button: the flow's answer
    raised NoMatches in its worker, and the retry was never offered (the session left unsaved without a word)."""
    from textual.widgets import Button

    from screens.reflection import NOT_SAVED

    routine = services.catalog.routine(ROUTINE)
    assert routine is not None
    plan = make_plan(routine, services.catalog)
    run = RoutineRun(plan, services.clock)
    run.start()
    services.clock.advance(10)  # type: ignore[attr-defined]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        reflection = ReflectionScreen(services, plan, run.to_record(), saving=True)
        reflection.show_saved(False)  # before it is even pushed
        await app.push_screen(reflection)
        await pilot.pause()
        assert str(reflection.query_one("#save", Button).label) == NOT_SAVED
