"""Safety screening before a routine: today's answers to the contraindication questions that apply to it.

The safe default ("None of these apply") has the focus, so a person with nothing to declare passes with Enter.
Answers are remembered for the day; the same screen, opened from the command palette without a routine, changes
them at any time.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from companion.catalogue.models import Question, Routine
from companion.safety.screening import ScreeningAnswers, load_screening, questions_for
from companion.services import Services
from screens.messages import ScreeningAnswered
from screens.stylesheets import FLOW_CSS_PATH
from screens.widgets.focus_marks import MarkedButton

NONE_APPLY = "None of these apply"


class ScreeningScreen(Screen[None]):
    """The screening questions for ``routine`` (every question when ``routine`` is ``None``: editing answers)."""

    ALLOW_NAVIGATION = False
    """Keys that open other screens are off here (see ``CompanionApp.check_action``)."""

    CSS_PATH = FLOW_CSS_PATH
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("c", "continue", "Continue"),
        Binding("a", "focus_answers", "Answers"),
        Binding("space", "toggle_answer", "Tick", show=False),
    ]

    def __init__(self, services: Services, routine: Routine | None) -> None:
        super().__init__()
        self.services = services
        self.routine = routine
        catalog = services.catalog
        self.questions: tuple[Question, ...] = (
            questions_for(routine, catalog) if routine is not None else catalog.safety.questions
        )
        self.answers = load_screening(services.paths, services.today())
        self.ticked: set[str] = {q.id for q in self.questions if self.answers.answered_yes(q.id)}
        """Questions ticked on screen (not saved until the user goes on)."""

    def compose(self) -> ComposeResult:
        yield Header()
        heading = Text()
        if self.routine is None:
            heading.append("Today's screening answers", style="bold")
        else:
            heading.append("Before ", style="bold")
            heading.append(self.routine.title, style="bold")
            heading.append(": does any of this apply to you today?", style="bold")
        yield Static(heading, id="screening-heading")
        yield Static(
            "Tick what applies: Tab (or a) to the list, Space or Enter to tick, c to go on. "
            "Your answers are kept for today.",
            id="screening-hint",
        )
        yield OptionList(*(Option(self._prompt(q), id=q.id) for q in self.questions), id="answers")
        yield MarkedButton(self._continue_label(), id="continue", variant="primary", compact=True)
        yield Footer()

    def _prompt(self, question: Question) -> Text:
        """A question with its box: ``[x]`` ticked (yes), ``[ ]`` not (the mark says it, not only a colour)."""
        yes = question.id in self.ticked
        text = Text("[x] " if yes else "[ ] ", style="bold" if yes else "")
        text.append(question.text)
        if yes:
            text.append("  (yes)", style="bold")
        return text

    def on_mount(self) -> None:
        self.query_one("#answers", OptionList).border_title = "Today"
        self.query_one("#continue", Button).focus()

    def on_screen_resume(self) -> None:
        # The answers may have been changed from the palette while this screen waited under another.
        if self.app.screen is not self:  # resumed only on the way down to the home screen
            return
        answers = load_screening(self.services.paths, self.services.today())
        if answers != self.answers:
            self.answers = answers
            self.ticked = {q.id for q in self.questions if answers.answered_yes(q.id)}
            self._show_ticks()

    def _show_ticks(self) -> None:
        answers = self.query_one("#answers", OptionList)
        for question in self.questions:
            answers.replace_option_prompt(question.id, self._prompt(question))
        self.query_one("#continue", Button).label = self._continue_label(len(self.ticked))

    def _continue_label(self, ticked: int | None = None) -> str:
        count = sum(1 for q in self.questions if self.answers.answered_yes(q.id)) if ticked is None else ticked
        if count == 0:
            return f"{NONE_APPLY} (Enter)" if self.routine is not None else f"{NONE_APPLY}: save"
        noun = "answer" if count == 1 else "answers"
        return f"Continue with {count} ticked {noun}" if self.routine is not None else f"Save {count} ticked {noun}"

    @on(OptionList.OptionSelected, "#answers")
    def _toggle(self, event: OptionList.OptionSelected) -> None:
        question_id = event.option.id
        if question_id is not None:
            self.ticked ^= {question_id}
            self._show_ticks()

    def action_toggle_answer(self) -> None:
        answers = self.query_one("#answers", OptionList)
        if answers.has_focus and answers.highlighted is not None:
            answers.action_select()

    @on(Button.Pressed, "#continue")
    def _continue_pressed(self) -> None:
        self.action_continue()

    def action_focus_answers(self) -> None:
        self.query_one("#answers", OptionList).focus()

    def action_back(self) -> None:
        self.dismiss()

    def answers_from_list(self) -> ScreeningAnswers:
        """Today's answers with the shown questions as ticked (questions not shown keep their answers)."""
        ticked = self.ticked
        answers = self.answers
        if answers.day != self.services.today():
            answers = ScreeningAnswers.fresh(self.services.today())
        for question in self.questions:
            answers = answers.with_answer(question.id, question.id in ticked)
        return answers

    def action_continue(self) -> None:
        """Give the answers to the flow: it keeps them, then stops, asks for a clearance or shows the plan."""
        self.answers = self.answers_from_list()
        self.post_message(ScreeningAnswered(self.routine, self.answers))
