"""Add or change one step of a routine in a modal form, checked against the limits as the user types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from companion.catalogue.models import Catalog, Intensity, Position, Step
from companion.words import count
from screens.widgets.focus_marks import MarkedButton, TextBox

StepCheck = Callable[[dict[str, Any]], list[tuple[str, str]]]
"""Problems of a candidate step within the routine being built, as ``(field, message)`` pairs."""

STEP_FIELDS = ("area", "tool", "technique", "seconds", "intensity", "position", "title", "instruction", "breathing")
FIELD_NAMES = {
    "area": "Area",
    "tool": "Tool",
    "technique": "Technique",
    "seconds": "Seconds",
    "intensity": "Intensity",
    "position": "Position",
    "title": "Step title",
    "instruction": "Instruction",
    "breathing": "Breathing",
}


def breathing_label(ticked: bool) -> str:
    """The breathing checkbox's label with its state in words (the box's mark alone differs only by colour)."""
    return f"Breathing cue: {'On' if ticked else 'Off'}"


def problem_widget(field: str) -> str:
    """The field whose problem line shows a problem about ``field`` (``breathing.inhale`` -> ``breathing``)."""
    return field.split(".", 1)[0].split("[", 1)[0]


class StepEditor(ModalScreen[Step | None]):
    """The fields of one step; dismisses with the step, or ``None`` when cancelled."""

    CSS_PATH = "builder.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "keep", "Keep step"),
    ]

    def __init__(self, catalog: Catalog, check: StepCheck, step: Step | None = None, heading: str = "") -> None:
        super().__init__()
        self.catalog = catalog
        self.check = check
        self.step = step
        self.heading = heading or ("Change step" if step else "New step")
        self.touched: set[str] = set(STEP_FIELDS) if step else set()
        self.problems: list[tuple[str, str]] = []
        self.schema_ok = False

    def compose(self) -> ComposeResult:
        vocabulary, step = self.catalog.vocabulary, self.step
        with Vertical(id="step-dialog"):
            yield Static(self.heading, id="step-heading")
            with VerticalScroll(id="step-form", classes="barred"):
                yield Label("Area")
                yield Select(
                    [(a.name, a.id) for a in vocabulary.areas],
                    prompt="Choose an area",
                    id="area",
                    value=_v(step, "area"),
                )
                yield Static(id="area-problem", classes="problem")
                yield Label("Tool")
                yield Select(
                    [(t.name, t.id) for t in vocabulary.tools],
                    prompt="Choose a tool",
                    id="tool",
                    value=_v(step, "tool"),
                )
                yield Static(id="tool-problem", classes="problem")
                yield Label("Technique")
                yield Select(
                    [(t.name, t.id) for t in vocabulary.techniques],
                    prompt="Choose a technique",
                    id="technique",
                    value=_v(step, "technique"),
                )
                yield Static(id="technique-problem", classes="problem")
                yield Label("Seconds")
                yield TextBox(str(step.seconds) if step else "", placeholder="e.g. 60", id="seconds", type="integer")
                yield Static(id="seconds-problem", classes="problem")
                yield Label("Intensity")
                yield Select(
                    [(i.value, i.value) for i in Intensity],
                    prompt="Choose how hard to press",
                    id="intensity",
                    value=step.intensity.value if step else Select.NULL,
                )
                yield Static(id="intensity-problem", classes="problem")
                yield Label("Position")
                yield Select(
                    [(p.value.replace("-", " "), p.value) for p in Position],
                    prompt="Choose how you sit or lie",
                    id="position",
                    value=step.position.value if step else Select.NULL,
                )
                yield Static(id="position-problem", classes="problem")
                yield Label("Step title")
                yield TextBox(step.title if step else "", placeholder="e.g. Shoulder squeeze", id="title")
                yield Static(id="title-problem", classes="problem")
                yield Label("Instruction")
                yield TextBox(
                    step.instruction if step else "", placeholder="What to do, in plain words", id="instruction"
                )
                yield Static(id="instruction-problem", classes="problem")
                breathing = step.breathing if step else None
                yield Checkbox(breathing_label(breathing is not None), value=breathing is not None, id="breathing")
                with Horizontal(id="breathing-fields"):
                    yield Label("In (s)")
                    yield TextBox(str(breathing.inhale if breathing else 4), id="inhale", type="integer")
                    yield Label("Out (s)")
                    yield TextBox(str(breathing.exhale if breathing else 6), id="exhale", type="integer")
                yield Static(id="breathing-problem", classes="problem")
            yield Static(id="step-status")
            with Horizontal(classes="dialog-buttons"):
                yield MarkedButton("Keep step", id="keep", variant="primary")
                yield MarkedButton("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#area", Select).focus()
        self._revalidate()

    def candidate(self) -> dict[str, Any]:
        """The step as typed so far, in the file's shape; empty fields are left out."""
        data: dict[str, Any] = {}
        for field in ("area", "tool", "technique", "intensity", "position"):
            value = self.query_one(f"#{field}", Select).value
            if isinstance(value, str):
                data[field] = value
        for field in ("seconds", "title", "instruction"):
            value = self.query_one(f"#{field}", Input).value.strip()
            if value:
                data[field] = value
        if self.query_one("#breathing", Checkbox).value:
            data["breathing"] = {
                "inhale": self.query_one("#inhale", Input).value.strip() or None,
                "exhale": self.query_one("#exhale", Input).value.strip() or None,
            }
        return data

    def _revalidate(self) -> None:
        data = self.candidate()
        try:
            Step.model_validate(data)
            self.schema_ok = True
        except ValidationError:
            self.schema_ok = False
        self.problems = self.check(data)
        cue = self.query_one("#breathing", Checkbox)
        self.query_one("#breathing-fields").display = cue.value
        cue.label = breathing_label(cue.value)
        by_field: dict[str, list[str]] = {field: [] for field in STEP_FIELDS}
        for field, message in self.problems:
            by_field.setdefault(problem_widget(field), []).append(f"{field}: {message}" if "." in field else message)
        for field, messages in by_field.items():
            shown = messages if field in self.touched else []
            line = self.query_one(f"#{field}-problem", Static)
            line.update(Text("\n".join(f"! {m}" for m in shown)))
            line.display = bool(shown)
        status = self.query_one("#step-status", Static)
        keep = self.query_one("#keep", Button)
        keep.disabled = not self.schema_ok
        if not self.schema_ok:
            missing = [FIELD_NAMES.get(problem_widget(f), f) for f, _ in self.problems]
            status.update(
                Text(f"Keep is blocked until these are filled in or fixed: {', '.join(dict.fromkeys(missing))}")
            )
        elif self.problems:
            status.update(
                Text(
                    f"! This step breaks {count(len(self.problems), 'safety limit')}; you may keep it, "
                    "but the routine cannot be saved until it is fixed."
                )
            )
        else:
            status.update(Text("This step is within every limit."))

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event: Input.Changed | Select.Changed | Checkbox.Changed) -> None:
        widget_id = event.control.id or ""
        self.touched.add("breathing" if widget_id in {"inhale", "exhale"} else widget_id)
        self._revalidate()

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        self.touched.update(STEP_FIELDS)
        self._revalidate()
        if not self.schema_ok:
            self.notify("Fill in or fix the fields marked with ! first.", severity="warning", markup=False)
            return
        self.dismiss(Step.model_validate(self.candidate()))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _v(step: Step | None, field: str) -> Any:
    return getattr(step, field) if step is not None else Select.NULL
