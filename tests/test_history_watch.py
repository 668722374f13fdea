"""An open app follows the history on disk: what another window, plain mode or an import records, imports or
deletes shows on the home screen (advice, suggestion, today's summary) and in History, without a restart."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from companion.history.store import HistoryStore
from screens.history import HistoryScreen
from screens.plan_review import PlanReviewScreen
from screens.screening import ScreeningScreen
from tests.advice_history import routine_session, wait_until

LONG = 400
"""Rounds of 0.02 s or more: the app looks at the file every second, and a loaded machine is slow."""


def another_window(services) -> HistoryStore:
    """The history as another program sees it: its own store over the same files."""
    return HistoryStore(services.paths)


def test_only_someone_elses_change_counts_as_a_change(services) -> None:
    store, other = services.store, another_window(services)
    assert not store.changed_on_disk()  # not loaded yet: nothing to compare with
    store.load()
    assert not store.changed_on_disk()
    store.append(routine_session(services, "lower-back-ease", 2, 7, 7))  # the first save creates the file
    assert not store.changed_on_disk()
    other.append(routine_session(services, "lower-back-ease", 1, 7, 7))
    assert store.changed_on_disk()
    store.load()
    assert not store.changed_on_disk()
    store.delete([store.records[0].id])  # a rewrite of its own: read under the lock, then written
    assert not store.changed_on_disk()
    other.delete([r.id for r in other.intact_records()])
    assert store.changed_on_disk()
    store.load()
    services.paths.history.unlink()
    assert store.changed_on_disk()


def test_an_append_after_someone_elses_change_still_counts_it(services) -> None:
    """Saving one's own session does not hide a session saved elsewhere just before (the store did not read it)."""
    store = services.store
    store.load()
    another_window(services).append(routine_session(services, "lower-back-ease", 2, 7, 7))
    store.append(routine_session(services, "lower-back-ease", 1, 7, 7))
    assert store.changed_on_disk()


async def test_home_advice_follows_sessions_saved_and_deleted_by_another_program(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.screen.query_one("#advice", Static)
        await wait_until(pilot, lambda: str(panel.content).startswith("Try a routine. No sessions yet"))
        assert app.sub_title.startswith("Today 0 min")
        other = another_window(services)
        for days in range(6, 0, -1):  # the six days of "Ease a tight lower back", 7 before and after
            other.append(routine_session(services, "lower-back-ease", days, 7, 7))
        await wait_until(pilot, lambda: str(panel.content).startswith("! See a doctor: lower back"), LONG)
        assert len(services.store.records) == 6
        other.delete([record.id for record in other.intact_records()])
        await wait_until(pilot, lambda: str(panel.content).startswith("Try a routine. No sessions yet"), LONG)
        assert services.store.records == []


async def test_open_history_shows_a_session_another_program_saved(make_app, services) -> None:
    first = routine_session(services, "lower-back-ease", 2, 6, 4)
    services.store.append(first)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.history_ready)
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.fresh)
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        rows = screen.query_one("#sessions-table", DataTable)
        stats = screen.query_one("#stats-text", Static)
        assert rows.row_count == 1
        await pilot.press("s")  # the statistics open while the session comes in
        await wait_until(pilot, lambda: "Lower back" in str(stats.content))
        assert "Calves" not in str(stats.content)
        another_window(services).append(routine_session(services, "calf-recovery", 0, 5, 3))
        # The time done (read again in a worker) and the advice (worked out again by the app) both follow.
        await wait_until(pilot, lambda: "Calves, all tools: 4:00 of 8:00" in str(stats.content), LONG)
        await wait_until(pilot, lambda: "Calf recovery with a foam roller: not enough data" in str(stats.content))
        await pilot.press("s")
        assert rows.row_count == 2
        assert "Calf recovery" in str(rows.get_row_at(0)[1])  # newest first
        assert app.sub_title.startswith("Today 5 min")


async def test_the_plan_warns_from_the_history_on_disk_when_it_is_made(make_app, services, monkeypatch) -> None:
    """Another window saved six days of the same routine after this app read the history, and this app has not
    looked again yet: the plan made now still warns, from the file as it is."""
    import screens.app

    monkeypatch.setattr(screens.app, "HISTORY_LOOK_SECONDS", 3600)  # this app does not look again meanwhile
    app = make_app(start_routine="lower-back-ease")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.guidance is not None and isinstance(app.screen, ScreeningScreen))
        other = another_window(services)
        for days in range(6, 0, -1):
            other.append(routine_session(services, "lower-back-ease", days, 7, 7))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PlanReviewScreen))
        panel = app.screen.query_one("#plan-advice", Static)
        await wait_until(pilot, lambda: panel.display)
        assert "! See a doctor: lower back, glutes and hips." in str(panel.content)
        assert app.guidance is not None and not app.guidance.hold_areas  # what the app read before: no advice
        assert len(services.store.records) == 0
