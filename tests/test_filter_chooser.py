"""The home screen's filters: one line each, a list under them on Enter or a click, Escape leaves them as they were."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from screens.home import HomeScreen
from screens.widgets.filter_chooser import FilterChooser, FilterMenu


def chooser_text(app, widget_id: str) -> str:
    return str(app.screen.query_one(f"#{widget_id}", FilterChooser).render())


async def test_the_list_opens_on_the_current_choice_and_escape_changes_nothing(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        home = app.screen
        goal = home.query_one("#goal", FilterChooser)
        goal.value = "sleep"
        await pilot.pause()
        await pilot.press("f")
        assert goal.has_focus
        assert chooser_text(app, "goal") == "▸ Goal: Sleep ▾"  # focus shown by a mark, not colour alone
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FilterMenu)
        menu = app.screen.query_one(OptionList)
        assert menu.get_option_at_index(menu.highlighted).id == "sleep"
        assert menu.option_count == len(services.catalog.vocabulary.goals) + 1  # "Any goal" first
        await pilot.press("down", "escape")
        await pilot.pause()
        assert app.screen is home
        assert goal.value == "sleep" and goal.has_focus


async def test_any_clears_the_filter_and_the_list_shows_every_routine_again(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        tool = app.screen.query_one("#tool", FilterChooser)
        tool.value = "foam-roller"
        await pilot.pause()
        assert len(app.screen.listed_routines()) < len(services.catalog.routines)
        tool.focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("home", "enter")  # "Any tool"
        await pilot.pause()
        assert tool.value is None
        assert chooser_text(app, "tool") == "▸ Any tool ▾"
        assert len(app.screen.listed_routines()) == len(services.catalog.routines)


@pytest.mark.parametrize("widget_id", ["area", "tool"])
@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_the_list_opens_under_its_filter_inside_the_screen_and_a_click_outside_closes_it(
    make_app, size, widget_id
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        area = app.screen.query_one(f"#{widget_id}", FilterChooser)
        await pilot.click(f"#{widget_id}")
        await pilot.pause()
        assert isinstance(app.screen, FilterMenu)
        box = app.screen.query_one(OptionList).region
        assert box.y == area.region.y + 1
        assert box.right <= size[0] and box.bottom <= size[1]
        await pilot.click(offset=(size[0] - 1, size[1] - 2))
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert area.value is None


async def test_a_letter_moves_to_the_next_choice_starting_with_it(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        area = app.screen.query_one("#area", FilterChooser)
        area.focus()
        await pilot.press("enter")
        await pilot.pause()
        menu = app.screen.query_one(OptionList)
        used = {a for r in services.catalog.routines for a in r.areas}
        names = [a.name for a in services.catalog.vocabulary.areas if a.id in used]
        starting_with_s = [name for name in names if name.lower().startswith("s")]
        assert starting_with_s  # shoulders
        await pilot.press("s")
        assert str(menu.get_option_at_index(menu.highlighted).prompt) == starting_with_s[0]
        await pilot.press("enter")
        await pilot.pause()
        assert area.value == next(a.id for a in services.catalog.vocabulary.areas if a.name == starting_with_s[0])
