"""Home: "What do you need today?" A chosen goal brings its routines and, where it fits, a therapy and why."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from companion.advice.advisor import goal_suggestions
from screens.widgets.filter_chooser import FilterChooser

SIZES = [(80, 24), (60, 20)]


@pytest.mark.parametrize("size", SIZES)
async def test_choosing_a_goal_shows_the_suggestion_and_clearing_hides_it(make_app, services, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        suggestion = app.screen.query_one("#goal-suggestion", Static)
        assert not suggestion.display
        for goal in services.catalog.vocabulary.goals:
            app.screen.query_one("#goal", FilterChooser).value = goal.id
            await pilot.pause()
            expected = goal_suggestions(services.catalog, goal.id)
            text = str(suggestion.render())
            assert suggestion.display
            assert text.startswith(f"{goal.name}: ")
            assert expected.routines[0].title in text
            if expected.therapy is not None:
                assert expected.why in text.replace("\n", " ")
        # The list keeps room to browse.
        assert app.screen.query_one("#routines").region.height >= 3
        await pilot.press("escape")
        await pilot.pause()
        assert not suggestion.display
