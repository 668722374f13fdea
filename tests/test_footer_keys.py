"""Every key a Footer shows does what it says, on every screen.

Each test brings a screen up as a person would, reads the keys its Footer shows from the active bindings with
``show=True`` (as Textual's Footer reads them: a binding added later cannot escape this test), checks that they
are exactly the keys the test knows, then presses each one, from the same screen each time, and checks its effect.
Real files in the test's own XDG folders (tests/conftest.py).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Footer, Input, OptionList, Static, TabbedContent

from companion.history.records import SessionStatus
from companion.history.store import SaveError
from companion.safety.screening import ScreeningAnswers
from companion.services import Services
from screens.advice import AdviceScreen
from screens.builder import BuilderScreen
from screens.compare import CompareScreen
from screens.confirm import ConfirmScreen
from screens.help import HelpScreen
from screens.history import HistoryScreen, SessionDetailScreen
from screens.home import HomeScreen
from screens.plan_review import PlanReviewScreen
from screens.recovery import RecoveryScreen
from screens.red_flags import RedFlagsScreen
from screens.reflection import ReflectionScreen
from screens.runner import QuitConfirmScreen, RunnerScreen, StopConfirmScreen
from screens.save_failed import SaveFailedScreen
from screens.screening import AreasScreen, ScreeningScreen
from screens.screening_result import ClearanceScreen, StopScreen
from screens.settings import SettingsScreen
from screens.step_editor import StepEditor
from screens.tension import TensionList
from screens.therapies import TherapiesScreen
from screens.widgets.filter_chooser import FilterMenu
from tests.advice_history import routine_session, save, wait_until
from tests.test_plan_screen import answer
from tests.test_routine_flow import ROUTINE, _leave_checkpoint, saved_records, tick

Effect = Callable[[Pilot[Any]], Awaitable[None] | None]
"""Checks, after a key was pressed, that it did what its Footer label says (raises AssertionError if not)."""


def footer_keys(pilot: Pilot[Any]) -> dict[str, str]:
    """The keys the Footer shows now, each with its label: the screen's active bindings with ``show=True``."""
    return {key: b.binding.description for key, b in pilot.app.screen.active_bindings.items() if b.binding.show}


async def press_every_footer_key(
    pilot: Pilot[Any],
    arrive: Callable[[], Awaitable[None]],
    effects: dict[str, Effect],
    unshown: dict[str, Effect] | None = None,
) -> None:
    """On the screen ``arrive`` brings up: the Footer shows exactly the keys of ``effects``, whole at 80 and at 60
    columns; each is pressed there (``arrive`` first, every time) and its effect checked. The keys of ``unshown``
    (left out of the Footer for room, listed by Help) are pressed the same way."""
    await arrive()
    await footer_fits_every_width(pilot)
    shown = footer_keys(pilot)
    assert sorted(shown) == sorted(effects), f"{type(pilot.app.screen).__name__}'s Footer shows {shown}"
    assert not set(unshown or {}) & set(shown), f"{type(pilot.app.screen).__name__}'s Footer shows {shown}"
    for key, effect in [*effects.items(), *(unshown or {}).items()]:
        await arrive()
        assert footer_keys(pilot) == shown, f"{type(pilot.app.screen).__name__} changed before {key!r}"
        await pilot.press(key)
        await pilot.pause()
        checked = effect(pilot)
        if inspect.isawaitable(checked):
            await checked


def footer_cut(pilot: Pilot[Any]) -> list[str]:
    """What of the Footer is cut off now: each key or label that reaches past the screen's right edge or under the
    palette's key (docked at the right when the screen is wide), with its label."""
    footers = pilot.app.screen.query(Footer)
    if not footers:
        return []  # a dialog without keys of its own to show
    footer = footers.first()
    shown = [widget for widget in footer.query("FooterKey, FooterLabel") if widget.display]
    palette = [widget for widget in shown if widget.has_class("-command-palette")]
    edge = palette[0].region.x if palette else footer.region.right
    return [
        f"{getattr(widget, 'description', '') or widget.render()}: ends at {widget.region.right} > {edge}"
        for widget in shown
        if widget not in palette and widget.region.right > edge
    ]


async def footer_fits_every_width(pilot: Pilot[Any]) -> None:
    """The screen's Footer shows every key whole at 80 and at 60 columns (the terminal's size is then put back)."""
    size = pilot.app.size
    cut: dict[str, list[str]] = {}
    for width, height in ((80, 24), (60, 20)):
        await pilot.resize_terminal(width, height)
        await pilot.pause()
        if problems := footer_cut(pilot):
            cut[f"{width}x{height}"] = problems
    await pilot.resize_terminal(size.width, size.height)
    await pilot.pause()
    assert not cut, f"{type(pilot.app.screen).__name__}'s Footer is cut: {cut}"


async def settle(pilot: Pilot[Any], kind: type, tries: int = 400) -> Any:
    """The screen on top once it is of ``kind`` and mounted (a pause at a time)."""
    for _ in range(tries):
        screen = pilot.app.screen
        if isinstance(screen, kind) and screen.is_mounted:
            await pilot.pause()
            return screen
        await pilot.pause(0.02)
    raise AssertionError(f"expected {kind.__name__}, got {type(pilot.app.screen).__name__}")


def opens(kind: type) -> Effect:
    """The key opened (or went back to) a screen of ``kind``."""

    async def check(pilot: Pilot[Any]) -> None:
        await settle(pilot, kind)

    return check


def focuses(widget_id: str) -> Effect:
    def check(pilot: Pilot[Any]) -> None:
        focused = pilot.app.focused
        assert focused is not None and focused.id == widget_id, f"focus on {focused!r}, not #{widget_id}"

    return check


APP_KEYS: dict[str, Effect] = {
    "question_mark": opens(HelpScreen),
    "t": opens(TherapiesScreen),
    "h": opens(HistoryScreen),
    "comma": opens(SettingsScreen),
}
"""The app's own keys, shown wherever a screen does not turn them off."""


def app_keys_but(*left_out: str) -> dict[str, Effect]:
    return {key: effect for key, effect in APP_KEYS.items() if key not in left_out}


async def down_to(pilot: Pilot[Any], kind: type) -> Any:
    """Close what is over the first screen of ``kind`` on the stack (there must be one)."""
    app = pilot.app
    assert any(isinstance(screen, kind) for screen in app.screen_stack), f"no {kind.__name__} on the stack"
    while not isinstance(app.screen, kind):
        app.pop_screen()
        await pilot.pause()
    return app.screen


async def bring_up(
    pilot: Pilot[Any], kind: type, open_it: Callable[[], Awaitable[None]], focus: str | None = None
) -> Any:
    """The screen of ``kind``: what is over it closed if it is on the stack, else opened with ``open_it``; then the
    focus on ``#focus``."""
    if any(isinstance(screen, kind) for screen in pilot.app.screen_stack):
        await down_to(pilot, kind)
    else:
        await open_it()
    screen = await settle(pilot, kind)
    if focus is not None:
        screen.query_one(f"#{focus}").focus()
        await pilot.pause()
    return screen


def from_home(pilot: Pilot[Any], key: str) -> Callable[[], Awaitable[None]]:
    """Opens a screen by pressing ``key`` on the home screen."""

    async def open_it() -> None:
        await down_to(pilot, HomeScreen)
        await pilot.press(key)

    return open_it


def flow_of(pilot: Pilot[Any], routine_id: str, *keys: str) -> Callable[[], Awaitable[None]]:
    """Opens the flow of ``routine_id`` afresh and presses ``keys``, each leading to the next screen (waited for)."""

    async def open_it() -> None:
        await fresh_start(pilot, routine_id)
        for key in keys:
            before = pilot.app.screen
            await pilot.press(key)
            await wait_until(
                pilot, lambda before=before: pilot.app.screen is not before and pilot.app.screen.is_mounted
            )
            await pilot.pause()

    return open_it


async def fresh_start(pilot: Pilot[Any], routine_id: str) -> None:
    """From the home screen, the flow for ``routine_id`` with no answer of today's kept (each start alike)."""
    app = pilot.app
    await down_to(pilot, HomeScreen)
    services = app.services
    app.flow.remember_answers(ScreeningAnswers.fresh(services.today()))  # as changing them in the app does
    app.flow.start(routine_id)
    await settle(pilot, ScreeningScreen)


def highlighted_routine(pilot: Pilot[Any]) -> str | None:
    screen = pilot.app.screen
    assert isinstance(screen, HomeScreen)
    routine = screen.highlighted_routine()
    return routine.id if routine else None


# -- home, its filters and the screens the app's keys open ---------------------------------------------------------


async def test_home_keys(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()

        async def home() -> None:
            screen = await down_to(pilot, HomeScreen)
            screen.query_one("#routines", OptionList).focus()
            await pilot.pause()

        def sorted_otherwise(pilot: Pilot[Any]) -> None:
            screen = pilot.app.screen
            assert isinstance(screen, HomeScreen) and screen.order != orders.pop(0)
            orders.append(screen.order)

        orders: list[str] = [app.screen.order]

        async def started(pilot: Pilot[Any]) -> None:
            screening = await settle(pilot, ScreeningScreen)
            assert screening.routine is not None and screening.routine.id == chosen

        await home()
        chosen = highlighted_routine(pilot)
        await press_every_footer_key(
            pilot, home, {"enter": started, "f": focuses("goal"), "o": sorted_otherwise, **APP_KEYS}
        )
        await home()
        await pilot.press("ctrl+p")  # the Footer's "^p palette"
        await settle(pilot, CommandPalette)


async def test_a_filters_keys_and_its_menu(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()

        async def on_filter() -> None:
            screen = await down_to(pilot, HomeScreen)
            screen.query_one("#goal").focus()
            await pilot.pause()

        def sorted_otherwise(pilot: Pilot[Any]) -> None:
            screen = pilot.app.screen
            assert isinstance(screen, HomeScreen) and screen.order != orders[-1]
            orders.append(screen.order)

        orders = [app.screen.order]
        menu_opens = opens(FilterMenu)
        await press_every_footer_key(
            pilot,
            on_filter,
            {
                "enter": menu_opens,
                "space": menu_opens,
                "down": menu_opens,
                "f": focuses("goal"),
                "o": sorted_otherwise,
                **APP_KEYS,
            },
        )

        async def in_menu() -> None:
            await on_filter()
            await pilot.press("enter")
            await settle(pilot, FilterMenu)

        await press_every_footer_key(pilot, in_menu, {"escape": opens(HomeScreen)})


async def test_guide_keys_from_the_list_and_from_the_search_box(make_app) -> None:
    """``c`` (Compare costs) works from the list; in the search box c is typed, so the Footer does not offer it."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()

        async def guide(focus: str) -> None:
            screen = await bring_up(pilot, TherapiesScreen, from_home(pilot, "t"))
            screen.query_one("#therapy-search", Input).value = ""
            screen.query_one(f"#{focus}").focus()
            await pilot.pause()

        async def on_list() -> None:
            await guide("therapies")

        async def in_search() -> None:
            await guide("therapy-search")

        await press_every_footer_key(
            pilot,
            on_list,
            {
                "escape": opens(HomeScreen),
                "slash": focuses("therapy-search"),
                "c": opens(CompareScreen),
                **app_keys_but("t"),
            },
        )
        await press_every_footer_key(
            pilot, in_search, {"escape": opens(HomeScreen), "slash": focuses("therapy-search")}
        )
        await in_search()
        await pilot.press("c")  # typed: a search, not a key
        await pilot.pause()
        assert isinstance(app.screen, TherapiesScreen)
        assert app.screen.query_one("#therapy-search", Input).value == "c"


async def test_compare_settings_help_red_flags_and_advice_keys(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()

        def over_home(action: str, kind: type) -> Callable[[], Awaitable[None]]:
            async def arrive() -> None:
                if not isinstance(app.screen, kind):
                    await down_to(pilot, HomeScreen)
                    await app.run_action(action)
                await settle(pilot, kind)

            return arrive

        await press_every_footer_key(
            pilot, over_home("app.compare", CompareScreen), {"escape": opens(HomeScreen)}
        )  # every field there is a price box, where letters are typed: only Escape is offered
        await press_every_footer_key(
            pilot, over_home("app.settings", SettingsScreen), {"escape": opens(HomeScreen), **app_keys_but("comma")}
        )
        closes = opens(HomeScreen)
        await press_every_footer_key(
            pilot, over_home("app.help", HelpScreen), {"escape": closes, "q": closes, "question_mark": closes}
        )
        await press_every_footer_key(pilot, over_home("app.red_flags", RedFlagsScreen), {"escape": closes, "q": closes})
        await wait_until(pilot, lambda: app.guidance is not None)
        await press_every_footer_key(pilot, over_home("app.advice", AdviceScreen), {"escape": closes, "q": closes})


# -- history, its detail, statistics and the delete question -------------------------------------------------------


async def test_history_detail_statistics_and_delete_keys(make_app, services: Services, monkeypatch) -> None:
    import screens.history

    monkeypatch.setattr(screens.history, "PAGE", 10)  # rows are added a page at a time: m shows the next page
    save(services, [routine_session(services, ROUTINE, days, 5, 3) for days in range(1, 30)])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await wait_until(pilot, lambda: app.history_ready)

        async def history(view: str = "sessions") -> HistoryScreen:
            screen = await bring_up(pilot, HistoryScreen, from_home(pilot, "h"))
            screen.query_one(TabbedContent).active = view
            await pilot.pause()
            return screen

        async def sessions() -> None:
            screen = await history()
            screen.query_one("#sessions-table").focus()
            await pilot.pause()

        def view_is(view: str) -> Effect:
            def check(pilot: Pilot[Any]) -> None:
                assert pilot.app.screen.query_one(TabbedContent).active == view

            return check

        async def delete_asks(pilot: Pilot[Any]) -> None:
            await settle(pilot, ConfirmScreen)

        shown_before = 0

        async def more_shown(pilot: Pilot[Any]) -> None:
            screen = pilot.app.screen
            assert isinstance(screen, HistoryScreen) and screen.shown > shown_before

        await sessions()
        assert isinstance(app.screen, HistoryScreen)
        shown_before = app.screen.shown
        await press_every_footer_key(
            pilot,
            sessions,
            {
                "escape": opens(HomeScreen),
                "s": view_is("statistics"),
                "delete": delete_asks,
                "m": more_shown,
                "question_mark": opens(HelpScreen),
            },
            unshown=app_keys_but("h", "question_mark"),
        )

        async def statistics() -> None:
            await history("statistics")

        await statistics()
        assert footer_keys(pilot)["s"] == "Sessions"  # labelled by where it leads
        await sessions()
        assert footer_keys(pilot)["s"] == "Stats"

        await press_every_footer_key(
            pilot,
            statistics,
            {"escape": opens(HomeScreen), "s": view_is("sessions"), "question_mark": opens(HelpScreen)},
            unshown=app_keys_but("h", "question_mark"),
        )

        async def detail() -> None:
            if not isinstance(app.screen, SessionDetailScreen):
                await sessions()
                await pilot.press("enter")
            await settle(pilot, SessionDetailScreen)

        back = opens(HistoryScreen)
        await press_every_footer_key(pilot, detail, {"escape": back, "enter": back, "q": back})

        counted: list[int] = []

        async def asked() -> None:
            if not isinstance(app.screen, ConfirmScreen):
                await sessions()
                await pilot.press("delete")
            await settle(pilot, ConfirmScreen)
            counted[:] = [len(saved_records(services))]

        async def kept(pilot: Pilot[Any]) -> None:
            await settle(pilot, HistoryScreen)
            assert len(saved_records(services)) == counted[0]

        async def deleted(pilot: Pilot[Any]) -> None:
            await settle(pilot, HistoryScreen)
            await wait_until(pilot, lambda: len(saved_records(services)) == counted[0] - 1)

        await press_every_footer_key(pilot, asked, {"y": deleted, "n": kept, "escape": kept})

        # After a deletion the Footer offers u (Undo): it brings the session back.
        async def after_delete() -> None:
            await sessions()
            if "u" not in footer_keys(pilot):  # a fresh history screen (after Escape): delete one here
                await pilot.press("delete")
                await settle(pilot, ConfirmScreen)
                await pilot.press("y")
                await settle(pilot, HistoryScreen)
                await wait_until(pilot, lambda: bool(app.screen.undo_stack))
                await sessions()
            counted[:] = [len(saved_records(services))]

        async def undone(pilot: Pilot[Any]) -> None:
            await wait_until(pilot, lambda: len(saved_records(services)) == counted[0] + 1)

        await after_delete()
        effects = {
            "escape": opens(HomeScreen),
            "s": view_is("statistics"),
            "delete": delete_asks,
            "u": undone,
            "m": more_shown,
            "question_mark": opens(HelpScreen),
        }
        await press_every_footer_key(pilot, after_delete, effects, unshown=app_keys_but("h", "question_mark"))


# -- a routine's flow: screening, its dialogs, the plan, the run and the reflection ----------------------------------


async def test_screening_and_its_outcomes_keys(make_app, services: Services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()

        def screening_of(routine_id: str) -> Callable[[], Awaitable[None]]:
            async def arrive() -> None:
                await bring_up(pilot, ScreeningScreen, flow_of(pilot, routine_id), focus="continue")

            return arrive

        async def answers_focused(pilot: Pilot[Any]) -> None:
            focuses("answers")(pilot)

        await press_every_footer_key(
            pilot,
            screening_of(ROUTINE),
            {
                "escape": opens(HomeScreen),
                "c": opens(PlanReviewScreen),
                "a": answers_focused,
                "r": opens(RedFlagsScreen),
                "question_mark": opens(HelpScreen),
            },
        )

        # Which areas a bruise is in: the picker.
        async def picker() -> None:
            if not isinstance(app.screen, AreasScreen):
                await fresh_start(pilot, "calf-recovery")
                await answer(pilot, services, "calf-recovery", "bruise-or-strain")
            await settle(pilot, AreasScreen)

        async def left_unanswered(pilot: Pilot[Any]) -> None:
            # Cancel leaves the question unanswered (finding 124): no area is left out for it.
            screening = await settle(pilot, ScreeningScreen)
            assert "bruise-or-strain" not in screening.ticked and "bruise-or-strain" not in screening.areas

        async def refused_until_one_is_ticked(pilot: Pilot[Any]) -> None:
            assert isinstance(pilot.app.screen, AreasScreen)  # nothing ticked yet: "leave them out" needs one
            await pilot.press("space", "ctrl+s")
            screening = await settle(pilot, ScreeningScreen)
            assert screening.areas["bruise-or-strain"] == {"calves"}
            await down_to(pilot, HomeScreen)

        async def picker_fresh() -> None:
            await picker()
            picker_screen = app.screen
            assert isinstance(picker_screen, AreasScreen)
            picker_screen.query_one("#areas").focus()
            await pilot.pause()

        await press_every_footer_key(
            pilot, picker_fresh, {"escape": left_unanswered, "ctrl+s": refused_until_one_is_ticked}
        )
        await down_to(pilot, HomeScreen)

        # A stop: "check with a doctor first".
        async def stopped() -> None:
            if not isinstance(app.screen, StopScreen):
                await fresh_start(pilot, ROUTINE)
                await answer(pilot, services, ROUTINE, "fever")
            await settle(pilot, StopScreen)

        await press_every_footer_key(pilot, stopped, {"escape": opens(ScreeningScreen), **APP_KEYS})

        # A question a doctor must clear first.
        async def clearance() -> None:
            if not isinstance(app.screen, ClearanceScreen):
                await fresh_start(pilot, ROUTINE)
                await answer(pilot, services, ROUTINE, "pregnancy")
            await settle(pilot, ClearanceScreen)

        await press_every_footer_key(
            pilot, clearance, {"escape": opens(ScreeningScreen), "y": opens(PlanReviewScreen), **APP_KEYS}
        )


async def test_plan_keys_with_and_without_routines_offered_instead(make_app, services: Services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()

        async def plan(focus: str = "tension") -> None:
            await bring_up(pilot, PlanReviewScreen, flow_of(pilot, ROUTINE, "enter"), focus)

        async def on_plan_text() -> None:
            await plan("plan")

        await press_every_footer_key(
            pilot, on_plan_text, {"escape": opens(ScreeningScreen), "question_mark": opens(HelpScreen)}
        )

        async def started(pilot: Pilot[Any]) -> None:
            await settle(pilot, RunnerScreen)
            await tick(pilot, services, 3)
            await pilot.press("s", "y")  # stopped, and its reflection closed: the next key gets a fresh plan
            await settle(pilot, ReflectionScreen)
            await pilot.press("escape")
            await settle(pilot, HomeScreen)

        await plan()
        assert footer_keys(pilot)["0"] == "Rate" and footer_keys(pilot)["enter"] == "Start"
        await press_every_footer_key(
            pilot,
            plan,
            {
                "escape": opens(ScreeningScreen),
                "0": rates_every_digit("tension"),
                "enter": started,
                "question_mark": opens(HelpScreen),
            },
        )

        # A plan the answers emptied: 1 goes through the screening for the first routine offered instead.
        async def emptied() -> None:
            if not isinstance(app.screen, PlanReviewScreen):
                await fresh_start(pilot, "calf-recovery")
                await answer(pilot, services, "calf-recovery", "bruise-or-strain")
                areas = await settle(pilot, AreasScreen)
                listed = areas.query_one("#areas", OptionList)
                listed.focus()
                await pilot.pause()
                for _ in range(listed.option_count):  # every area the routine works ticked: nothing is left
                    await pilot.press("space", "down")
                await pilot.press("ctrl+s")
                await settle(pilot, ScreeningScreen)
                await pilot.press("c")
            screen = await settle(pilot, PlanReviewScreen)
            assert screen.plan.is_empty and screen.others
            offered.clear()
            offered.append(screen.others[0].routine.id)
            screen.focus_next()
            await pilot.pause()

        offered: list[str] = []

        async def other(pilot: Pilot[Any]) -> None:
            screening = await settle(pilot, ScreeningScreen)
            assert screening.routine is not None and screening.routine.id == offered[0]
            assert "bruise-or-strain" in screening.ticked  # today's answer, given a moment ago, still ticked
            await down_to(pilot, HomeScreen)

        await emptied()
        effects: dict[str, Effect] = {"escape": opens(ScreeningScreen), "1": other, "question_mark": opens(HelpScreen)}
        await press_every_footer_key(pilot, emptied, effects)


async def test_runner_stop_and_quit_questions_and_reflection_keys(make_app, services: Services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()

        async def runner() -> None:
            await bring_up(pilot, RunnerScreen, flow_of(pilot, ROUTINE, "enter", "enter"))
            await tick(pilot, services, 5)

        def run_of(pilot: Pilot[Any]) -> Any:
            screen = pilot.app.screen
            assert isinstance(screen, RunnerScreen)
            return screen.run

        await runner()
        state: dict[str, Any] = {}

        async def remember() -> None:
            await runner()
            if run_of(pilot).snapshot().paused:  # left paused by the stop question closed over it: Space resumes
                await pilot.press("space")
                await pilot.pause()
            snap = run_of(pilot).snapshot()
            state.update(paused=snap.paused, index=snap.index, planned=snap.step_seconds)

        async def paused_then_resumed(pilot: Pilot[Any]) -> None:
            # Space paused the run, and the Footer says it resumes it now; pressed again, it does (and says Pause).
            assert not state["paused"] and run_of(pilot).snapshot().paused
            assert footer_keys(pilot)["space"] == "Resume"
            await footer_fits_every_width(pilot)
            await pilot.press("space")
            await pilot.pause()
            assert not run_of(pilot).snapshot().paused
            assert footer_keys(pilot)["space"] == "Pause"

        async def next_step(pilot: Pilot[Any]) -> None:
            assert run_of(pilot).snapshot().index == state["index"] + 1

        async def step_back(pilot: Pilot[Any]) -> None:
            assert run_of(pilot).snapshot().index == max(0, state["index"] - 1)

        async def extended_or_refused(pilot: Pilot[Any]) -> None:
            snap = run_of(pilot).snapshot()
            said = str(pilot.app.screen.query_one("#cue-line", Static).render())
            assert (snap.step_seconds > state["planned"] and said.startswith("Added ")) or "limit" in said.lower()

        await press_every_footer_key(
            pilot,
            remember,
            {
                "space": paused_then_resumed,
                "n": next_step,
                "b": step_back,
                "plus": extended_or_refused,
                "s": opens(StopConfirmScreen),
                "question_mark": opens(HelpScreen),
            },
        )

        async def stop_question() -> None:
            if not isinstance(app.screen, StopConfirmScreen):
                await runner()
                await pilot.press("s")
            await settle(pilot, StopConfirmScreen)

        async def keeps_going(pilot: Pilot[Any]) -> None:
            await settle(pilot, RunnerScreen)
            assert not run_of(pilot).snapshot().paused or state["paused"]

        await press_every_footer_key(
            pilot,
            stop_question,
            {"y": opens(ReflectionScreen), "n": keeps_going, "escape": keeps_going},
        )
        await wait_until(pilot, lambda: len(saved_records(services)) == 1)
        assert saved_records(services)[0].status is SessionStatus.STOPPED

        async def quit_question() -> None:
            if not isinstance(app.screen, QuitConfirmScreen):
                await runner()
                await pilot.press("ctrl+q")
            await settle(pilot, QuitConfirmScreen)

        await quit_question()
        assert sorted(footer_keys(pilot)) == ["escape", "n", "y"]
        for key in ("n", "escape"):
            await quit_question()
            await pilot.press(key)
            await settle(pilot, RunnerScreen)

        # The reflection of the run stopped above: Escape saves and closes; a digit rates, in the rating list.
        async def reflection(focus: str | None = None) -> None:
            if not isinstance(app.screen, ReflectionScreen):
                await runner()
                await pilot.press("s", "y")
            screen = await settle(pilot, ReflectionScreen)
            if focus:
                screen.query_one(f"#{focus}").focus()
            await pilot.pause()

        async def saved_and_closed(pilot: Pilot[Any]) -> None:
            await settle(pilot, HomeScreen)

        async def on_note() -> None:
            await reflection("note")

        await press_every_footer_key(pilot, on_note, {"escape": saved_and_closed})  # letters are typed there

        async def on_rating() -> None:
            await reflection("tension-after")

        async def rated_and_saved(pilot: Pilot[Any]) -> None:
            await rates_every_digit("tension-after")(pilot)
            await pilot.press("escape")
            await settle(pilot, HomeScreen)
            await wait_until(pilot, lambda: any(r.tension_after == 9 for r in saved_records(services)))

        await press_every_footer_key(
            pilot,
            on_rating,
            {"escape": saved_and_closed, "0": rated_and_saved, "question_mark": opens(HelpScreen)},
        )
    assert app.return_code is None


def rates_every_digit(list_id: str) -> Effect:
    """The Footer's "0-9 Rate": 0 was pressed; it and every other digit highlight their rating in the list."""

    async def check(pilot: Pilot[Any]) -> None:
        ratings = pilot.app.screen.query_one(f"#{list_id}", TensionList)
        assert ratings.value == 0
        for digit in range(1, 10):
            await pilot.press(str(digit))
            assert ratings.value == digit

    return check


# -- at start: an unfinished run; a session that cannot be saved ---------------------------------------------------


async def test_recovery_keys(make_app, services: Services) -> None:
    for key, effect in (("r", SessionStatus.INTERRUPTED), ("d", None), ("escape", "later")):
        _leave_checkpoint(services, 30)
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await settle(pilot, RecoveryScreen)
            assert sorted(footer_keys(pilot)) == ["d", "escape", "r"]
            await pilot.press(key)
            await settle(pilot, HomeScreen)
            assert not isinstance(screen, type(app.screen))
        records = saved_records(services)
        if effect is SessionStatus.INTERRUPTED:
            assert [r.status for r in records] == [SessionStatus.INTERRUPTED]
        else:
            assert len(records) == 1  # discarded, or left for later: nothing new recorded
        if effect == "later":
            from companion.run.checkpoint import load_checkpoint

            assert load_checkpoint(services.paths)[0] is not None


async def test_save_failed_keys(make_app, services: Services, monkeypatch) -> None:
    store = services.store
    real_append = store.append
    failing = [True]

    def append(record: Any) -> None:
        if failing[0]:
            raise SaveError("Could not save to your history: disk full.", record)
        real_append(record)

    monkeypatch.setattr(store, "append", append)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()

        async def failed() -> None:
            if not isinstance(app.screen, SaveFailedScreen):
                await down_to(pilot, HomeScreen)
                failing[0] = True
                app.flow.start(ROUTINE)
                await settle(pilot, ScreeningScreen)
                await pilot.press("enter")
                await settle(pilot, PlanReviewScreen)
                await pilot.press("enter")
                await settle(pilot, RunnerScreen)
                await tick(pilot, services, 5)
                await pilot.press("s", "y")
            screen = await settle(pilot, SaveFailedScreen)
            screen.query_one("#retry").focus()
            await pilot.pause()

        async def retried(pilot: Pilot[Any]) -> None:
            assert isinstance(pilot.app.screen, SaveFailedScreen)  # still failing: still offered
            failing[0] = False
            await pilot.press("r")
            await wait_until(pilot, lambda: not isinstance(pilot.app.screen, SaveFailedScreen))
            assert len(saved_records(services)) == 1

        async def left_for_later(pilot: Pilot[Any]) -> None:
            await wait_until(pilot, lambda: not isinstance(pilot.app.screen, SaveFailedScreen))

        await press_every_footer_key(
            pilot, failed, {"r": retried, "e": focuses("export-path"), "escape": left_for_later}
        )


# -- the builder, its step editor and the discard question ---------------------------------------------------------


async def test_builder_step_editor_and_discard_keys(make_app, services: Services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()

        async def builder(focus: str = "title") -> BuilderScreen:
            screen: BuilderScreen = await bring_up(pilot, BuilderScreen, from_home(pilot, "n"), focus)
            return screen

        async def on_title() -> None:
            screen = await builder()
            screen.query_one("#title", Input).value = ""
            await pilot.pause()

        async def not_saved_with_problems(pilot: Pilot[Any]) -> None:
            assert isinstance(pilot.app.screen, BuilderScreen)
            assert any("Not saved" in str(n.message) for n in pilot.app._notifications)

        await press_every_footer_key(pilot, on_title, {"ctrl+s": not_saved_with_problems, "escape": opens(HomeScreen)})

        # The steps list: add (the step editor), remove, move up and down.
        def step_titles() -> list[str]:
            screen = app.screen
            assert isinstance(screen, BuilderScreen)
            return [step.title for step in screen.steps]

        async def editor() -> None:
            if not isinstance(app.screen, StepEditor):
                await builder("steps")
                await pilot.press("a")
            await settle(pilot, StepEditor)

        async def refused_while_empty(pilot: Pilot[Any]) -> None:
            assert isinstance(pilot.app.screen, StepEditor)  # an empty step is not kept: the fields say why
            assert any("fields marked with !" in str(n.message) for n in pilot.app._notifications)

        await press_every_footer_key(pilot, editor, {"escape": opens(BuilderScreen), "ctrl+s": refused_while_empty})
        await down_to(pilot, BuilderScreen)
        screen = app.screen
        assert isinstance(screen, BuilderScreen)
        routine = services.catalog.routine(ROUTINE)
        assert routine is not None
        screen.steps = list(routine.steps[:3])
        screen._show_steps(highlight=1)
        titles = step_titles()

        async def on_steps() -> None:
            if isinstance(app.screen, ConfirmScreen | StepEditor):
                await down_to(pilot, BuilderScreen)
            screen = await builder("steps")
            screen.steps = [next(s for s in routine.steps if s.title == t) for t in titles]
            screen._show_steps(highlight=1)
            await pilot.pause()

        def moved(offset: int) -> Effect:
            def check(pilot: Pilot[Any]) -> None:
                expected = list(titles)
                expected[1], expected[1 + offset] = expected[1 + offset], expected[1]
                assert step_titles() == expected

            return check

        def removed(pilot: Pilot[Any]) -> None:
            assert step_titles() == [titles[0], titles[2]]

        await press_every_footer_key(
            pilot,
            on_steps,
            {
                "a": opens(StepEditor),
                "x": removed,
                "delete": removed,
                "u": moved(-1),
                "shift+up": moved(-1),
                "m": moved(1),
                "shift+down": moved(1),
                "ctrl+s": not_saved_with_problems,
                "escape": opens(ConfirmScreen),
                "question_mark": opens(HelpScreen),
            },
            unshown=app_keys_but("question_mark"),
        )

        async def discard_question() -> None:
            if not isinstance(app.screen, ConfirmScreen):
                await on_steps()
                await pilot.press("escape")
            await settle(pilot, ConfirmScreen)

        await press_every_footer_key(
            pilot,
            discard_question,
            {"y": opens(HomeScreen), "n": opens(BuilderScreen), "escape": opens(BuilderScreen)},
        )
