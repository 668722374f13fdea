"""A session that could not be saved: what went wrong, and a retry or an export to a file, so nothing is lost."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from companion.history.records import SessionRecord
from companion.history.store import SaveError, StorageError
from companion.services import Services
from screens.screen_kinds import FocusedOnMount
from screens.stylesheets import FLOW_CSS_PATH
from screens.widgets.focus_marks import MarkedButton, TextBox


def default_export_path(record: SessionRecord) -> Path:
    """A file in the home folder named after the session."""
    return Path.home() / f"companion-session-{record.started_at:%Y%m%d-%H%M}-{str(record.id)[:8]}.json"


class SaveFailedScreen(FocusedOnMount, ModalScreen[bool]):
    """Offer to retry saving ``record`` (with ``save``) or to export it; dismissed with ``True`` once it is safe
    somewhere, ``False`` when the user leaves it for later."""

    CSS_PATH = FLOW_CSS_PATH
    BINDINGS = [
        Binding("r", "retry", "Retry"),
        Binding("e", "focus_export", "Export"),
        Binding("escape", "later", "Later"),
    ]

    def __init__(
        self, services: Services, record: SessionRecord, message: str, save: Callable[[SessionRecord], None]
    ) -> None:
        super().__init__()
        self.services = services
        self.record = record
        self.message = message
        self.save = save
        """Saves a record, raising :class:`SaveError` when it cannot."""

    def compose(self) -> ComposeResult:
        with Vertical(id="save-failed"):
            yield Static(Text("Your session was not saved", style="bold"))
            yield Static(Text(self.message), id="save-error")
            yield Static("Retry (r), or export it to a file you can import later with 'companion import FILE':")
            yield TextBox(str(default_export_path(self.record)), id="export-path")
            with Horizontal(id="save-buttons"):
                yield MarkedButton("Retry (r)", id="retry", variant="primary")
                yield MarkedButton("Export (e, Enter in the path)", id="export")
                yield MarkedButton("Later (Esc)", id="later")

    def on_mount(self) -> None:
        self.query_one("#retry", Button).focus()

    @on(Button.Pressed, "#retry")
    def action_retry(self) -> None:
        self._busy("Saving…")
        self._retry()

    @work(thread=True, exclusive=True, group="save-failed")
    def _retry(self) -> None:
        """Save again, off the UI thread (the store may wait for another window's lock)."""
        try:
            self.save(self.record)
        except SaveError as exc:
            self.call_later(self._not_done, str(exc), "Still not saved.")
            return
        self.call_later(self._done, "Saved.")

    def _busy(self, doing: str) -> None:
        """Say what is under way; no second retry or export meanwhile."""
        self.query_one("#save-error", Static).update(Text(doing))
        for button in self.query(Button):
            button.disabled = button.id != "later"

    def _not_done(self, problem: str, said: str) -> None:
        self.query_one("#save-error", Static).update(Text(problem))
        for button in self.query(Button):
            button.disabled = False
        self.app.notify(said, severity="error")

    def _done(self, said: str) -> None:
        self.app.notify(said, markup=False)
        self.dismiss(True)

    def action_focus_export(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Button.Pressed, "#export")
    @on(Input.Submitted, "#export-path")
    def _export(self) -> None:
        value = self.query_one("#export-path", Input).value.strip()
        if not value:
            self.app.notify("Type the file to export to.", severity="warning")
            return
        self._busy("Exporting…")
        self._export_to(Path(value).expanduser())

    @work(thread=True, exclusive=True, group="save-failed")
    def _export_to(self, target: Path) -> None:
        """Write the session to ``target``, off the UI thread."""
        try:
            self.services.store.export_unsaved(self.record, target)
        except (StorageError, OSError) as exc:
            self.call_later(self._not_done, str(exc), "Not exported.")
            return
        self.call_later(self._done, f"Exported to {target}; import it later with 'companion import {target}'.")

    @on(Button.Pressed, "#later")
    def action_later(self) -> None:
        self.dismiss(False)
