"""The first widget a screen focuses is the one a first key should reach, never another one for a moment.

Textual's auto-focus gives a new screen's first focusable widget the focus before ``on_mount`` moves it on: a key
pressed in between (a quick Enter, a tmux test's) pressed "Delete" before "Keep", or the screening's list before its
button. Every focus a screen is given is recorded here, in order.
"""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text
from textual.screen import Screen

from screens.confirm import ConfirmScreen
from screens.plan_review import PlanReviewScreen
from screens.runner import RunnerScreen, StopConfirmScreen
from screens.screening import ScreeningScreen
from screens.screening_result import ClearanceScreen, StopScreen
from tests.test_plan_screen import answer, settle
from tests.test_routine_flow import ROUTINE


@pytest.fixture
def focused(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str | None]]:
    """Every focus given, as (screen, widget id), in order."""
    given: list[tuple[str, str | None]] = []
    set_focus = Screen.set_focus

    def recorded(self: Screen[Any], widget: Any, *args: Any, **kwargs: Any) -> None:
        given.append((type(self).__name__, getattr(widget, "id", None)))
        set_focus(self, widget, *args, **kwargs)

    monkeypatch.setattr(Screen, "set_focus", recorded)
    return given


def firsts(given: list[tuple[str, str | None]]) -> dict[str, str | None]:
    """The first widget each screen focused."""
    first: dict[str, str | None] = {}
    for screen, widget in given:
        first.setdefault(screen, widget)
    return first


async def test_the_safe_answer_and_the_primary_button_have_the_focus_from_the_first(
    make_app, services, focused: list[tuple[str, str | None]]
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(ConfirmScreen(Text("Delete this routine?"), "Delete", "Keep"))
        await settle(pilot, ConfirmScreen)
        await pilot.pause()
        assert firsts(focused)["ConfirmScreen"] == "no"  # never "yes", even for a moment
        await pilot.press("escape")

        app.flow.start(ROUTINE)
        await settle(pilot, ScreeningScreen)
        await pilot.pause()
        assert firsts(focused)["ScreeningScreen"] == "continue"  # not the questions first
        await pilot.press("enter")
        await settle(pilot, PlanReviewScreen)
        await pilot.pause()
        assert firsts(focused)["PlanReviewScreen"] == "tension"  # not the plan's text first
        await pilot.press("enter")
        await settle(pilot, RunnerScreen)
        await pilot.press("s")
        await settle(pilot, StopConfirmScreen)
        await pilot.pause()
        assert firsts(focused)["StopConfirmScreen"] == "no"
        await pilot.press("escape")
        await pilot.pause()

    for question, kind, first in (("pregnancy", ClearanceScreen, "no"), ("fever", StopScreen, "home")):
        focused.clear()
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.flow.start(ROUTINE)
            await answer(pilot, services, ROUTINE, question)
            await settle(pilot, kind)
            await pilot.pause()
            assert firsts(focused)[kind.__name__] == first, focused
