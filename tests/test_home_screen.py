"""The home screen driven with the keyboard at the sizes we promise: 80x24 and 60x20."""

from __future__ import annotations

import pytest
from textual.widgets import Footer, Header, OptionList, Static

from screens.help import HelpScreen
from screens.home import HomeScreen
from screens.widgets.filter_chooser import FilterChooser
from tests.palette import run_command

SIZES = [(80, 24), (60, 20)]


def preview_text(app) -> str:
    return str(app.screen.query_one("#preview-text", Static).content)


def listed_ids(app) -> list[str]:
    return [routine.id for routine in app.screen.listed_routines()]


@pytest.mark.parametrize("size", SIZES)
async def test_home_lists_every_routine_with_a_preview(make_app, services, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.title == "Companion"
        assert app.screen.query_one(Header) and app.screen.query_one(Footer)
        routines = app.screen.query_one("#routines", OptionList)
        assert sorted(listed_ids(app)) == sorted(r.id for r in services.catalog.routines)
        assert routines.has_focus
        first, second = app.screen.listed_routines()[:2]
        assert first.title in preview_text(app)
        await pilot.press("down")  # past the next goal's heading, if there is one: the preview follows at once
        assert second.title in preview_text(app)
        assert routines.region.width > 0 and routines.region.height >= 3


async def test_goal_filter_narrows_the_list_and_escape_clears_it(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        routines = app.screen.query_one("#routines", OptionList)
        goal = app.screen.query_one("#goal", FilterChooser)
        goal.value = "sleep"
        await pilot.pause()
        expected = [r for r in services.catalog.routines if "sleep" in r.goals]
        assert 0 < routines.option_count == len(expected) < len(services.catalog.routines)  # no headings: one goal
        assert set(listed_ids(app)) == {r.id for r in expected}
        await pilot.press("escape")
        await pilot.pause()
        assert len(listed_ids(app)) == len(services.catalog.routines)


async def test_filters_are_reachable_by_keyboard(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f")
        assert app.screen.query_one("#goal", FilterChooser).has_focus
        await pilot.press("enter")  # open the goal list
        await pilot.pause()
        await pilot.press("down", "enter")  # from "Any goal" to the first goal
        await pilot.pause()
        first_goal = services.catalog.vocabulary.goals[0].id
        assert app.screen.query_one("#goal", FilterChooser).value == first_goal
        assert len(listed_ids(app)) == len([r for r in services.catalog.routines if first_goal in r.goals])


async def test_area_and_tool_filters_combine(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("#area", FilterChooser).value = "calves"
        app.screen.query_one("#tool", FilterChooser).value = "foam-roller"
        await pilot.pause()
        expected = [r for r in services.catalog.routines if "calves" in r.areas and "foam-roller" in r.tools]
        assert set(listed_ids(app)) == {r.id for r in expected}
        if not expected:
            assert "No routine matches" in preview_text(app)


@pytest.mark.parametrize("size", SIZES)
async def test_help_lists_keys_and_red_flags(make_app, services, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = str(app.screen.query_one("#help-keys", Static).render())
        assert "Filter" in keys and "Help" in keys
        flags = str(app.screen.query_one("#red-flags", Static).content)
        assert services.catalog.safety.red_flags[0].text in flags
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_help_is_in_the_command_palette(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await run_command(pilot, "help")
        assert isinstance(app.screen, HelpScreen)


async def wait_until(pilot, condition, rounds: int = 200) -> None:
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met")


async def test_header_shows_todays_minutes_and_streak(make_app, services) -> None:
    from datetime import timedelta

    from companion.history.records import SessionRecord, SessionStatus, StepDone

    now = services.clock.now()
    for days_ago, seconds in ((0, 300), (0, 130), (1, 200), (3, 100)):
        started = now - timedelta(days=days_ago)
        services.store.append(
            SessionRecord(
                routine_id="desk-break-quick",
                routine_title="[bold]Desk[/] break",
                started_at=started,
                ended_at=started + timedelta(seconds=seconds),
                status=SessionStatus.COMPLETED,
                steps=(StepDone(area="neck", tool="hands", planned_seconds=seconds, actual_seconds=seconds),),
            )
        )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.history_ready)
        assert app.sub_title == "Today 7 min · streak 2 days"


async def test_empty_history_reads_as_zero(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_until(pilot, lambda: app.history_ready)
        assert app.sub_title == "Today 0 min · streak 0 days"


def test_width_class_matches_the_breakpoints() -> None:
    from screens.app import CompanionApp, width_class

    points = CompanionApp.HORIZONTAL_BREAKPOINTS
    assert width_class(60, points) == "-narrow"
    assert width_class(75, points) == "-narrow"
    assert width_class(76, points) == "-wide"
    assert width_class(99, points) == "-wide"
    assert width_class(100, points) == "-roomy"
    assert width_class(200, points) == "-roomy"


@pytest.mark.parametrize(("size", "expected"), [((60, 20), "-narrow"), ((80, 24), "-wide")])
async def test_home_has_its_width_class_from_the_first_frame(make_app, size, expected) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert app.screen.has_class(expected)
        assert not app.screen.has_class("-wide" if expected == "-narrow" else "-narrow")


def test_keys_are_shown_as_typed(make_app) -> None:
    from textual.binding import Binding

    app = make_app()
    assert app.get_key_display(Binding("f", "x")) == "f"
    assert app.get_key_display(Binding("question_mark", "x")) == "?"
    assert app.get_key_display(Binding("comma", "x", key_display=",")) == ","
    assert app.get_key_display(Binding("ctrl+q", "x")) == "^q"


@pytest.mark.parametrize("size", SIZES)
async def test_the_list_is_in_a_stated_order_and_o_changes_it(make_app, services, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        home = app.screen
        routines = home.query_one("#routines", OptionList)
        assert routines.border_title == "Routines by goal, then length"
        goal_rank = {goal.id: rank for rank, goal in enumerate(services.catalog.vocabulary.goals)}
        keys = [(goal_rank[r.goals[0]], r.total_seconds) for r in home.listed_routines()]
        assert keys == sorted(keys)
        # Each goal's routines come under its name, a heading the cursor passes over.
        headings = [str(o.prompt) for o in routines.options if o.id is None]
        firsts = [services.catalog.goals[g].name for g in dict.fromkeys(r.goals[0] for r in home.listed_routines())]
        assert headings == firsts
        assert all(o.disabled for o in routines.options if o.id is None)

        highlighted = home.highlighted_routine()
        await pilot.press("o")
        await pilot.pause()
        assert routines.border_title == "Routines shortest first"
        lengths = [r.total_seconds for r in home.listed_routines()]
        assert lengths == sorted(lengths) and all(o.id is not None for o in routines.options)
        assert home.highlighted_routine() == highlighted  # the cursor stays on the same routine
        await pilot.press("o")
        await pilot.pause()
        assert routines.border_title == "Routines by title"
        titles = [r.title.casefold() for r in home.listed_routines()]
        assert titles == sorted(titles)
        await pilot.press("o")
        await pilot.pause()
        assert routines.border_title == "Routines by goal, then length"


async def test_the_goal_suggestion_follows_every_filter(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        home = app.screen
        suggestion = home.query_one("#goal-suggestion", Static)
        home.query_one("#goal", FilterChooser).value = "stress"
        await pilot.pause()
        stress = [r for r in services.catalog.routines if "stress" in r.goals]
        assert f"{len(stress)} routines;" in str(suggestion.render())
        tool = next(t for r in stress for t in r.tools if t != "hands")
        home.query_one("#tool", FilterChooser).value = tool
        await pilot.pause()
        narrowed = [r for r in stress if tool in r.tools]
        said = str(suggestion.render())
        assert home.listed_routines() and set(home.listed_routines()) == set(narrowed)
        words = "1 routine with" if len(narrowed) == 1 else f"{len(narrowed)} routines with"
        assert words in said and "with these filters" in said
        quickest = min(narrowed, key=lambda r: r.total_seconds)
        assert quickest.title in said


async def test_home_is_the_first_screen_on_the_stack(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert [type(screen) for screen in app.screen_stack] == [HomeScreen]
        assert app.focused is app.screen.query_one("#routines", OptionList)


async def test_the_collector_left_off_for_the_start_is_back_on_after_the_first_frame(make_app) -> None:
    import gc

    app = make_app()
    gc.disable()  # as open_app leaves it for the start
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()  # the test process goes on collecting what the app froze


async def test_the_collector_is_left_alone_when_it_was_on(make_app) -> None:
    import gc

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert gc.isenabled()
        assert gc.get_freeze_count() == 0


async def test_a_title_that_wraps_once_the_scrollbar_shows_keeps_its_last_line(make_app) -> None:
    """The list measures its entries before its scrollbar takes room: at 80x24 "Ease a tight lower back" wrapped
    once the scrollbar showed and lost "back"."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("#area", FilterChooser).value = "lower-back"
        await pilot.pause()
        routines = app.screen.query_one("#routines", OptionList)
        assert routines.max_scroll_y > 0  # the scrollbar shows
        lines = [routines.render_line(y).text for y in range(routines.scrollable_content_region.height)]
        shown = " ".join(" ".join(lines).split())
        assert "7:30 Ease a tight lower back 7:30" in shown
