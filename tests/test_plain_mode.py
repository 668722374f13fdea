"""Plain mode (``companion start ID --plain``) on the fake clock: scripted lines and keys in, lines out, and the
session recorded and checkpointed as in the app."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import re
import signal
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from companion.catalogue.models import QuestionKind
from companion.cli.keys import Keys, _without_escapes
from companion.cli.plain import ANSWERS_CHANGED, KEYS_HELP, OUTPUT_CLOSED, Lines, run_plain
from companion.cli.support import CliError
from companion.history.records import SessionRecord, SessionStatus, StepDone
from companion.history.store import HistoryStore
from companion.run.checkpoint import claim_run, load_checkpoint, save_checkpoint
from companion.run.clock import FakeClock
from companion.run.done import PLAN_CHANGED
from companion.run.engine import RoutineRun
from companion.safety.plan import Plan, make_plan
from companion.safety.screening import (
    ScreeningAnswers,
    asks_which_areas,
    load_screening,
    questions_for,
    save_screening,
)
from companion.services import Services
from companion.settings.user_settings import HandsFreeChoice, Settings, StricterLimit, save_settings
from companion.words import format_seconds

ROUTINE = "neck-shoulders-desk"


class ScriptedKeys:
    """Lines answered in order; keys pressed at given seconds of the fake clock (which reading advances)."""

    def __init__(self, clock: FakeClock, lines: list[str], keys: list[tuple[float, str]]) -> None:
        self.clock = clock
        self.lines = list(lines)
        self.keys = sorted(keys)
        self.ended = False
        self.checkpoints: list[float] = []

    @contextlib.contextmanager
    def cbreak(self) -> Iterator[None]:
        yield

    def read(self, timeout: float) -> str | None:
        self.ended = not self.keys
        start = self.clock.monotonic()
        if self.keys and self.keys[0][0] <= start + timeout:
            at, key = self.keys.pop(0)
            self.clock.advance(max(0.0, at - start))
            return key
        self.clock.advance(timeout)
        return None

    def line(self) -> str | None:
        return self.lines.pop(0) if self.lines else None


def at(seconds: float) -> float:
    return 1000.0 + seconds  # the fake clock's monotonic start; no time passes before the run


def go(services: Services, lines: list[str], keys: list[tuple[float, str]]) -> tuple[int, list[str]]:
    stream = io.StringIO()
    script = ScriptedKeys(services.clock, lines, keys)  # type: ignore[arg-type]
    status = run_plain(ROUTINE, HandsFreeChoice(), script, Lines(stream), services)
    return status, stream.getvalue().splitlines()


def today_plan(services: Services) -> Plan:
    """Today's plan of the bundled routine (its steps and limits come from the content, which may change)."""
    routine = services.catalog.routine(ROUTINE)
    assert routine is not None
    return make_plan(routine, services.catalog)


def question_number(services: Services, kind: QuestionKind) -> int:
    """The number plain mode gives the first screening question of ``kind``."""
    routine = services.catalog.routine(ROUTINE)
    assert routine is not None
    questions = questions_for(routine, services.catalog)
    return next(
        n
        for n, q in enumerate(questions, 1)
        if q.kind is kind and (not q.areas or set(q.areas) & set(routine.areas))  # one that bears on the routine
    )


def test_a_whole_routine_with_every_key(services: Services) -> None:
    first = today_plan(services).steps[0]
    assert first.seconds > 45, "the test needs a first step longer than the keys it presses"
    if first.max_seconds >= first.seconds + 15:
        extended = f"Added 0:15: {format_seconds(first.seconds)} left in {first.title}."  # 15 s done, 15 s added
    else:  # no room: the limits shared with the step's area are planned in full
        extended = f"“{first.title}” cannot run longer than {format_seconds(first.max_seconds)}: {first.max_reason}."
    keys = [(at(10), " "), (at(40), " "), (at(45), "+"), (at(50), "n"), (at(60), "b"), (at(65), "?"), (at(70), "x")]
    status, lines = go(services, ["", "6", "3"], keys)
    assert status == 0
    text = "\n".join(lines)
    assert "\x1b" not in text
    count = len(today_plan(services).steps)
    assert lines[0].startswith("Before Neck and shoulders after desk work")
    assert "\n1. " in text
    assert f"Today's plan: Neck and shoulders after desk work, {count} steps, " in text
    for number in range(1, count + 1):
        assert f"Step {number} of {count}: " in text
    events = lines[lines.index(KEYS_HELP) + 1 :]
    assert events[1:4] == [
        "Paused. Space resumes.",
        f"Resumed: {format_seconds(first.seconds - 10)} left in {first.title}.",
        extended,
    ]
    assert events[4].startswith(f"Step 2 of {count}: ")
    assert events[5].startswith(f"Step 1 of {count}: {first.title}")  # b: back to the first step
    assert KEYS_HELP in events
    assert "Routine complete:" in text and "Recorded: completed" in text
    assert lines[-1] == "Saved with your rating: 3."
    [record] = HistoryStore(services.paths).records
    assert record.status is SessionStatus.COMPLETED
    assert record.tension_before == 6 and record.tension_after == 3
    assert not services.paths.checkpoint.exists()


def test_time_left_every_thirty_seconds_and_the_warning(services: Services) -> None:
    plan = today_plan(services)
    step, following = plan.steps[0], plan.steps[1]
    _, lines = go(services, ["", ""], [(at(step.seconds + 1), "s"), (at(step.seconds + 2), "y")])
    begun = lines.index(next(line for line in lines if line.startswith("Step 1 of ")))
    reminders = [f"{format_seconds(step.seconds - n)} left in {step.title}." for n in range(30, step.seconds - 5, 30)]
    assert lines[begun + 1 : begun + 2 + len(reminders)] == [
        *reminders,
        f"{step.title} ends in 5 s; then {following.title}.",
    ]
    assert lines[begun + 2 + len(reminders)].startswith("Step 2 of ")


def test_stop_asks_first_and_records_a_stopped_session(services: Services) -> None:
    status, lines = go(services, ["", ""], [(at(5), "s"), (at(8), "n"), (at(12), "s"), (at(40), "y")])
    assert status == 0
    assert lines.count("Stop the routine now? The time done so far is recorded. y stops, n keeps going.") == 2
    first = today_plan(services).steps[0]
    assert f"Going on: {format_seconds(first.seconds - 5)} left in {first.title}." in lines
    assert "Routine stopped: 0:09 done." in lines  # each question held the countdown
    [record] = HistoryStore(services.paths).records
    assert record.status is SessionStatus.STOPPED and record.actual_seconds == 9


def test_a_stop_before_any_time_is_done_records_nothing(services: Services) -> None:
    """As in the app: `s` then `y` at once leaves no session and no checkpoint, and asks no rating."""
    status, lines = go(services, ["", ""], [(at(0), "s"), (at(0), "y")])
    assert status == 0
    assert "Stopped before any time was done, so no session was recorded." in lines
    assert not any(line.startswith(("Recorded:", "Tension now, after")) for line in lines)
    assert HistoryStore(services.paths).records == []
    assert not services.paths.checkpoint.exists()


def test_a_stop_answer_starts_nothing(services: Services) -> None:
    status, lines = go(services, [str(question_number(services, QuestionKind.STOP))], [])
    assert status == 1
    assert any(line.startswith("Not today: ") for line in lines)
    assert HistoryStore(services.paths).records == []


def test_bad_numbers_are_asked_again_and_an_avoided_area_is_left_out(services: Services) -> None:
    avoid = str(question_number(services, QuestionKind.AVOID_AREA))
    _, lines = go(services, ["0 999", avoid, "2", ""], [(at(1), "s"), (at(2), "y")])
    assert any(line.startswith("Type numbers from 1 to ") for line in lines)
    assert any(line.startswith("Changed for safety:") and "left out" in line for line in lines)


def which_areas_question(services: Services) -> tuple[int, str, list[str]]:
    """The number of the first screening question that asks which areas, its text, and the routine's areas."""
    routine = services.catalog.routine(ROUTINE)
    assert routine is not None
    questions = questions_for(routine, services.catalog)
    number, question = next((n, q) for n, q in enumerate(questions, 1) if asks_which_areas(q))
    return number, question.id, list(routine.areas)


def test_an_avoid_area_answer_asks_which_areas_and_leaves_only_those_out(services: Services) -> None:
    """Finding 123: plain mode left every area out for a bruise; it asks which areas, numbered as the app's
    "Which areas?" lists them, asks again after a bad number, and leaves out only those named."""
    number, question_id, areas = which_areas_question(services)
    status, lines = go(services, [str(number), "0 x", "2", ""], [(at(1), "s"), (at(2), "y")])
    assert status == 0
    asked = next(n for n, line in enumerate(lines) if line.startswith("Which areas? "))
    names = [services.catalog.areas[a].name for a in areas]
    assert lines[asked + 1 : asked + 1 + len(areas)] == [f"  {n}. {name}" for n, name in enumerate(names, 1)]
    assert f"Type numbers from 1 to {len(areas)}, or press Enter." in lines[asked:]
    kept = load_screening(services.paths, services.today())
    assert kept.yes == {question_id} and kept.areas == {question_id: frozenset({areas[1]})}
    left_out = [line for line in lines if line.startswith("Changed for safety:") and "left out" in line]
    assert left_out and all(line.startswith(f"Changed for safety: {names[1]}") for line in left_out)
    (record,) = HistoryStore(services.paths).records
    assert areas[0] in {step.area for step in record.steps} and areas[1] not in {step.area for step in record.steps}


def test_enter_on_which_areas_leaves_the_question_unanswered(services: Services) -> None:
    number, _question_id, _areas = which_areas_question(services)
    _, lines = go(services, [str(number), "", ""], [(at(1), "s"), (at(2), "y")])
    assert any(line.startswith("Not answered: ") for line in lines)
    assert not any(line.startswith("Changed for safety:") for line in lines)
    assert load_screening(services.paths, services.today()).yes == frozenset()
    assert len(HistoryStore(services.paths).records) == 1


def test_areas_named_earlier_today_are_shown_and_kept(services: Services) -> None:
    number, question_id, areas = which_areas_question(services)
    earlier = ScreeningAnswers.fresh(services.today()).with_areas(question_id, frozenset({areas[0]}))
    save_screening(services.paths, earlier)
    _, lines = go(services, ["", ""], [(at(1), "s"), (at(2), "y")])  # Enter keeps the answer: not asked again
    name = services.catalog.areas[areas[0]].name
    assert any(line.startswith(f"{number}. ") and line.endswith(f" (yes today: {name})") for line in lines)
    assert not any(line.startswith("Which areas? ") for line in lines)
    assert load_screening(services.paths, services.today()).areas == {question_id: frozenset({areas[0]})}


class KeysWithAnotherWindow(ScriptedKeys):
    """As :class:`ScriptedKeys`, but while the tension before is asked another window saves a session that
    worked the shoulders to their limit for this sitting."""

    def __init__(self, services: Services, lines: list[str], keys: list[tuple[float, str]]) -> None:
        super().__init__(services.clock, lines, keys)  # type: ignore[arg-type]
        self.services = services
        self.asked = 0

    def line(self) -> str | None:
        self.asked += 1
        if self.asked == 2:  # the screening was the first line; the rating is the second
            now = self.services.clock.now()
            cap = self.services.catalog.limit_for("hands", "shoulders").area_session_seconds
            assert cap is not None
            done = StepDone(area="shoulders", tool="hands", planned_seconds=cap, actual_seconds=cap)
            start = now - timedelta(seconds=cap + 30)
            record = SessionRecord(routine_id="elsewhere", routine_title="Elsewhere", started_at=start, ended_at=now,
                                   status=SessionStatus.COMPLETED, steps=(done,))  # fmt: skip
            HistoryStore(self.services.paths).append(record)
        return super().line()


@pytest.mark.parametrize("answer", ["y", ""])
def test_time_done_in_another_window_while_the_rating_is_asked_changes_the_plan(
    services: Services, answer: str
) -> None:
    """The plan is made again once the run lock is taken: the shoulders, used up meanwhile, are left out, the new
    plan is shown and runs only if the person says so."""
    stream = io.StringIO()
    script = KeysWithAnotherWindow(services, ["", "", answer], [(at(1), "s"), (at(2), "y")])
    status = run_plain(ROUTINE, HandsFreeChoice(), script, Lines(stream), services)
    lines = stream.getvalue().splitlines()
    assert f"{PLAN_CHANGED}:" in lines
    changed = lines[lines.index(f"{PLAN_CHANGED}:") + 1 :]
    assert any(line.startswith("Changed for safety: Shoulders") and "dropped" in line for line in changed)
    if answer == "y":
        assert status == 0
        first = next(line for line in changed if line.startswith("Step 1 of "))
        assert "Shoulders" not in first
        assert [r.routine_id for r in HistoryStore(services.paths).records] == ["elsewhere", ROUTINE]
    else:
        assert status == 1 and "Nothing was run." in lines
        assert [r.routine_id for r in HistoryStore(services.paths).records] == ["elsewhere"]
        lock = claim_run(services.paths)  # released for the next run
        assert lock is not None
        lock.release()


def test_an_unfinished_session_is_offered_before_a_new_run(services: Services) -> None:
    routine = services.catalog.routine(ROUTINE)
    assert routine is not None
    earlier = RoutineRun(make_plan(routine, services.catalog), FakeClock())
    earlier.start()
    earlier.clock.advance(42)  # type: ignore[attr-defined]
    save_checkpoint(services.paths, earlier.checkpoint())
    _, lines = go(services, ["maybe", "r", "", ""], [(at(3), "s"), (at(4), "y")])
    assert "An unfinished session was found: Neck and shoulders after desk work, 0:42 done." in lines
    assert "Recorded as interrupted: Neck and shoulders after desk work, 0:42 done." in lines
    statuses = sorted(r.status.value for r in HistoryStore(services.paths).records)
    assert statuses == ["interrupted", "stopped"]


def test_checkpoints_are_saved_as_in_the_app(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    import companion.run.cadence as cadence

    saved: list[float] = []
    real = cadence.save_checkpoint

    def recording(paths, checkpoint) -> None:
        saved.append(checkpoint.actual_seconds)
        real(paths, checkpoint)

    monkeypatch.setattr(cadence, "save_checkpoint", recording)
    go(services, ["", ""], [(at(30), "s"), (at(31), "y")])
    assert saved[0] == 0 and len(saved) >= 6  # at start, every 5 s, and at the stop question
    assert all(b >= a for a, b in itertools.pairwise(saved))


def test_user_text_is_printed_without_control_characters() -> None:
    stream = io.StringIO()
    Lines(stream)("Neck\x1b[31m red\x07 \x9b2J done")
    assert "\x1b" not in stream.getvalue() and "\x9b" not in stream.getvalue()
    assert stream.getvalue() == "Neck\\u001b[31m red\\u0007 \\u009b2J done\n"


def test_the_screening_says_what_a_red_flag_means_and_r_lists_them(services: Services) -> None:
    status, lines = go(services, ["r", "", "", "n"], [])
    reminder = "! Any red flag (r lists them) means stop and see a doctor, not a massage therapist."
    asked = [n for n, line in enumerate(lines) if line.startswith("Numbers that apply")]
    assert lines.index(reminder) < asked[0] and "r: red flags" in lines[asked[0]]
    listed = lines[asked[0] + 1 :]
    assert listed[0] == "Red flags: stop and get medical help, not a massage."
    assert any("sudden headache" in line.lower() for line in listed[: listed.index("Neck:") + 8])
    assert len(asked) >= 2  # then asked again; Enter: none of these apply, and the flow goes on
    assert any(line.startswith("Today's plan: ") for line in lines)
    assert status == 0


def test_keys_skip_escape_sequences_and_read_lines_from_a_pipe() -> None:
    assert _without_escapes("n\x1b[A\x1bOPb+\x1b") == "nb+"
    read_end, write_end = os.pipe()
    os.write(write_end, b"3 5\nn \x1b[B+")
    os.close(write_end)
    with os.fdopen(read_end, "rb", buffering=0) as stream:
        keys = Keys(stream)  # type: ignore[arg-type]
        assert keys.line() == "3 5"
        with keys.cbreak():  # not a terminal: nothing to change
            assert [keys.read(0.5) for _ in range(3)] == ["n", " ", "+"]
            assert keys.read(0.05) is None and keys.ended
        assert keys.line() is None


def test_without_termios_the_keys_module_imports_and_plain_mode_says_why_it_cannot_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As on Windows: no ``termios`` (nor ``tty``). The module imports; plain mode ends with one line, before any
    question is asked, and names the way that works there (the app)."""
    import importlib
    import sys

    import companion.cli

    for name in ("keys", "plain"):  # the fresh imports below replace them on the package: put back afterwards
        monkeypatch.setattr(companion.cli, name, importlib.import_module(f"companion.cli.{name}"))
    for name in ("termios", "tty", "companion.cli.keys", "companion.cli.plain"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setitem(sys.modules, "termios", None)  # importing it now raises ImportError
    monkeypatch.setitem(sys.modules, "tty", None)
    keys_module = importlib.import_module("companion.cli.keys")
    with pytest.raises(CliError, match="without --plain"):
        keys_module.Keys(io.StringIO())
    from companion.cli.entry import main

    assert main(["start", ROUTINE, "--plain"]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == f"companion: {keys_module.NO_PLAIN_MODE}"
    assert "Traceback" not in captured.err and "?" not in captured.out  # no screening question was asked


def test_the_plain_flag_runs_plain_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    import companion.cli.plain as plain_mode
    from companion.cli.entry import main

    called: list[tuple[str, HandsFreeChoice]] = []
    monkeypatch.setattr(plain_mode, "run_plain", lambda routine_id, choice: called.append((routine_id, choice)) or 0)
    assert main(["start", ROUTINE, "--plain", "--speak"]) == 0
    assert called == [(ROUTINE, HandsFreeChoice(speak=True))]


def test_an_unknown_routine_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from companion.cli.entry import main

    assert main(["start", "nope", "--plain"]) == 2
    assert capsys.readouterr().err.strip() == "companion: no routine 'nope'; run 'companion routines' to list them"


def test_checkpoint_left_by_plain_mode_is_valid(services: Services) -> None:
    go(services, ["", ""], [(at(7), "s")])  # the input ends at the question: the run goes on to the end
    checkpoint, message = load_checkpoint(services.paths)
    assert checkpoint is None and message is None  # recorded and cleared
    assert json.loads(services.paths.history.read_text().splitlines()[-1])["status"] == "completed"


class InterruptingKeys(ScriptedKeys):
    """Scripted keys that, at ``at_second``, deliver a signal (or raise Ctrl+C's KeyboardInterrupt) while waiting."""

    def __init__(self, clock: FakeClock, lines: list[str], at_second: float, interrupt: str) -> None:
        super().__init__(clock, lines, [])
        self.at_second = at_second
        self.interrupt = interrupt

    def read(self, timeout: float) -> str | None:
        if self.clock.monotonic() >= self.at_second:
            if self.interrupt == "ctrl-c":
                raise KeyboardInterrupt
            os.kill(os.getpid(), getattr(signal, self.interrupt))
        return super().read(timeout)


@pytest.mark.parametrize(
    ("interrupt", "status", "said"),
    [
        ("ctrl-c", SessionStatus.STOPPED, "Ctrl+C: the routine is stopped."),
        ("SIGTERM", SessionStatus.INTERRUPTED, "SIGTERM: the routine is interrupted."),
        ("SIGHUP", SessionStatus.INTERRUPTED, "SIGHUP: the routine is interrupted."),
    ],
)
def test_ctrl_c_and_signals_record_the_session(services: Services, interrupt: str, status, said: str) -> None:
    before = signal.getsignal(signal.SIGTERM)
    stream = io.StringIO()
    keys = InterruptingKeys(services.clock, ["", ""], at(20), interrupt)  # type: ignore[arg-type]
    assert run_plain(ROUTINE, HandsFreeChoice(), keys, Lines(stream), services) == 0
    assert said in stream.getvalue().splitlines()
    [record] = HistoryStore(services.paths).records
    assert record.status is status and 19 <= record.actual_seconds <= 21
    assert not services.paths.checkpoint.exists()
    assert signal.getsignal(signal.SIGTERM) is before  # the handlers are given back


class KeysWithOtherAnswers(ScriptedKeys):
    """As :class:`ScriptedKeys`, but while the tension before is asked another window changes today's answers or
    the limits (``elsewhere``, called once)."""

    def __init__(self, services: Services, lines: list[str], elsewhere: Callable[[], None]) -> None:
        super().__init__(services.clock, lines, [(at(1), "s"), (at(2), "y")])  # type: ignore[arg-type]
        self.elsewhere = elsewhere
        self.asked = 0

    def line(self) -> str | None:
        self.asked += 1
        if self.asked == 2:  # the screening was the first line; the rating is the second
            self.elsewhere()
        return super().line()


@pytest.mark.parametrize("cleared", ["y", "n"])
def test_an_ask_first_answer_given_elsewhere_before_the_countdown_is_asked(services: Services, cleared: str) -> None:
    """Finding 96 (plain mode): "pregnant" ticked in another window while the rating was asked: the clearance is
    asked before anything starts; the other window's answer is never written over."""
    today = services.today()
    pregnant = ScreeningAnswers.fresh(today).with_answer("pregnancy", True)
    stream = io.StringIO()
    script = KeysWithOtherAnswers(services, ["", "", cleared, "y"], lambda: save_screening(services.paths, pregnant))
    status = run_plain(ROUTINE, HandsFreeChoice(), script, Lines(stream), services)
    lines = stream.getvalue().splitlines()
    assert ANSWERS_CHANGED in lines
    asked = lines.index(ANSWERS_CHANGED)
    assert any("Are you pregnant?" in line for line in lines[asked:])
    kept = load_screening(services.paths, today)
    assert kept.yes == {"pregnancy"}
    if cleared == "y":
        assert status == 0 and kept.cleared == {"pregnancy"}
        assert [r.routine_id for r in HistoryStore(services.paths).records] == [ROUTINE]
    else:
        assert status == 1 and kept.cleared == frozenset()
        assert HistoryStore(services.paths).records == []


def test_a_limit_set_elsewhere_before_the_countdown_changes_the_plan(services: Services) -> None:
    """Finding 81 (plain mode): the plan is made again with the limits on disk, shown, and run if asked."""
    limits = Settings(limits={"hands": StricterLimit(step_seconds=20)})  # type: ignore[dict-item]
    stream = io.StringIO()
    script = KeysWithOtherAnswers(services, ["", "", "y"], lambda: save_settings(services.paths, limits))
    status = run_plain(ROUTINE, HandsFreeChoice(), script, Lines(stream), services)
    lines = stream.getvalue().splitlines()
    assert status == 0 and f"{PLAN_CHANGED}:" in lines
    (record,) = HistoryStore(services.paths).records
    assert all(step.planned_seconds <= 20 for step in record.steps if step.tool == "hands")


class ClosingPipe(io.StringIO):
    """An output whose reader ends (``| tee`` ended by Ctrl+C, ``| head``): every write once ``broken`` is set
    fails as a closed pipe does."""

    broken = False

    def write(self, text: str) -> int:
        if self.broken:
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


class InterruptingWithTee(InterruptingKeys):
    """Ctrl+C at ``at_second``, which ends the program reading the output at the same moment."""

    def __init__(self, clock: FakeClock, out: ClosingPipe, at_second: float) -> None:
        super().__init__(clock, ["", ""], at_second, "ctrl-c")
        self.out = out

    def read(self, timeout: float) -> str | None:
        if self.clock.monotonic() >= self.at_second:
            self.out.broken = True
        return super().read(timeout)


def test_ctrl_c_that_also_ends_the_reader_of_the_output_records_the_session(services: Services) -> None:
    """Finding 122 (``companion start ID --plain | tee log``, then Ctrl+C): the broken pipe of the next line used
    to end plain mode before the session was recorded; the lines go on to the fallback (standard error)."""
    out, terminal = ClosingPipe(), io.StringIO()
    keys = InterruptingWithTee(services.clock, out, at(20))  # type: ignore[arg-type]
    assert run_plain(ROUTINE, HandsFreeChoice(), keys, Lines(out, terminal), services) == 0
    [record] = HistoryStore(services.paths).records
    assert record.status is SessionStatus.STOPPED and 19 <= record.actual_seconds <= 21
    assert not services.paths.checkpoint.exists()
    said = terminal.getvalue().splitlines()
    assert said[:2] == [OUTPUT_CLOSED, "Ctrl+C: the routine is stopped."]
    assert any(line.startswith("Recorded: stopped, ") for line in said)
    assert "Ctrl+C" not in out.getvalue()


def test_lines_go_nowhere_once_neither_output_can_be_written() -> None:
    out, fallback = ClosingPipe(), ClosingPipe()
    out.broken = fallback.broken = True
    lines = Lines(out, fallback)
    lines("Step 1 of 7")
    lines("Recorded: stopped")  # no exception: the run goes on and is recorded all the same
    assert lines.closed and out.getvalue() == fallback.getvalue() == ""


def test_a_closed_output_with_no_fallback_goes_nowhere() -> None:
    out = io.StringIO()
    out.close()  # writing to it raises ValueError
    lines = Lines(out)
    lines("Step 1 of 7")
    assert lines.closed


class KeysWithRulesChanged(ScriptedKeys):
    """As :class:`ScriptedKeys`, but at ``when`` (a second of the fake clock, during the run) another window saves
    stricter settings or answers (``elsewhere``, called once)."""

    def __init__(
        self, services: Services, keys: list[tuple[float, str]], when: float, elsewhere: Callable[[], None]
    ) -> None:
        super().__init__(services.clock, ["", "", ""], keys)  # type: ignore[arg-type]
        self.when = when
        self.elsewhere: Callable[[], None] | None = elsewhere

    def read(self, timeout: float) -> str | None:
        if self.elsewhere is not None and self.clock.monotonic() + timeout >= self.when:
            self.clock.advance(max(0.0, self.when - self.clock.monotonic()))
            self.elsewhere, elsewhere = None, self.elsewhere
            elsewhere()
            return None
        return super().read(timeout)


def run_with(services: Services, keys: KeysWithRulesChanged) -> tuple[int, list[str]]:
    stream = io.StringIO()
    status = run_plain(ROUTINE, HandsFreeChoice(), keys, Lines(stream), services)
    return status, stream.getvalue().splitlines()


def test_a_stricter_limit_saved_during_the_run_shortens_the_steps_left(services: Services) -> None:
    """Item 1: a step limit saved in another window mid-run holds from then on, as in the app: the step under way
    ends sooner and the steps to come are shortened, each change on its own line with its reason."""
    limits = Settings(limits={"hands": StricterLimit(step_seconds=20)})  # type: ignore[dict-item]
    plan = today_plan(services)
    first, later = plan.steps[0], [s for s in plan.steps[1:] if s.tool == "hands" and s.seconds > 20]
    assert first.tool == "hands" and first.seconds > 20 and later, "the test needs long steps with the hands"
    keys = KeysWithRulesChanged(services, [], at(5), lambda: save_settings(services.paths, limits))
    status, lines = run_with(services, keys)
    assert status == 0
    changed = [line for line in lines if line.startswith("Changed for safety: ")]
    # Seen within the watch's few seconds: the step under way ends at its new limit.
    assert any(re.match(r"Changed for safety: This step now ends in 0:1\d: ", line) for line in changed)
    for step in later:
        assert any(line.startswith(f"Changed for safety: “{step.title}” is shortened to 0:20: ") for line in changed)
    assert all("your own limit per step for your hands is 0:20" in line for line in changed)
    (record,) = HistoryStore(services.paths).records
    assert all(done.actual_seconds <= 20 for done in record.steps if done.tool == "hands")
    assert any(done.tool != "hands" and done.actual_seconds > 20 for done in record.steps)  # the others untouched


def test_an_area_left_out_by_answers_saved_during_the_run_is_dropped(services: Services) -> None:
    _number, question_id, areas = which_areas_question(services)
    sore = areas[1]
    answers = ScreeningAnswers.fresh(services.today()).with_areas(question_id, frozenset({sore}))
    keys = KeysWithRulesChanged(services, [], at(5), lambda: save_screening(services.paths, answers))
    status, lines = run_with(services, keys)
    assert status == 0
    dropped = [s for s in today_plan(services).steps if s.area == sore]
    for step in dropped:
        assert any(line.startswith(f"Changed for safety: “{step.title}” is left out: ") for line in lines)
        assert not any(line.startswith("Step ") and f": {step.title} (" in line for line in lines)
    (record,) = HistoryStore(services.paths).records
    assert record.status is SessionStatus.COMPLETED
    assert all(done.actual_seconds == 0 for done in record.steps if done.area == sore)


@pytest.mark.parametrize("answer", ["y", "n"])
def test_an_ask_first_answer_saved_during_the_run_pauses_and_asks(services: Services, answer: str) -> None:
    """ "Pregnant" ticked in another window mid-run: the countdown pauses and the clearance is asked (y/n), as in
    the app; y goes on (and keeps the clearance), n ends the run there, the time done recorded."""
    pregnant = ScreeningAnswers.fresh(services.today()).with_answer("pregnancy", True)
    keys = KeysWithRulesChanged(services, [(at(30), answer)], at(5), lambda: save_screening(services.paths, pregnant))
    status, lines = run_with(services, keys)
    assert status == 0
    asked = lines.index("Paused. Space resumes.")
    assert lines[asked + 1].startswith("Today's answers now say yes to “Are you pregnant?")
    assert any(line.startswith("Has a doctor or midwife cleared you") for line in lines[asked:])
    (record,) = HistoryStore(services.paths).records
    kept = load_screening(services.paths, services.today())
    if answer == "y":
        assert lines[lines.index("y: cleared, go on; n: stop here.") + 1].startswith("Resumed: ")
        assert kept.cleared == {"pregnancy"} and record.status is SessionStatus.COMPLETED
    else:
        assert any(
            line.startswith("Changed for safety: Today's answers mean this routine must not go on") for line in lines
        )
        assert kept.cleared == frozenset() and record.status is SessionStatus.STOPPED
        assert 4 <= record.actual_seconds <= 6  # the countdown held while the question was open


def test_looser_limits_saved_during_the_run_change_nothing(services: Services) -> None:
    looser = Settings(limits={"hands": StricterLimit(step_seconds=600)})  # type: ignore[dict-item]
    keys = KeysWithRulesChanged(services, [], at(5), lambda: save_settings(services.paths, looser))
    _, lines = run_with(services, keys)
    assert not any(line.startswith("Changed for safety: ") for line in lines)
    (record,) = HistoryStore(services.paths).records
    assert [s.actual_seconds for s in record.steps] == [s.seconds for s in today_plan(services).steps]
