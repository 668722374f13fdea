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
from textual.widgets import Button, Footer, Header, Input, OptionList, Static

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
from screens.stylesheets import FLOW_CSS_PATH
from screens.tension import TensionList, tension_list
from screens.widgets.focus_marks import MarkedButton, TextBox

SAVE = "Save and close"
SAVING = "Saving your session…"
NOT_SAVED = "Not saved yet: save and close"

OUTCOME_WORDS = {
    SessionStatus.COMPLETED: "Routine completed",
    SessionStatus.STOPPED: "Routine stopped",
    SessionStatus.INTERRUPTED: "Routine interrupted",
}


def summary_text(plan: Plan, record: SessionRecord) -> Text:
    """What was really done: the outcome, the total time and each step's time against its plan."""
    text = Text()
    text.append(f"{OUTCOME_WORDS[record.status]}: ", style="bold")
    text.append(plan.routine.title, style="bold")
    planned = sum(step.planned_seconds for step in record.steps)
    text.append(f"\n{format_seconds(record.actual_seconds)} done of {format_seconds(planned)} planned\n")
    for step, done in zip(plan.steps, record.steps, strict=True):
        mark = "✓" if done.actual_seconds >= done.planned_seconds else ("–" if done.actual_seconds else "·")
        text.append(f" {mark} {format_seconds(done.actual_seconds):>5}  ")
        text.append(step.title)
        text.append("\n")
    return text


def therapy_text(services: Services, plan: Plan) -> Text:
    """What the matching professional therapy would add, or nothing."""
    match = matching_therapy(plan.routine, services.catalog)
    text = Text()
    if match is None:
        return text
    therapy, why = match
    text.append(f"What {therapy.name} would add\n", style="bold")
    text.append(why)
    text.append("\n")
    text.append(therapy.what)
    return text


class ReflectionScreen(Screen[None]):
    """The summary of the session just recorded, with the optional tension rating and note."""

    ALLOW_NAVIGATION = False
    """Keys that open other screens are off here (see ``CompanionApp.check_action``)."""

    CSS_PATH = FLOW_CSS_PATH
    BINDINGS = [Binding("escape", "finish", "Save and close")]

    def __init__(self, services: Services, plan: Plan, record: SessionRecord, *, saving: bool = False) -> None:
        super().__init__()
        self.services = services
        self.plan = plan
        self.record = record
        self.saving = saving
        """Whether the session is being saved (the button says so until it is)."""

    @property
    def tension_after(self) -> int | None:
        """The rating highlighted in the list (kept when the focus moves on to the note)."""
        return self.query_one("#tension-after", TensionList).value

    def compose(self) -> ComposeResult:
        yield Header()
        # Wide: the summary beside the rating, whose list shows every value; narrow: one above the other.
        with Horizontal(classes="flow-body"):
            with VerticalScroll(id="reflection"):
                warning = neck_warning(self.services.catalog, self.record)
                if warning:
                    yield Static(warning, id="neck-warning")
                yield Static(summary_text(self.plan, self.record), id="summary")
                yield Static(id="suggests")
                yield Static(therapy_text(self.services, self.plan), id="therapy")
            with Vertical(classes="rating"):
                yield Static("How tense do you feel now, 0 to 10? Optional.", id="tension-after-q")
                yield tension_list("tension-after")
                yield TextBox(placeholder="A note (optional); Enter saves", id="note", max_length=2000)
                yield MarkedButton(SAVING if self.saving else SAVE, id="save", variant="primary", compact=True)
        yield Footer()

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
        self.query_one("#save", Button).label = SAVING

    def show_saved(self, saved: bool) -> None:
        """The save under way is over (``saved``: it succeeded; else the flow offers a retry)."""
        self.saving = False
        self.query_one("#save", Button).label = SAVE if saved else NOT_SAVED

    def saved(self, record: SessionRecord) -> None:
        """``record`` (this session with the reflection) is saved: close."""
        self.record = record
        self.dismiss()
