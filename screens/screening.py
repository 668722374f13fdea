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
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Header, OptionList, Static
from textual.widgets.option_list import Option

from companion.advice.advisor import red_flag_reminder
from companion.catalogue.models import Question, Routine
from companion.safety.screening import (
    AnswersChange,
    ScreeningAnswers,
    areas_to_name,
    asks_which_areas,
    load_screening,
    questions_for,
)
from companion.services import Services
from screens.messages import ScreeningAnswered
from screens.screen_kinds import AnswersApp, FlowStep
from screens.stylesheets import FLOW_CSS_PATH
from screens.widgets.focus_marks import MarkedButton
from screens.widgets.hanging import HangingText
from screens.widgets.key_footer import KeyFooter
from screens.widgets.marked_list import MarkedOptionList
from screens.widgets.tick_list import tick_prompt

NONE_APPLY = "None of these apply"
ANSWERS_CHANGED = "Today's screening answers were changed meanwhile (in another window, perhaps): they are shown here."


class AreasScreen(ModalScreen[frozenset[str] | None]):
    """Which areas an answer applies to (a bruise, lingering soreness): those are left out, the rest stay."""

    CSS_PATH = FLOW_CSS_PATH
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "done", "Leave them out"),
        Binding("space", "tick", "Tick", show=False),
    ]

    def __init__(self, question: Question, areas: list[tuple[str, str]], chosen: frozenset[str]) -> None:
        super().__init__()
        self.question = question
        self.areas = areas
        self.chosen: set[str] = set(chosen)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="areas-dialog", classes="framed"):
            heading = Text("Which areas? ", style="bold")
            heading.append(self.question.text)
            yield Static(heading, id="areas-heading")
            yield Static("Space or Enter ticks an area; ctrl+s leaves the ticked ones out today.", id="areas-hint")
            yield MarkedOptionList(
                *(Option(self._prompt(area, name), id=area) for area, name in self.areas), id="areas"
            )
            yield MarkedButton("Leave the ticked areas out (ctrl+s)", id="areas-done", variant="primary", compact=True)
        yield KeyFooter()

    def _prompt(self, area: str, name: str) -> HangingText:
        """An area with its box: ``[x]`` ticked, ``[ ]`` not (the mark says it, not only a colour)."""
        return tick_prompt(name, area in self.chosen)

    def on_mount(self) -> None:
        self.query_one("#areas", OptionList).focus()

    @on(OptionList.OptionSelected, "#areas")
    def _toggle(self, event: OptionList.OptionSelected) -> None:
        area = event.option.id
        if area is None:
            return
        self.chosen ^= {area}
        name = dict(self.areas)[area]
        self.query_one("#areas", OptionList).replace_option_prompt(area, self._prompt(area, name))

    def action_tick(self) -> None:
        areas = self.query_one("#areas", OptionList)
        if areas.has_focus and areas.highlighted is not None:
            areas.action_select()

    @on(Button.Pressed, "#areas-done")
    def action_done(self) -> None:
        if not self.chosen:
            said = "Tick at least one area, or press Escape to leave the question unanswered."
            self.notify(said, severity="warning", markup=False)
            return
        self.dismiss(frozenset(self.chosen))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ScreeningScreen(FlowStep, Screen[None]):
    """The screening questions for ``routine`` (every question when ``routine`` is ``None``: editing answers)."""

    CSS_PATH = FLOW_CSS_PATH
    AUTO_FOCUS = "#continue"
    """The safe "None of these apply" has the focus from the first frame (focused later, on mount, a key pressed
    as the screen appeared could land on the questions and then see the focus taken from under it)."""
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("c", "continue", "Continue"),
        Binding("a", "focus_answers", "Answers"),
        Binding("r", "app.red_flags", "Red flags"),
        Binding("space", "toggle_answer", "Tick", show=False),
    ]

    def __init__(self, services: Services, routine: Routine | None, answers: ScreeningAnswers | None = None) -> None:
        super().__init__()
        self.services = services
        self.routine = routine
        catalog = services.catalog
        self.questions: tuple[Question, ...] = (
            questions_for(routine, catalog) if routine is not None else catalog.safety.questions
        )
        self.answers = answers if answers is not None else self._saved_answers()
        """Today's answers as shown when the screen opened (from the flow: the newest of any window, with this
        window's own still being written; else from disk)."""
        self.ticked: set[str] = {q.id for q in self.questions if self.answers.answered_yes(q.id)}
        """Questions ticked on screen (not saved until the user goes on)."""
        self.areas: dict[str, frozenset[str]] = dict(self.answers.areas)
        """For questions that ask which areas: the areas named (none named: every area is left out)."""

    def _saved_answers(self) -> ScreeningAnswers:
        return load_screening(self.services.paths, self.services.today())

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
        yield Static(red_flag_reminder("r"), id="screening-red-flags")
        if self.answers.unreadable is not None:
            yield Static(Text(f"! {self.answers.unreadable}"), id="screening-unreadable")
        yield MarkedOptionList(
            *(Option(self._prompt(q), id=q.id) for q in self.questions), id="answers", classes="framed"
        )
        yield MarkedButton(self._continue_label(), id="continue", variant="primary", compact=True)
        yield KeyFooter()

    def _prompt(self, question: Question) -> HangingText:
        """A question with its box: ``[x]`` ticked (yes), ``[ ]`` not (the mark says it, not only a colour); its
        wrapped lines start under its words, not under the box."""
        yes = question.id in self.ticked
        text = Text(question.text)
        if yes:
            text.append("  (yes", style="bold")
            if asks_which_areas(question):
                named = self.areas.get(question.id)
                names = self.services.catalog.areas
                text.append(": " + ", ".join(sorted(names[a].name for a in named if a in names)) if named else
                            ": every area", style="bold")  # fmt: skip
            text.append(")", style="bold")
        return tick_prompt(text, yes)

    def on_mount(self) -> None:
        self.query_one("#answers", OptionList).border_title = "Today"

    def on_screen_resume(self) -> None:
        # The answers may have been changed from the palette or another window while this screen waited.
        if self.app.screen is not self:  # resumed only on the way down to the home screen
            return
        app = self.app
        answers = app.todays_answers() if isinstance(app, AnswersApp) else self._saved_answers()
        if answers != self.answers:
            ticked = AnswersChange.between(self.answers, self.answers_from_list()).applied_to(answers)
            self.answers = answers  # what the person ticked on screen meanwhile stays ticked
            self.ticked = {q.id for q in self.questions if ticked.answered_yes(q.id)}
            self.areas = dict(ticked.areas)
            self._show_ticks()
            self.notify(ANSWERS_CHANGED, markup=False)

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
        if question_id is None:
            return
        self.ticked ^= {question_id}
        question = next(q for q in self.questions if q.id == question_id)
        if question_id not in self.ticked:
            self.areas.pop(question_id, None)
        elif asks_which_areas(question):
            self.ask_areas(question)
        self._show_ticks()

    def ask_areas(self, question: Question) -> None:
        """Ask which areas ``question`` applies to (those of the routine, or every area without one)."""
        areas = areas_to_name(self.routine, self.services.catalog)

        def chosen(named: frozenset[str] | None) -> None:
            if named:
                self.areas[question.id] = named
            else:  # Escape: the question goes back to unanswered, as it was before it was ticked (finding 124)
                self.ticked.discard(question.id)
                self.areas.pop(question.id, None)
            self._show_ticks()

        self.app.push_screen(AreasScreen(question, areas, self.areas.get(question.id, frozenset())), chosen)

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
            named = self.areas.get(question.id)
            if question.id in ticked and named and asks_which_areas(question):
                answers = answers.with_areas(question.id, named)
        return answers

    def action_continue(self) -> None:
        """Give the answers to the flow: it keeps them, then stops, asks for a clearance or shows the plan."""
        shown, self.answers = self.answers, self.answers_from_list()
        self.post_message(ScreeningAnswered(self.routine, self.answers, shown))
