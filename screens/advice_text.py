"""Advisor results as Rich ``Text`` for the screens (routine titles may be the user's: appended as plain text)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from companion.advice.advisor import GoalSuggestion
from companion.advice.guidance import Guidance
from companion.advice.models import Advice
from companion.catalogue.models import Catalog, Region, Routine
from companion.history.records import SessionRecord
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


NECK_RED_FLAG = "after-neck-massage"
"""The red flag the reflection repeats after neck work (its id in ``safety.toml``)."""

HEADINGS = {
    "see-doctor": "See a doctor",
    "rest-area": "Rest",
    "see-professional": "See a therapist",
    "try-routine": "Try a routine",
}
"""What each kind of advice asks, in words (the mark "!" before the most urgent does not rely on colour)."""


def advice_heading(item: Advice) -> Text:
    """``! See a doctor: lower back``, in bold."""
    text = Text("! " if item.kind == "see-doctor" else "", style="bold")
    text.append(HEADINGS[item.kind], style="bold")
    if item.area_name:
        text.append(f": {item.area_name}", style="bold")
    return text


def advice_banner(found: Guidance) -> Text:
    """The home screen's lines: the most urgent advice and why, how many more, and what has helped most."""
    text = Text()
    if found.items:
        first = found.items[0]
        text.append_text(advice_heading(first))
        text.append(". ")
        text.append(first.short)  # names routine titles, which may be the user's: plain text
        more = len(found.items) - 1
        text.append(f" (+{more} more; a: all advice and why)" if more else " (a: why)", style="dim")
    if found.best is not None:
        routine, figure = found.best
        if text:
            text.append("\n")
        text.append("What has helped you most: ", style="bold")
        text.append(routine.title)
        text.append(f", {figure.text()}.")
    return text


def relief_text(found: Guidance, explanation: str) -> Text:
    """What has helped you, per routine, tool and area: the average change with its interval, or not enough data."""
    text = Text()
    text.append("What has helped you", style="bold")
    text.append(" (tension before minus after, 0 to 10)\n", style="dim")
    if not found.figures:
        text.append("  No session rated before and after yet: rate your tension to see what helps you.\n")
    titles = {"routine": "Routines", "tool": "Tools", "area": "Body areas"}
    for kind, title in titles.items():
        figures = [f for f in found.figures if f.kind == kind]
        if not figures:
            continue
        text.append(f"{title}\n", style="underline")
        for figure in figures:
            text.append("  ")
            text.append(figure.name)  # a routine title may be the user's
            text.append(f": {figure.text()}\n")
    text.append(explanation, style="dim")
    text.append("\n")
    return text


def area_advice_text(found: Guidance, areas: Sequence[str]) -> Text:
    """For each of ``areas`` with advice: what to do and why, in one line each."""
    text = Text()
    for item in found.for_areas(areas):
        text.append("  ")
        text.append_text(advice_heading(item))
        text.append(". ")
        text.append(item.short)
        text.append("\n")
    return text


def held_text(held: Sequence[Advice], alternative: Routine | None) -> Text:
    """The plan's warning: the advice holding an area of this routine, and the routine offered instead."""
    text = Text()
    if not held:
        return text
    text.append("Today's advice says to leave this alone:\n", style="bold")
    for item in held:
        text.append(" ")
        text.append_text(advice_heading(item))
        text.append(". ")
        text.append(item.short)
        text.append("\n")
    if alternative is None:
        text.append("No other routine for the same need avoids it today: consider resting instead.\n")
    else:
        text.append("Instead: ", style="bold")
        text.append(alternative.title)
        text.append(f" ({format_seconds(alternative.total_seconds)}) avoids it. Press o to switch to it.\n")
    return text


def suggestion_text(found: Guidance, routine: Routine, record: SessionRecord) -> Text:
    """The reflection's "what your ratings now suggest": advice about the areas worked, and the routine's figure."""
    text = Text()
    text.append("What your ratings now suggest\n", style="bold")
    areas = [area for area, seconds in record.seconds_per_area().items() if seconds > 0]
    lines = area_advice_text(found, areas)
    if lines:
        text.append_text(lines)
    else:
        text.append("  Nothing in your ratings calls for a change: carry on as you are.\n")
    figure = found.figure("routine", routine.id)
    text.append("  ")
    text.append(routine.title)
    text.append(f": {figure.text() if figure is not None else 'not rated before and after yet'}.\n")
    return text


def neck_warning(catalog: Catalog, record: SessionRecord) -> Text | None:
    """After neck work, the warning signs of a torn neck artery and what to do; ``None`` when the neck was not
    worked or the catalogue has no such red flag."""
    neck = [a for a, s in record.seconds_per_area().items() if s > 0 and a in catalog.areas
            and catalog.areas[a].region is Region.NECK]  # fmt: skip
    flag = next((f for f in catalog.safety.red_flags if f.id == NECK_RED_FLAG), None)
    if not neck or flag is None:
        return None
    text = Text("! After neck work, watch for this: ", style="bold")
    text.append(flag.text)
    text.append(" ")
    text.append(flag.action, style="bold")
    return text


def statistics_advice_text(found: Guidance, areas: Sequence[str], explanation: str) -> Text:
    """For the statistics: the advice behind the areas listed, then what has helped."""
    text = Text()
    lines = area_advice_text(found, areas)
    if lines:
        text.append("Advice behind these areas\n", style="bold")
        text.append_text(lines)
        text.append("  a shows all of today's advice, why, and its sources.\n", style="dim")
        text.append("\n")
    text.append_text(relief_text(found, explanation))
    return text
