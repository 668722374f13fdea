"""Every screen clear at 60x20, 80x24 and 100x30: what a person must read is on screen whole, not cut off or
covered, read back from the widgets' own lines (as the terminal draws them) with NO_COLOR=1."""

from __future__ import annotations

import re
from typing import Any

import pytest
from textual.widget import Widget

from screens.reflection import ReflectionScreen
from tests.test_advice_on_screens import to_reflection

SIZES = [(60, 20), (80, 24), (100, 30)]


def drawn(widget: Widget) -> list[str]:
    """The widget's lines as drawn in its region (its Line API), trailing blanks dropped."""
    return [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]


def seen(widget: Widget, frame: Widget) -> list[str]:
    """The lines of ``widget`` that show inside the scrolling ``frame`` around it, as it is scrolled now."""
    inside = frame.scrollable_content_region
    top = widget.region.y
    return [line for y, line in enumerate(drawn(widget)) if inside.y <= top + y < inside.bottom]


def on_screen(widget: Widget) -> bool:
    """The whole widget lies inside the screen (nothing of it below the bottom edge or beside it)."""
    screen = widget.screen
    return screen.region.contains_region(widget.region)


@pytest.mark.parametrize("size", SIZES)
async def test_the_neck_warning_and_the_sessions_outcome_are_read_whole_after_neck_work(
    make_app, services, size: tuple[int, int], monkeypatch: Any
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(start_routine="neck-shoulders-desk")
    async with app.run_test(size=size) as pilot:
        screen = await to_reflection(pilot, services, "6")
        assert isinstance(screen, ReflectionScreen)
        warning = screen.query_one("#neck-warning")
        assert on_screen(warning)
        words = " ".join(line.lstrip("█▌▐ ").strip() for line in drawn(warning))
        assert words.startswith("! After neck work, watch for this: A sudden headache")
        assert words.endswith("call emergency services: this can be a sign of a torn neck artery."), words
        panel = screen.query_one("#reflection")
        assert on_screen(panel) and not panel.region.overlaps(warning.region)
        summary = " ".join(seen(screen.query_one("#summary"), panel))
        assert "Routine completed: Neck and shoulders" in summary and "done of 7:15 planned" in summary, summary
        for widget_id in ("#tension-after", "#note", "#save"):
            assert on_screen(screen.query_one(widget_id)), widget_id


@pytest.mark.parametrize("size", SIZES)
async def test_the_runner_keeps_the_countdown_next_step_and_pacer_on_screen_under_a_long_instruction(
    make_app, size: tuple[int, int]
) -> None:
    from screens.runner import RunnerScreen
    from tests.test_routine_flow import to_runner

    app = make_app(start_routine="wrap-shoulders-desk")  # its first instruction: ten lines at 56 columns
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = await to_runner(pilot)
        assert isinstance(screen, RunnerScreen)
        await pilot.pause()
        for widget_id in ("#remaining", "#run-state", "#step-bar", "#overall-bar", "#next-step", "#pacer"):
            assert on_screen(screen.query_one(widget_id)), widget_id
        assert drawn(screen.query_one("#next-step"))[0].strip().startswith("Next: Wrap between the shoulder blades")
        assert drawn(screen.query_one("#pacer"))[0].strip().startswith("Breathe")
        instruction = screen.query_one("#instruction-scroll")
        assert on_screen(instruction)
        if instruction.max_scroll_y:  # cut to the room left: it scrolls with the keyboard to its last line
            instruction.focus()
            await pilot.press("end")
            await pilot.pause()
            assert instruction.scroll_y == instruction.max_scroll_y
            assert "tingling." in " ".join(seen(screen.query_one("#instruction"), instruction))


@pytest.mark.parametrize("size", SIZES)
async def test_the_home_filters_show_their_longest_choices_whole(make_app, size: tuple[int, int]) -> None:
    """A goal, an area and a tool chosen by the keyboard (a letter jumps to a choice), the longest of each: every
    filter says its choice in full (wrapping under its first word where it must), none cut or covered."""
    from screens.home import HomeScreen
    from screens.widgets.filter_chooser import FilterChooser, FilterMenu

    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        await pilot.press("f")
        for widget_id, letter in (("goal", "a"), ("area", "b"), ("tool", "n")):
            assert app.focused is not None and app.focused.id == widget_id
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, FilterMenu)
            await pilot.press(letter, "enter")
            await pilot.pause()
            await pilot.press("tab")
        await pilot.pause()
        expected = {"goal": "Goal: After a workout ▾", "area": "Area: Back of the thighs ▾"}
        expected["tool"] = "Tool: Neck and shoulder wrap ▾"
        below = screen.query_one("#advice") if screen.query_one("#advice").display else screen.query_one("#routines")
        for widget_id, words in expected.items():
            chooser = screen.query_one(f"#{widget_id}", FilterChooser)
            assert on_screen(chooser) and not chooser.region.overlaps(below.region), widget_id
            said = " ".join(line.strip() for line in drawn(chooser) if line.strip())
            assert said == words, (size, said)


@pytest.mark.parametrize("size", SIZES)
async def test_the_history_shows_each_title_whole_and_marks_the_cursor_in_characters(
    make_app, services, size: tuple[int, int], monkeypatch: Any
) -> None:
    """Read back from the table as drawn with NO_COLOR=1: each session's title in its column, wrapped over the
    row's lines but never cut; the cursor's row marked ``▸`` before its date, and only that row."""
    from textual.widgets import DataTable

    from screens.history import HistoryScreen
    from tests.history_screen_data import sample_sessions, save_sessions, utc_local_time

    monkeypatch.setenv("NO_COLOR", "1")
    save_sessions(services.store, sample_sessions())
    local = utc_local_time()
    next(local)
    try:
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await pilot.press("h")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, HistoryScreen)
            await pilot.press("down")
            await pilot.pause()
            data = screen.query_one("#sessions-table", DataTable)
            lines = drawn(data)
            start = lines[0].index("Routine")
            width = screen.title_width
            rows: list[list[str]] = []  # each row's lines, as drawn: a row starts where its date's day is
            for line in lines[1:]:
                if re.search(r"\d\d-\d\d", line[:start]) or not rows:
                    rows.append([])
                rows[-1].append(line)
            rows = [row for row in rows if row and row[0].strip(" ▌")]
            newest_first = sorted(sample_sessions(), key=lambda r: r.started_at, reverse=True)
            visible = rows[:-1]  # the last row on screen may go on below the table's edge
            assert len(visible) >= 3, lines
            for record, row in zip(newest_first, visible, strict=False):
                title = " ".join(line[start : start + width].strip() for line in row).split()
                assert title == record.routine_title.split(), (size, row)
            marked = [row[0].lstrip(" ▌")[:1] for row in visible]
            assert marked[1] == "▸" and marked.count("▸") == 1, (size, marked)
    finally:
        next(local, None)


@pytest.mark.parametrize("size", SIZES)
async def test_the_statistics_headings_stand_alone_and_figures_wrap_under_their_text(
    make_app, services, size: tuple[int, int], monkeypatch: Any
) -> None:
    """Read back as drawn with NO_COLOR=1: each heading on a line of its own at the margin, and every line of a
    figure, wrapped or not, indented under it (a wrapped line back at the margin read as a heading of its own, as
    "rated sessions)" did at 100x30 beside the chart)."""
    from screens.history import HistoryScreen
    from tests.history_screen_data import sample_sessions, save_sessions, utc_local_time

    monkeypatch.setenv("NO_COLOR", "1")
    save_sessions(services.store, sample_sessions())
    local = utc_local_time()
    next(local)
    try:
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await pilot.press("h")
            await pilot.pause()
            await pilot.press("s")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, HistoryScreen)
            figures = screen.query_one("#stats-text")
            lines = [line for line in drawn(figures) if line.strip()]
            headings = {"Streak", "Minutes", "Minutes per body area", "Routines", "Tools", "Body areas"}
            assert headings <= set(lines), lines
            at_margin = [line for line in lines if not line.startswith(" ")]
            explanation = " ".join(at_margin[at_margin.index("Body areas") + 1 :])
            assert explanation.startswith("An average needs at least 5 sessions"), at_margin
            figure_lines = [line for line in lines if "rated sessions" in line or "of 5" in line or "min ·" in line]
            assert figure_lines and all(line.startswith("  ") for line in figure_lines), figure_lines
    finally:
        next(local, None)


async def test_the_history_lays_its_titles_out_again_when_the_terminal_is_resized(make_app, services) -> None:
    """Opened at 100 columns, then narrowed to 60 and widened to 80: the title column follows, the cursor stays."""
    from textual.widgets import DataTable

    from screens.history import HistoryScreen
    from screens.history_text import title_lines
    from tests.history_screen_data import sample_sessions, save_sessions

    save_sessions(services.store, sample_sessions())
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        await pilot.press("down")
        await pilot.pause()
        chosen = screen.highlighted_record()
        for width, height in ((60, 20), (80, 24)):
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            data = screen.query_one("#sessions-table", DataTable)
            assert data.virtual_size.width <= data.size.width, (width, data.virtual_size)  # nothing off its edge
            assert screen.highlighted_record() == chosen
            rows = [data.rows[key] for key in list(data.rows)[: len(screen.matching)]]
            for record, row in zip(screen.matching, rows, strict=True):
                assert row.height >= title_lines(record.routine_title, screen.title_width), (
                    width,
                    record.routine_title,
                )
