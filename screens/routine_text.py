"""Routines rendered as Rich ``Text``: user-written text is appended as plain text, never parsed as markup."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

from companion.advice.advisor import matching_therapy
from companion.catalogue.models import Catalog, Routine
from companion.safety.limits import CitationKeys, RoutineLimits, describe_limits, limits_note, routine_limits
from companion.settings.user_settings import Settings
from companion.words import count, format_seconds
from screens.widgets.hanging import HangingText


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

    def _cell(self) -> Text:
        cell = Text(self.title)  # the user's words as plain text, never markup
        if self.marks:
            cell.append("\n")
            cell.append("  ".join(self.marks), style="italic")
        return cell

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # Wrapped by hand beside the length column: a Rich table per entry measured and laid out every routine's
        # grid on each redraw, the larger part of drawing the home screen's first frame.
        cell = self._cell()
        column = min(max(1, options.max_width - INDENT_WIDTH), _widest_line(cell))
        label = Text(no_wrap=True, overflow="fold")
        for number, line in enumerate(cell.wrap(console, column, overflow="fold")):
            if number:
                label.append("\n")
            length = Text(self.length if number == 0 else "", style="dim")
            length.truncate(LENGTH_WIDTH, overflow="ellipsis")
            length.align("right", LENGTH_WIDTH)
            label.append_text(length)
            label.append(" " * LENGTH_GAP, style="dim")
            line.pad_right(column - line.cell_len)  # every line as wide as the column, as the highlight is
            label.append_text(line)
        yield label

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(INDENT_WIDTH + 1, INDENT_WIDTH + _widest_line(self._cell())).clamp(
            max_width=options.max_width
        )


def _widest_line(text: Text) -> int:
    return max(1, *(cell_len(line) for line in text.plain.splitlines()))


STEP_INDENT = "    "
"""A step's detail lines start under its time, past the step's number."""

LENGTH_WIDTH = 5
"""Cells for a routine's length, up to ``99:59``."""
LENGTH_GAP = 2
"""Cells between the length and the title."""
INDENT_WIDTH = LENGTH_WIDTH + LENGTH_GAP
"""Where the title and its wrapped lines begin."""


def routine_label(routine: Routine, needs: Sequence[str] = ()) -> RoutineLabel:
    """One entry of a routine list: length, title, a mark for the user's own routines and tools not owned."""
    marks: tuple[str, ...] = ("(yours)",) if routine.source == "user" else ()
    if needs:
        marks += (f"needs: {', '.join(needs)}",)
    return RoutineLabel(format_seconds(routine.total_seconds), routine.title, marks)


def routine_preview(
    catalog: Catalog, routine: Routine, needs: Sequence[str] = (), limits: RoutineLimits | None = None
) -> HangingText:
    """Every step with its time, area, tool and the limits that apply, then the linked therapies (a step's
    lines wrap under its words, never back under its number).

    ``needs`` names the tools the routine needs that the user does not own (said first, in words). ``limits`` are
    those that apply to this person (:func:`companion.safety.limits.routine_limits`: their stricter settings
    included); each cites a numbered key, listed under the steps (a citation beside every limit would not fit a
    narrow preview).
    """
    areas, tools, goals = catalog.areas, catalog.tools, catalog.goals
    limits = limits or routine_limits(routine, catalog)
    text = HangingText()
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
    keys = CitationKeys(catalog)
    per_step, overall = describe_limits(limits, catalog, keys)
    for number, step in enumerate(routine.steps, start=1):
        text.item(
            Text(f"{number:>2}. ", style="bold"),
            Text.assemble((f"{format_seconds(step.seconds)} ", "bold"), step.title),
        )
        text.item(
            STEP_INDENT, f"{areas[step.area].name} · {tools[step.tool].name} · {step.intensity.value}", style="dim"
        )
        if number - 1 in per_step:
            text.item(STEP_INDENT, f"limits {per_step[number - 1]}", style="dim")
    if overall:
        text.append("\nLimits over the whole routine:\n", style="bold")
        for line in overall:
            text.item(" ", str(line))
    if keys.keys:
        text.append(limits_note(catalog), style="dim")
        if limits.settings_applied:
            text.append(" Your own settings make some limits stricter (marked yours).", style="dim")
        text.append("\nWhere the limits come from:\n", style="bold")
        for key, citation in keys.lines():
            text.item(Text(f" {key} ", style="dim"), citation)
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
        text.item(" • ", f"{therapy.name}: {therapy.summary}")
    return text
