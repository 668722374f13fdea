"""The one place that decides where the user goes next: screens post what happened, the flow opens the next screen.

A routine's flow is screening -> plan and tension -> runner -> reflection, and back home. Each step is a screen
pushed on the one before it, so Escape (a pop) goes back one step. Once the routine has ended, the flow is folded
back down to the home screen and the reflection is pushed on top of it. Screens never import one another: each
posts a :class:`screens.messages.FlowMessage`, the app hands it to :meth:`RoutineFlow.handle`, and only this
module (with the app) knows the screens.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from companion.catalogue.models import Routine
from companion.disk.fileio import WRITE_ERRORS
from companion.history.records import NOTHING_DONE, SessionRecord
from companion.history.store import HistoryStore, SaveError, StorageError
from companion.run.checkpoint import (
    Checkpoint,
    checkpoint_to_record,
    claim_run,
    clear_checkpoint,
    load_checkpoint,
    run_elsewhere,
)
from companion.run.done import PLAN_CHANGED, fresh_plan, note_done
from companion.safety.exposure import Bout
from companion.safety.plan import Plan, alternatives
from companion.safety.screening import (
    AnswersChange,
    ScreeningAnswers,
    answered_elsewhere,
    assess,
    load_screening,
    save_change,
)
from companion.words import format_seconds
from screens import routine_actions
from screens.background import LatestWriter
from screens.messages import (
    AlternativeChosen,
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
RUN_HERE = "A routine is under way: finish or stop it (s) before starting another."


class RoutineFlow:
    """Moves the user from screen to screen in answer to what the screens post; records what the runs did."""

    def __init__(self, app: CompanionApp) -> None:
        self.app = app
        self.services = app.services
        self._saves: deque[tuple[SessionRecord, Callable[[SaveError | None], None], RunEnded | None]] = deque()
        """Sessions waiting to be saved, in the order asked (one save at a time: a reflection after its session)."""
        self._saving = False
        self._answers: LatestWriter[AnswersChange] = LatestWriter(
            app, "save-screening", self._keep_answers, WRITE_ERRORS, self._answers_not_kept, self._answers_kept
        )
        """Makes this window's changes to today's screening answers on disk, the newest last."""
        self._unkept: AnswersChange | None = None
        """This window's changes to today's answers not yet on disk (being written, or the write failed)."""
        self._looking_for_unfinished = False
        """A worker is looking for a run left unfinished (:meth:`offer_recovery`); no routine starts until then."""
        self._chosen_meanwhile: str | None = None
        """The routine chosen while it looked, started once the offer is out of the way."""

    def handle(self, message: FlowMessage) -> None:
        """Go where ``message`` leads."""
        match message:
            case RoutineChosen():
                self.start(message.routine_id)
            case RoutineChangeWanted():
                routine_actions.change_routine(self.app, message.change, message.routine)
            case ScreeningAnswered():
                self.answered(message.routine, message.answers, message.shown)
            case BackToRoutines():
                self.back_to_home()
            case PlanOutdated():
                self.replan(message.plan)
            case PlanAccepted():
                self.run(message.plan, message.tension_before)
            case AlternativeChosen():
                self.alternative(message.plan, message.routine_id)
            case RunEnded():
                self.record_run(message)
            case ReflectionGiven():
                self.save_reflection(message.record)

    # -- screening and plan ----------------------------------------------------------------------------------

    def start(self, routine_id: str) -> bool:
        """Open the flow for ``routine_id`` at the screening; ``False`` (and a message) if it cannot start."""
        from screens.screening import ScreeningScreen

        if self._looking_for_unfinished:  # the offer to record an unfinished run comes first
            self._chosen_meanwhile = routine_id
            return True
        routine = self.services.catalog.routine(routine_id)
        if routine is None:
            self.app.notify(f"There is no routine “{routine_id}”.", severity="error", markup=False)
            return False
        if self.app.running() is not None:  # chosen from the palette or the guide over a run of this window
            self.app.notify(RUN_HERE, title="One routine at a time", severity="warning", timeout=10)
            return False
        if run_elsewhere(self.services.paths):
            self.app.notify(RUN_ELSEWHERE, title="One routine at a time", severity="warning", timeout=10)
            return False
        self.app.push_screen(ScreeningScreen(self.services, routine, self.todays_answers()))
        return True

    def remember_answers(self, answers: ScreeningAnswers, shown: ScreeningAnswers | None = None) -> None:
        """Keep today's screening answers for later today, in a worker (a failure is only reported: they apply
        now). With ``shown`` (the answers they were changed from), only the questions changed are written: what
        another window answered meanwhile for the others stays; without it, ``answers`` replace every answer."""
        change = AnswersChange(answers) if shown is None else AnswersChange.between(shown, answers)
        self._unkept = change if self._unkept is None else self._unkept.then(change)
        self._answers.request(self._unkept)

    def todays_answers(self) -> ScreeningAnswers:
        """Today's answers: those kept on disk (the newest of any window), read now, with this window's changes
        whose write is still under way (or failed) made to them."""
        today = self.services.today()
        kept = load_screening(self.services.paths, today)
        if self._unkept is not None and self._unkept.answers.day == today:
            return self._unkept.applied_to(kept)
        return kept

    def _keep_answers(self, change: AnswersChange) -> None:
        """In a worker: make ``change`` to the answers on disk, read again under their lock."""
        save_change(self.services.paths, change)

    def _answers_kept(self, change: AnswersChange) -> None:
        if self._unkept is change:  # nothing newer asked meanwhile: the disk has every change of this window
            self._unkept = None

    def _answers_not_kept(self, error: Exception) -> None:
        self.app.notify(
            f"Your answers apply now but could not be kept for later today ({error}).",
            severity="warning",
            markup=False,
        )

    def answered(self, routine: Routine | None, given: ScreeningAnswers, shown: ScreeningAnswers) -> None:
        """Keep the answers changed from those ``shown``; then, for a routine, a stop, a clearance to confirm, or
        the plan, from today's answers with another window's given meanwhile (said when there are such)."""
        from screens.screening_result import ClearanceScreen, StopScreen

        self.remember_answers(given, shown)
        answers = self.todays_answers()
        self._say_answered_elsewhere(given, answers)
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
                    self.remember_answers(updated, answers)
                    self.show_plan(routine, self.todays_answers())

            self.app.push_screen(ClearanceScreen(outcome.needs_clearance), callback=cleared)
        else:
            self.show_plan(routine, answers)

    def _say_answered_elsewhere(self, given: ScreeningAnswers, answers: ScreeningAnswers) -> None:
        """Tell the person which answers another window gave meanwhile (kept with theirs)."""
        said = answered_elsewhere(given, answers, self.services.catalog.safety.questions)
        if said:
            self.app.notify(said, title="Answers changed", severity="warning", markup=False, timeout=15)

    def build_plan(self, routine: Routine, answers: ScreeningAnswers) -> Plan:
        """The plan for ``routine`` now, from the history, the exposure ledger, a run's checkpoint and the settings
        read fresh from disk (another window's sessions and limits and an import are counted). What cannot be read
        is said, and while its time may still count every daily limit counts as used up."""
        services = self.services
        settings = self.app.fresh_settings()  # a stricter limit set in another window counts
        plan = fresh_plan(services.paths, services.catalog, settings, answers, routine, services.clock.now())
        for problem in plan.unknown:
            self.app.notify(problem, severity="warning", markup=False, timeout=10)
        return plan

    def others(self, plan: Plan) -> tuple[Plan, ...]:
        """For a plan the answers emptied: routines that fit the same answers today."""
        if not plan.emptied_by_answers:
            return ()
        answers = self.todays_answers()
        return tuple(alternatives(plan, self.services.catalog, self.services.settings, answers))

    def show_plan(self, routine: Routine, answers: ScreeningAnswers) -> None:
        from screens.plan_review import PlanReviewScreen

        plan = self.build_plan(routine, answers)
        self.app.push_screen(PlanReviewScreen(plan, self.others(plan), self.services.catalog.sources))

    def alternative(self, plan: Plan, routine_id: str) -> None:
        """Go through the screening for a routine offered instead of an emptied ``plan``: an answer that named no
        areas stands for the areas it left out here, not for every area of the next routine."""
        answers = shown = self.todays_answers()
        avoided = frozenset(plan.screening.avoided_areas)
        for question in plan.screening.avoided_areas.values():
            if not question.areas and not answers.areas.get(question.id):
                answers = answers.with_areas(question.id, avoided)
        self.remember_answers(answers, shown)
        self.back_to_home()
        self.start(routine_id)

    def replan(self, shown: Plan) -> None:
        """The plan on screen again from today's answers (changed from the palette meanwhile, perhaps); if it can
        no longer start, or now can, back to the screening."""
        from screens.plan_review import PlanReviewScreen

        screen = self.app.screen
        if not isinstance(screen, PlanReviewScreen) or screen.plan is not shown:
            return
        answers = self.todays_answers()
        plan = self.build_plan(shown.routine, answers)
        if plan == shown:
            return
        if plan.can_start != shown.can_start:
            self.app.notify("Your screening answers changed; please go through them again.", markup=False)
            screen.dismiss()
            return
        screen.show_plan(plan, self.others(plan))

    def back_to_home(self) -> None:
        """Pop every screen above the home screen (the flow ends there)."""
        from screens.home import HomeScreen

        app = self.app
        while len(app.screen_stack) > 1 and not isinstance(app.screen, HomeScreen):
            app.pop_screen()

    # -- the run and its record ------------------------------------------------------------------------------

    def run(self, plan: Plan, tension_before: int | None) -> None:
        """Start ``plan``, planned again from the files on disk first: time done in another window or imported
        since it was shown counts, and so do today's answers and the limits as they are now (another window may
        have changed them). Changed answers go back to the screening (a new stop or "ask first" is asked there);
        a plan changed otherwise is shown, to be started again."""
        from screens.plan_review import PlanReviewScreen
        from screens.runner import RunnerScreen

        # Taken before the plan is made again and held by the runner until the session is recorded: a window
        # whose plan was shown before another window's run began must not start a second run beside it.
        run_lock = claim_run(self.services.paths)
        if run_lock is None:
            self.app.notify(RUN_ELSEWHERE, title="One routine at a time", severity="warning", timeout=10)
            return
        answers = self.todays_answers()
        fresh = self.build_plan(plan.routine, answers)
        if fresh.steps == plan.steps and fresh.can_start == plan.can_start and fresh.screening == plan.screening:
            self.app.push_screen(RunnerScreen(self.services, plan, run_lock, tension_before))
            return
        run_lock.release()
        screen = self.app.screen
        if fresh.screening != plan.screening:
            screen.dismiss()  # back to the screening: it shows the new answers and says they changed
        elif not fresh.can_start:
            self.app.notify(f"{PLAN_CHANGED} and leaves nothing to do now.", severity="warning", markup=False)
            screen.dismiss()
        elif isinstance(screen, PlanReviewScreen):
            screen.show_plan(fresh, self.others(fresh))
            self.app.notify(f"{PLAN_CHANGED}; check it and choose again.", severity="warning", markup=False)

    def save(self, record: SessionRecord) -> None:
        """Save ``record`` here and now (the store decides whether it is new or replaces the saved one) and tell
        the app. For a worker thread (the store may wait seconds for another window's lock).

        Raises :class:`SaveError` (with the record) when it cannot be saved. Its time goes into the exposure
        ledger first, so the limits count it even when the history cannot save it.
        """
        self.remember_time(record)
        self.services.store.save(record)
        self.app.call_from_thread(self.app.post_message, HistoryChanged())

    def save_in_background(
        self, record: SessionRecord, then: Callable[[SaveError | None], None], *, run_over: RunEnded | None = None
    ) -> None:
        """Save ``record`` in a worker, one save at a time in the order asked, then call ``then`` with the error
        (``None`` once saved) on the UI thread. For a ``run_over``, its last checkpoint is written first, the
        checkpoint cleared once the session is saved, and the run lock released either way."""
        self._saves.append((record, then, run_over))
        self._next_save()

    def _next_save(self) -> None:
        if self._saving or not self._saves:
            return
        self._saving = True
        record, then, run_over = self._saves.popleft()

        def work() -> None:
            error: SaveError | None = None
            problem: str | None = None
            if run_over is not None:
                run_over.checkpoints.close()
            try:
                self.save(record)
            except SaveError as exc:
                error = exc
            else:
                problem = self._clear_checkpoint() if run_over is not None else None
            finally:
                if run_over is not None and run_over.run_lock is not None:
                    run_over.run_lock.release()
            self.app.call_from_thread(done, error, problem)

        def done(error: SaveError | None, problem: str | None) -> None:
            self._saving = False
            if problem:
                self._tell_checkpoint_kept(problem)
            then(error)
            self._next_save()

        self.app.run_worker(work, name="save-session", group="save-session", thread=True, exit_on_error=False)

    def _clear_checkpoint(self) -> str | None:
        """Clear the run checkpoint once its session is safely recorded; the problem, if it could not be."""
        try:
            clear_checkpoint(self.services.paths)
        except WRITE_ERRORS as exc:
            return str(exc)
        return None

    def _tell_checkpoint_kept(self, problem: str) -> None:
        self.app.notify(
            f"The session is saved, but its checkpoint could not be removed ({problem}); "
            "if you are offered to record it at the next start, it will be recognised as already saved.",
            severity="warning",
            markup=False,
        )

    def remember_time(self, done: SessionRecord | Bout) -> None:
        """Keep the time done in the exposure ledger, whether or not the history saves the session. For a worker
        thread, like :meth:`save`."""
        message = note_done(self.services.paths, done, self.services.clock.now())
        if message:
            self.app.call_from_thread(self.app.notify, message, severity="warning", markup=False)

    def forget_checkpoint(self, done: SessionRecord | None = None) -> None:
        """Clear the run checkpoint (in a worker: the lock may make it wait); a failure is only reported. With
        ``done`` (a run discarded), its time goes into the exposure ledger first: it was done all the same."""

        def work() -> None:
            if done is not None:
                self.remember_time(done)
            problem = self._clear_checkpoint()
            if problem:
                self.app.call_from_thread(self._tell_checkpoint_kept, problem)

        self.app.run_worker(work, name="clear-checkpoint", group="save-session", thread=True, exit_on_error=False)

    def record_run(self, ended: RunEnded) -> None:
        """Show the reflection at once, saying the session is being saved; save it (a way out if that failed)."""
        from screens.reflection import ReflectionScreen

        if ended.record.actual_seconds == 0:  # stopped before any time was done: there is no session to keep
            self.back_to_home()
            self.app.notify(NOTHING_DONE, markup=False)

            def drop() -> None:
                ended.checkpoints.close()
                self._clear_checkpoint()
                if ended.run_lock is not None:
                    ended.run_lock.release()

            self.app.run_worker(drop, name="drop-empty-run", group="save-session", thread=True, exit_on_error=False)
            return
        self.back_to_home()
        reflection = ReflectionScreen(self.services, ended.plan, ended.record, saving=True)
        self.app.push_screen(reflection)

        def saved(error: SaveError | None) -> None:
            reflection.show_saved(error is None)
            if error is not None:
                self.save_failed(ended.record, error, checkpoint=True)

        self.save_in_background(ended.record, saved, run_over=ended)

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
        """Save the session with the rating and note given on the reflection screen (after the session itself, if
        that is still being saved), then close it."""
        from screens.reflection import ReflectionScreen

        screen = self.app.screen
        reflection = screen if isinstance(screen, ReflectionScreen) else None

        def close(saved: bool) -> None:
            if saved and reflection is not None:
                reflection.saved(record)

        def saved(error: SaveError | None) -> None:
            if error is not None:
                self.save_failed(record, error, checkpoint=False, then=close)
                return
            said = f"Saved with your reflection: “{record.notes}”" if record.notes else "Saved with your reflection"
            self.app.notify(said, markup=False)
            close(True)

        if reflection is not None:
            reflection.show_saving()
        self.save_in_background(record, saved)

    # -- a run left unfinished -------------------------------------------------------------------------------

    def offer_recovery(self) -> None:
        """Look for a run left unfinished in a worker (reading the history to see whether it was saved may take a
        while), then offer to record it or say it was already saved. A routine chosen meanwhile starts after that:
        the offer always comes first."""
        self._looking_for_unfinished = True
        self.app.run_worker(
            self._look_for_unfinished, name="recovery", group="recovery", thread=True, exit_on_error=False
        )

    def _look_for_unfinished(self) -> None:
        """In a worker: the checkpoint, whether its run goes on in another window, and whether it was saved."""
        services = self.services
        checkpoint, message = load_checkpoint(services.paths, services.clock.now(), services.catalog)
        elsewhere = checkpoint is not None and run_elsewhere(services.paths)
        already_saved = False
        if checkpoint is not None and not elsewhere:
            try:
                # A store of its own: the app's store may be loading in another worker right now.
                paths = services.paths
                already_saved = any(r.id == checkpoint.session_id for r in HistoryStore(paths).intact_records())
            except StorageError:
                already_saved = False
        self.app.call_from_thread(
            self._unfinished_found, checkpoint, message, elsewhere=elsewhere, already_saved=already_saved
        )

    def _unfinished_found(
        self, checkpoint: Checkpoint | None, message: str | None, *, elsewhere: bool, already_saved: bool
    ) -> None:
        from screens.recovery import RecoveryScreen

        app = self.app
        self._looking_for_unfinished = False
        if message:
            app.notify(message, severity="warning", timeout=15, markup=False)
        if checkpoint is not None and elsewhere:  # the run is still going in another window: it is not lost
            app.notify(RUN_ELSEWHERE, title="One routine at a time", timeout=10)
        elif checkpoint is not None and already_saved:
            self.forget_checkpoint()
            app.notify(f"Your last session ({checkpoint.routine_title}) was already saved.", markup=False)
        if checkpoint is None or elsewhere or already_saved:
            self._start_chosen_meanwhile()
            return

        def chosen(choice: str | None) -> None:
            if choice == "discard":
                self.forget_checkpoint(done=checkpoint_to_record(checkpoint))
                app.notify("The unfinished session was discarded.")
            elif choice == "record":
                record = checkpoint_to_record(checkpoint)

                def saved(error: SaveError | None) -> None:
                    if error is not None:
                        self.save_failed(record, error, checkpoint=True)
                        return
                    self.forget_checkpoint()
                    app.notify(
                        f"Recorded as interrupted: {checkpoint.routine_title}, "
                        f"{format_seconds(record.actual_seconds)} done.",
                        markup=False,
                    )

                self.save_in_background(record, saved)
            self._start_chosen_meanwhile()

        app.push_screen(RecoveryScreen(checkpoint), callback=chosen)

    def _start_chosen_meanwhile(self) -> None:
        routine_id, self._chosen_meanwhile = self._chosen_meanwhile, None
        if routine_id is not None:
            self.start(routine_id)
