"""A one-line filter: shows its choice, and Enter (or a click) opens the list of choices under it.

Lighter than Textual's ``Select``, which composes an overlay and an option list of its own for every filter at
start; this draws one line and builds its list only when it is opened. Readable without colour: the focused
filter is marked with ``▸``, the list with ``▾``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from screens.widgets.hanging import HangingText
from screens.widgets.marked_list import MarkedOptionList

ANY_OPTION = "\0any"
"""The option id of "any" in the open list (never a catalogue id: those are lower-case words)."""


class FilterChooser(Widget, can_focus=True):
    """Choose one of ``options`` (``(name, value)`` pairs) or none; ``value`` is ``None`` for "any"."""

    DEFAULT_CSS = """
    FilterChooser {
        /* A choice longer than the filter's width wraps onto a second line rather than being cut. */
        height: auto;
        width: 1fr;
        padding: 0 1;
        background: $boost;
        color: $foreground-muted;
    }
    FilterChooser.-chosen {
        color: $foreground;
    }
    FilterChooser:focus {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    """
    BINDINGS = [Binding("enter,space,down", "open", "Open")]

    value: reactive[str | None] = reactive(None, init=False, layout=True)  # a longer choice may need a line more

    @dataclass
    class Changed(Message):
        """The choice changed (``value`` is ``None`` for "any")."""

        chooser: FilterChooser
        value: str | None

        @property
        def control(self) -> FilterChooser:
            return self.chooser

    def __init__(self, label: str, prompt: str, options: Sequence[tuple[str, str]], *, id: str) -> None:
        super().__init__(id=id)
        self.label = label
        self.prompt = prompt
        self.options = list(options)
        self._names = {value: name for name, value in self.options}

    def render(self) -> HangingText:
        marker = "▸ " if self.has_focus else "  "
        shown = self.prompt if self.value is None else f"{self.label}: {self._names.get(self.value, self.value)}"
        # Catalogue names as plain text, never markup; a long one wraps under its first word, the ▾ at its end.
        return HangingText().item(marker, shown, tail=" ▾")

    def watch_value(self, value: str | None) -> None:
        self.set_class(value is not None, "-chosen")
        self.post_message(self.Changed(self, value))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def clear(self) -> None:
        """Back to "any"."""
        self.value = None

    def on_click(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        """Show the choices under the filter, the current one highlighted."""
        below = (self.region.x, self.region.bottom)  # under every line of it (a long choice takes two)
        self.app.push_screen(FilterMenu(self, below), callback=self._chosen)

    def _chosen(self, choice: str | None) -> None:
        if choice is not None:  # None: the list was closed without choosing
            self.value = None if choice == ANY_OPTION else choice
        self.focus()


class FilterMenu(ModalScreen[str | None]):
    """The open list of one filter's choices; Enter chooses, Escape closes it unchanged."""

    CSS_PATH = "filter_menu.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, chooser: FilterChooser, below: tuple[int, int]) -> None:
        super().__init__()
        self.chooser = chooser
        self.below = below

    def compose(self) -> ComposeResult:
        chooser = self.chooser
        options = [Option(chooser.prompt, id=ANY_OPTION), *(Option(name, id=value) for name, value in chooser.options)]
        with Vertical():
            menu = MarkedOptionList(*options, classes="framed")
            menu.border_title = chooser.label
            yield menu

    def on_mount(self) -> None:
        box = self.query_one(Vertical)
        x, y = self.below
        width = int(box.styles.width.value) if box.styles.width else 0  # filter_menu.tcss gives it in cells
        box.styles.offset = (max(0, min(x, self.size.width - width)), y)
        menu = self.query_one(OptionList)
        current = self.chooser.value
        menu.highlighted = menu.get_option_index(current) if current is not None else 0
        menu.focus()

    def on_key(self, event: events.Key) -> None:
        """A letter moves to the next choice starting with it, as in a drop-down."""
        letter = (event.character or "").lower()
        if len(letter) != 1 or not letter.isalnum():
            return
        menu = self.query_one(OptionList)
        start = menu.highlighted or 0
        for step in range(1, menu.option_count + 1):
            index = (start + step) % menu.option_count
            if str(menu.get_option_at_index(index).prompt).lower().startswith(letter):
                menu.highlighted = index
                event.stop()
                return

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def on_click(self, event: events.Click) -> None:
        """A click outside the list closes it, as with a drop-down."""
        if self.get_widget_at(event.screen_x, event.screen_y)[0] is self:
            self.dismiss(None)
