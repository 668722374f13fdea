"""After the routine: what was done, tension now, a note, what the ratings now suggest, and what the matching
professional therapy would add. After neck work, the neck's warning signs come first.

The session is already saved when this screen appears; saving here adds the rating and the note to it, so closing
the terminal now loses nothing but what was typed here. Escape saves what was entered, like the button.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Input, OptionList, Static

from companion.advice.advisor import advice, bundled_rules, matching_therapy
from companion.advice.guidance import Guidance
from companion.advice.relief import relief_figures
from companion.history.records import SessionRecord, SessionStatus
from companion.history.store import StorageError
from companion.safety.plan import Plan
from companion.services import Services
from companion.words import format_seconds
from screens.advice_text import neck_warning, suggestion_text
from screens.messages import ReflectionGiven
from screens.screen_kinds import FlowStep, FocusedOnMount
from screens.stylesheets import FLOW_CSS_PATH
from screens.tension import TensionList, tension_list
from screens.widgets.focus_marks import MarkedButton, TextBox
from screens.widgets.hanging import HangingText
from screens.widgets.key_footer import KeyFooter

SAVE = "Save and close"
SAVING = "Saving your session…"
NOT_SAVED = "Not saved yet: save and close"

OUTCOME_WORDS = {
    SessionStatus.COMPLETED: "Routine completed",
    SessionStatus.STOPPED: "Routine stopped",
    SessionStatus.INTERRUPTED: "Routine interrupted",
}


DONE = ("✓", "done")
CUT_SHORT = ("–", "cut short")
NOT_REACHED = ("·", "not reached")
"""Each step's mark in the summary, and the words of the legend under the steps."""


def summary_text(plan: Plan, record: SessionRecord) -> HangingText:
    """What was really done: the outcome, the total time, each step's time against its plan, what the marks mean."""
    text = HangingText()
    text.append(f"{OUTCOME_WORDS[record.status]}: ", style="bold")
    text.append(plan.routine.title, style="bold")
    planned = sum(step.planned_seconds for step in record.steps)
    text.append(f"\n{format_seconds(record.actual_seconds)} done of {format_seconds(planned)} planned\n")
    for step, done in zip(plan.steps, record.steps, strict=True):
        mark = (
            DONE if done.actual_seconds >= done.planned_seconds else (CUT_SHORT if done.actual_seconds else NOT_REACHED)
        )
        text.item(f" {mark[0]} {format_seconds(done.actual_seconds):>5}  ", step.title)
    text.append("  ".join(f"{mark} {words}" for mark, words in (DONE, CUT_SHORT, NOT_REACHED)), style="dim")
    return text


def therapy_text(services: Services, plan: Plan) -> Text:
    """What the matching professional therapy would add, or nothing: one fit for the screening answers the session
    went ahead with (prenatal massage in pregnancy)."""
    match = matching_therapy(plan.routine, services.catalog, answered=plan.screening.answered_yes)
    text = Text()
    if match is None:
        return text
    therapy, why = match
    text.append(f"What {therapy.name} would add\n", style="bold")
    text.append(why)
    text.append("\n")
    text.append(therapy.what)
    return text


class ReflectionScreen(FlowStep, FocusedOnMount, Screen[None]):
    """The summary of the session just recorded, with the optional tension rating and note."""

    CSS_PATH = FLOW_CSS_PATH
    BINDINGS = [Binding("escape", "finish", "Save and close")]

    def __init__(self, services: Services, plan: Plan, record: SessionRecord, *, saving: bool = False) -> None:
        super().__init__()
        self.services = services
        self.plan = plan
        self.record = record
        self.saving = saving
        """Whether the session is being saved (the button says so until it is)."""
        self.save_label = SAVING if saving else SAVE
        """What the save button says; kept here, as a save can end before the screen is composed."""

    @property
    def tension_after(self) -> int | None:
        """The rating highlighted in the list (kept when the focus moves on to the note)."""
        return self.query_one("#tension-after", TensionList).value

    def compose(self) -> ComposeResult:
        yield Header()
        # Wide: the summary beside the rating, whose list shows every value; narrow: one above the other. The
        # neck's warning stands above the summary, outside its scrolling, so it is read whole at every size.
        with Horizontal(classes="flow-body"):
            with Vertical(id="session"):
                warning = neck_warning(self.services.catalog, self.record)
                if warning:
                    yield Static(warning, id="neck-warning")
                with VerticalScroll(id="reflection", classes="framed -text"):
                    yield Static(summary_text(self.plan, self.record), id="summary")
                    yield Static(id="suggests")
                    yield Static(therapy_text(self.services, self.plan), id="therapy")
            with Vertical(classes="rating"):
                yield Static("How tense do you feel now, 0 to 10? Optional.", id="tension-after-q")
                yield tension_list("tension-after")
                with Horizontal(id="note-row"):  # one row when narrow: the note beside its button
                    yield TextBox(placeholder="Note, optional; Enter saves", id="note", max_length=2000, compact=True)
                    yield MarkedButton(self.save_label, id="save", variant="primary", compact=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#tension-after", OptionList).focus()
        self._show_suggestions()

    @on(OptionList.OptionSelected, "#tension-after")
    def _rated(self) -> None:
        self.query_one("#note", Input).focus()

    @on(OptionList.OptionHighlighted, "#tension-after")
    def _show_suggestions(self) -> None:
        """What the ratings suggest with the one highlighted now: the advice about the areas worked, and how much
        the routine has eased your tension so far."""
        record = self.record.model_copy(update={"tension_after": self.tension_after})
        try:
            history = [r for r in self.services.store.records if r.id != record.id]
        except StorageError:
            history = []
        records = [*history, record]
        today = self.services.today()
        rules = bundled_rules()
        catalog = self.services.catalog
        items = tuple(advice(catalog, rules, records, today))
        figures = tuple(relief_figures(catalog, rules.relief, records))
        found = Guidance(today=today, items=items, figures=figures, best=None)
        self.query_one("#suggests", Static).update(suggestion_text(found, self.plan.routine, record))

    @on(Input.Submitted, "#note")
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.action_finish()

    def reflected_record(self) -> SessionRecord:
        """The record with the rating and the note entered here (the note exactly as typed, never markup)."""
        return self.record.model_copy(
            update={"tension_after": self.tension_after, "notes": self.query_one("#note", Input).value.strip()}
        )

    def action_finish(self) -> None:
        """Close, after the flow has saved the rating and the note (if any was given)."""
        record = self.reflected_record()
        if record.tension_after == self.record.tension_after and record.notes == self.record.notes:
            self.dismiss()
            return
        self.post_message(ReflectionGiven(record))

    def show_saving(self) -> None:
        """Say that the session is being saved (the flow saves it in the background)."""
        self.saving = True
        self._label_save(SAVING)

    def show_saved(self, saved: bool) -> None:
        """The save under way is over (``saved``: it succeeded; else the flow offers a retry). It may be over before
        this screen is composed (a full disk fails at once): the button then starts with what it says."""
        self.saving = False
        self._label_save(SAVE if saved else NOT_SAVED)

    def _label_save(self, label: str) -> None:
        self.save_label = label
        for button in self.query("#save").results(Button):
            button.label = label
            button.refresh(layout=True)  # its width follows its label (a label alone only repaints the old width)

    def saved(self, record: SessionRecord) -> None:
        """``record`` (this session with the reflection) is saved: close."""
        self.record = record
        self.dismiss()
