"""Today's plan for the routine (what was trimmed or left out and why, warnings) and the tension rating.

Enter on the focused "Skip rating" starts the routine; Escape goes back to the screening.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, OptionList, Static

from companion.safety.plan import Plan
from companion.words import count, format_seconds
from screens.messages import BackToRoutines, PlanAccepted, PlanOutdated
from screens.stylesheets import FLOW_CSS_PATH
from screens.tension import tension_list, tension_value
from screens.widgets.focus_marks import MarkedButton


def plan_text(plan: Plan) -> Text:
    """The plan in words: the changes made for safety (with sources), warnings, clearances, then the steps."""
    text = Text()
    routine = plan.routine
    if plan.is_empty:
        text.append("Nothing is left to do in this routine today.", style="bold")
        text.append("\n")
    else:
        text.append(f"{count(len(plan.steps), 'step')}, {format_seconds(plan.total_seconds)}", style="bold")
        if plan.total_seconds != routine.total_seconds:
            text.append(f" (written as {format_seconds(routine.total_seconds)})")
        text.append("\n")
    if plan.notes:
        text.append("\nChanged for your safety:\n", style="bold")
        for note in plan.notes:
            text.append(" • ")
            text.append(note.text)
            text.append("\n")
    if plan.warnings:
        text.append("\nTake care:\n", style="bold")
        for warning in plan.warnings:
            text.append(" ! ")
            text.append(warning.text)
            text.append("\n")
    if plan.screening.cleared:
        text.append("\nYou confirmed a doctor cleared you for: ", style="bold")
        text.append("; ".join(question.text for question in plan.screening.cleared))
        text.append("\n")
    if plan.steps:
        text.append("\nSteps:\n", style="bold")
        for number, step in enumerate(plan.steps, start=1):
            text.append(f"{number:>2}. {format_seconds(step.seconds):>5}  ")
            text.append(step.title)
            text.append(f"  {step.area_name} · {step.tool_name}", style="dim")
            if step.trimmed:
                text.append(f" (trimmed from {format_seconds(step.step.seconds)})")
            text.append("\n")
    return text


class PlanReviewScreen(Screen[None]):
    """The plan and the optional tension rating before the first countdown."""

    ALLOW_NAVIGATION = False
    """Keys that open other screens are off here (see ``CompanionApp.check_action``)."""

    CSS_PATH = FLOW_CSS_PATH
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self._shown = False
        self.plan = plan

    def compose(self) -> ComposeResult:
        yield Header()
        # Wide: the plan beside the rating, whose list shows every value; narrow: one above the other.
        with Horizontal(classes="flow-body"):
            with VerticalScroll(id="plan") as scroll:
                scroll.border_title = "Today's plan"
                yield Static(plan_text(self.plan), id="plan-text")
            with Vertical(classes="rating"):
                if self.plan.can_start:
                    yield Static(
                        "How tense do you feel now, 0 to 10? Optional: Enter starts the routine.", id="tension-q"
                    )
                    yield tension_list("tension")
                else:
                    yield MarkedButton("Back to routines (Enter)", id="home", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#plan", VerticalScroll).border_subtitle = self.plan.routine.title
        if self.plan.can_start:
            self.query_one("#tension", OptionList).focus()
        else:
            self.query_one("#home", Button).focus()

    def on_screen_resume(self) -> None:
        # Back on this screen: the screening answers may have been changed from the palette meanwhile.
        if self._shown and self.app.screen is self:  # not when resumed only on the way down to the home screen
            self.post_message(PlanOutdated(self.plan))
        self._shown = True

    def show_plan(self, plan: Plan) -> None:
        """Show ``plan`` in place of the one shown (it can start exactly when that one could)."""
        self.plan = plan
        self.query_one("#plan-text", Static).update(plan_text(plan))

    @on(Button.Pressed, "#home")
    def _home(self) -> None:
        self.post_message(BackToRoutines())

    @on(OptionList.OptionSelected, "#tension")
    def _start(self, event: OptionList.OptionSelected) -> None:
        self.post_message(PlanAccepted(self.plan, tension_value(event.option.id)))

    def action_back(self) -> None:
        self.dismiss()
