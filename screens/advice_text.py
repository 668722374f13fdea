"""Advisor results as Rich ``Text`` for the screens (routine titles may be the user's: appended as plain text)."""

from __future__ import annotations

from rich.text import Text

from companion.advice.advisor import GoalSuggestion
from companion.words import count, format_seconds


def goal_suggestion_text(suggestion: GoalSuggestion, filtered: bool = False) -> Text:
    """Two lines for "What do you need today?": the routines for the goal, then the therapy that fits and why.

    ``filtered``: the routines are those the other filters (area, tool) let through, and the line says so.
    """
    text = Text()
    text.append(f"{suggestion.goal.name}: ", style="bold")
    routines = suggestion.routines
    among = " with these filters" if filtered else ""
    if not routines:
        text.append("no routine with these filters." if filtered else "no routine serves this yet.")
    else:
        shortest = routines[0]
        text.append(f"{count(len(routines), 'routine')}{among}; the quickest start is ")
        text.append(shortest.title)
        text.append(f" ({format_seconds(shortest.total_seconds)}).")
    if suggestion.therapy is not None:
        text.append("\n")
        text.append(suggestion.why)
    return text
