"""The runner: a calm, large display of the step under way, its countdown, progress and a breathing pacer.

Time comes from the run (``companion.run.engine``) on the services' clock. The interval below never counts anything: it
only asks the run where it is and redraws what changed, so a busy machine or missed ticks never change a step's
length. The run is checkpointed on every change and every few seconds, and recorded the moment it ends.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Digits, Header, Static

from companion.catalogue.models import EXHALE_SECONDS_MAX, INHALE_SECONDS_MAX, BreathingCue
from companion.disk.fileio import WRITE_ERRORS
from companion.run.cadence import Checkpointer, next_wake
from companion.run.checkpoint import RunLock, save_checkpoint
from companion.run.cues import Action, Cue, CueKind
from companion.run.engine import ActionResult, RoutineRun, RunSnapshot, RunStatus
from companion.run.hands_free import HandsFree, hands_free_for, outputs_for
from companion.run.recheck import RulesWatch, clearance_lines, cleared, hold_to, unconfirmed
from companion.run.status import put_status
from companion.safety.plan import Plan, PlannedStep
from companion.safety.screening import ScreeningAnswers
from companion.services import Services
from companion.settings.user_settings import Breathing, Settings
from companion.words import format_seconds
from screens.background import LatestWriter
from screens.confirm import ConfirmScreen, YesNoAnswers
from screens.messages import RunEnded, SettingsChanged
from screens.screen_kinds import FlowStep, RulesApp
from screens.stylesheets import FLOW_CSS_PATH
from screens.widgets.focus_marks import MarkedButton
from screens.widgets.key_footer import KeyFooter
from screens.widgets.progress_line import ProgressLine

FLASH_SECONDS = 0.8
PACER_CELLS = max(INHALE_SECONDS_MAX, EXHALE_SECONDS_MAX)
"""Room for the longest breath the models allow."""


def pacer_text(elapsed: float, cue: BreathingCue | Breathing, *, paused: bool, reduced_motion: bool) -> str:
    """The breathing pacer: a filling and emptying bar with a count, or plain words with reduced motion."""
    rhythm = f"in for {cue.inhale}, out for {cue.exhale}"
    if reduced_motion:
        return f"Breathe {rhythm}."
    if paused:
        return f"Breathing: {rhythm} (paused)"
    # One cell a second (the display changes only when a second turns over, like the countdown).
    second = int(elapsed) % (cue.inhale + cue.exhale)
    if second < cue.inhale:
        word, filled, left = "in ", second + 1, cue.inhale - second
    else:
        word, filled, left = "out", cue.inhale + cue.exhale - second, cue.inhale + cue.exhale - second
    return f"Breathe {word}  {'●' * filled}{'○' * (PACER_CELLS - filled)}  {left}"


class StopConfirmScreen(YesNoAnswers, ModalScreen[bool]):
    """Ask before stopping the routine; the focused answer keeps going."""

    CSS_PATH = FLOW_CSS_PATH
    BINDINGS = [
        Binding("y", "answer(True)", "Stop"),
        Binding("n,escape", "answer(False)", "Keep going"),
    ]
    QUESTION = "Stop the routine now? The time done so far is recorded."
    YES = "Stop (y)"

    def compose(self) -> ComposeResult:
        with Vertical(id="stop-dialog"):
            yield Static(self.QUESTION, id="stop-question")
            with Horizontal(id="stop-buttons"):
                yield MarkedButton("Keep going (n)", id="no", variant="primary")
                yield MarkedButton(self.YES, id="yes", variant="error")


class QuitConfirmScreen(StopConfirmScreen):
    """Ctrl+Q during a run: ask before quitting (the run is paused and checkpointed already)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Quit"),
        Binding("n,escape", "answer(False)", "Keep going"),
    ]
    QUESTION = (
        "Quit Companion in the middle of the routine? The time done so far is kept: the next time you start "
        "Companion, you can record it or discard it."
    )
    YES = "Quit (y)"


class RunnerScreen(FlowStep, Screen[None]):
    """Runs ``plan`` from the moment it is shown."""

    CSS_PATH = FLOW_CSS_PATH
    BINDINGS = [
        # One key, labelled by what it does now: check_action leaves out the other (refresh_bindings on a change).
        Binding("space", "pause", "Pause"),
        Binding("space", "resume", "Resume"),
        Binding("n", "next_step", "Next"),
        Binding("b", "back_step", "Back"),
        Binding("plus", "extend", "+15 s"),
        Binding("s", "stop", "Stop"),
        Binding("escape", "stop", "Stop", show=False),
    ]

    def __init__(self, services: Services, plan: Plan, run_lock: RunLock, tension_before: int | None = None) -> None:
        """``run_lock``: the run lock the flow took for this run; the runner holds it until the session is
        recorded (another window then neither offers this run for recovery nor starts a second run)."""
        super().__init__()
        self.services = services
        self.run = RoutineRun(plan, services.clock, tension_before=tension_before)
        self.rules_watch = RulesWatch(services.paths, services.clock)
        """Sees the settings or today's answers change on disk (another window's too) during the run."""
        self._asking = False
        """A question about a new "ask first" answer is open."""
        self._shown: dict[str, object] = {}
        self.checkpointer = Checkpointer(services.paths, self.run)
        self._ended = False
        self._ticker: Timer | None = None
        self._flash_timer: Timer | None = None
        self._run_lock: RunLock | None = run_lock
        self.hands_free: HandsFree | None = None
        """Spoken cues, notifications and the status file (see :mod:`companion.run.hands_free`)."""

    @property
    def plan(self) -> Plan:
        """The plan running: the one started, or made stricter since by settings or answers saved meanwhile."""
        return self.run.plan

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="runner"):
            yield Static(id="step-title")
            yield Static(id="step-meta")
            # The instruction takes the room left and scrolls (Up, Down) when longer, so that the countdown, the
            # bars, the next step and the pacer below it stay on screen at 60x20 whatever its length.
            with VerticalScroll(id="instruction-scroll"):
                yield Static(id="instruction")
            with Horizontal(id="clock"):
                yield Digits("0:00", id="remaining")
                with Vertical(id="clock-text"):
                    yield Static(id="remaining-text")
                    yield Static(id="run-state")
            with Horizontal(classes="bar-row"):
                yield Static("Step", classes="bar-label")
                yield ProgressLine(id="step-bar")
            with Horizontal(classes="bar-row"):
                yield Static("Routine", classes="bar-label")
                yield ProgressLine(id="overall-bar")
            yield Static(id="next-step")
            yield Static(id="pacer")
            # The run's cues and the answers to its keys, on the screen itself: toasts covered the step's title and
            # instruction at 60x20 (toasts are left for what is not about the run: a failed checkpoint, a notice).
            yield Static(id="cue-line")
        yield KeyFooter()

    def on_mount(self) -> None:
        outputs = outputs_for(self.services.settings, self.services.hands_free)
        for notice in outputs.notices:
            self.warn(notice)
        statuses: LatestWriter[tuple[Path, bytes | None]] = LatestWriter(
            self.app, "run-status", lambda change: put_status(*change), ()
        )
        """Writes the status file (``companion status``) off the UI thread, the newest last."""
        self.hands_free = hands_free_for(
            self.services.paths,
            self.plan,
            self.run,
            outputs,
            status_output=lambda path, data: statuses.request((path, data)),
        )
        self.checkpoints = LatestWriter(
            self.app, "checkpoint", partial(save_checkpoint, self.services.paths), WRITE_ERRORS, self._checkpoint_failed
        )
        """Writes the run's checkpoints, the newest last, off the UI thread."""
        self.run.start()
        # No cue line for the first step (the screen itself is the news), but it is spoken.
        self.hands_free.update(self.run.drain_events(), self.run.snapshot())
        self.save_checkpoint()
        self.refresh_run()
        self._schedule_redraw()

    def _schedule_redraw(self) -> None:
        """Wake when the shown second turns over (everything on screen moves in whole seconds), or after a
        second while paused: fewer wake-ups than a fixed fast interval, and never a late second."""
        if self._ended:
            return
        self._ticker = self.set_timer(next_wake(self.run.snapshot()), self._tick)

    def _tick(self) -> None:
        self.refresh_run()
        self._schedule_redraw()

    def _redraw_now(self, *, checkpoint: bool) -> None:
        """After an action (pause, next, ...): draw at once (saving the checkpoint first if asked) and count the
        seconds from the new state."""
        if self._ticker is not None:
            self._ticker.stop()
        self.refresh_run(checkpoint=checkpoint)
        self._schedule_redraw()

    # ------------------------------------------------------------------ redraw

    def _changed(self, key: str, value: object) -> bool:
        """Whether ``value`` differs from what is shown under ``key`` (and remember it)."""
        if self._shown.get(key, _UNSET) == value:
            return False
        self._shown[key] = value
        return True

    def refresh_run(self, *, checkpoint: bool = False) -> None:
        """Ask the run where it is, give cues, checkpoint when asked or due and redraw only what changed."""
        if self._ended:
            return
        events = self.run.drain_events()
        snap = self.run.snapshot()
        if self.hands_free is not None:
            self._cue(self.hands_free.update(events, snap))
        if checkpoint or self.checkpointer.due(bool(events), snap):
            self.save_checkpoint()
        self._draw(snap)
        if snap.finished:
            self._end()
        elif self._changed("rules-read-at", snap.index) or self.rules_watch.changed():
            self.recheck()  # as each step begins, and when the settings or answers file changed

    def on_screen_resume(self) -> None:
        # Back from the screening opened from the palette (or any screen): answers given meanwhile.
        self.recheck()

    def on_settings_changed(self, message: SettingsChanged) -> None:
        self.recheck()

    def recheck(self) -> None:
        """Hold the rest of the run to the settings and today's answers as they are now (read from disk: another
        window's too): stricter ones shorten, soften or drop what is left, said on screen; looser ones change
        nothing. A new "ask first" answer is asked about first (the countdown paused), as before a run."""
        app = self.app
        if self._ended or self._asking or not isinstance(app, RulesApp):
            return
        answers, settings = app.todays_answers(), app.fresh_settings()
        asking = unconfirmed(self.run, self.services.catalog, answers)
        if not asking:
            self._hold_to(settings, answers)
            return
        self._asking = True
        was_running = self.run.snapshot().status is RunStatus.RUNNING
        self.hold()

        def answered(confirmed: bool | None) -> None:
            self._asking = False
            now = cleared(answers, asking) if confirmed else answers
            if confirmed:
                app.remember_answers(now, answers)
            if not self._ended:
                self._hold_to(settings, now)
            if confirmed and was_running and not self._ended:
                self._act(Action.PAUSE, self.run.resume())

        question = Text("\n\n".join(clearance_lines(asking)))
        self.app.push_screen(ConfirmScreen(question, "Cleared", "Stop here"), callback=answered)

    def _hold_to(self, settings: Settings, answers: ScreeningAnswers) -> None:
        if self.hands_free is None:
            return
        cues = hold_to(self.run, self.hands_free, self.services.catalog, settings, answers)
        if cues:
            self._redraw_now(checkpoint=True)
        for cue in cues:  # after the redraw: a run it ended has cleared its toasts; this says why, on the reflection
            self.warn(cue.line)

    def _draw(self, snap: RunSnapshot) -> None:
        step = snap.step
        steps = self.plan.steps
        if self._changed("step", (snap.index, step, snap.next_step, len(steps))):
            title = Text(f"Step {snap.index + 1} of {len(steps)}: ", style="bold")
            title.append(step.title, style="bold")
            self.query_one("#step-title", Static).update(title)
            technique = self.services.catalog.techniques.get(step.step.technique)
            meta = [step.area_name, step.tool_name, technique.name if technique else step.step.technique]
            meta.append(f"{step.intensity.value} pressure")
            if step.step.heat and not step.heat:
                meta.append("heat off")
            self.query_one("#step-meta", Static).update(Text(" · ".join(meta)))
            self.query_one("#instruction", Static).update(Text(step.step.instruction))
            following = snap.next_step
            upcoming = Text("Next: ", style="bold")
            if following is None:
                upcoming.append("this is the last step")
            else:
                upcoming.append(following.title)
                upcoming.append(f" ({format_seconds(following.seconds)})")
            self.query_one("#next-step", Static).update(upcoming)
        remaining = snap.remaining_text
        if self._changed("digits", remaining):
            self.query_one("#remaining", Digits).update(remaining)
        length = format_seconds(round(snap.step_seconds))
        if self._changed("remaining-text", (remaining, length)):
            # One line of fixed height (runner.tcss): no layout pass for a changing second.
            self.query_one("#remaining-text", Static).update(f"{remaining} left of {length}", layout=False)
        if self._changed("state", snap.status):
            # On the Digits, not the screen: a class on the screen would restyle every widget on it.
            self.query_one("#remaining", Digits).set_class(snap.paused, "-paused")
            self.query_one("#run-state", Static).update(_state_text(snap.status), layout=False)
            self.refresh_bindings()  # Space says Pause or Resume
        # Bars in whole seconds, so they move with the countdown rather than between its seconds.
        step_bar = (int(snap.elapsed), max(1, round(snap.step_seconds)))
        if self._changed("step-bar", step_bar):
            self.query_one("#step-bar", ProgressLine).progress = step_bar
        overall = (int(snap.overall_progress * self.plan.total_seconds), max(1, self.plan.total_seconds))
        if self._changed("overall-bar", overall):
            self.query_one("#overall-bar", ProgressLine).progress = overall
        pacer = pacer_text(
            snap.elapsed,
            self._cue_for(step),
            paused=snap.status is not RunStatus.RUNNING,
            reduced_motion=self.services.settings.reduced_motion,
        )
        if self._changed("pacer", pacer):
            self.query_one("#pacer", Static).update(pacer, layout=False)

    def _cue_for(self, step: PlannedStep) -> BreathingCue | Breathing:
        return step.step.breathing or self.services.settings.breathing

    # ------------------------------------------------------------------ cues

    def _cue(self, cues: list[Cue]) -> None:
        """The cue line, a flash and the bell for the latest step change or warning (a jump over steps is one
        cue)."""
        shown = [cue for cue in cues if cue.kind in (CueKind.STEP_STARTED, CueKind.STEP_ENDING)]
        if not shown:
            return
        self._show_cue(shown)
        self._flash()
        if self.services.settings.bell:
            self.app.bell()

    def _show_cue(self, cues: list[Cue]) -> None:
        """The last of ``cues`` on the cue line (none empties it); a refusal marked ``!`` as well as coloured."""
        line = self.query_one("#cue-line", Static)
        cue = cues[-1] if cues else None
        refused = cue is not None and cue.kind in REFUSALS
        line.set_class(refused, "-refused")
        if cue is None:
            line.update("")
        elif cue.kind is CueKind.STEP_STARTED:
            line.update(Text(cue.title))
        else:
            line.update(Text(f"! {cue.line}" if refused else cue.line))

    def warn(self, message: str) -> None:
        """A warning toast, for what is not about the step under way (a notice, a failed checkpoint)."""
        self.app.notify(message, severity="warning", markup=False)

    def _flash(self) -> None:
        if self.services.settings.reduced_motion:
            return
        clock = self.query_one("#clock", Horizontal)  # not the screen: that would restyle every widget on it
        clock.add_class("-cue")
        if self._flash_timer is not None:
            self._flash_timer.stop()
        self._flash_timer = self.set_timer(FLASH_SECONDS, lambda: clock.remove_class("-cue"))

    # ------------------------------------------------------------------ checkpoint and end

    def save_checkpoint(self) -> None:
        """Save where the run is (in a worker: the lock may make it wait), so that a crash loses nothing."""
        self.checkpoints.request(self.checkpointer.take())

    def checkpoint_now(self) -> None:
        """Save where the run is, here and now, waiting for the lock if need be: the app is about to end (a quit,
        SIGTERM, SIGHUP), and a worker would not finish. A failure is only said: the earlier checkpoint stays."""
        error = self.checkpoints.write_now(self.checkpointer.take())
        if error is not None:
            self._checkpoint_failed(error)

    def _checkpoint_failed(self, error: Exception) -> None:
        problem = self.checkpointer.failed(error)
        if problem:
            self.warn(problem)

    def _end(self) -> None:
        """The run is over: hand the record (and the run lock, held until it is recorded) to the flow."""
        self._ended = True
        if self._ticker is not None:
            self._ticker.stop()
        if self.hands_free is not None:
            self.hands_free.close()
        self.app.clear_notifications()  # the run's cues end with it: none follows the person to the reflection
        run_lock, self._run_lock = self._run_lock, None
        self.post_message(RunEnded(self.plan, self.run.to_record(), run_lock, self.checkpoints))

    def _release_run_lock(self) -> None:
        if self._run_lock is not None:
            self._run_lock.release()
            self._run_lock = None

    def on_unmount(self) -> None:
        self._release_run_lock()
        if self.hands_free is not None:
            self.hands_free.close()

    # ------------------------------------------------------------------ actions

    def _spoken(self, action: Action, result: ActionResult) -> list[Cue]:
        """The hands-free cue for what ``action`` did (spoken, notified, in the status file)."""
        return [] if self.hands_free is None else self.hands_free.acted(action, result)

    def _act(self, action: Action, result: ActionResult) -> None:
        """After an action: its answer on the cue line (why, when it was refused), checkpoint and redraw."""
        self._show_cue(self._spoken(action, result))
        self._redraw_now(checkpoint=result.ok)

    def hold(self) -> None:
        """Pause a running countdown (while today's answers are open over it); Space resumes it."""
        if not self._ended and self.run.snapshot().status is RunStatus.RUNNING:
            self._act(Action.PAUSE, self.run.pause())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("pause", "resume"):
            return (action == "resume") == (self.run.status is RunStatus.PAUSED)
        return True

    def action_pause(self) -> None:
        self._act(Action.PAUSE, self.run.pause())

    def action_resume(self) -> None:
        self._act(Action.PAUSE, self.run.resume())

    def action_next_step(self) -> None:
        self._act(Action.NEXT, self.run.next())

    def action_back_step(self) -> None:
        self._act(Action.BACK, self.run.back())

    def action_extend(self) -> None:
        self._act(Action.EXTEND, self.run.extend())

    @property
    def ended(self) -> bool:
        """Whether the run is over (its record handed to the flow)."""
        return self._ended

    def ask_to_quit(self) -> None:
        """Ctrl+Q during the run: pause and checkpoint first, then ask, as Stop does. Quitting keeps the checkpoint,
        offered for recording at the next start; keeping on resumes a run that was running."""
        was_running = self.run.snapshot().status is RunStatus.RUNNING
        if was_running:
            self.run.pause()
        self.refresh_run(checkpoint=True)

        def answered(quit_now: bool | None) -> None:
            if quit_now:
                self.checkpoint_now()
                self.app.exit()
                return
            if was_running and not self._ended:
                self.run.resume()
            self._redraw_now(checkpoint=True)

        self.app.push_screen(QuitConfirmScreen(), callback=answered)

    def action_stop(self) -> None:
        if self._ended:
            return
        was_running = self.run.snapshot().status is RunStatus.RUNNING
        if was_running:
            self.run.pause()
            self.refresh_run(checkpoint=True)
        self._spoken(Action.ASK_STOP, ActionResult(True))

        def answered(stop: bool | None) -> None:
            if self._ended:
                return
            if stop:
                self._spoken(Action.STOP, self.run.stop())
            else:
                if was_running:
                    self.run.resume()
                self._show_cue(self._spoken(Action.KEEP_GOING, ActionResult(True)))
            # A stop is recorded at once (the checkpoint saved at the pause holds the same seconds until then).
            self._redraw_now(checkpoint=not stop)

        self.app.push_screen(StopConfirmScreen(), callback=answered)


_UNSET = object()
REFUSALS = (CueKind.LIMIT_REFUSED, CueKind.REFUSED)


def _state_text(status: RunStatus) -> Text:
    if status is RunStatus.PAUSED:
        return Text("PAUSED: press Space to resume", style="bold reverse")
    if status is RunStatus.FINISHED:
        return Text("Finished", style="bold")
    return Text("Running (Space pauses)")
