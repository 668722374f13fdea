"""The optional 0-10 tension rating, as a list whose first (focused) entry is "Skip rating".

A digit key (0 to 9) moves the highlight to that rating, so a rating is one key press; 10 is one step down from 9.
The highlighted entry is the rating: it stays when the focus moves on (to the note, say).
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets.option_list import Option

from screens.widgets.marked_list import MarkedOptionList

SKIP = "skip"
WORDS = {0: "none at all", 3: "mild", 5: "moderate", 7: "strong", 10: "worst imaginable"}


class TensionList(MarkedOptionList):
    """ "Skip rating", then 0 to 10 (ids ``"skip"`` and ``"0"``..``"10"``); digits choose a rating."""

    BINDINGS = [
        Binding(str(digit), f"rate({digit})", "Rate", key_display="0-9", show=digit == 0) for digit in range(10)
    ]

    def __init__(self, widget_id: str) -> None:
        options = [Option("Skip rating", id=SKIP)]
        for value in range(11):
            words = WORDS.get(value)
            options.append(Option(f"{value}" + (f"  {words}" if words else ""), id=str(value)))
        super().__init__(*options, id=widget_id, classes="framed")

    def action_rate(self, value: int) -> None:
        """Highlight the rating ``value``."""
        self.highlighted = self.get_option_index(str(value))

    @property
    def value(self) -> int | None:
        """The highlighted rating (``None`` for "Skip rating" or no highlight)."""
        if self.highlighted is None:
            return None
        return tension_value(self.get_option_at_index(self.highlighted).id)


class StartingTensionList(TensionList):
    """The rating before a routine: Enter (shown in the Footer) starts it with the rating highlighted."""

    BINDINGS = [Binding("enter", "select", "Start")]


def tension_list(widget_id: str, *, starts: bool = False) -> TensionList:
    """A rating list with this id (``starts``: Enter starts the routine, and the Footer says so)."""
    return StartingTensionList(widget_id) if starts else TensionList(widget_id)


def tension_value(option_id: str | None) -> int | None:
    """The rating an option stands for (``None`` for "Skip rating")."""
    if option_id is None or option_id == SKIP:
        return None
    return int(option_id)
