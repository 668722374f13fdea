"""The one place that decides where the user goes next: screens post what happened, the flow opens the next screen.

A routine's flow is screening -> plan and tension -> runner -> reflection, and back home. Each step is a screen
pushed on the one before it, so Escape (a pop) goes back one step. Once the routine has ended, the flow is folded
back down to the home screen and the reflection is pushed on top of it. Screens never import one another: each
posts a :class:`screens.messages.FlowMessage`, the app hands it to :meth:`RoutineFlow.handle`, and only this
module (with the app) knows the screens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from companion.catalogue.models import Routine
from companion.disk.fileio import LockTimeout
from companion.history.records import SessionRecord
from companion.history.store import HistoryStore, SaveError, StorageError
from companion.run.checkpoint import RunLock, checkpoint_to_record, clear_checkpoint, load_checkpoint, run_elsewhere
from companion.safety.plan import Plan, plan_for_day
from companion.safety.screening import ScreeningAnswers, assess, load_screening, save_screening
from companion.words import format_seconds
from screens import routine_actions
from screens.messages import (
    BackToRoutines,
    FlowMessage,
    HistoryChanged,
    PlanAccepted,
    PlanOutdated,
    ReflectionGiven,
    RoutineChangeWanted,
    RoutineChosen,
    RunEnded,
    ScreeningAnswered,
)

if TYPE_CHECKING:
    from screens.app import CompanionApp

RUN_ELSEWHERE = "A routine is running in another Companion window. Finish or stop it there first."


class RoutineFlow:
    """Moves the user from screen to screen in answer to what the screens post; records what the runs did."""

    def __init__(self, app: CompanionApp) -> None:
        self.app = app
        self.services = app.services

    def handle(self, message: FlowMessage) -> None:
        """Go where ``message`` leads."""
        match message:
            case RoutineChosen():
                self.start(message.routine_id)
            case RoutineChangeWanted():
                routine_actions.change_routine(self.app, message.change, message.routine)
            case ScreeningAnswered():
                self.answered(message.routine, message.answers)
            case BackToRoutines():
                self.back_to_home()
            case PlanOutdated():
                self.replan(message.plan)
            case PlanAccepted():
                self.run(message.plan, message.tension_before)
            case RunEnded():
                self.record_run(message.plan, message.record, message.run_lock)
            case ReflectionGiven():
                self.save_reflection(message.record)

    # -- screening and plan ----------------------------------------------------------------------------------

    def start(self, routine_id: str) -> bool:
        """Open the flow for ``routine_id`` at the screening; ``False`` (and a message) if it cannot start."""
        from screens.screening import ScreeningScreen

        routine = self.services.catalog.routine(routine_id)
        if routine is None:
            self.app.notify(f"There is no routine “{routine_id}”.", severity="error", markup=False)
            return False
        if run_elsewhere(self.services.paths):
            self.app.notify(RUN_ELSEWHERE, title="One routine at a time", severity="warning", timeout=10)
            return False
        self.app.push_screen(ScreeningScreen(self.services, routine))
        return True

    def remember_answers(self, answers: ScreeningAnswers) -> None:
        """Keep today's screening answers for later today (a failure is only reported: they apply now)."""
        try:
            save_screening(self.services.paths, answers)
        except (OSError, LockTimeout) as exc:
            self.app.notify(
                f"Your answers apply now but could not be kept for later today ({exc}).",
                severity="warning",
                markup=False,
            )

    def answered(self, routine: Routine | None, answers: ScreeningAnswers) -> None:
        """Keep the answers; then, for a routine, a stop, a clearance to confirm, or the plan."""
        from screens.screening_result import ClearanceScreen, StopScreen

        self.remember_answers(answers)
        if routine is None:
            self.app.notify("Today's screening answers are saved.")
            self.app.pop_screen()
            return
        outcome = assess(routine, self.services.catalog, answers)
        if outcome.stop:
            self.app.push_screen(StopScreen(outcome.stop))
        elif outcome.needs_clearance:

            def cleared(confirmed: bool | None) -> None:
                if confirmed:
                    updated = answers
                    for question in outcome.needs_clearance:
                        updated = updated.with_cleared(question.id)
                    self.remember_answers(updated)
                    self.show_plan(routine, updated)

            self.app.push_screen(ClearanceScreen(outcome.needs_clearance), callback=cleared)
        else:
            self.show_plan(routine, answers)

    def build_plan(self, routine: Routine, answers: ScreeningAnswers) -> Plan:
        """The plan for ``routine`` today, counting today's history (an unreadable history counts as empty, said
        so)."""
        services = self.services
        try:
            records = services.store.records
        except StorageError as exc:
            self.app.notify(f"{exc} Today's earlier sessions are not counted.", severity="warning", markup=False)
            records = []
        return plan_for_day(routine, services.catalog, services.settings, answers, records, services.clock.now())

    def show_plan(self, routine: Routine, answers: ScreeningAnswers) -> None:
        from screens.plan_review import PlanReviewScreen

        self.app.push_screen(PlanReviewScreen(self.build_plan(routine, answers)))

    def replan(self, shown: Plan) -> None:
        """The plan on screen again from today's answers (changed from the palette meanwhile, perhaps); if it can
        no longer start, or now can, back to the screening."""
        from screens.plan_review import PlanReviewScreen

        screen = self.app.screen
        if not isinstance(screen, PlanReviewScreen) or screen.plan is not shown:
            return
        answers = load_screening(self.services.paths, self.services.today())
        plan = self.build_plan(shown.routine, answers)
        if plan == shown:
            return
        if plan.can_start != shown.can_start:
            self.app.notify("Your screening answers changed; please go through them again.", markup=False)
            screen.dismiss()
            return
        screen.show_plan(plan)

    def back_to_home(self) -> None:
        """Pop every screen above the home screen (the flow ends there)."""
        from screens.home import HomeScreen

        app = self.app
        while len(app.screen_stack) > 1 and not isinstance(app.screen, HomeScreen):
            app.pop_screen()

    # -- the run and its record ------------------------------------------------------------------------------

    def run(self, plan: Plan, tension_before: int | None) -> None:
        from screens.runner import RunnerScreen

        self.app.push_screen(RunnerScreen(self.services, plan, tension_before))

    def save(self, record: SessionRecord) -> None:
        """Save ``record`` (the store decides whether it is new or replaces the saved one) and tell the app.

        Raises :class:`SaveError` (with the record) when it cannot be saved.
        """
        self.services.store.save(record)
        self.app.post_message(HistoryChanged())

    def forget_checkpoint(self) -> None:
        """Clear the run checkpoint once its session is safely recorded (a failure is only reported)."""
        try:
            clear_checkpoint(self.services.paths)
        except (OSError, LockTimeout) as exc:
            self.app.notify(
                f"The session is saved, but its checkpoint could not be removed ({exc}); "
                "if you are offered to record it at the next start, it will be recognised as already saved.",
                severity="warning",
                markup=False,
            )

    def record_run(self, plan: Plan, record: SessionRecord, run_lock: RunLock | None) -> None:
        """Record the session at once, then show the reflection (and a way out if saving failed)."""
        from screens.reflection import ReflectionScreen

        error: SaveError | None = None
        try:
            self.save(record)
        except SaveError as exc:
            error = exc
        else:
            self.forget_checkpoint()
        if run_lock is not None:
            run_lock.release()
        self.back_to_home()
        self.app.push_screen(ReflectionScreen(self.services, plan, record))
        if error is not None:
            self.save_failed(record, error, checkpoint=True)

    def save_failed(
        self, record: SessionRecord, error: SaveError, *, checkpoint: bool, then: Callable[[bool], None] | None = None
    ) -> None:
        """Offer a retry or an export of ``record``. With ``checkpoint``, the run's checkpoint is cleared once the
        session is safe, and kept (offered again at the next start) when the user leaves it for later."""
        from screens.save_failed import SaveFailedScreen

        def closed(safe: bool | None) -> None:
            if checkpoint and safe:
                self.forget_checkpoint()
            elif checkpoint:
                self.app.notify(
                    "The session is kept as an unfinished run; Companion offers to record it at the next start.",
                    markup=False,
                )
            if then is not None:
                then(bool(safe))

        self.app.push_screen(SaveFailedScreen(self.services, record, str(error), self.save), callback=closed)

    def save_reflection(self, record: SessionRecord) -> None:
        """Save the session with the rating and note given on the reflection screen, then close it."""
        from screens.reflection import ReflectionScreen

        screen = self.app.screen
        reflection = screen if isinstance(screen, ReflectionScreen) else None

        def close(saved: bool) -> None:
            if saved and reflection is not None:
                reflection.saved(record)

        try:
            self.save(record)
        except SaveError as exc:
            self.save_failed(record, exc, checkpoint=False, then=close)
            return
        said = f"Saved with your reflection: “{record.notes}”" if record.notes else "Saved with your reflection"
        self.app.notify(said, markup=False)
        close(True)

    # -- a run left unfinished -------------------------------------------------------------------------------

    def offer_recovery(self) -> None:
        """If a run was left unfinished, offer to record it (or say it was already saved)."""
        from screens.recovery import RecoveryScreen

        services, app = self.services, self.app
        checkpoint, message = load_checkpoint(services.paths, services.clock.now(), services.catalog)
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
            self.forget_checkpoint()
            app.notify(f"Your last session ({checkpoint.routine_title}) was already saved.", markup=False)
            return

        def chosen(choice: str | None) -> None:
            if choice == "discard":
                self.forget_checkpoint()
                app.notify("The unfinished session was discarded.")
            elif choice == "record":
                record = checkpoint_to_record(checkpoint)
                try:
                    self.save(record)
                except SaveError as exc:
                    self.save_failed(record, exc, checkpoint=True)
                    return
                self.forget_checkpoint()
                app.notify(
                    f"Recorded as interrupted: {checkpoint.routine_title}, "
                    f"{format_seconds(record.actual_seconds)} done.",
                    markup=False,
                )

        app.push_screen(RecoveryScreen(checkpoint), callback=chosen)
