"""Advisor results as Rich ``Text`` for the screens (routine titles may be the user's: appended as plain text)."""

from __future__ import annotations

from rich.text import Text

from companion.advice.advisor import GoalSuggestion
from companion.words import format_seconds


def goal_suggestion_text(suggestion: GoalSuggestion) -> Text:
    """Two lines for "What do you need today?": the routines for the goal, then the therapy that fits and why."""
    text = Text()
    text.append(f"{suggestion.goal.name}: ", style="bold")
    routines = suggestion.routines
    if not routines:
        text.append("no routine serves this yet.")
    else:
        shortest = routines[0]
        count = len(routines)
        text.append(f"{count} routine{'s' if count != 1 else ''}; the quickest start is ")
        text.append(shortest.title)
        text.append(f" ({format_seconds(shortest.total_seconds)}).")
    if suggestion.therapy is not None:
        text.append("\n")
        text.append(suggestion.why)
    return text
