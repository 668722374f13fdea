"""Snapshot tests of every screen at 80x24 and 60x20, and the light theme (``pytest --snapshot-update`` after an
intended change; look at the report first)."""

from __future__ import annotations

import pytest

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((60, 20), id="60x20")]
ROUTINE = "neck-shoulders-desk"


async def _guidance_shown(pilot) -> None:
    """Wait until the app has worked out today's advice (in a worker) and the screens show it."""
    for _ in range(100):
        if pilot.app.guidance is not None:
            break
        await pilot.pause(0.05)
    await pilot.pause()


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
    """The guide narrowed to "sciatica", showing deep tissue massage (focus on the list: no blinking cursor)."""
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


@pytest.mark.parametrize("size", SIZES)
def test_reflection(snap_compare, make_app, services, size) -> None:
    """After the whole routine: what was done, the matching therapy and the rating (no step toast left over)."""

    async def run_before(pilot) -> None:
        await pilot.press("enter")  # none of the screening questions apply
        await pilot.pause()
        await pilot.press("enter")  # skip the rating: the runner starts
        await pilot.pause()
        services.clock.advance(60 * 60)
        pilot.app.screen.refresh_run()
        for _ in range(40):
            if type(pilot.app.screen).__name__ == "ReflectionScreen":
                break
            await pilot.pause(0.05)
        await pilot.pause()

    assert snap_compare(make_app(start_routine=ROUTINE), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_builder(snap_compare, make_app, size) -> None:
    """A new routine with a title typed and a goal ticked ([x]); the focus on the goals."""

    async def run_before(pilot) -> None:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Evening neck")
        pilot.app.screen.query_one("#goals").focus()
        await pilot.press("space")
        await pilot.pause()

    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)


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
