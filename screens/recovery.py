"""At start: an unfinished run left by a crash, kill or closed terminal, offered to be recorded or discarded."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from companion.run.checkpoint import Checkpoint
from companion.words import format_seconds
from screens.stylesheets import FLOW_CSS_PATH
from screens.widgets.focus_marks import MarkedButton


def checkpoint_text(checkpoint: Checkpoint) -> Text:
    """The unfinished run in words: routine, when, and the time actually done."""
    text = Text()
    text.append("An unfinished session was found\n\n", style="bold")
    text.append(checkpoint.routine_title, style="bold")
    started = checkpoint.started_at.astimezone()
    done = round(checkpoint.actual_seconds)
    planned = sum(step.planned_seconds for step in checkpoint.steps)
    text.append(f"\nStarted {started:%A %d %B at %H:%M}; ")
    text.append(f"{format_seconds(done)} done of {format_seconds(planned)} planned.\n")
    text.append("\nRecord it as interrupted, with the time actually done, or discard it?")
    return text


class RecoveryScreen(ModalScreen[str]):
    """Dismissed with ``"record"``, ``"discard"`` or ``"later"`` (Escape: ask again at the next start)."""

    CSS_PATH = FLOW_CSS_PATH
    BINDINGS = [
        Binding("r", "choose('record')", "Record"),
        Binding("d", "choose('discard')", "Discard"),
        Binding("escape", "choose('later')", "Later"),
    ]

    def __init__(self, checkpoint: Checkpoint) -> None:
        super().__init__()
        self.checkpoint = checkpoint

    def compose(self) -> ComposeResult:
        with Vertical(id="recovery"):
            yield Static(checkpoint_text(self.checkpoint), id="recovery-text")
            with Horizontal(id="recovery-buttons"):
                yield MarkedButton("Record as interrupted (r)", id="record", variant="primary")
                yield MarkedButton("Discard (d)", id="discard", variant="error")

    def on_mount(self) -> None:
        self.query_one("#record", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "later")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
