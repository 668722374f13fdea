"""The routine builder: create, edit or copy a routine without writing TOML, checked live against the limits."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from companion.catalogue.models import Catalog, Routine, Step
from companion.catalogue.problems import Problem
from companion.catalogue.user_routines import UserRoutineError, save_user_routine, validate_draft
from companion.disk.fileio import WRITE_ERRORS
from companion.disk.paths import Paths
from companion.words import count, format_seconds
from screens.confirm import ConfirmScreen
from screens.screen_kinds import NAVIGATION_UNSHOWN
from screens.step_editor import StepEditor
from screens.widgets.focus_marks import MarkedButton, TextBox
from screens.widgets.hanging import HangingText
from screens.widgets.key_footer import KeyFooter
from screens.widgets.marked_list import MarkedOptionList
from screens.widgets.tick_list import TickList

ROUTINE_FIELDS = ("title", "id", "summary", "suits", "goals", "therapies", "steps")
FIELD_NAMES = {
    "title": "Title",
    "id": "Id",
    "summary": "Summary",
    "suits": "Suits",
    "goals": "Goals",
    "therapies": "Therapies",
    "steps": "Steps",
}
_STEP_FIELD = re.compile(r"^steps\[(\d+)\]\.?(.*)$")
_NOT_ID = re.compile(r"[^a-z0-9]+")


def suggest_id(title: str) -> str:
    """An id made from a title: lower case, dashes between words, starting with a letter, at most 40 characters."""
    slug = _NOT_ID.sub("-", title.lower()).strip("-")
    slug = slug.lstrip("0123456789-")
    return slug[:40].rstrip("-")


def field_label(field: str) -> str:
    """A problem's field path in words: ``steps[1].seconds`` -> ``Step 2 seconds``."""
    match = _STEP_FIELD.match(field)
    if match:
        rest = match.group(2).replace(".", " ")
        return f"Step {int(match.group(1)) + 1} {rest}".rstrip()
    base = field.split("[", 1)[0]
    return FIELD_NAMES.get(base, field or "Routine")


def step_line(catalog: Catalog, number: int, step: Step) -> HangingText:
    """One entry of the step list (wrapping under its words, not under its number); the user's title is plain
    text."""
    areas, tools, techniques = catalog.areas, catalog.tools, catalog.techniques
    title = Text.assemble((f"{format_seconds(step.seconds):>5}  ", "bold"), step.title)
    names = [
        areas[step.area].name if step.area in areas else step.area,
        tools[step.tool].name if step.tool in tools else step.tool,
        techniques[step.technique].name if step.technique in techniques else step.technique,
        step.intensity.value,
    ]
    if step.breathing:
        names.append(f"breathe {step.breathing.inhale}/{step.breathing.exhale}")
    number_mark = f"{number:>2}. "
    return HangingText().item(number_mark, title).item(" " * len(number_mark), " · ".join(names), style="dim")


MOVE = Binding.Group("Move")
"""Moving a step up (u) and down (m): one label for both in the Footer ("u m Move"), each in Help."""


class StepList(MarkedOptionList):
    """The routine's steps; keys here add, change, move and remove them."""

    BINDINGS = [
        Binding("a", "screen.add_step", "Add step"),
        Binding("x,delete", "screen.remove_step", "Remove"),
        Binding("u,shift+up", "screen.move_step(-1)", "Move up", group=MOVE),
        Binding("m,shift+down", "screen.move_step(1)", "Move down", group=MOVE),
    ]


class BuilderScreen(Screen[str | None]):
    """Build a routine field by field; dismisses with the saved routine's id, or ``None`` when left unsaved."""

    CSS_PATH = "builder.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "leave", "Back"),
        *NAVIGATION_UNSHOWN,
        Binding("ctrl+n", "add_step", "Add step", show=False),
        # Anywhere but in a text box (which types the letter), as the Steps heading says.
        Binding("a", "add_step", "Add step", show=False),
    ]

    def __init__(
        self,
        catalog: Catalog,
        paths: Paths,
        routine: Routine | None = None,
        *,
        editing: str | None = None,
        heading: str = "New routine",
    ) -> None:
        super().__init__()
        self.catalog = catalog
        self.paths = paths
        self.start = routine
        self.editing = editing
        self.heading = heading
        self.steps: list[Step] = list(routine.steps) if routine else []
        self.auto_id = routine is None
        self.touched: set[str] = set(ROUTINE_FIELDS) if routine else set()
        self.problems: list[Problem] = []
        self.saved_draft: dict[str, Any] | None = None

    # -- layout ---------------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        routine, vocabulary = self.start, self.catalog.vocabulary
        yield Header()
        yield Static(self.heading, id="builder-heading")
        with VerticalScroll(id="builder-form", classes="barred"):
            yield Label("Title")
            yield TextBox(routine.title if routine else "", placeholder="e.g. My evening neck routine", id="title")
            yield Static(id="title-problem", classes="problem")
            yield Label("Id (file name; suggested from the title)")
            yield TextBox(routine.id if routine else "", placeholder="e.g. my-evening-neck", id="id")
            yield Static(id="id-problem", classes="problem")
            yield Label("Summary")
            yield TextBox(routine.summary if routine else "", placeholder="What the routine does", id="summary")
            yield Static(id="summary-problem", classes="problem")
            yield Label("Suits")
            yield TextBox(routine.suits if routine else "", placeholder="Who it suits, in a sentence", id="suits")
            yield Static(id="suits-problem", classes="problem")
            yield Label("Goals (space to tick)")
            chosen_goals = set(routine.goals) if routine else set()
            yield TickList([(g.name, g.id) for g in vocabulary.goals], chosen_goals, id="goals")
            yield Static(id="goals-problem", classes="problem")
            yield Label("Linked professional therapies (space to tick)")
            chosen = set(routine.therapies) if routine else set()
            yield TickList([(t.name, t.id) for t in self.catalog.therapies], chosen, id="therapies")
            yield Static(id="therapies-problem", classes="problem")
            yield Label("Steps (a add · Enter change · u/m move · x remove)")
            yield StepList(id="steps", classes="framed")
            yield Static(id="steps-problem", classes="problem")
            yield MarkedButton("Add step", id="add-step")
            with Horizontal(id="save-row"):
                yield MarkedButton("Save", id="save", variant="primary")
                yield MarkedButton("Back", id="back")
            yield Static(id="save-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#steps", StepList).border_title = "Steps"
        self._show_steps()
        # A copy is not saved anywhere yet, so leaving it unsaved asks first; a new or edited routine starts clean.
        self.saved_draft = None if self.start is not None and self.editing is None else self.draft()
        self.query_one("#title", Input).focus()

    # -- the draft ------------------------------------------------------------------------------------------------

    def draft(self) -> dict[str, Any]:
        """The routine as entered so far, in the file's shape; empty fields are left out."""
        data: dict[str, Any] = {}
        for field in ("id", "title", "summary", "suits"):
            value = self.query_one(f"#{field}", Input).value.strip()
            if value:
                data[field] = value
        for field in ("goals", "therapies"):
            selected = self.query_one(f"#{field}", TickList).selected
            if selected:
                data[field] = selected
        if self.steps:
            data["steps"] = [step.model_dump(mode="json", exclude_none=True) for step in self.steps]
        return data

    @property
    def dirty(self) -> bool:
        """Whether anything differs from the routine as last saved (a new routine or a copy is never saved)."""
        return self.draft() != self.saved_draft

    def _revalidate(self) -> None:
        self.problems = validate_draft(self.draft(), self.catalog, editing=self.editing)
        by_field: dict[str, list[Text]] = {field: [] for field in ROUTINE_FIELDS}
        for problem in self.problems:
            base = problem.field.split("[", 1)[0].split(".", 1)[0] or "title"
            line = Text(f"! {field_label(problem.field)}: ")  # "! Goals: is required ...", never a bare "! is"
            line.append(problem.message)
            by_field.setdefault(base, []).append(line)
        for field, lines in by_field.items():
            shown = lines if field in self.touched else []
            widget = self.query_one(f"#{field}-problem", Static)
            widget.update(Text("\n").join(shown))
            widget.display = bool(shown)
        save = self.query_one("#save", Button)
        save.disabled = bool(self.problems)
        status = self.query_one("#save-status", Static)
        if self.problems:
            text = Text(f"Save is blocked by {count(len(self.problems), 'problem')}:\n", style="bold")
            for problem in self.problems:
                text.append(f" ! {field_label(problem.field)}: ")
                text.append(f"{problem.message}\n")
            status.update(text)
        else:
            status.update(Text("Ready to save (ctrl+s) to your routines folder."))

    def _show_steps(self, highlight: int | None = None) -> None:
        step_list = self.query_one("#steps", StepList)
        current = step_list.highlighted if highlight is None else highlight
        step_list.clear_options()
        step_list.add_options(
            Option(step_line(self.catalog, number, step)) for number, step in enumerate(self.steps, start=1)
        )
        total = sum(step.seconds for step in self.steps)
        step_list.border_subtitle = f"{count(len(self.steps), 'step')}, {format_seconds(total)}"
        if self.steps:
            step_list.highlighted = min(current or 0, len(self.steps) - 1)
        self._revalidate()

    def step_problems(self, index: int, candidate: dict[str, Any]) -> list[tuple[str, str]]:
        """Problems of ``candidate`` as step ``index`` of this routine (limits included), by step field."""
        # Limits depend only on the area, tool and seconds, so check them at once with stand-ins for the words
        # not typed yet: the user hears about a too-long step before writing its title and instruction.
        stand_ins = {
            "title": "step",
            "instruction": "step",
            "intensity": "gentle",
            "position": "sitting",
            "technique": self.catalog.vocabulary.techniques[0].id,
        }
        found: list[tuple[str, str]] = []
        for data in (candidate, stand_ins | candidate):
            for problem in self._problems_as_step(index, data):
                if problem not in found:
                    found.append(problem)
        return found

    def _problems_as_step(self, index: int, candidate: dict[str, Any]) -> list[tuple[str, str]]:
        draft = self.draft()
        steps = list(draft.get("steps", []))
        if index < len(steps):
            steps[index] = candidate
        else:
            steps.append(candidate)
        draft["steps"] = steps
        prefix = f"steps[{index}]"
        return [
            (problem.field.removeprefix(prefix).lstrip(".") or "step", problem.message)
            for problem in validate_draft(draft, self.catalog, editing=self.editing)
            if problem.field == prefix or problem.field.startswith((f"{prefix}.", f"{prefix}["))
        ]

    # -- events ---------------------------------------------------------------------------------------------------

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        field = event.input.id or ""
        if field == "title" and self.auto_id:
            id_input = self.query_one("#id", Input)
            suggestion = suggest_id(event.value)
            if id_input.value != suggestion:
                id_input.value = suggestion
        elif field == "id" and event.value != suggest_id(self.query_one("#title", Input).value):
            # The user typed their own id: stop replacing it as the title changes.
            self.auto_id = False
        if event.value or field in self.touched:
            self.touched.add(field)
        self._revalidate()

    @on(TickList.Changed)
    def _selection_changed(self, event: TickList.Changed) -> None:
        self.touched.add(event.tick_list.id or "")
        self._revalidate()

    @on(OptionList.OptionSelected, "#steps")
    def _step_chosen(self, event: OptionList.OptionSelected) -> None:
        self._edit_step(event.option_index)

    @on(Button.Pressed, "#add-step")
    def action_add_step(self) -> None:
        """Open the step editor for a new step at the end."""
        index = len(self.steps)

        def done(step: Step | None) -> None:
            if step is not None:
                self.steps.append(step)
                self.touched.add("steps")
                self._show_steps(highlight=len(self.steps) - 1)
            self.query_one("#steps", StepList).focus()

        heading = f"New step {index + 1}"
        editor = StepEditor(self.catalog, lambda data: self.step_problems(index, data), None, heading)
        self.app.push_screen(editor, done)

    def _edit_step(self, index: int) -> None:
        def done(step: Step | None) -> None:
            if step is not None:
                self.steps[index] = step
                self._show_steps(highlight=index)
            self.query_one("#steps", StepList).focus()

        editor = StepEditor(
            self.catalog, lambda data: self.step_problems(index, data), self.steps[index], f"Change step {index + 1}"
        )
        self.app.push_screen(editor, done)

    def action_remove_step(self) -> None:
        """Remove the highlighted step."""
        index = self.query_one("#steps", StepList).highlighted
        if index is None or not self.steps:
            return
        removed = self.steps.pop(index)
        self._show_steps(highlight=max(0, index - 1) if index >= len(self.steps) else index)
        self.notify(f"Removed step {index + 1}: {removed.title}", markup=False)

    def action_move_step(self, offset: int) -> None:
        """Move the highlighted step up (``-1``) or down (``1``)."""
        index = self.query_one("#steps", StepList).highlighted
        if index is None:
            return
        target = index + offset
        if not 0 <= target < len(self.steps):
            return
        self.steps[index], self.steps[target] = self.steps[target], self.steps[index]
        self._show_steps(highlight=target)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Write the routine to the user's folder, reload the catalogue and go back."""
        self.touched.update(ROUTINE_FIELDS)
        self._revalidate()
        if self.problems:
            self.notify(
                f"Not saved: {count(len(self.problems), 'problem')} to fix first, listed under Save.",
                severity="warning",
                markup=False,
            )
            return
        routine = Routine.model_validate(self.draft()).model_copy(update={"source": "user"})
        self.query_one("#save", Button).disabled = True
        self.query_one("#save-status", Static).update(Text("Saving your routine…"))
        self._write(routine, self.draft())

    @work(thread=True, exclusive=True, group="builder-save")
    def _write(self, routine: Routine, draft: dict[str, Any]) -> None:
        """Write the routine file off the UI thread (it waits for the lock another window may hold)."""
        try:
            path = save_user_routine(self.paths, routine, self.catalog, replacing=self.editing)
        except UserRoutineError as exc:
            self.call_later(self._not_saved, "\n".join(p.message for p in exc.problems))
        except WRITE_ERRORS as exc:
            self.call_later(self._not_saved, f"Could not write the file: {exc}")
        else:
            self.call_later(self._saved, routine.id, path, draft)

    def _not_saved(self, message: str) -> None:
        self._revalidate()  # the Save button and the status line as the draft now stands
        self.notify(message, title="Not saved", severity="error", markup=False)

    def _saved(self, routine_id: str, path: Path, draft: dict[str, Any]) -> None:
        self.saved_draft = draft
        self.notify(f"Saved to {path}", title="Routine saved", markup=False)
        self.dismiss(routine_id)

    @on(Button.Pressed, "#back")
    def action_leave(self) -> None:
        """Go back; with unsaved changes, ask first."""
        if not self.dirty:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        question = Text("Discard your unsaved changes to this routine?")
        self.app.push_screen(ConfirmScreen(question, "Discard", "Keep editing"), answered)
