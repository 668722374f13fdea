"""Buttons and text boxes whose focus is marked in characters, not by a colour alone.

Textual marks a focused button and a focused input by colour (a compact input by its background only), which a
light theme, ``NO_COLOR=1`` or a screen reader's text loses. Here the focused button reads ``▸ Save ◂`` and the
focused box has a bar (``▌``) beside it or a heavy frame around it. A text box also keeps its text on focus:
Textual's Input selects it all, so Tab and then a keystroke would wipe it.
"""

from __future__ import annotations

from typing import Any

from textual.app import RenderResult
from textual.content import Content
from textual.geometry import Size
from textual.widgets import Button, Input

FOCUS_MARKS = ("▸ ", " ◂")
"""Around a focused button's label; blank cells of the same width when it is not focused (it never jumps)."""


class MarkedButton(Button):
    """A button that reads ``▸ Label ◂`` while it has the focus."""

    def render(self) -> RenderResult:
        label = super().render()
        assert isinstance(label, Content)
        before, after = FOCUS_MARKS if self.has_focus else (" " * len(FOCUS_MARKS[0]), " " * len(FOCUS_MARKS[1]))
        return Content.assemble(before, label, after)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return super().get_content_width(container, viewport) + sum(len(mark) for mark in FOCUS_MARKS)


class TextBox(Input):
    """An input that keeps its text on focus and marks its focus in characters.

    ``compact=True`` gives one line with a bar beside it when focused (Textual's compact input drops every border,
    so it could show focus by colour only); otherwise the frame turns heavy when focused (both styled in
    ``app.tcss``, with every other focus mark).
    """

    def __init__(self, *args: Any, compact: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, select_on_focus=False, **kwargs)
        self.set_class(compact, "-one-line")
