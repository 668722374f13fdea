"""Snapshot tests of the key screens at 80x24 (``pytest --snapshot-update`` after an intended change)."""

from __future__ import annotations


def test_home_screen(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24))


def test_home_screen_narrow(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(60, 20))


def test_home_area_filter_open_narrow(snap_compare, make_app) -> None:
    """The longest filter list, open under its filter at the smallest size we promise."""
    assert snap_compare(make_app(), press=["f", "tab", "enter", "s"], terminal_size=(60, 20))


def test_therapy_explanation(snap_compare, make_app) -> None:
    """The guide narrowed to "sciatica", showing deep tissue massage (focus on the list: no blinking cursor)."""
    assert snap_compare(make_app(), press=["t", *"sciatica", "enter"], terminal_size=(80, 24))


def test_screening_screen(snap_compare, make_app) -> None:
    """The screening before a routine, the safe "None of these apply" focused."""
    assert snap_compare(make_app(start_routine="neck-shoulders-desk"), terminal_size=(80, 24))


def test_runner_paused(snap_compare, make_app, services) -> None:
    """The runner paused 12 s into the first step, the fake clock standing still."""

    async def run_before(pilot) -> None:
        await pilot.press("enter", "enter")
        await pilot.pause()
        services.clock.advance(12)
        pilot.app.screen.refresh_run()
        await pilot.press("space")
        await pilot.pause()

    assert snap_compare(make_app(start_routine="neck-shoulders-desk"), run_before=run_before, terminal_size=(80, 24))


def _history_snapshot(snap_compare, make_app, services, keys: tuple[str, ...]) -> bool:
    """The history screen over fixed sessions, with local time as UTC and the fake clock's today."""
    from companion.history.store import HistoryStore
    from screens.history import HistoryScreen
    from tests.history_screen_data import sample_sessions, save_sessions, utc_local_time

    save_sessions(HistoryStore(services.paths), sample_sessions())
    app = make_app()

    async def open_history(pilot) -> None:
        for _ in range(100):
            if app.history_ready:
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
        return snap_compare(app, terminal_size=(80, 24), run_before=open_history)
    finally:
        next(local, None)


def test_history_screen(snap_compare, make_app, services) -> None:
    assert _history_snapshot(snap_compare, make_app, services, ())


def test_history_statistics(snap_compare, make_app, services) -> None:
    assert _history_snapshot(snap_compare, make_app, services, ("s",))
