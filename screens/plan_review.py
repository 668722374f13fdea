"""Today's plan for the routine (what was trimmed or left out and why, warnings) and the tension rating.

Enter on the focused "Skip rating" starts the routine (a digit first picks a rating); Escape goes back to the
screening. When today's advice says to leave alone an area the routine works, a warning comes first, with a
routine that avoids it (``o``): that advice is worked out in a worker from the history as it is on disk when the plan
is made (and again when the history changes), never from what the app read earlier.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, OptionList, Static
from textual.worker import get_current_worker

from companion.advice.guidance import alternative_routine
from companion.advice.models import Advice
from companion.catalogue.models import Routine, Source, references
from companion.run.unread import nothing_starts
from companion.safety.plan import Plan
from companion.safety.screening import load_screening
from companion.services import Services
from companion.words import count, format_seconds
from screens.advice_text import held_text
from screens.messages import AlternativeChosen, BackToRoutines, GuidanceChanged, PlanAccepted, PlanOutdated
from screens.screen_kinds import FlowStep, FocusedOnMount, GuidedApp
from screens.stylesheets import FLOW_CSS_PATH
from screens.tension import tension_list, tension_value
from screens.widgets.focus_marks import MarkedButton
from screens.widgets.hanging import HangingText
from screens.widgets.key_footer import KeyFooter


def plan_text(plan: Plan, others: tuple[Plan, ...] = (), sources: Mapping[str, Source] | None = None) -> HangingText:
    """The plan in words: what could not be read, the changes made for safety (with sources and where they come
    from), warnings, clearances, the steps, and for a plan the answers emptied, routines that fit them. Bullets
    and steps wrap under their words."""
    text = HangingText()
    routine = plan.routine
    for problem in plan.unknown:
        text.item(Text("! ", style="bold"), problem)
    if plan.blocked_until is not None:
        text.append(nothing_starts(plan.blocked_until), style="bold")
        text.append("\n")
    elif plan.is_empty:
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
            text.item(" • ", note.text)
    cited = references(sources, plan.source_ids) if sources else []
    if cited:
        text.append("\nWhere these come from:\n", style="bold")
        for reference in cited:
            text.item(" • ", reference)
    if plan.warnings:
        text.append("\nTake care:\n", style="bold")
        for warning in plan.warnings:
            text.item(" ! ", warning.text)
    if plan.screening.cleared:
        text.append("\nYou confirmed a doctor cleared you for: ", style="bold")
        text.append("; ".join(question.text for question in plan.screening.cleared))
        text.append("\n")
    if plan.steps:
        text.append("\nSteps:\n", style="bold")
        for number, step in enumerate(plan.steps, start=1):
            line = Text.assemble(
                f"{format_seconds(step.seconds):>5}  ",
                step.title,
                (f"  {step.area_name} · {step.tool_name} · {step.intensity.value}", "dim"),
            )
            if step.trimmed:
                line.append(f" (trimmed from {format_seconds(step.step.seconds)})")
            if step.step.heat and not step.heat:
                line.append(" (heat off)")
            text.item(f"{number:>2}. ", line)
    if others:
        text.append("\nRoutines that fit your answers today (press its number):\n", style="bold")
        for number, other in enumerate(others, start=1):
            text.item(
                f" {number}. ", Text.assemble(other.routine.title, (f"  {format_seconds(other.total_seconds)}", "dim"))
            )
    return text


class PlanReviewScreen(FlowStep, FocusedOnMount, Screen[None]):
    """The plan and the optional tension rating before the first countdown."""

    CSS_PATH = FLOW_CSS_PATH
    BINDINGS = [
        Binding("escape", "back", "Back"),
        *(Binding(str(n), f"other({n})", "Other routine", show=n == 1) for n in range(1, 4)),
        Binding("o", "other_routine", "Instead"),
    ]

    def __init__(self, plan: Plan, others: tuple[Plan, ...] = (), sources: Mapping[str, Source] | None = None) -> None:
        super().__init__()
        self._shown = False
        self.plan = plan
        self.alternative: Routine | None = None
        """A routine that leaves alone the areas today's advice holds, offered instead (``o``)."""
        self.others = others
        """Routines that fit the answers, offered when the answers emptied this plan (keys 1 to 3)."""
        self.sources = sources

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "other_routine":
            return self.alternative is not None
        if action == "other":
            return bool(self.others) and isinstance(parameters[0], int) and parameters[0] <= len(self.others)
        return True

    def action_other(self, number: int) -> None:
        """Go through the screening for an offered routine that avoids what the answers rule out."""
        if 1 <= number <= len(self.others):
            self.post_message(AlternativeChosen(self.plan, self.others[number - 1].routine.id))

    def compose(self) -> ComposeResult:
        yield Header()
        # Wide: the plan beside the rating, whose list shows every value; narrow: one above the other.
        with Horizontal(classes="flow-body"):
            with VerticalScroll(id="plan", classes="framed -text") as scroll:
                scroll.border_title = "Today's plan"
                yield Static(id="plan-advice")
                yield Static(plan_text(self.plan, self.others, self.sources), id="plan-text")
            with Vertical(classes="rating"):
                if self.plan.can_start:
                    yield Static(
                        "How tense do you feel now, 0 to 10? Optional: Enter starts the routine.", id="tension-q"
                    )
                    yield tension_list("tension", starts=True)
                else:
                    yield MarkedButton("Back to routines (Enter)", id="home", variant="primary")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#plan", VerticalScroll).border_subtitle = self.plan.routine.title
        self._read_advice()
        if self.plan.can_start:
            self.query_one("#tension", OptionList).focus()
        else:
            self.query_one("#home", Button).focus()

    def on_screen_resume(self) -> None:
        # Back on this screen: the screening answers may have been changed from the palette meanwhile.
        if self._shown and self.app.screen is self:  # not when resumed only on the way down to the home screen
            self.post_message(PlanOutdated(self.plan))
        self._shown = True

    def show_plan(self, plan: Plan, others: tuple[Plan, ...] = ()) -> None:
        """Show ``plan`` in place of the one shown (it can start exactly when that one could)."""
        self.plan = plan
        self.others = others
        self.query_one("#plan-text", Static).update(plan_text(plan, others, self.sources))
        self.refresh_bindings()

    def on_guidance_changed(self, _message: GuidanceChanged) -> None:
        self._read_advice()  # the history changed: the advice read again, as fresh as when the plan was made

    def _read_advice(self) -> None:
        app = self.app
        if isinstance(app, GuidedApp):
            self._advice_worker(app.services)

    @work(thread=True, exclusive=True, group="plan-advice")
    def _advice_worker(self, services: Services) -> None:
        """Today's advice with the history read from disk now, not as the app last read it (another window may just
        have saved a session), and a routine instead when it holds an area of this routine."""
        from screens.guidance_work import compute_guidance, fits_today

        found = compute_guidance(services, fresh=True)
        held = found.held_in(self.plan.routine)
        alternative = None
        if held:
            can_plan = fits_today(services, load_screening(services.paths, services.today()))
            alternative = alternative_routine(services.catalog, self.plan.routine, found.hold_areas, can_plan)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_advice, held, alternative)

    def _show_advice(self, held: list[Advice], alternative: Routine | None) -> None:
        """A warning when the routine works an area today's advice says to leave alone, and a routine instead."""
        panel = self.query_one("#plan-advice", Static)
        self.alternative = alternative
        panel.update(held_text(held, alternative))
        panel.display = bool(held)
        self.refresh_bindings()

    def action_other_routine(self) -> None:
        """Leave this flow and go through the offered routine's own (its screening and plan)."""
        if self.alternative is not None:
            self.post_message(AlternativeChosen(self.plan, self.alternative.id))

    @on(Button.Pressed, "#home")
    def _home(self) -> None:
        self.post_message(BackToRoutines())

    @on(OptionList.OptionSelected, "#tension")
    def _start(self, event: OptionList.OptionSelected) -> None:
        self.post_message(PlanAccepted(self.plan, tension_value(event.option.id)))

    def action_back(self) -> None:
        self.dismiss()
