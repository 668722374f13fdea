"""Snapshot tests of the key screens at 80x24 (``pytest --snapshot-update`` after an intended change)."""

from __future__ import annotations


def test_home_screen(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24))


def test_home_screen_narrow(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(60, 20))


def test_therapy_explanation(snap_compare, make_app) -> None:
    """The guide narrowed to "sciatica", showing deep tissue massage (focus on the list: no blinking cursor)."""
    assert snap_compare(make_app(), press=["t", *"sciatica", "enter"], terminal_size=(80, 24))


def _history_snapshot(snap_compare, make_app, services, keys: tuple[str, ...]) -> bool:
    """The history screen over fixed sessions, with local time as UTC and the fake clock's today."""
    from companion.storage import HistoryStore
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
            if isinstance(app.screen, HistoryScreen) and app.screen.loaded:
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
