"""The runner's text progress bar: readable without colour, and exact at its ends."""

from __future__ import annotations

from textual.app import App, ComposeResult

from screens.widgets.progress_line import ProgressLine


class LineApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ProgressLine()


async def test_bar_and_percentage_follow_progress() -> None:
    app = LineApp()
    async with app.run_test(size=(25, 3)) as pilot:
        line = app.query_one(ProgressLine)
        for (done, total), filled, label in (((0, 60), 0, "0%"), ((30, 60), 10, "50%"), ((90, 60), 20, "100%")):
            line.progress = (done, total)
            await pilot.pause()
            text = line.render().plain
            assert len(text) == 25
            assert text.count("█") == filled and text.count("░") == 20 - filled
            assert text.endswith(label)


async def test_zero_total_is_an_empty_bar() -> None:
    app = LineApp()
    async with app.run_test(size=(25, 3)) as pilot:
        line = app.query_one(ProgressLine)
        line.progress = (5, 0)
        await pilot.pause()
        assert line.render().plain.endswith("0%") and "█" not in line.render().plain
