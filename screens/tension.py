"""The optional 0-10 tension rating, as a list whose first (focused) entry is "Skip rating"."""

from __future__ import annotations

from textual.widgets import OptionList
from textual.widgets.option_list import Option

SKIP = "skip"
WORDS = {0: "none at all", 3: "mild", 5: "moderate", 7: "strong", 10: "the worst you can imagine"}


def tension_list(widget_id: str) -> OptionList:
    """An option list: "Skip rating", then 0 to 10 (ids ``"skip"`` and ``"0"``..``"10"``)."""
    options = [Option("Skip rating", id=SKIP)]
    for value in range(11):
        words = WORDS.get(value)
        options.append(Option(f"{value}" + (f"  {words}" if words else ""), id=str(value)))
    return OptionList(*options, id=widget_id)


def tension_value(option_id: str | None) -> int | None:
    """The rating an option stands for (``None`` for "Skip rating")."""
    if option_id is None or option_id == SKIP:
        return None
    return int(option_id)
