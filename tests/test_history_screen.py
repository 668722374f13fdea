"""The history screen driven with the keyboard, over real history files in the isolated XDG folders."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from textual.widgets import DataTable, Input, Select, Static, TabbedContent

from companion.history.queries import local_date, statistics
from companion.history.store import HistoryStore
from companion.run.done import read_exposure
from companion.safety.exposure import Bout
from companion.safety.ledger import ledger_path, note_time
from screens.confirm import ConfirmScreen
from screens.history import PAGE, HistoryScreen, SessionDetailScreen
from screens.history_text import tension_change
from tests.history_screen_data import (
    CALF,
    MARKUP_NOTE,
    MINE,
    NECK,
    sample_sessions,
    save_sessions,
    utc_local_time,
)
from tests.history_support import make_record, write_history

SIZES = [(80, 24), (60, 20)]


@pytest.fixture(autouse=True)
def utc() -> Iterator[None]:
    yield from utc_local_time()


@pytest.fixture
def saved(services):
    """The sample sessions saved through the app's own store (real files in the isolated data folder)."""
    records = sample_sessions()
    save_sessions(HistoryStore(services.paths), records)
    return records


async def wait_until(pilot, condition, rounds: int = 200) -> None:
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met")


async def open_history(pilot, app) -> HistoryScreen:
    await wait_until(pilot, lambda: app.history_ready)
    await pilot.press("h")
    await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.fresh)
    await pilot.pause()
    assert isinstance(app.screen, HistoryScreen)
    return app.screen


def table(screen: HistoryScreen) -> DataTable:
    return screen.query_one("#sessions-table", DataTable)


def marks(screen: HistoryScreen) -> list[str]:
    """The two cells before each session's date: the cursor's mark (``▸``, or ``›`` when the table has not the
    focus), blank on the other rows."""
    data = table(screen)
    return [str(data.get_row_at(i)[0])[:2] for i in range(data.row_count)]


def plain_rows(screen: HistoryScreen) -> list[list[str]]:
    """Each row's cells as words: the date after the cursor's mark, on one line (a narrow table puts the time under
    the day)."""
    data = table(screen)
    rows = [[str(cell) for cell in data.get_row_at(i)] for i in range(data.row_count)]
    return [[" ".join(part.strip() for part in row[0][2:].split("\n")), *row[1:]] for row in rows]


def notifications(app) -> str:
    return " ".join(str(n.message) for n in app._notifications)


@pytest.mark.parametrize("size", SIZES)
async def test_table_lists_sessions_newest_first_with_every_column(make_app, saved, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_history(pilot, app)
        data = table(screen)
        assert [str(column.label) for column in data.columns.values()] == [
            "Date",
            "Routine",
            "Time",
            "Status",
            "Tension",
        ]
        rows = plain_rows(screen)
        year = "" if size[0] < 76 else "2026-"  # a narrow table leaves out the year: the titles get its cells
        assert len(rows) == len(saved)
        assert rows[0] == [f"{year}11-02 07:00", "Legs after a run", "2:15", "completed", "6 → 3"]
        assert rows[1] == [f"{year}11-01 19:00", NECK[1], "1:30", "stopped", "7 → 5"]
        assert rows[2][4] == "5 → –"
        assert rows[4] == [f"{year}10-27 21:00", MINE[1], "0:40", "interrupted", "–"]  # markup title kept literally
        newest_first = sorted(saved, key=lambda r: r.started_at, reverse=True)
        assert [row[4] for row in rows] == [tension_change(r) for r in newest_first]
        assert data.has_focus and data.region.height >= 5
        status = str(screen.query_one("#sessions-status", Static).render())
        assert "8 sessions, newest first" in status
        assert marks(screen) == ["▸ "] + ["  "] * (len(saved) - 1)  # the cursor's row, marked in characters
        await pilot.press("down", "down")
        await pilot.pause()
        assert marks(screen)[:4] == ["  ", "  ", "▸ ", "  "]
        screen.query_one("#since").focus()
        await pilot.pause()
        assert marks(screen)[:4] == ["  ", "  ", "› ", "  "]  # the focus elsewhere: the row chosen stays marked


@pytest.mark.parametrize("size", SIZES)
async def test_detail_shows_every_step_and_notes_as_plain_text(make_app, saved, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await open_history(pilot, app)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SessionDetailScreen)
        detail = app.screen.detail.plain
        assert NECK[1] in detail
        assert "Stopped · 1:30 done of 2:00 planned" in detail
        assert "before 7/10, after 5/10" in detail
        assert "1:00 of 1:00  Shoulders · Hands" in detail
        assert "0:30 of 1:00  Neck · Hands  (cut short)" in detail
        assert MARKUP_NOTE in detail  # literally, brackets and all
        rendered = str(app.screen.query_one("#detail-text", Static).render())
        assert MARKUP_NOTE in rendered
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)


def time_counted(services) -> dict[tuple[str, str], int]:
    """Each (tool, area)'s seconds in the last 24 hours as a plan made now reads them from disk."""
    return read_exposure(services.paths, services.clock.now(), timedelta(minutes=15)).day


async def test_delete_confirm_then_undo_puts_the_file_back(make_app, services, saved) -> None:
    app = make_app()
    before = services.paths.history.read_bytes()
    counted = time_counted(services)
    assert counted[("massage-gun", "calves")] == 90  # the session deleted below, ended 07:02:45 today
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot, app)
        assert app.sub_title == "Today 2 min · streak 1 day"
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Legs after a run" in app.screen.question.plain
        await pilot.press("y")
        await wait_until(pilot, lambda: table(screen).row_count == len(saved) - 1)
        assert plain_rows(screen)[0][0] == "2026-11-01 19:00"
        on_disk = HistoryStore(services.paths).load().records
        assert len(on_disk) == len(saved) - 1 and saved[0].id not in {r.id for r in on_disk}
        assert "Press u to undo" in notifications(app)
        assert "Its time still counts towards the limits until Tue 03 Nov 07:02." in notifications(app)
        assert time_counted(services) == counted  # out of the history, not out of the limits
        await wait_until(pilot, lambda: app.sub_title == "Today 0 min · streak 0 days")  # HistoryChanged posted

        await pilot.press("u")
        await wait_until(pilot, lambda: table(screen).row_count == len(saved))
        await wait_until(pilot, lambda: not screen.writing)
        assert services.paths.history.read_bytes() == before
        assert plain_rows(screen)[0][0].endswith("11-02 07:00")
        assert table(screen).cursor_row == 0
        assert not screen.undo_stack
        await wait_until(pilot, lambda: app.sub_title == "Today 2 min · streak 1 day")
        assert time_counted(services) == counted  # back in the history, counted once


async def test_delete_cancelled_changes_nothing(make_app, services, saved) -> None:
    app = make_app()
    before = services.paths.history.read_bytes()
    async with app.run_test(size=(60, 20)) as pilot:
        screen = await open_history(pilot, app)
        await pilot.press("down", "delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen
        assert table(screen).row_count == len(saved)
        assert services.paths.history.read_bytes() == before
        assert not screen.undo_stack


async def test_undo_ends_when_the_screen_is_left(make_app, services, saved) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot, app)
        await pilot.press("delete", "y")
        await wait_until(pilot, lambda: table(screen).row_count == len(saved) - 1 and not screen.writing)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HistoryScreen)
        again = await open_history(pilot, app)
        assert again is not screen and not again.undo_stack
        await pilot.press("u")
        await pilot.pause()
        assert len(HistoryStore(services.paths).load().records) == len(saved) - 1


async def test_filters_by_routine_area_and_dates(make_app, saved) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot, app)
        routine = screen.query_one("#routine-filter", Select)
        area = screen.query_one("#area-filter", Select)
        routine.value = NECK[0]
        await pilot.pause()
        assert [row[1] for row in plain_rows(screen)] == [NECK[1]] * 3
        assert "3 of 8 sessions match" in str(screen.query_one("#sessions-status", Static).render())
        routine.clear()
        area.value = "calves"
        await pilot.pause()
        assert [row[0][:10] for row in plain_rows(screen)] == ["2026-11-02", "2026-10-31", "2026-10-13"]
        area.value = "hamstrings"
        await pilot.pause()
        assert [row[0][:10] for row in plain_rows(screen)] == ["2026-10-24"]
        area.clear()

        since = screen.query_one("#since", Input)
        since.focus()
        await pilot.press(*"2026-10-30")
        await pilot.pause()
        assert [row[0][:10] for row in plain_rows(screen)] == ["2026-11-02", "2026-11-01", "2026-10-31", "2026-10-30"]
        screen.query_one("#until", Input).value = "2026-10-31"
        await pilot.pause()
        assert [row[0][:10] for row in plain_rows(screen)] == ["2026-10-31", "2026-10-30"]
        routine.value = CALF[0]
        await pilot.pause()
        assert [row[1] for row in plain_rows(screen)] == [CALF[1]]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("yesterday", "Since: 'yesterday' is not a date: type it as YYYY-MM-DD"),
        ("2026-13-01", "Since: 2026-13-01 is not a day of the calendar"),
        ("2026/10/01", "type it as YYYY-MM-DD"),
    ],
)
async def test_a_bad_date_says_what_to_type_and_is_not_applied(make_app, saved, typed, message) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        screen = await open_history(pilot, app)
        screen.query_one("#since", Input).focus()
        await pilot.press(*typed)
        await pilot.pause()
        shown = screen.query_one("#filter-message", Static)
        assert shown.display and message in str(shown.render())
        assert table(screen).row_count == len(saved)
        screen.query_one("#since", Input).value = "2026-11-01"
        await pilot.pause()
        assert not shown.display
        assert table(screen).row_count == 2


async def test_since_after_until_is_explained(make_app, saved) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot, app)
        screen.query_one("#since", Input).value = "2026-11-01"
        screen.query_one("#until", Input).value = "2026-10-01"
        await pilot.pause()
        assert "is after until" in str(screen.query_one("#filter-message", Static).render())
        assert table(screen).row_count == 0
        assert "No session of 8 matches" in str(screen.query_one("#sessions-status", Static).render())


@pytest.mark.parametrize("size", SIZES)
async def test_statistics_match_the_history_queries(make_app, services, saved, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_history(pilot, app)
        await wait_until(pilot, lambda: app.guidance is not None)
        await pilot.press("s")
        await pilot.pause()
        assert screen.query_one(TabbedContent).active == "statistics"
        chart = str(screen.query_one("#stats-chart", Static).render())
        text = str(screen.query_one("#stats-text", Static).content) + "\n" + chart
        today = local_date(services.clock.now())
        stats = statistics(HistoryStore(services.paths).load().records, today)
        # Yesterday's session was stopped: it gives no streak credit.
        assert (stats.current_streak, stats.longest_streak) == (1, 2)
        assert "current 1 day · longest 2 days" in text
        assert f"today {round(stats.today_seconds / 60)} min" in text
        assert f"this week {round(stats.week_seconds / 60)} min" in text
        assert f"last 30 days {round(stats.last_30_days_seconds / 60)} min" in text
        assert "last 30 days 14 min" in text
        lines = text.splitlines()
        calves = next(line for line in lines if line.strip().startswith("Calves ") and "min" in line)
        assert calves.split()[1:] == [
            str(round(stats.area_seconds_7_days["calves"] / 60)),
            "min",
            str(round(stats.area_seconds_30_days["calves"] / 60)),
            "min",
        ]
        # What has helped (the advice stage's figures, see test_relief.py): three rated sessions are not enough.
        assert "What has helped you" in text
        assert "Neck and shoulders after desk work: not enough data yet (3 of 5 rated sessions)" in text
        # the daily chart: 30 days, each with its date and its minutes in numbers
        assert chart.startswith("Daily minutes, last 30 days")
        assert sum(1 for line in lines if line.strip()[:3] in {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}) == 30
        assert any("Mon 02 Nov" in line and line.rstrip().endswith("2 min") and "█" in line for line in lines)
        assert any("Sun 01 Nov" in line for line in lines)
        await pilot.press("s")
        await pilot.pause()
        assert screen.query_one(TabbedContent).active == "sessions" and table(screen).has_focus


@pytest.mark.parametrize(("size", "beside"), [((100, 30), True), ((80, 24), False), ((60, 20), False)])
async def test_the_chart_stands_beside_the_figures_from_100_columns_under_them_below(make_app, saved, size, beside):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_history(pilot, app)
        await pilot.press("s")
        await pilot.pause()
        figures = screen.query_one("#stats-text", Static).region
        chart = screen.query_one("#stats-chart", Static)
        assert str(chart.render()).startswith("Daily minutes, last 30 days")
        if beside:  # at the top, above the fold, and every line whole (dates, bars and minutes)
            assert chart.region.y == figures.y and chart.region.x >= figures.right
            assert chart.region.right <= screen.query_one("#stats-scroll").scrollable_content_region.right
            assert chart.region.width >= max(len(line) for line in str(chart.render()).splitlines())
        else:
            assert chart.region.y > figures.bottom - 1 and chart.region.x == figures.x


async def shown_statistics(make_app) -> tuple[HistoryScreen, list[str]]:
    """Open the app, then history, then statistics (``s``): the screen and its statistics' lines."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot, app)
        await pilot.press("s")
        await pilot.pause()
        text = str(screen.query_one("#stats-text", Static).content)
    return screen, [" ".join(line.split()) for line in text.splitlines()]


async def test_exposure_is_the_rolling_24_hours_per_area_as_the_plan_counts_it(make_app, saved) -> None:
    """Yesterday evening's neck session (14 hours ago) still counts; the rows are the plan's own day caps."""
    screen, lines = await shown_statistics(make_app)
    at = lines.index("The last 24 hours against the daily limits")
    assert lines[at + 1 : at + 9] == [
        "Calves",
        "Massage gun 1:30 of 4:00, 2:30 left",
        "Front of the thighs",
        "Massage gun 0:45 of 4:00, 3:15 left",
        "Shoulders",
        "Hands 1:00 of 8:00, 7:00 left",
        "Neck",
        "Hands 0:30 of 8:00, 7:30 left",
    ]
    assert screen.allowances is not None
    assert [a.area for a in screen.allowances] == ["calves", "quads", "shoulders", "neck"]


async def test_a_discarded_run_still_counts_and_an_unreadable_ledger_is_named(make_app, services) -> None:
    """Time only the exposure ledger holds (a run discarded at recovery) is shown; a damaged ledger is said."""
    now = services.clock.now()
    bout = Bout(uuid.uuid4(), now - timedelta(minutes=30), now - timedelta(minutes=28),
                {("massage-gun", "forearms"): 22, ("hands", "forearms"): 9})  # fmt: skip
    note_time(services.paths, bout, now)
    _screen, lines = await shown_statistics(make_app)
    at = lines.index("Forearms, all tools: 0:31 of 8:00")
    assert lines[at + 1] == "Hands 0:09 of 8:00, 7:29 left"  # 8:00 over every tool, 0:31 of it done
    assert lines[at + 2] == "Massage gun 0:22 of 4:00, 3:38 left"
    ledger_path(services.paths).write_text("{not json", encoding="utf-8")
    _screen, lines = await shown_statistics(make_app)
    text = " ".join(lines)
    assert "is damaged and could not be read. Nothing of it can be read, so until" in text
    assert "(24 hours after the file was last written). The time below may leave some out." in text
    assert "nothing massaged in the last 24 hours" in text


async def test_a_newer_history_is_shown_but_deleting_is_refused(make_app, services) -> None:
    lines = [b'{"format": "companion-history", "schema_version": 2}\n']
    for number in range(3):
        data = json.loads(make_record(number).model_dump_json())
        data["schema_version"] = 2
        lines.append(json.dumps(data).encode() + b"\n")
    path = write_history(services.paths, b"".join(lines))
    before = path.read_bytes()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot, app)
        assert table(screen).row_count == 3 and screen.read_only
        assert "read-only" in str(screen.query_one("#sessions-status", Static).render())
        await pilot.press("delete")
        await wait_until(pilot, lambda: "this version only reads it and changes nothing" in notifications(app))
        assert not isinstance(app.screen, ConfirmScreen)
        assert table(screen).row_count == 3 and not screen.undo_stack
    assert path.read_bytes() == before


async def test_sessions_saved_by_another_window_appear_when_opened(make_app, services, saved) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.history_ready)
        assert app.sub_title == "Today 2 min · streak 1 day"
        start = saved[0].started_at.replace(hour=8)
        other = saved[0].model_copy(
            update={
                "id": make_record(60).id,
                "started_at": start,
                "ended_at": start + (saved[0].ended_at - saved[0].started_at),
            }
        )
        HistoryStore(services.paths).append(other)  # another window, after this app read the history
        screen = await open_history(pilot, app)
        assert table(screen).row_count == len(saved) + 1
        assert plain_rows(screen)[0][0] == "2026-11-02 08:00"
        await wait_until(pilot, lambda: app.sub_title == "Today 4 min · streak 1 day")  # 4.5 rounds to 4
        await pilot.press("escape")
        HistoryStore(services.paths).append(make_record(50))
        screen = await open_history(pilot, app)
        assert table(screen).row_count == len(saved) + 2


async def test_an_empty_history_says_so(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        screen = await open_history(pilot, app)
        assert table(screen).row_count == 0
        assert "No sessions yet" in str(screen.query_one("#sessions-status", Static).render())
        await pilot.press("delete", "enter")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("s")
        await pilot.pause()
        text = str(screen.query_one("#stats-text", Static).content)
        assert "current 0 days" in text and "nothing massaged in the last 24 hours" in text


async def test_a_long_history_is_shown_a_page_at_a_time(make_app, services) -> None:
    HistoryStore(services.paths).import_records(make_record(n) for n in range(PAGE + 120))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot, app)
        assert table(screen).row_count == PAGE
        assert "m shows 120 more" in str(screen.query_one("#sessions-status", Static).render())
        await pilot.press("m")
        await pilot.pause()
        assert table(screen).row_count == PAGE + 120
        dates = [row[0] for row in plain_rows(screen)]
        assert dates == sorted(dates, reverse=True)


async def test_history_is_in_the_command_palette(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        assert "History" in commands
        commands["History"].callback()
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.fresh)


async def test_a_session_no_run_could_give_is_named_at_start_and_listed(make_app, services) -> None:
    """Finding 75: the app says so once the history is read, and History lists the session to look at."""
    from companion.history.records import StepDone

    gun = make_record(2, steps=(StepDone(area="neck", tool="massage-gun", planned_seconds=60, actual_seconds=60),))
    HistoryStore(services.paths).import_records([make_record(1), gun])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: "no run could have given" in notifications(app))
        assert "Massage gun on Neck" in notifications(app)
        screen = await open_history(pilot, app)
        assert table(screen).row_count == 2
