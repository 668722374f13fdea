"""The highlighted row of every list marked in characters (``▸`` focused, ``›`` not), and wrapped bullets and
lines hanging under their words, as a person reads them on screen (NO_COLOR=1 too)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from textual.widgets import Input, OptionList, Static

from screens.help import HelpScreen
from screens.plan_review import PlanReviewScreen
from screens.screening import ScreeningScreen
from screens.widgets.hanging import HangingText
from screens.widgets.marked_list import BLURRED_MARK, FOCUSED_MARK, NO_MARK, MarkedOptionList

SIZES = [(80, 24), (60, 20)]


def lines_of(renderable: object, width: int) -> list[str]:
    """What ``renderable`` shows in ``width`` cells, line by line."""
    console = Console(width=width, color_system=None, legacy_windows=False)
    with console.capture() as capture:
        console.print(renderable)
    return capture.get().splitlines()


def shown_rows(option_list: OptionList) -> list[str]:
    """The list's rows as drawn on screen (its Line API), top to bottom."""
    return [option_list.render_line(y).text for y in range(option_list.scrollable_content_region.height)]


async def settle(pilot, kind: type) -> None:
    for _ in range(100):
        if isinstance(pilot.app.screen, kind):
            await pilot.pause()
            return
        await pilot.pause(0.05)
    raise AssertionError(f"expected {kind.__name__}, got {type(pilot.app.screen).__name__}")


@given(
    mark=st.sampled_from([" ! ", " • ", "[ ] ", " 1. "]),
    words=st.lists(st.text("abcdefghij", min_size=1, max_size=8), min_size=1, max_size=30),
    width=st.integers(min_value=12, max_value=70),
)
def test_a_wrapped_item_hangs_under_its_words_and_keeps_every_word(mark: str, words: list[str], width: int) -> None:
    body = " ".join(words)
    text = HangingText().append("Heading\n").item(mark, body).append("after")
    lines = lines_of(text, width)
    assert lines[0].rstrip() == "Heading" and lines[-1].rstrip() == "after"
    item = lines[1:-1]
    assert item[0].startswith(mark)
    assert all(line.startswith(" " * len(mark)) for line in item[1:]), item
    assert " ".join(line[len(mark) :].strip() for line in item).split() == body.split()
    assert str(text) == f"Heading\n{mark}{body}\nafter"


@pytest.mark.parametrize("size", SIZES)
async def test_the_home_list_marks_its_highlighted_row_in_text(make_app, size, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        routines = app.screen.query_one("#routines", MarkedOptionList)
        assert routines.has_focus
        await pilot.press("down")
        await pilot.pause()
        highlighted = app.screen.highlighted_routine()
        marked = [row for row in shown_rows(routines) if row.startswith(FOCUSED_MARK)]
        assert len(marked) == 1 and highlighted.title.split()[0] in marked[0], shown_rows(routines)
        assert not any(row.startswith(BLURRED_MARK) for row in shown_rows(routines))
        await pilot.press("tab")  # the focus leaves the list: its choice is still marked, as not focused
        await pilot.pause()
        assert not routines.has_focus
        rows = shown_rows(routines)
        assert [row[:2] for row in rows].count(BLURRED_MARK) == 1 and not any(r.startswith(FOCUSED_MARK) for r in rows)


async def test_the_chosen_rating_stays_marked_when_the_focus_moves_on(make_app, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(start_routine="neck-shoulders-desk")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, ScreeningScreen)
        await pilot.press("enter")  # none of these apply
        await settle(pilot, PlanReviewScreen)
        tension = app.screen.query_one("#tension", MarkedOptionList)
        await pilot.press("7")
        await pilot.pause()
        rows = shown_rows(tension)
        # every value and its words are on screen at 80x24, the chosen one marked
        assert any(row.startswith(f"{FOCUSED_MARK}7  strong") for row in rows), rows
        assert all(
            any(row[2:].startswith(f"{value} ") or row[2:].rstrip() == f"{value}" for row in rows)
            for value in range(11)
        )
        assert sum(not row.startswith(NO_MARK) for row in rows if row.strip()) == 1


async def test_screening_questions_wrap_under_their_words_not_under_the_box(make_app, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(start_routine="legs-after-running")
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot, ScreeningScreen)
        await pilot.press("a")  # to the list
        await pilot.pause()
        answers = app.screen.query_one("#answers", MarkedOptionList)
        rows = [row for row in shown_rows(answers) if row.strip()]
        assert rows[0].startswith(f"{FOCUSED_MARK}[ ] ")
        continued = [row for row in rows if not row[2:].startswith("[")]
        assert continued and all(row.startswith(" " * (len(NO_MARK) + len("[ ] "))) for row in continued), rows
        await pilot.press("space")
        await pilot.pause()
        assert shown_rows(answers)[0].startswith(f"{FOCUSED_MARK}[x] ")


@pytest.mark.parametrize("size", SIZES)
async def test_help_red_flags_and_their_advice_hang_under_the_flag(make_app, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await settle(pilot, HelpScreen)
        flags = app.screen.query_one("#red-flags", Static)
        lines = lines_of(flags.content, flags.content_region.width)
        assert any(line.startswith(" ! ") for line in lines)
        # Region titles start at the margin, each region's sources one cell in (wrapping under "Sources"); a flag
        # and its advice, and every line they wrap to, three cells in.
        in_flags = [line for line in lines if line.startswith("  ") or line.startswith(" ! ")]
        assert in_flags and all(line.startswith(" ! ") or line.startswith("   ") for line in in_flags), lines
        wrapped = [line for line in in_flags if not line.startswith(" ! ")]
        assert wrapped and all(line[3] != " " for line in wrapped if line.strip())  # under the words, not deeper


async def test_the_guide_search_keeps_its_placeholder_whole_at_60_columns(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        for _ in range(60):
            if app.screen.query("#therapy-search"):
                break
            await pilot.pause(0.05)
        search = app.screen.query_one("#therapy-search", Input)
        assert len(search.placeholder) < search.content_region.width


async def test_a_adds_a_step_from_anywhere_but_a_text_box_and_problems_name_their_field(make_app) -> None:
    from screens.builder import BuilderScreen
    from screens.step_editor import StepEditor
    from screens.widgets.tick_list import TickList

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await settle(pilot, BuilderScreen)
        builder = app.screen
        title = builder.query_one("#title", Input)
        title.focus()
        await pilot.press("a")  # typed, not a new step
        await pilot.pause()
        assert title.value == "a" and isinstance(app.screen, BuilderScreen)
        goals = builder.query_one("#goals", TickList)
        goals.focus()
        await pilot.press("space", "space")  # ticked, then unticked: the field is touched and empty
        await pilot.pause()
        problem = str(builder.query_one("#goals-problem", Static).content)
        assert problem.startswith("! Goals: "), problem
        await pilot.press("a")  # on the goals list: opens the step editor
        await settle(pilot, StepEditor)


@pytest.mark.parametrize("size", SIZES)
async def test_a_copy_reads_copy_and_yours_on_the_home_list(make_app, services, size) -> None:
    from screens.builder import BuilderScreen
    from screens.home import HomeScreen

    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        bundled = services.catalog.routine("desk-break-quick")
        assert bundled is not None
        routines = app.screen.query_one("#routines", MarkedOptionList)
        routines.highlighted = routines.get_option_index(bundled.id)
        await pilot.press("c")
        await settle(pilot, BuilderScreen)
        await pilot.press("ctrl+s")
        await settle(pilot, HomeScreen)
        routines = app.screen.query_one("#routines", MarkedOptionList)
        rows = shown_rows(routines)
        at = next((i for i, row in enumerate(rows) if row[:2] in (FOCUSED_MARK, BLURRED_MARK)), None)  # the copy
        assert at is not None, rows
        entry = " ".join(" ".join(row.split()) for row in rows[at : at + 4])
        assert "(copy)" in entry and "(yours)" in entry, rows
        original = str(routines.get_option(bundled.id).prompt)
        assert "(copy)" not in original and "(yours)" not in original


@pytest.mark.parametrize("size", SIZES)
async def test_runner_answers_on_its_cue_line_leave_the_clock_state_and_bars_in_view_whole(make_app, size):
    from tests.test_routine_flow import ROUTINE, to_runner

    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=size, notifications=True) as pilot:
        await pilot.pause()
        runner = await to_runner(pilot)
        line = runner.query_one("#cue-line", Static)
        for _ in range(12):  # +15 s until the limit refuses it (a long answer with its reason)
            await pilot.press("plus")
            await pilot.pause()
            if str(line.render()).startswith("! "):  # a refusal, marked in characters as well as colour
                break
        said = str(line.render())
        assert said.startswith("! ") and "limit" in said, said
        assert line.has_class("-refused") and not app._notifications  # no toast over the instruction
        await pilot.pause()
        names = ("step-title", "remaining", "remaining-text", "run-state", "step-bar", "overall-bar")
        glanced_at = [runner.query_one(f"#{name}").region for name in names]
        assert not any(line.region.overlaps(region) for region in glanced_at), (line.region, glanced_at)
        words = lines_of(line.render(), line.content_region.width)  # every line of it, none cut off
        assert line.content_region.height >= len([row for row in words if row.strip()])
        assert line.region.bottom <= app.screen.query_one("KeyFooter").region.y
        await pilot.press("space")  # the next answer replaces it
        await pilot.pause()
        assert str(line.render()) == "Paused. Space resumes." and not line.has_class("-refused")
