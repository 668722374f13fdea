"""Snapshot tests of every screen at 80x24 and 60x20, and the light theme (``pytest --snapshot-update`` after an
intended change; look at the report first)."""

from __future__ import annotations

import pytest
from textual.widgets import Input

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((60, 20), id="60x20")]
ROUTINE = "neck-shoulders-desk"


async def _guidance_shown(pilot) -> None:
    """Wait until the app has worked out today's advice (in a worker) and the screens show it."""
    for _ in range(100):
        if pilot.app.guidance is not None:
            break
        await pilot.pause(0.05)
    await pilot.pause()


async def _until_screen(pilot, name: str) -> None:
    """Wait until the screen on top is the one named (a worker or a message may bring it); fail if it never is."""
    for _ in range(100):
        if type(pilot.app.screen).__name__ == name:
            await pilot.pause()
            return
        await pilot.pause(0.05)
    raise AssertionError(f"expected {name}, got {type(pilot.app.screen).__name__}")


@pytest.mark.parametrize("size", SIZES)
def test_home_screen(snap_compare, make_app, size) -> None:
    assert snap_compare(make_app(), run_before=_guidance_shown, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_home_screen_with_advice(snap_compare, make_app, services, size) -> None:
    """Six days of "Ease a tight lower back" rated 7 before and after: see a doctor, first thing on the home screen."""
    from tests.advice_history import tight_lower_back

    tight_lower_back(services)
    assert snap_compare(make_app(), run_before=_guidance_shown, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_home_screen_light_theme(snap_compare, make_app, size) -> None:
    """The calm light theme, the list by title."""

    async def run_before(pilot) -> None:
        await _guidance_shown(pilot)
        pilot.app.theme = "companion-light"
        await pilot.press("o", "o")  # by title
        await pilot.pause()

    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)


def test_home_area_filter_open_narrow(snap_compare, make_app) -> None:
    """The longest filter list, open under its filter at the smallest size we promise."""

    async def run_before(pilot) -> None:
        await _guidance_shown(pilot)
        await pilot.press("f", "tab", "enter", "s")

    assert snap_compare(make_app(), run_before=run_before, terminal_size=(60, 20))


@pytest.mark.parametrize("size", SIZES)
def test_therapy_explanation(snap_compare, make_app, size) -> None:
    """The guide narrowed to "sciatica": its red flag first, see a doctor, with its source (finding 127), then the
    therapies (focus on the list: no blinking cursor)."""
    assert snap_compare(make_app(), press=["t", *"sciatica", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_screening_screen(snap_compare, make_app, size) -> None:
    """The screening before a routine, the safe "None of these apply" focused."""
    assert snap_compare(make_app(start_routine=ROUTINE), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_plan_review(snap_compare, make_app, size) -> None:
    """Today's plan beside (or above) the tension rating, "Skip rating" focused."""
    assert snap_compare(make_app(start_routine=ROUTINE), press=["enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_runner_paused(snap_compare, make_app, services, size) -> None:
    """The runner paused 12 s into the first step, the fake clock standing still."""

    async def run_before(pilot) -> None:
        await pilot.press("enter")  # none of the screening questions apply
        await pilot.pause()
        await pilot.press("enter")  # skip the rating: the runner starts
        await pilot.pause()
        services.clock.advance(12)
        pilot.app.screen.refresh_run()
        await pilot.press("space")
        await pilot.pause()

    assert snap_compare(make_app(start_routine=ROUTINE), run_before=run_before, terminal_size=size)


def _to_reflection(services):
    """Through the screening and the rating to the end of the whole routine (the fake clock an hour on)."""

    async def run_before(pilot) -> None:
        await pilot.press("enter")  # none of the screening questions apply
        await pilot.pause()
        await pilot.press("enter")  # skip the rating: the runner starts
        await pilot.pause()
        services.clock.advance(60 * 60)
        pilot.app.screen.refresh_run()
        for _ in range(100):  # the reflection, once the session is saved ("Saving your session…" no longer)
            screen = pilot.app.screen
            if type(screen).__name__ == "ReflectionScreen" and not screen.saving and screen.focused is not None:
                break
            await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()  # the save's answer and the focus settled before the picture
        await pilot.pause(0.1)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_reflection(snap_compare, make_app, services, size) -> None:
    """After the whole routine: what was done, the matching therapy and the rating (no step toast left over)."""
    assert snap_compare(make_app(start_routine=ROUTINE), run_before=_to_reflection(services), terminal_size=size)


async def _builder_with_a_goal(pilot) -> None:
    """A new routine with a title typed and a goal ticked ([x]); the focus on the goals."""
    await pilot.press("n")
    await pilot.pause()
    await pilot.press(*"Evening neck")
    pilot.app.screen.query_one("#goals").focus()
    await pilot.press("space")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_builder(snap_compare, make_app, size) -> None:
    """A new routine with a title typed and a goal ticked ([x]); the focus on the goals."""
    assert snap_compare(make_app(), run_before=_builder_with_a_goal, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_settings(snap_compare, make_app, size) -> None:
    """The settings form, scrolled to the tools you own with one ticked ([x]) and the others not ([ ])."""

    async def run_before(pilot) -> None:
        await pilot.press("comma")
        await pilot.pause()
        tools = pilot.app.screen.query_one("#owned-tools")
        tools.focus()
        await pilot.press("space")
        tools.scroll_visible(animate=False)
        await pilot.pause()

    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)


def _history_snapshot(snap_compare, make_app, services, keys: tuple[str, ...], size: tuple[int, int]) -> bool:
    """The history screen over fixed sessions, with local time as UTC and the fake clock's today."""
    from companion.history.store import HistoryStore
    from screens.history import HistoryScreen
    from tests.history_screen_data import sample_sessions, save_sessions, utc_local_time

    save_sessions(HistoryStore(services.paths), sample_sessions())
    app = make_app()

    async def open_history(pilot) -> None:
        for _ in range(100):
            if app.history_ready and app.guidance is not None:
                break
            await pilot.pause(0.05)
        await pilot.press("h")
        for _ in range(100):
            if isinstance(app.screen, HistoryScreen) and app.screen.fresh:
                break
            await pilot.pause(0.05)
        await pilot.press(*keys)
        await pilot.pause()

    local = utc_local_time()
    next(local)
    try:
        return snap_compare(app, terminal_size=size, run_before=open_history)
    finally:
        next(local, None)


@pytest.mark.parametrize("size", SIZES)
def test_history_screen(snap_compare, make_app, services, size) -> None:
    assert _history_snapshot(snap_compare, make_app, services, (), size)


@pytest.mark.parametrize("size", SIZES)
def test_history_statistics(snap_compare, make_app, services, size) -> None:
    assert _history_snapshot(snap_compare, make_app, services, ("s",), size)


def test_history_statistics_at_100x30(snap_compare, make_app, services) -> None:
    """The daily chart in a column of its own beside the figures, from the top."""
    assert _history_snapshot(snap_compare, make_app, services, ("s",), (100, 30))


@pytest.mark.parametrize("size", SIZES)
def test_settings_stricter_limits(snap_compare, make_app, size) -> None:
    """The stricter limits' table (a step, a session, a day), 1:30 typed for a session by hand, its box focused;
    the content's limits in brackets in the others."""

    async def run_before(pilot) -> None:
        await pilot.press("comma")
        await pilot.pause()
        box = pilot.app.screen.query_one("#session-hands", Input)
        box.cursor_blink = False  # the cursor drawn steadily: the same image every time
        box.focus()
        await pilot.press(*"1:30", "enter")
        pilot.app.screen.query_one("#settings-form").scroll_to_widget(
            pilot.app.screen.query_one(".row.heading"), animate=False, top=True
        )
        await pilot.pause()

    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, make_app, size) -> None:
    """Help from home: Companion's keys by screen, the red flags further down (focus on its body: a heavy frame)."""
    assert snap_compare(make_app(), press=["question_mark"], run_before=_guidance_shown, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_red_flags_list(snap_compare, make_app, size) -> None:
    """The red flags, opened with r from the screening: each "! flag" with its advice hanging under it."""
    assert snap_compare(make_app(start_routine=ROUTINE), press=["r"], terminal_size=size)


async def _answered(pilot, question_id: str) -> None:
    """On the screening: to the questions (a), down to ``question_id``, tick it, go on (c)."""
    from companion.safety.screening import questions_for

    services = pilot.app.services
    routine = services.catalog.routine(ROUTINE)
    order = [question.id for question in questions_for(routine, services.catalog)]
    await pilot.press("a", *(["down"] * order.index(question_id)), "space", "c")


@pytest.mark.parametrize("size", SIZES)
def test_clearance(snap_compare, make_app, size) -> None:
    """ "Check with a doctor first" after "pregnant": why, "Go back" focused, the way on only with a clearance."""

    async def run_before(pilot) -> None:
        await _answered(pilot, "pregnancy")
        await _until_screen(pilot, "ClearanceScreen")

    assert snap_compare(make_app(start_routine=ROUTINE), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_advice_modal(snap_compare, make_app, services, size) -> None:
    """`a` on home after six days of "Ease a tight lower back" rated 7 before and after: each advice and why."""
    from tests.advice_history import tight_lower_back

    tight_lower_back(services)

    async def run_before(pilot) -> None:
        await _guidance_shown(pilot)
        await pilot.press("a")
        await pilot.pause()

    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_compare_costs(snap_compare, make_app, services, size) -> None:
    """The guide's `c` (Costs) with local prices set: a device against sessions, and the points to weigh."""
    services.settings = services.settings.updated(
        prices={"currency": "EUR", "device_price": 89.0, "session_price": 60.0}
    )

    async def run_before(pilot) -> None:
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("tab", "c")  # to the list (the search box would take the c), then the costs
        await _until_screen(pilot, "CompareScreen")
        for box in pilot.app.screen.query(Input):  # the focused price's cursor drawn steadily: the same image
            box.cursor_blink = False
        await pilot.pause()

    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_step_editor(snap_compare, make_app, size) -> None:
    """The builder's step editor (ctrl+n), its first choice focused (a bar beside it)."""

    async def run_before(pilot) -> None:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("ctrl+n")
        await _until_screen(pilot, "StepEditor")

    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)


LIGHT = "companion-light"


@pytest.mark.parametrize("size", SIZES)
def test_plan_review_light_theme(snap_compare, make_app, services, size) -> None:
    services.settings = services.settings.updated(theme=LIGHT)
    assert snap_compare(make_app(start_routine=ROUTINE), press=["enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_reflection_light_theme(snap_compare, make_app, services, size) -> None:
    services.settings = services.settings.updated(theme=LIGHT)
    assert snap_compare(make_app(start_routine=ROUTINE), run_before=_to_reflection(services), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_builder_light_theme(snap_compare, make_app, services, size) -> None:
    services.settings = services.settings.updated(theme=LIGHT)
    assert snap_compare(make_app(), run_before=_builder_with_a_goal, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_settings_light_theme(snap_compare, make_app, services, size) -> None:
    """The light theme's settings, the theme chooser focused (a bar beside it), the switches below it."""
    services.settings = services.settings.updated(theme=LIGHT)
    assert snap_compare(make_app(), press=["comma"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_history_statistics_light_theme(snap_compare, make_app, services, size) -> None:
    services.settings = services.settings.updated(theme=LIGHT)
    assert _history_snapshot(snap_compare, make_app, services, ("s",), size)
