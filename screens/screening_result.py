"""What a screening answer means: a stop (not today, and what to do instead) or a clearance to confirm first."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Static

from companion.catalogue.models import Question
from screens.confirm import YesNoAnswers
from screens.messages import BackToRoutines
from screens.screen_kinds import FocusedOnMount
from screens.stylesheets import FLOW_CSS_PATH
from screens.widgets.focus_marks import MarkedButton
from screens.widgets.key_footer import KeyFooter


def question_text(questions: tuple[Question, ...], opening: str, closing: str) -> Text:
    """Each question answered yes, why it matters and what to do instead, between an opening and a closing."""
    text = Text()
    text.append(opening, style="bold")
    text.append("\n")
    for question in questions:
        text.append("\nYou answered yes: ", style="bold")
        text.append(question.text)
        text.append("\nWhy it matters: ", style="bold")
        text.append(question.why)
        text.append("\nWhat to do instead: ", style="bold")
        text.append(question.instead)
        text.append("\n")
    if closing:
        text.append("\n")
        text.append(closing)
    return text


class StopScreen(FocusedOnMount, Screen[None]):
    """A "stop" answer: no session today, in plain words, with what to do instead. Escape changes the answers."""

    CSS_PATH = FLOW_CSS_PATH
    BINDINGS = [Binding("escape", "back", "Change answers")]

    def __init__(self, questions: tuple[Question, ...]) -> None:
        super().__init__()
        self.questions = questions

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="result-body", classes="framed -warning") as body:
            body.border_title = "Not today"
            yield Static(
                question_text(
                    self.questions,
                    "Self-massage could do harm today, so this routine will not start.",
                    "If you answered by mistake, press Escape to change your answers.",
                ),
                id="result-text",
            )
        with Horizontal(id="result-buttons"):
            yield MarkedButton("Back to routines (Enter)", id="home", variant="primary")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#home", Button).focus()

    @on(Button.Pressed, "#home")
    def _home(self) -> None:
        self.post_message(BackToRoutines())

    def action_back(self) -> None:
        self.dismiss()


class ClearanceScreen(YesNoAnswers, Screen[bool]):
    """An "ask first" answer: why, and a way on only for someone a doctor has cleared. Dismissed with the choice."""

    CSS_PATH = FLOW_CSS_PATH
    BINDINGS = [
        Binding("escape", "answer(False)", "Back"),
        Binding("y", "answer(True)", "Cleared"),
    ]

    def __init__(self, questions: tuple[Question, ...]) -> None:
        super().__init__()
        self.questions = questions

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="result-body", classes="framed -warning") as body:
            body.border_title = "Check with a doctor first"
            yield Static(
                question_text(
                    self.questions,
                    "Ask a doctor before this routine.",
                    "Continue only if a doctor has told you self-massage is fine for you. "
                    "Your confirmation is kept for today.",
                ),
                id="result-text",
            )
        with Horizontal(id="result-buttons"):
            yield MarkedButton("Go back", id="no", variant="primary")
            yield MarkedButton("A doctor has cleared me (y)", id="yes", variant="warning")
        yield KeyFooter()
