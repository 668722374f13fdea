"""Routines rendered as Rich ``Text``: user-written text is appended as plain text, never parsed as markup."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from companion.advice.advisor import matching_therapy
from companion.catalogue.models import Catalog, Routine
from companion.settings.user_settings import Settings
from companion.words import count, format_seconds


def missing_tool_names(catalog: Catalog, settings: Settings, routine: Routine) -> tuple[str, ...]:
    """Names of the tools ``routine`` needs that the user said they do not own, e.g. ``("massage gun",)``."""
    tools = catalog.tools
    return tuple(tools[t].name.lower() if t in tools else t for t in settings.missing_tools(routine))


@dataclass(frozen=True)
class RoutineLabel:
    """One entry of a routine list: the length in a column of its own, the title wrapping beside it (never cut:
    a copy's "(copy)" is part of its title), and the marks that carry meaning on a line of their own under it.

    A Rich renderable; ``str()`` gives the same words on one line.
    """

    length: str
    title: str
    marks: tuple[str, ...] = ()

    def __str__(self) -> str:
        return "  ".join((self.length, self.title, *self.marks))

    def _grid(self) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(width=LENGTH_WIDTH, justify="right", style="dim", no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")
        cell = Text(self.title)  # the user's words as plain text, never markup
        if self.marks:
            cell.append("\n")
            cell.append("  ".join(self.marks), style="italic")
        grid.add_row(self.length, cell)
        return grid

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self._grid()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self._grid())


LENGTH_WIDTH = 5
"""Cells for a routine's length, up to ``99:59``."""


def routine_label(routine: Routine, needs: Sequence[str] = ()) -> RoutineLabel:
    """One entry of a routine list: length, title, a mark for the user's own routines and tools not owned."""
    marks: tuple[str, ...] = ("(yours)",) if routine.source == "user" else ()
    if needs:
        marks += (f"needs: {', '.join(needs)}",)
    return RoutineLabel(format_seconds(routine.total_seconds), routine.title, marks)


def routine_preview(catalog: Catalog, routine: Routine, needs: Sequence[str] = ()) -> Text:
    """Every step with its time, area, tool and the limit that applies, then the linked therapies.

    ``needs`` names the tools the routine needs that the user does not own (said first, in words).
    """
    areas, tools, goals = catalog.areas, catalog.tools, catalog.goals
    text = Text()
    text.append(routine.title, style="bold")
    text.append(f"\n{routine.summary}\n")
    text.append("For: ", style="bold")
    text.append(", ".join(goals[g].name for g in routine.goals if g in goals))
    text.append("\nSuits: ", style="bold")
    text.append(routine.suits)
    text.append(f"\nTotal {format_seconds(routine.total_seconds)} in {count(len(routine.steps), 'step')}\n")
    if needs:
        text.append("Needs: ", style="bold")
        text.append(f"{', '.join(needs)}, which your settings say you do not have")
        text.append("\n")
    text.append("\n")
    for number, step in enumerate(routine.steps, start=1):
        limit = catalog.limit_for(step.tool, step.area)
        text.append(f"{number:>2}. {format_seconds(step.seconds)} ", style="bold")
        text.append(step.title)
        text.append(f"\n    {areas[step.area].name} · {tools[step.tool].name} · {step.intensity.value}", style="dim")
        if limit.step_seconds:
            text.append(f"\n    limit {format_seconds(limit.step_seconds)} a step (source {limit.source})", style="dim")
        text.append("\n")
    match = matching_therapy(routine, catalog)
    if match is not None:
        therapy, why = match
        text.append("\nMatching professional therapy: ", style="bold")
        text.append(therapy.name, style="bold")
        text.append("\n")
        text.append(why)
        text.append(" Press t for the therapy guide.\n", style="dim")
    others = [t for t in (catalog.therapy(tid) for tid in routine.therapies) if t is not None]
    others = [t for t in others if match is None or t.id != match[0].id]
    if others:
        text.append("\nAlso for the same need:\n", style="bold")
    for therapy in others:
        text.append(f" • {therapy.name}: ")
        text.append(therapy.summary)
        text.append("\n")
    return text
