"""State in characters, not colour alone: ticks as [x]/[ ], the breathing cue On/Off, focus marked on buttons and
text boxes, and text boxes that keep their text when Tab brings the focus to them."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input

from screens.builder import BuilderScreen
from screens.settings import SettingsScreen
from screens.step_editor import StepEditor
from screens.widgets.focus_marks import FOCUS_MARKS
from screens.widgets.tick_list import TickList
from tests.palette import run_command

SIZES = [(80, 24), (60, 20)]


async def wait_for(pilot, kind: type) -> None:
    for _ in range(60):
        if isinstance(pilot.app.screen, kind):
            return
        await pilot.pause(0.05)
    raise AssertionError(f"expected {kind.__name__}, got {type(pilot.app.screen).__name__}")


def rows(tick_list: TickList) -> list[str]:
    return [str(tick_list.get_option_at_index(i).prompt) for i in range(tick_list.option_count)]


@pytest.mark.parametrize("size", SIZES)
async def test_owned_tools_are_ticked_in_text(make_app, services, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("comma")
        await wait_for(pilot, SettingsScreen)
        tools = app.screen.query_one("#owned-tools", TickList)
        assert all(row.startswith("[ ] ") for row in rows(tools))
        tools.focus()
        await pilot.press("down", "space")  # the second tool
        await pilot.pause()
        second = services.catalog.vocabulary.tools[1]
        assert rows(tools)[1] == f"[x] {second.name}"
        assert [row[:4] for row in rows(tools)].count("[x] ") == 1
        assert services.settings.owned_tools == (second.id,)
        await pilot.press("enter")  # Enter unticks it again
        await pilot.pause()
        assert rows(tools)[1] == f"[ ] {second.name}" and services.settings.owned_tools == ()


async def test_builder_goals_and_the_breathing_cue_say_their_state(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await wait_for(pilot, BuilderScreen)
        goals = app.screen.query_one("#goals", TickList)
        goals.focus()
        await pilot.press("space")
        await pilot.pause()
        first = services.catalog.vocabulary.goals[0]
        assert rows(goals)[0] == f"[x] {first.name}" and goals.selected == [first.id]
        assert app.screen.draft()["goals"] == [first.id]
        therapies = app.screen.query_one("#therapies", TickList)
        assert all(row.startswith("[ ] ") for row in rows(therapies))

        await pilot.press("ctrl+n")
        await wait_for(pilot, StepEditor)
        cue = app.screen.query_one("#breathing", Checkbox)
        assert str(cue.label) == "Breathing cue: Off"
        cue.focus()
        await pilot.press("space")
        await pilot.pause()
        assert cue.value and str(cue.label) == "Breathing cue: On"


async def test_tab_into_a_box_keeps_its_text_and_marks_the_focus(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("comma")
        await wait_for(pilot, SettingsScreen)
        screen = app.screen
        currency = screen.query_one("#currency", Input)
        currency.value = "EUR"
        screen.query_one("#device-price", Input).focus()
        await pilot.pause()
        await pilot.press("shift+tab")  # back into the currency box, as a person would
        await pilot.pause()
        assert currency.has_focus and currency.selection.is_empty
        await pilot.press("end", "O")
        await pilot.pause()
        assert currency.value == "EURO"
        # The focused one-line box has a bar beside it; a box without the focus has none.
        assert currency.styles.border_left[0] == "outer"
        assert screen.query_one("#device-price", Input).styles.border_left[0] != "outer"


async def test_a_focused_button_reads_with_marks(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await wait_for(pilot, BuilderScreen)
        back = app.screen.query_one("#back", Button)
        save = app.screen.query_one("#save", Button)
        back.focus()
        await pilot.pause()
        before, after = FOCUS_MARKS
        assert str(back.render()) == f"{before}Back{after}"
        assert before not in str(save.render()) and str(save.render()).strip() == "Save"


def drawn(widget: Widget) -> str:
    """The characters ``widget`` draws (its frame included), without any colour."""
    width, height = widget.outer_size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, width, height)))


async def reach(pilot, services, keys: tuple[str, ...]) -> None:
    """Press ``keys`` (a routine's screening answers by question id after "answer:"; a command run from the palette
    after "palette:"; "finish" runs to the end)."""
    for key in keys:
        if key.startswith("palette:"):
            await run_command(pilot, key.removeprefix("palette:"))
        elif key.startswith("answer:"):
            from tests.test_plan_screen import answer

            await answer(pilot, services, ROUTINE, key.removeprefix("answer:"))
        elif key == "finish":
            services.clock.advance(60 * 60)
            pilot.app.screen.refresh_run()
        elif key == "sessions":
            from companion.history.store import HistoryStore
            from tests.history_screen_data import sample_sessions, save_sessions

            save_sessions(HistoryStore(services.paths), sample_sessions())
        else:
            await pilot.press(key)
        await pilot.pause(0.1)
    await pilot.pause()


ROUTINE = "neck-shoulders-desk"
EVERY_SCREEN = {
    "HomeScreen": (False, ()),
    "FilterMenu": (False, ("f", "enter")),
    "SettingsScreen": (False, ("comma",)),
    "BuilderScreen": (False, ("n",)),
    "StepEditor": (False, ("n", "ctrl+n")),
    "TherapiesScreen": (False, ("t",)),
    "CompareScreen": (False, ("palette:compare self",)),
    "HelpScreen": (False, ("question_mark",)),
    "AdviceScreen": (False, ("a",)),
    "HistoryScreen": (False, ("sessions", "h")),
    "SessionDetailScreen": (False, ("sessions", "h", "enter")),
    "ScreeningScreen": (True, ()),
    "RedFlagsScreen": (True, ("r",)),
    "AreasScreen": (True, ("answer:bruise-or-strain",)),
    "ClearanceScreen": (True, ("answer:pregnancy",)),
    "StopScreen": (True, ("answer:fever",)),
    "PlanReviewScreen": (True, ("enter",)),
    "StopConfirmScreen": (True, ("enter", "enter", "s")),
    "ReflectionScreen": (True, ("enter", "enter", "finish")),
}


@pytest.mark.parametrize("screen_name", list(EVERY_SCREEN))
async def test_every_focusable_widget_marks_its_focus_in_characters(make_app, services, screen_name) -> None:
    """Each widget that can take the focus, on every screen, draws other characters when it has it (a heavy
    frame, a bar, "▸ ... ◂", a "▸" row): never a change of colour alone, which NO_COLOR or a light theme loses."""
    starts, keys = EVERY_SCREEN[screen_name]
    app = make_app(start_routine=ROUTINE if starts else None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        if keys and keys[0] == "sessions":
            for _ in range(100):  # the history read before the sessions are added (as a later start would see)
                if app.history_ready:
                    break
                await pilot.pause(0.05)
        await reach(pilot, services, keys)
        screen = app.screen
        assert type(screen).__name__ == screen_name
        focusable = [w for w in screen.query("*") if w.focusable and w.display and w.outer_size.area]
        assert focusable
        colour_only = []
        for widget in focusable:
            widget.focus()
            await pilot.pause()
            assert app.screen is screen and widget.has_focus
            focused = drawn(widget)
            screen.set_focus(None)
            await pilot.pause()
            if drawn(widget) == focused:
                colour_only.append(f"{type(widget).__name__}#{widget.id}")
        assert not colour_only, f"focus shown by colour alone on {screen_name}: {colour_only}"
