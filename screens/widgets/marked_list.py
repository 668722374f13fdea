"""An option list whose highlighted row carries a mark in characters, not only a background colour.

Textual's ``OptionList`` shows the highlighted row (the routine to start, the rating chosen, the question to tick)
by its background alone, which ``NO_COLOR=1``, a light theme or a screen reader's text loses. Here that row reads
``▸`` while the list has the focus and ``›`` when the focus is elsewhere (the rating chosen stays marked when Tab
moves on to the note), so the mark also tells where the focus is. Each row sits behind a two-cell gutter that
holds the mark, and a row that wraps does so under its own text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.visual import VisualType
from textual.widgets import OptionList
from textual.widgets.option_list import Option

FOCUSED_MARK = "▸ "
"""Before the highlighted row of the focused list."""
BLURRED_MARK = "› "
"""Before the highlighted row of a list that does not have the focus (its choice still stands)."""
NO_MARK = "  "
GUTTER = len(NO_MARK)
"""Cells left of every row for its mark."""


class MarkedPrompt:
    """A row's prompt behind its gutter; ``str()`` gives the prompt's own words (without the mark).

    The prompt's lines are kept per width: Textual measures and renders each row many times while it lays a list
    out (about 25 times a row before the home screen's first frame), and a prompt never changes (a new one
    replaces it). Moving the mark (:meth:`marked`) keeps the lines; a new width renders them afresh.
    """

    def __init__(self, prompt: VisualType, mark: str = NO_MARK) -> None:
        self.prompt: RenderableType = Text(prompt) if isinstance(prompt, str) else prompt  # type: ignore[assignment]
        """Our prompts are Rich text or renderables; a string is plain text, never markup."""
        self.mark = mark
        self._lines: dict[tuple[int, int | None], list[list[Segment]]] = {}
        """The prompt's lines by (width, height) of the render."""

    def marked(self, mark: str) -> MarkedPrompt:
        """The same prompt behind ``mark``, sharing the lines already rendered."""
        moved = MarkedPrompt(self.prompt, mark)
        moved._lines = self._lines
        return moved

    def __str__(self) -> str:
        return str(self.prompt)

    def _prompt_lines(self, console: Console, options: ConsoleOptions) -> list[list[Segment]]:
        width = max(1, options.max_width - GUTTER)
        key = (width, options.height)
        lines = self._lines.get(key)
        if lines is None:
            lines = self._lines[key] = console.render_lines(self.prompt, options.update(width=width), pad=False)
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # The prompt drawn in the cells right of the gutter (by hand: a Rich table a row would lay out a grid for
        # every row on every redraw of the list).
        mark_style = Style(bold=True)
        for number, line in enumerate(self._prompt_lines(console, options)):
            yield Segment(self.mark if number == 0 else NO_MARK, mark_style)
            yield from line
            yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = max(1, options.max_width - GUTTER)
        inner = Measurement.get(console, options.update(width=width), self.prompt)
        return Measurement(inner.minimum + GUTTER, inner.maximum + GUTTER).clamp(max_width=options.max_width)


def _marked(option: Option) -> Option:
    if option.disabled or isinstance(option.prompt, MarkedPrompt):
        return option  # a heading is never highlighted: it stays at the margin
    return Option(MarkedPrompt(option.prompt), id=option.id)


class MarkedOptionList(OptionList):
    """An ``OptionList`` whose highlighted row is marked ``▸`` (focused) or ``›`` (not focused)."""

    def __init__(self, *content: Option | None, id: str | None = None, classes: str | None = None) -> None:
        self._mark_at: int | None = None
        super().__init__(*content, id=id, classes=classes, markup=False)

    def add_options(self, new_options: Iterable[Option | VisualType | None]) -> Self:
        options = [
            None if option is None else _marked(option if isinstance(option, Option) else Option(option))
            for option in new_options
        ]
        return super().add_options(options)

    def replace_option_prompt(self, option_id: str, prompt: VisualType) -> Self:
        return self.replace_option_prompt_at_index(self.get_option_index(option_id), prompt)

    def replace_option_prompt_at_index(self, index: int, prompt: VisualType) -> Self:
        return super().replace_option_prompt_at_index(index, MarkedPrompt(prompt, self._mark_for(index)))

    def on_mount(self) -> None:
        self.watch(self, "highlighted", self._move_mark)
        self.watch(self, "has_focus", self._move_mark, init=False)

    def _mark_for(self, index: int) -> str:
        if index != self.highlighted:
            return NO_MARK
        return FOCUSED_MARK if self.has_focus else BLURRED_MARK

    def _set_mark(self, index: int) -> None:
        if index >= self.option_count:
            return  # the options were replaced since
        prompt = self.get_option_at_index(index).prompt
        if isinstance(prompt, MarkedPrompt) and prompt.mark != self._mark_for(index):
            super().replace_option_prompt_at_index(index, prompt.marked(self._mark_for(index)))

    def _move_mark(self) -> None:
        if self._mark_at is not None and self._mark_at != self.highlighted:
            self._set_mark(self._mark_at)
        self._mark_at = self.highlighted
        if self.highlighted is not None:
            self._set_mark(self.highlighted)
