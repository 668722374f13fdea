"""The floor for start-up, memory and key response (issue 17): what any app on this stack pays, none of Companion.

A bare Textual app (Header, Static, Footer, as ``bare_app.py``) that first does what validating at the boundary
costs any such app: it imports pydantic, defines six frozen models of its own with a validator, and validates a
settings document and a twelve-routine catalogue before its first frame. It imports nothing of Companion's, so
Companion's own models, data and screens are what the benchmarks measure above it.

For the key-response benchmark it handles the keys Companion's runner does, in the plainest way Textual offers:
``space`` shows "Paused" (and "Running" again), ``n`` moves to the next step, ``b`` back, and ``s`` opens a yes/no
dialog (``y`` or ``n`` closes it).
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Header, Static


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Breathing(Frozen):
    inhale: int = Field(default=4, ge=1, le=10)
    exhale: int = Field(default=6, ge=1, le=10)


class Settings(Frozen):
    theme: str = Field(default="textual-dark", min_length=1, max_length=40)
    bell: bool = False
    reduced_motion: bool = False
    breathing: Breathing = Breathing()
    tools: tuple[str, ...] = ()


class Source(Frozen):
    publisher: str = Field(min_length=1, max_length=200)
    url: str = Field(pattern=r"^https://")


class Step(Frozen):
    title: str = Field(min_length=1, max_length=80)
    area: str = Field(pattern=r"^[a-z][a-z-]*$")
    seconds: int = Field(ge=10, le=600)
    intensity: Literal["gentle", "moderate", "firm"]
    instruction: str = Field(min_length=1, max_length=2000)

    @field_validator("title", "instruction")
    @classmethod
    def _no_control_characters(cls, value: str) -> str:
        if any(ord(char) < 32 for char in value):
            raise ValueError("control characters are not allowed")
        return value


class Routine(Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str = Field(min_length=1, max_length=80)
    goals: tuple[str, ...] = Field(min_length=1)
    steps: tuple[Step, ...] = Field(min_length=1, max_length=30)
    sources: tuple[Source, ...] = ()


class Catalogue(Frozen):
    routines: tuple[Routine, ...]

    @model_validator(mode="after")
    def _unique_ids(self) -> Catalogue:
        ids = [routine.id for routine in self.routines]
        if len(ids) != len(set(ids)):
            raise ValueError("routine ids must be unique")
        return self


SETTINGS_DOCUMENT = json.dumps({"theme": "textual-dark", "bell": True, "breathing": {"inhale": 4, "exhale": 7}})
CATALOGUE_DOCUMENT = json.dumps(
    {
        "routines": [
            {
                "id": f"routine-{number}",
                "title": f"Routine {number}",
                "goals": ["relax", "mobility"],
                "steps": [
                    {
                        "title": f"Step {step}",
                        "area": "shoulders",
                        "seconds": 60,
                        "intensity": "gentle",
                        "instruction": "Slow strokes from the neck out to the shoulder tip, breathing out. " * 3,
                    }
                    for step in range(1, 6)
                ],
                "sources": [{"publisher": "A publisher", "url": "https://example.org/article"}],
            }
            for number in range(1, 13)
        ]
    }
)
STEPS = 5


class StopDialog(ModalScreen[bool]):
    """A yes/no question, as plain as Textual makes one."""

    BINDINGS = [Binding("y", "answer(True)", "Stop"), Binding("n,escape", "answer(False)", "Keep going")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Stop the routine now?")
            with Horizontal():
                yield Button("Keep going (n)", id="no")
                yield Button("Stop (y)", id="yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class FloorApp(App[None]):
    """The bare app after its own pydantic validation, with a runner's keys."""

    TITLE = "Floor"
    CSS = """
    StopDialog { align: center middle; }
    #dialog { width: 50; height: auto; border: round $primary; }
    #dialog Horizontal { height: auto; }
    """
    BINDINGS = [
        Binding("space", "pause", "Pause"),
        Binding("n", "next", "Next"),
        Binding("b", "previous", "Back"),
        Binding("s", "stop", "Stop"),
        Binding("ctrl+q", "quit", "Quit"),
    ]

    def __init__(self, settings: Settings, catalogue: Catalogue) -> None:
        super().__init__()
        self.settings = settings
        self.catalogue = catalogue
        self.step = 1
        self.paused = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._text(), id="state")
        yield Footer()

    def _text(self) -> str:
        state = "Paused" if self.paused else "Running"
        return f"Step {self.step} of {STEPS} in {len(self.catalogue.routines)} routines: {state}"

    def _show(self) -> None:
        self.query_one("#state", Static).update(self._text())

    def action_pause(self) -> None:
        self.paused = not self.paused
        self._show()

    def action_next(self) -> None:
        self.step = min(STEPS, self.step + 1)
        self._show()

    def action_previous(self) -> None:
        self.step = max(1, self.step - 1)
        self._show()

    def action_stop(self) -> None:
        self.push_screen(StopDialog())


if __name__ == "__main__":
    FloorApp(Settings.model_validate_json(SETTINGS_DOCUMENT), Catalogue.model_validate_json(CATALOGUE_DOCUMENT)).run()
