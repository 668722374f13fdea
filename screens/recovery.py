"""At start: an unfinished run left by a crash, kill or closed terminal, offered to be recorded or discarded."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from companion.history.store import HistoryStore, SaveError, StorageError
from companion.run.checkpoint import Checkpoint, checkpoint_to_record, load_checkpoint, run_elsewhere
from companion.services import Services
from companion.words import format_seconds
from screens.flow import RUN_ELSEWHERE, forget_checkpoint, save_record
from screens.stylesheets import FLOW_CSS_PATH
from screens.widgets.focus_marks import MarkedButton

if TYPE_CHECKING:
    from textual.app import App


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


def offer_recovery(app: App[Any], services: Services) -> None:
    """If a run was left unfinished, offer to record it (or say it was already saved)."""
    from screens.save_failed import SaveFailedScreen

    checkpoint, message = load_checkpoint(services.paths, services.clock.now())
    if message:
        app.notify(message, severity="warning", timeout=15, markup=False)
    if checkpoint is None:
        return
    if run_elsewhere(services.paths):  # the run is still going in another window: it is not lost
        app.notify(RUN_ELSEWHERE, title="One routine at a time", timeout=10)
        return
    try:
        # A store of its own: the app's store may be loading in a worker thread right now.
        saved = HistoryStore(services.paths).get(checkpoint.session_id) is not None
    except StorageError:
        saved = False
    if saved:
        forget_checkpoint(app, services)
        app.notify(f"Your last session ({checkpoint.routine_title}) was already saved.", markup=False)
        return

    def chosen(choice: str | None) -> None:
        if choice == "discard":
            forget_checkpoint(app, services)
            app.notify("The unfinished session was discarded.")
        elif choice == "record":
            record = checkpoint_to_record(checkpoint)
            try:
                save_record(app, services, record)
            except SaveError as exc:
                app.push_screen(SaveFailedScreen(services, record, str(exc), clear_checkpoint_after=True))
                return
            forget_checkpoint(app, services)
            app.notify(
                f"Recorded as interrupted: {checkpoint.routine_title}, {format_seconds(record.actual_seconds)} done.",
                markup=False,
            )

    app.push_screen(RecoveryScreen(checkpoint), callback=chosen)
