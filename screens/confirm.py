"""A yes-or-no question in a modal dialog, for deleting a routine or discarding unsaved changes."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

from screens.screen_kinds import FocusedOnMount
from screens.widgets.focus_marks import MarkedButton


class YesNoAnswers(FocusedOnMount, Screen[bool]):
    """The answering half of a yes-or-no screen: buttons ``#yes`` and ``#no`` and the ``answer`` action dismiss
    it with the choice. The safe answer (``#no``) has the focus, so a stray Enter never stops, deletes or
    discards anything."""

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id in ("yes", "no"):
            event.stop()
            self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ConfirmScreen(YesNoAnswers, ModalScreen[bool]):
    """Ask one question; dismiss with ``True`` for yes, ``False`` for no (Escape is always no)."""

    CSS_PATH = "builder.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: Text, yes: str, no: str) -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Static(self.question, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield MarkedButton(f"{self.yes} (y)", id="yes", variant="error")
                yield MarkedButton(f"{self.no} (n)", id="no", variant="primary")
