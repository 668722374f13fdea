"""A list of choices to tick, each drawn with its state in text: ``[x]`` ticked, ``[ ]`` not.

Textual's ``SelectionList`` draws the same mark on every row and tells ticked from not by its colour alone, which
a light theme, ``NO_COLOR=1`` or a person who does not see the colour loses. This one says it in characters, as
the screening list does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from screens.widgets.hanging import HangingText
from screens.widgets.marked_list import MarkedOptionList

TICKED = "[x] "
UNTICKED = "[ ] "


def tick_prompt(name: str | Text, ticked: bool) -> HangingText:
    """One row: its box in text, then the name as plain text (never markup), wrapping under itself."""
    return HangingText().item(Text(TICKED if ticked else UNTICKED, style="bold" if ticked else ""), name)


class TickList(MarkedOptionList):
    """Choices (``(name, value)`` pairs) any number of which may be ticked; Space or Enter ticks the highlighted one."""

    BINDINGS = [Binding("space", "select", "Tick", show=False)]

    @dataclass
    class Changed(Message):
        """The ticked choices changed (``selected`` in the order of the choices)."""

        tick_list: TickList
        selected: tuple[str, ...]

        @property
        def control(self) -> TickList:
            return self.tick_list

    def __init__(
        self, choices: Sequence[tuple[str, str]], selected: Iterable[str] = (), *, id: str, classes: str | None = None
    ) -> None:
        self.choices = list(choices)
        self._ticked = set(selected) & {value for _name, value in self.choices}
        options = [Option(tick_prompt(name, value in self._ticked), id=value) for name, value in self.choices]
        super().__init__(*options, id=id, classes=classes)

    @property
    def selected(self) -> list[str]:
        """The ticked values, in the order of the choices."""
        return [value for _name, value in self.choices if value in self._ticked]

    def select(self, value: str) -> None:
        """Tick ``value`` (nothing happens if it is ticked already)."""
        if value not in self._ticked:
            self.toggle(value)

    def deselect(self, value: str) -> None:
        """Untick ``value`` (nothing happens if it is not ticked)."""
        if value in self._ticked:
            self.toggle(value)

    def toggle(self, value: str) -> None:
        """Tick ``value`` if it is not ticked, else untick it; redraw its box and tell the screen."""
        name = next(name for name, choice in self.choices if choice == value)
        self._ticked ^= {value}
        self.replace_option_prompt(value, tick_prompt(name, value in self._ticked))
        self.post_message(self.Changed(self, tuple(self.selected)))

    @on(OptionList.OptionSelected)
    def _ticked_by_key(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.toggle(event.option.id)
