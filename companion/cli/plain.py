"""``companion start ID --plain``: the routine flow as lines of text, for screen readers, logs and eyes closed.

The same flow as the app, on the same core: an unfinished session is offered for recording first, the screening
is asked as numbered questions, today's plan is printed as lines, then the run prints one line per event (each
step with its title, area and time, the time left every 30 s, pause, resume, extensions, refusals with their
reason, the end). As in the app, the rest of the run is held to the settings and today's answers as each step
begins and when their files change (:mod:`companion.run.recheck`): stricter ones shorten or drop steps, a line
for each change with its reason; a new "ask first" answer pauses and asks y/n. Keys as in the app: space,
``n``, ``b``, ``+``, ``s`` (asks first); ``?`` lists them. The run holds the run lock, is checkpointed on every
change and every few seconds, and is recorded the moment it ends, exactly as in the app; Ctrl+C stops it
(recorded as stopped), a SIGTERM or SIGHUP records it as interrupted. Output that cannot be written (``| tee log``
ended by the same Ctrl+C, ``| head``) never loses the session: the lines go on to standard error.

Standard output carries no escape code at all: every line is plain text, and control characters in user text
(a routine file of one's own) are dropped.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import IO, Any

from companion.advice.advisor import red_flag_lines, red_flag_reminder
from companion.catalogue.models import Question, Routine
from companion.cli.keys import Keys, KeySource
from companion.cli.support import CliError, find_routine
from companion.disk.fileio import WRITE_ERRORS, LockTimeout
from companion.history.queries import local_date
from companion.history.records import NOTHING_DONE, SessionRecord, SessionStatus
from companion.history.store import HistoryStore, StorageError
from companion.run.cadence import Checkpointer, next_wake
from companion.run.checkpoint import (
    RunLock,
    checkpoint_to_record,
    claim_run,
    clear_checkpoint,
    load_checkpoint,
    run_elsewhere,
)
from companion.run.cues import Action, Cue
from companion.run.done import PLAN_CHANGED, fresh_plan, note_done
from companion.run.engine import ActionResult, RoutineRun, RunStatus
from companion.run.hands_free import HandsFree, hands_free_for, outputs_for
from companion.run.recheck import RulesWatch, clearance_lines, cleared, hold_to, unconfirmed
from companion.run.unread import nothing_starts
from companion.safety.plan import Plan
from companion.safety.screening import (
    AnswersChange,
    ScreeningAnswers,
    ScreeningOutcome,
    answered_elsewhere,
    areas_to_name,
    asks_which_areas,
    assess,
    load_screening,
    questions_for,
    save_change,
)
from companion.services import Services, build_services
from companion.settings.user_settings import HandsFreeChoice, settings_on_disk
from companion.words import format_seconds, one_line

TIME_LEFT_EVERY = 30.0
"""Seconds between the "time left" lines (the issue's every 30 s)."""
KEYS_HELP = "Keys: space pause or resume, n next step, b back, + 15 s more, s stop (asks first), ? these keys."
ANSWERS_CHANGED = "Today's screening answers changed in another window since this plan was made:"
OUTPUT_CLOSED = "Standard output was closed (the program reading it ended); Companion goes on here."
RUN_ELSEWHERE = "a routine is running in another Companion window; finish or stop it there first"


class Ended(Exception):
    """The process was asked to end (SIGTERM, SIGHUP) during the run."""


class Lines:
    """Standard output, a line at a time, flushed at once.

    Output that cannot be written (a closed pipe: ``| tee log`` ended by the same Ctrl+C, ``| head``; a closed
    file) never ends the flow nor loses the session: the lines go on to ``fallback`` (standard error), said once,
    or nowhere when that fails too (:attr:`closed`). The closed descriptor is pointed at the null device, so that
    Python's last flush at exit has nothing to complain about."""

    def __init__(self, stream: IO[str] | None = None, fallback: IO[str] | None = None) -> None:
        self.stream: IO[str] = stream or sys.stdout
        self.fallback = fallback if fallback is not None or stream is not None else sys.stderr
        self.closed = False
        """Neither the output nor its fallback can be written: lines go nowhere."""

    def __call__(self, text: str = "") -> None:
        self._write(one_line(text) + "\n")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # BrokenPipeError, EIO, a closed file (ValueError)
            _to_null_device(self.stream)
            fallback, self.fallback = self.fallback, None
            if fallback is None or fallback is self.stream:
                self.stream, self.closed = _Nowhere(), True
                return
            self.stream = fallback
            self._write(OUTPUT_CLOSED + "\n")
            self._write(text)

    def ask(self, prompt: str, keys: KeySource) -> str | None:
        """Print ``prompt`` (no line end) and read a line; ``None`` when the input has ended."""
        self._write(one_line(prompt))
        answer = keys.line()
        if answer is None or not self.stream.isatty():
            # The terminal echoes what is typed; a log or a file gets it too, so each answer ends its line.
            self._write(("" if answer is None else one_line(answer)) + "\n")
        return None if answer is None else one_line(answer).strip()


class _Nowhere(io.StringIO):
    """Where lines go when no output is left: dropped."""

    def write(self, text: str) -> int:
        return len(text)


def _to_null_device(stream: IO[str]) -> None:
    """Point ``stream``'s descriptor at the null device (what is still buffered for it then goes there)."""
    with contextlib.suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, stream.fileno())
        finally:
            os.close(null)


def run_plain(
    routine_id: str,
    choice: HandsFreeChoice,
    keys: KeySource | None = None,
    out: Lines | None = None,
    services: Services | None = None,
) -> int:
    """The whole flow for ``routine_id``; the exit status (0: a session recorded, 1: nothing was run)."""
    services = services or build_services()
    routine = find_routine(services.catalog, routine_id)
    keys = keys or Keys()
    out = out or Lines()
    for message in services.messages:
        out(message)
    if run_elsewhere(services.paths):
        raise CliError(RUN_ELSEWHERE)
    if not offer_recovery(services, keys, out):
        return 1
    given = screening(services, routine, keys, out)
    if given is None:
        return 1
    plan = plan_today(services, routine, todays_answers(services, given), out)
    for line in plan_lines(plan):
        out(line)
    if not plan.can_start:
        out("Nothing to run today." if plan.blocked_until is None else nothing_starts(plan.blocked_until))
        return 1
    tension = rating("Tension now, 0 to 10 (Enter skips): ", keys, out)
    outputs = outputs_for(services.settings, choice)
    for notice in outputs.notices:
        out(notice)
    lock = claim_run(services.paths)
    if lock is None:
        raise CliError(RUN_ELSEWHERE)
    # Time done, answers given and limits set in another window while the rating was asked count.
    fresh = plan_today(services, routine, todays_answers(services, given), out)
    if fresh.screening != plan.screening:
        out(ANSWERS_CHANGED)
        now = todays_answers(services, given)
        settled = settle(services, routine, now, now, keys, out)
        if settled is None:
            lock.release()
            return 1
        given = given.then(settled)
        fresh = plan_today(services, routine, todays_answers(services, given), out)
    if fresh.steps != plan.steps or fresh.can_start != plan.can_start or fresh.screening != plan.screening:
        out(f"{PLAN_CHANGED}:")
        for line in plan_lines(fresh):
            out(line)
        if not fresh.can_start or (out.ask("Start this plan? y starts, Enter stops: ", keys) or "").lower() != "y":
            lock.release()
            out("Nothing was run.")
            return 1
        plan = fresh
    run = RoutineRun(plan, services.clock, tension_before=tension)
    hands = hands_free_for(services.paths, plan, run, outputs, time_left_every=TIME_LEFT_EVERY)
    record = PlainRun(services, plan, run, hands, keys, out, lock, given).go()
    if record is not None:
        reflect(services, record, keys, out)
    return 0


# ---------------------------------------------------------------------- before the run


def offer_recovery(services: Services, keys: KeySource, out: Lines) -> bool:
    """Record or discard a session left unfinished by a crash, before a new run replaces its checkpoint.

    ``False`` when it can be neither (the user chose neither, or it could not be saved): nothing is started.
    """
    checkpoint, message = load_checkpoint(services.paths, services.clock.now())
    if message:
        out(message)
    if checkpoint is None:
        return True
    try:
        if any(record.id == checkpoint.session_id for record in HistoryStore(services.paths).intact_records()):
            clear_checkpoint(services.paths)
            return True
    except (StorageError, OSError, LockTimeout):
        pass
    done = format_seconds(round(checkpoint.actual_seconds))
    out(f"An unfinished session was found: {checkpoint.routine_title}, {done} done.")
    while True:
        answer = out.ask("Record it as interrupted (r) or discard it (d)? ", keys)
        if answer is None:
            return False
        if answer.lower() in ("r", "d"):
            break
    if answer.lower() == "d":
        message = note_done(services.paths, checkpoint_to_record(checkpoint), services.clock.now())
        if message:  # discarded, but the time was done: it still counts for the limits
            out(message)
        return forget(services, out, "The unfinished session was discarded.")
    if not save(HistoryStore(services.paths), checkpoint_to_record(checkpoint), out):
        return False
    return forget(services, out, f"Recorded as interrupted: {checkpoint.routine_title}, {done} done.")


def forget(services: Services, out: Lines, said: str) -> bool:
    try:
        clear_checkpoint(services.paths)
    except WRITE_ERRORS as exc:
        out(f"The unfinished session's file could not be removed ({exc}); nothing new is started.")
        return False
    out(said)
    return True


def save(store: HistoryStore, record: SessionRecord, out: Lines) -> bool:
    """Save ``record`` (new or replacing the one with its id); says why when it cannot. Its time goes into the
    exposure ledger first, so the limits count it even when the history cannot save it."""
    message = note_done(store.paths, record, record.ended_at)
    if message:
        out(message)
    try:
        store.save(record)
    except (StorageError, LockTimeout) as exc:
        out(f"The session could not be saved: {exc}")
        return False
    finally:
        for said in store.take_messages():  # damage found on the way, set aside
            out(said)
    return True


def screening(services: Services, routine: Routine, keys: KeySource, out: Lines) -> AnswersChange | None:
    """Today's answers for ``routine``, asked as numbered questions: the changes given here; ``None`` when the
    session must not start."""
    questions = questions_for(routine, services.catalog)
    today = local_date(services.clock.now())
    shown = answers = load_screening(services.paths, today)
    if answers.unreadable is not None:
        out(answers.unreadable)
    out(f"Before {routine.title}: does any of this apply to you today?")
    names = dict(areas_to_name(None, services.catalog))
    for number, question in enumerate(questions, 1):
        where = ", ".join(sorted(names.get(a, a) for a in answers.areas.get(question.id, ())))
        yes = f" (yes today{': ' + where if where else ''})" if answers.answered_yes(question.id) else ""
        out(f"{number}. {question.text}{yes}")
    out(red_flag_reminder("r lists them"))
    ticked = [str(n) for n, q in enumerate(questions, 1) if answers.answered_yes(q.id)]
    default = f"keep {', '.join(ticked)}" if ticked else "none of these apply"
    while True:
        typed = out.ask(f"Numbers that apply, separated by spaces (r: red flags; Enter: {default}): ", keys)
        if typed is None:
            out("No answer: nothing was started.")
            return None
        if typed.lower() == "r":
            for line in red_flag_lines(services.catalog):
                out(line)
            continue
        chosen = _numbers(typed, len(questions)) if typed else {int(n) for n in ticked}
        if chosen is not None:
            break
        out(f"Type numbers from 1 to {len(questions)}, or press Enter.")
    for number, question in enumerate(questions, 1):
        if number in chosen and asks_which_areas(question) and not shown.answered_yes(question.id):
            named = which_areas(services, routine, question, keys, out)
            if named is None:
                out("No answer: nothing was started.")
                return None
            answers = answers.with_areas(question.id, named) if named else answers.with_answer(question.id, False)
        else:  # a "yes" kept from earlier today keeps the areas it named
            answers = answers.with_answer(question.id, number in chosen)
    return settle(services, routine, shown, answers, keys, out)


def which_areas(
    services: Services, routine: Routine, question: Question, keys: KeySource, out: Lines
) -> frozenset[str] | None:
    """As the app's "Which areas?": the areas ``question`` applies to, by number, left out today (the rest stay);
    empty when none is named (Enter: the question stays unanswered); ``None`` when the input has ended."""
    areas = areas_to_name(routine, services.catalog)
    out(f"Which areas? {question.text}")
    for number, (_area, name) in enumerate(areas, 1):
        out(f"  {number}. {name}")
    while True:
        typed = out.ask("Numbers of the areas to leave out today (Enter: the question stays unanswered): ", keys)
        if typed is None:
            return None
        chosen = _numbers(typed, len(areas))
        if chosen is not None:
            named = frozenset(areas[n - 1][0] for n in chosen)
            if not named:
                out(f"Not answered: {question.text}")
            return named
        out(f"Type numbers from 1 to {len(areas)}, or press Enter.")


def settle(
    services: Services, routine: Routine, shown: ScreeningAnswers, given: ScreeningAnswers, keys: KeySource, out: Lines
) -> AnswersChange | None:
    """Keep the answers changed from those ``shown`` (what another window answered meanwhile stays, and is said);
    then a stop or a clearance to confirm, from today's answers. The changes made, or ``None`` when the session
    must not start."""
    change = AnswersChange.between(shown, given)
    answers = remember(services, change, out)
    said = answered_elsewhere(given, answers, questions_for(routine, services.catalog))
    if said:
        out(said)
    outcome = assess(routine, services.catalog, answers)
    if outcome.stop:
        for question in outcome.stop:
            out(f"Not today: {question.text} {question.why} {question.instead}")
        return None
    if outcome.needs_clearance and not clearance(outcome, keys, out):
        return None
    cleared = answers
    for question in outcome.needs_clearance:
        cleared = cleared.with_cleared(question.id)
    if cleared != answers:
        later = AnswersChange.between(answers, cleared)
        remember(services, later, out)
        change = change.then(later)
    return change


def _numbers(typed: str, count: int) -> set[int] | None:
    words = typed.replace(",", " ").split()
    if not all(word.isdigit() and 1 <= int(word) <= count for word in words):
        return None
    return {int(word) for word in words}


def clearance(outcome: ScreeningOutcome, keys: KeySource, out: Lines) -> bool:
    """Whether the user confirms a doctor has cleared them for each "ask first" answer."""
    question: Question
    for question in outcome.needs_clearance:
        out(f"{question.text} {question.why} {question.instead}")
        while True:
            answer = out.ask("Has a doctor or midwife cleared you for this massage? (y/n) ", keys)
            if answer is None or answer.lower() == "n":
                out("Not today, then: nothing was started.")
                return False
            if answer.lower() == "y":
                break
    return True


def remember(services: Services, change: AnswersChange, out: Lines) -> ScreeningAnswers:
    """Keep ``change`` for later today (made to the answers on disk); today's answers now, with it."""
    if change.questions == frozenset() and change.answers.unreadable is None:
        return todays_answers(services, change)  # nothing changed here: nothing to write
    try:
        return save_change(services.paths, change)
    except WRITE_ERRORS as exc:
        out(f"Your answers apply now but could not be kept for later today ({exc}).")
        return todays_answers(services, change)


def todays_answers(services: Services, given: AnswersChange) -> ScreeningAnswers:
    """Today's answers as on disk now (another window's too), with the changes ``given`` here (kept or not)."""
    return given.applied_to(load_screening(services.paths, given.answers.day))


def plan_today(services: Services, routine: Routine, answers: ScreeningAnswers, out: Lines) -> Plan:
    """The plan now, counting the time done and the limits as read fresh from disk (what cannot be read is said)."""
    settings = settings_on_disk(services.paths, services.settings)
    plan = fresh_plan(services.paths, services.catalog, settings, answers, routine, services.clock.now())
    for problem in plan.unknown:
        out(problem)
    return plan


def plan_lines(plan: Plan) -> Iterator[str]:
    """Today's plan as lines: what was changed for safety and why, warnings, then each step."""
    for note in plan.notes:
        yield f"Changed for safety: {note.text}."
    for warning in plan.warnings:
        yield f"Note: {warning.text}"
    for question in plan.screening.cleared:
        yield f"Cleared by your doctor: {question.text}"
    if not plan.steps:
        return
    yield f"Today's plan: {plan.routine.title}, {len(plan.steps)} steps, {format_seconds(plan.total_seconds)}."
    for number, step in enumerate(plan.steps, 1):
        most = f"; at most {format_seconds(step.max_seconds)}" if step.max_seconds > step.seconds else ""
        yield f"{number}. {step.title}: {step.area_name}, {step.tool_name}, {format_seconds(step.seconds)}{most}."


def rating(prompt: str, keys: KeySource, out: Lines) -> int | None:
    """A 0-10 rating, or ``None`` (Enter, or the end of the input)."""
    while True:
        typed = out.ask(prompt, keys)
        if not typed:
            return None
        if typed.isdigit() and 0 <= int(typed) <= 10:
            return int(typed)
        out("Type a number from 0 to 10, or press Enter to skip.")


# ---------------------------------------------------------------------- the run


@contextmanager
def ending_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP end the run through :class:`Ended` (so it is recorded); SIGPIPE (the program reading the
    output ended) is ignored, so that a closed output is a write error :class:`Lines` handles, never the end of the
    process. Then their handlers return."""

    def ended(signum: int, frame: FrameType | None) -> None:
        raise Ended(signal.Signals(signum).name)

    with handlers({"SIGTERM": ended, "SIGHUP": ended, "SIGPIPE": signal.SIG_IGN}):
        yield


@contextmanager
def handlers(wanted: dict[str, Any]) -> Iterator[None]:
    """Signal handlers by name (those this system has) for the block; the earlier ones after it."""
    saved: dict[int, Any] = {}
    for name, handler in wanted.items():
        number = getattr(signal, name, None)
        if number is not None:
            saved[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


class PlainRun:
    """The run loop: keys in, one line per cue out, checkpoints, and the record at the end."""

    def __init__(
        self,
        services: Services,
        plan: Plan,
        run: RoutineRun,
        hands: HandsFree,
        keys: KeySource,
        out: Lines,
        lock: RunLock,
        given: AnswersChange,
    ) -> None:
        self.services = services
        self.plan = plan
        self.run = run
        self.hands = hands
        self.keys = keys
        self.out = out
        self.lock = lock
        self.given = given
        """Today's answers as changed here (before the run, and by a clearance confirmed during it)."""
        self.checkpointer = Checkpointer(services.paths, run)
        self.rules_watch = RulesWatch(services.paths, services.clock)
        """Sees the settings or today's answers change on disk (another window's, ``companion plan``'s)."""
        self._rules_read_at: int | None = None  # the step under way when the rules were last read
        self._asking = False  # a question (stop, clearance) is open: no other is asked over it
        self._changed = False  # an action changed the run: checkpoint at the next tick (once, as in the app)

    def go(self) -> SessionRecord | None:
        """Run to the end (or a stop) and record the session; the record, or ``None`` if it could not be saved."""
        status: SessionStatus | None = None
        try:
            with ending_signals(), self.keys.cbreak():
                self.out(KEYS_HELP)
                self.run.start()
                self.show(self.hands.update(self.run.drain_events(), self.run.snapshot()))
                self.checkpoint()
                try:
                    self.look_again()
                    self.loop()
                except KeyboardInterrupt:
                    self.out("Ctrl+C: the routine is stopped.")
                    self.act(Action.STOP)
                except Ended as signalled:
                    self.out(f"{signalled}: the routine is interrupted.")
                    status = SessionStatus.INTERRUPTED
            # Ctrl+C again while the session is saved (pressed twice, as when a `| tee` took the first one's
            # line with it) must not lose it: the first one has stopped the run already.
            with handlers({"SIGINT": signal.SIG_IGN, "SIGPIPE": signal.SIG_IGN}):
                return self.finish(status)
        finally:
            self.hands.close()
            self.lock.release()

    def loop(self) -> None:
        while True:
            snap = self.run.snapshot()
            if snap.finished:
                return
            key = self.keys.read(next_wake(snap))
            if key is not None:
                self.key(key)
            self.tick()

    def tick(self) -> None:
        events = self.run.drain_events()
        snap = self.run.snapshot()
        self.show(self.hands.update(events, snap))
        if self.checkpointer.due(bool(events) or self._changed, snap) and not snap.finished:
            self.checkpoint()
        self._changed = False
        self.look_again()

    def look_again(self) -> None:
        """As in the app: the rules read again as each step begins, and when their files changed."""
        snap = self.run.snapshot()
        if snap.finished or self._asking:
            return
        if snap.index != self._rules_read_at or self.rules_watch.changed():
            self._rules_read_at = snap.index
            self.recheck()

    def recheck(self) -> None:
        """Hold the rest of the run to the settings and today's answers as they are now on disk, through the app's
        core (:mod:`companion.run.recheck`): stricter ones shorten, soften or drop what is left, a line for each
        change with its reason; looser ones change nothing. A new "ask first" answer is asked about first, the
        countdown paused: ``y`` (cleared) goes on, ``n`` ends the run here, what was done kept."""
        answers = todays_answers(self.services, self.given)
        settings = settings_on_disk(self.services.paths, self.services.settings)
        asking = unconfirmed(self.run, self.services.catalog, answers)
        resume = False
        if asking:
            confirmed, resume = self.ask_clearance(asking)
            if confirmed:
                now = cleared(answers, asking)
                change = AnswersChange.between(answers, now)
                remember(self.services, change, self.out)
                self.given, answers = self.given.then(change), now
        cues = hold_to(self.run, self.hands, self.services.catalog, settings, answers)
        self.show(cues)
        if cues:
            self.checkpoint()
        if resume and not self.run.snapshot().finished:
            self.act(Action.PAUSE)

    def ask_clearance(self, asking: tuple[Question, ...]) -> tuple[bool, bool]:
        """Whether a doctor cleared the person for each of ``asking`` (``y``; ``n``, or no more input: not), the
        countdown held meanwhile; and whether it was running (to resume once cleared)."""
        was_running = self.run.snapshot().status is RunStatus.RUNNING
        if was_running:
            self.act(Action.PAUSE)
        for line in clearance_lines(asking):
            self.out(line)
        self.out("y: cleared, go on; n: stop here.")
        self._asking = True
        try:
            while True:
                key = self.keys.read(1.0)
                if key in ("y", "Y"):
                    return True, was_running
                if key in ("n", "N") or (key is None and self.keys.ended):
                    return False, was_running
                self.tick()  # the status file goes on being written while the question waits
        finally:
            self._asking = False

    def key(self, key: str) -> None:
        if key == " ":
            self.act(Action.PAUSE)
        elif key == "n":
            self.act(Action.NEXT)
        elif key == "b":
            self.act(Action.BACK)
        elif key == "+":
            self.act(Action.EXTEND)
        elif key == "s":
            self.ask_stop()
        elif key == "?":
            self.out(KEYS_HELP)

    def act(self, action: Action) -> None:
        run = self.run
        result = {
            Action.PAUSE: run.toggle_pause,
            Action.NEXT: run.next,
            Action.BACK: run.back,
            Action.EXTEND: run.extend,
            Action.STOP: run.stop,
        }[action]()
        self.show(self.hands.acted(action, result))
        self._changed = result.ok

    def ask_stop(self) -> None:
        """As in the app: the countdown holds while the question is open; ``y`` stops, ``n`` goes on."""
        was_running = self.run.snapshot().status is RunStatus.RUNNING
        if was_running:
            self.run.pause()
        self.checkpoint()
        self.show(self.hands.acted(Action.ASK_STOP, ActionResult(True)))
        self._asking = True
        try:
            self._answer_stop(was_running)
        finally:
            self._asking = False

    def _answer_stop(self, was_running: bool) -> None:
        while True:
            key = self.keys.read(1.0)
            if key in ("y", "Y"):
                self.act(Action.STOP)
                return
            if key in ("n", "N") or (key is None and self.keys.ended):
                if was_running:
                    self.run.resume()
                self.show(self.hands.acted(Action.KEEP_GOING, ActionResult(True)))
                self._changed = True
                return
            self.tick()  # the status file goes on being written while the question waits

    def show(self, cues: list[Cue]) -> None:
        for cue in cues:
            if cue.changes:  # a plan changed during the run: each change with its reason, on a line of its own
                for change in cue.changes:
                    self.out(f"Changed for safety: {change}.")
            elif cue.line:
                self.out(cue.line)

    def checkpoint(self) -> None:
        problem = self.checkpointer.save()
        if problem:
            self.out(problem)

    def _clear_checkpoint(self, failed: str = "The checkpoint could not be removed") -> None:
        try:
            clear_checkpoint(self.services.paths)
        except WRITE_ERRORS as exc:
            self.out(f"{failed} ({exc}).")

    def finish(self, status: SessionStatus | None) -> SessionRecord | None:
        """Record the session; the checkpoint goes only once it is saved (else the next start offers it)."""
        if status is None:
            self.tick()  # the end's line and cue
        record = self.run.to_record(status=status)
        planned = format_seconds(self.plan.total_seconds)
        if record.actual_seconds == 0:  # as in the app: there is no session to keep
            self._clear_checkpoint()
            self.out(NOTHING_DONE)
            return None
        if not save(HistoryStore(self.services.paths), record, self.out):
            self.checkpoint()  # with every second done, for the recovery
            self.out("The checkpoint is kept: the next start of Companion offers to record this session.")
            return None
        self._clear_checkpoint("The session is saved, but its checkpoint could not be removed")
        self.out(f"Recorded: {record.status.value}, {format_seconds(record.actual_seconds)} done of {planned} planned.")
        return record


def reflect(services: Services, record: SessionRecord, keys: KeySource, out: Lines) -> None:
    """The optional rating after the session, added to the saved record."""
    tension = rating("Tension now, after the session, 0 to 10 (Enter skips): ", keys, out)
    if tension is None:
        return
    if save(HistoryStore(services.paths), record.model_copy(update={"tension_after": tension}), out):
        out(f"Saved with your rating: {tension}.")
