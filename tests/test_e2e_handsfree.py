"""End to end in tmux, on the real clock: plain mode with its output in a file, spoken cues through a stub speech
command on PATH, and ``companion status`` against the running app."""

from __future__ import annotations

import json
import math
import os
import re
import time
from pathlib import Path

from companion.catalogue.loader import load_catalog
from companion.run.cues import spoken_seconds
from companion.run.engine import EXTEND_SECONDS
from companion.safety.plan import Plan, PlannedStep, make_plan
from tests.test_e2e_runner import ROUTINE, history, remaining, start_routine
from tests.tmux_driver import TmuxSession, companion_command, companion_env, needs_tmux, run_companion


def today_plan() -> Plan:
    """The routine's plan on a first day (the content may change: tests read it rather than copy it)."""
    catalog = load_catalog().catalog
    routine = catalog.routine(ROUTINE)
    assert routine is not None
    return make_plan(routine, catalog)


def wait_for_file(path: Path, text: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    content = ""
    while time.monotonic() < deadline:
        if path.exists():
            content = path.read_text(encoding="utf-8", errors="replace")
            if text in content:
                return content
        time.sleep(0.1)
    raise AssertionError(f"{text!r} did not appear in {path} within {timeout} s:\n{content}")


@needs_tmux
def test_plain_mode_prints_every_step_without_escape_codes_and_records_the_stop(
    isolated_home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "plain.txt"
    command = " ".join([*companion_command(), "start", ROUTINE, "--plain", ">", str(out)])
    session = TmuxSession(["sh", "-c", command], companion_env(isolated_home))
    try:
        wait_for_file(out, "Numbers that apply")
        session.send("Enter")
        wait_for_file(out, "Tension now")
        session.send("5", "Enter")
        count = len(today_plan().steps)
        wait_for_file(out, f"Step 1 of {count}: ")
        time.sleep(2)  # some time done, so the stop is recorded (a run stopped at 0:00 is not)
        for number in range(2, count + 1):
            session.send("n")
            wait_for_file(out, f"Step {number} of {count}: ")
        session.send("Space")
        wait_for_file(out, "Paused. Space resumes.")
        session.send("s")
        wait_for_file(out, "Stop the routine now?")
        session.send("y")
        wait_for_file(out, "Recorded: stopped")
        session.send("Enter")  # no rating after
        session.wait_for("EXITED-0")
    finally:
        session.close()
    data = out.read_bytes()
    assert b"\x1b" not in data, "plain mode wrote an escape code"
    text = data.decode("utf-8")
    for number in range(1, count + 1):
        assert f"Step {number} of {count}: " in text
    [recorded] = history(isolated_home)
    assert recorded["status"] == "stopped" and recorded["tension_before"] == 5
    assert not (Path(os.environ["XDG_STATE_HOME"]) / "companion" / "run-checkpoint.json").exists()


@needs_tmux
def test_ctrl_c_with_the_output_piped_into_tee_records_the_stopped_session(isolated_home: Path, tmp_path: Path) -> None:
    """Finding 122: the same Ctrl+C ends ``tee`` too; the next line's broken pipe used to end Companion before the
    session was recorded. The rest of the lines go to the terminal (standard error) and the session is recorded."""
    log = tmp_path / "log"
    command = " ".join([*companion_command(), "start", ROUTINE, "--plain", "|", "tee", str(log)])
    session = TmuxSession(["sh", "-c", command], companion_env(isolated_home), size=(100, 30))
    try:
        wait_for_file(log, "Numbers that apply")
        session.send("Enter")
        wait_for_file(log, "Tension now")
        session.send("Enter")
        wait_for_file(log, "Step 1 of ")
        time.sleep(2)  # some time done, so the stop is recorded (a run stopped at 0:00 is not)
        session.send("C-c")
        screen = session.wait_for("Recorded: stopped")
        assert "Traceback" not in screen and "Exception ignored" not in screen
    finally:
        session.close()
    [recorded] = history(isolated_home)
    assert recorded["status"] == "stopped"
    assert not (Path(os.environ["XDG_STATE_HOME"]) / "companion" / "run-checkpoint.json").exists()


def stub_engines(folder: Path, log: Path) -> Path:
    """Every speech command Companion looks for, as a script logging its arguments (one utterance a line)."""
    folder.mkdir()
    for name in ("spd-say", "espeak-ng", "espeak", "say"):
        script = folder / name
        script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$*\" >> {log}\n")
        script.chmod(0o755)
    return folder


def utterances(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def wait_for_utterance(log: Path, text: str, timeout: float = 20.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        said = utterances(log)
        if any(text in line for line in said):
            return said
        time.sleep(0.1)
    raise AssertionError(f"{text!r} was not spoken within {timeout} s; said: {utterances(log)}")


def presses_to_refusal(step: PlannedStep) -> int:
    """How many presses of + ``step`` takes until one is refused."""
    return math.ceil((step.max_seconds - step.seconds) / EXTEND_SECONDS) + 1


@needs_tmux
def test_speak_drives_the_speech_command_on_path(isolated_home: Path, tmp_path: Path) -> None:
    log = tmp_path / "spoken.log"
    stubs = stub_engines(tmp_path / "bin", log)
    env = companion_env(isolated_home)
    env["PATH"] = f"{stubs}:{env['PATH']}"
    session = TmuxSession([*companion_command(), "start", ROUTINE, "--speak"], env)
    try:
        plan = today_plan()
        first, second, count = plan.steps[0], plan.steps[1], len(plan.steps)
        start_routine(session)
        wait_for_utterance(
            log, f"Step 1 of {count}. {first.title}. {first.area_name}, {spoken_seconds(first.seconds)}."
        )
        session.send("n")
        session.wait_for(f"Step 2 of {count}")
        wait_for_utterance(log, f"Step 2 of {count}. {second.title}")
        for _ in range(presses_to_refusal(second)):  # each adds 15 s up to the step's limit; the last is refused
            session.send("+")
            time.sleep(0.3)
        wait_for_utterance(log, f"Time is up for the {second.area_name.lower()}.")
        session.send("Space")
        wait_for_utterance(log, "Paused.")
        session.send("s")
        wait_for_utterance(log, "Stop the routine?")
        session.send("y")
        said = wait_for_utterance(log, "Routine stopped.")
        session.send("C-q")
        session.wait_for("EXITED-0")
    finally:
        session.close()
    texts = [line.split(" -- ")[-1] if " -- " in line else line for line in said]
    starts = [t for t in texts if "Step " in t and f" of {count}." in t]
    assert len(starts) == 2, "one utterance per step boundary"
    assert sum("Time is up" in t for t in texts) == 1, "one utterance per refusal"
    order = [
        f"Step 1 of {count}",
        f"Step 2 of {count}",
        "Time is up",
        "Paused.",
        "Stop the routine?",
        "Routine stopped.",
    ]
    positions = [next(i for i, t in enumerate(texts) if key in t) for key in order]
    assert positions == sorted(positions)
    assert not [t for t in texts if re.search(r"\d:\d\d", t)], "times are spoken as words"


@needs_tmux
def test_status_matches_the_running_app(isolated_home: Path) -> None:
    session = TmuxSession([*companion_command(), "start", ROUTINE], companion_env(isolated_home))
    try:
        start_routine(session)
        time.sleep(2.5)
        before = remaining(session.screen())
        result = run_companion(isolated_home, "status", "--json")
        after = remaining(session.screen())
        line = run_companion(isolated_home, "status")
        session.send("s")
        session.wait_for("Stop the routine now?")
        session.send("y")
        session.wait_for("Routine stopped")
        idle = run_companion(isolated_home, "status")
        session.send("C-q")
        session.wait_for("EXITED-0")
    finally:
        session.close()
    status = json.loads(result)
    assert status["state"] == "running" and status["routine_id"] == ROUTINE and status["step"] == 1

    def seconds(text: str) -> int:
        minutes, secs = text.split(":")
        return int(minutes) * 60 + int(secs)

    left = status["step_seconds_left"]
    assert seconds(after) - 2 <= left <= seconds(before) + 2, (before, left, after)
    first = today_plan().steps[0]
    assert line.startswith(f"running: step 1 of {len(today_plan().steps)}, {first.title} ({first.area_name}), ")
    assert idle == "idle\n"
