"""End to end: ``companion start ID`` in a real terminal (tmux) on the real clock, and recovery after ``kill -9``."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.tmux_driver import TmuxSession, companion_command, companion_env, needs_tmux, run_companion

ROUTINE = "neck-shoulders-desk"
REMAINING = re.compile(r"(\d+:\d\d) left of")


def remaining(screen: str) -> str:
    """The plain ``m:ss`` countdown text on the runner."""
    found = REMAINING.search(screen)
    assert found, f"no countdown on the screen:\n{screen}"
    return found.group(1)


def history(home: Path) -> list[dict[str, Any]]:
    """The sessions, as ``companion history --json`` prints them."""
    sessions: list[dict[str, Any]] = json.loads(run_companion(home, "history", "--json"))["sessions"]
    return sessions


def wait_until_changed(session: TmuxSession, before: str, timeout: float = 5.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = remaining(session.screen())
        if now != before:
            return now
        time.sleep(0.1)
    raise AssertionError(f"the countdown stayed at {before}:\n{session.screen()}")


def start_routine(session: TmuxSession) -> str:
    """Enter through the screening and the rating, as someone with nothing to declare; the first countdown."""
    session.wait_for("None of these apply")
    session.send("Enter")
    session.wait_for("Skip rating")
    session.send("Enter")
    return remaining(session.wait_for("left of"))


@needs_tmux
def test_start_pause_next_and_stop_record_a_stopped_session(isolated_home: Path) -> None:
    session = TmuxSession([*companion_command(), "start", ROUTINE], companion_env(isolated_home))
    try:
        first = start_routine(session)
        assert "Step 1 of 7" in session.screen()
        wait_until_changed(session, first)  # the countdown moves

        session.send("Space")
        screen = session.wait_for("PAUSED")
        held = remaining(screen)
        time.sleep(1.5)
        screen = session.screen()
        assert "PAUSED" in screen
        assert remaining(screen) == held, "the countdown holds while paused"

        session.send("Space")
        session.send("n")
        session.wait_for("Step 2 of 7: Knead the tops of the shoulders")

        session.send("s")
        session.wait_for("Stop the routine now?")
        session.send("y")
        session.wait_for("Routine stopped")
        session.send("C-q")
        session.wait_for("EXITED-0")
    finally:
        session.close()
    [recorded] = history(isolated_home)
    assert recorded["status"] == "stopped"
    assert recorded["routine_id"] == ROUTINE
    assert 1 <= sum(step["actual_seconds"] for step in recorded["steps"]) <= 30


def app_pid(session: TmuxSession) -> int:
    """The Python process of the app: the child of the pane's shell."""
    pane = int(session._tmux("list-panes", "-t", session.name, "-F", "#{pane_pid}").split()[0])
    children = subprocess.run(["pgrep", "-P", str(pane)], capture_output=True, text=True).stdout.split()
    assert children, "the app is not running"
    return int(children[0])


@needs_tmux
def test_checkpoint_recovery_after_sigkill(isolated_home: Path) -> None:
    checkpoint = Path(os.environ["XDG_STATE_HOME"]) / "companion" / "run-checkpoint.json"
    session = TmuxSession([*companion_command(), "start", ROUTINE], companion_env(isolated_home))
    try:
        start_routine(session)
        started = time.monotonic()
        # Wait for a periodic checkpoint with some time in it (one is written every ~5 s while running).
        deadline = started + 15
        done = 0.0
        while time.monotonic() < deadline:
            if checkpoint.exists():
                data = json.loads(checkpoint.read_text())
                done = sum(step["actual_seconds"] for step in data["steps"])
                if done >= 4:
                    break
            time.sleep(0.2)
        assert done >= 4, "no running checkpoint was written"
        os.kill(app_pid(session), signal.SIGKILL)
        ran = time.monotonic() - started
        session.wait_for("EXITED-137")
    finally:
        session.close()
    assert history(isolated_home) == []

    session = TmuxSession(companion_command(), companion_env(isolated_home))
    try:
        screen = session.wait_for("An unfinished session was found")
        assert "Neck and shoulders after desk work" in screen
        session.send("Enter")  # "Record as interrupted" has the focus
        session.wait_for("Recorded as interrupted")
        session.send("C-q")
        session.wait_for("EXITED-0")
    finally:
        session.close()
    [recorded] = history(isolated_home)
    assert recorded["status"] == "interrupted"
    seconds = sum(step["actual_seconds"] for step in recorded["steps"])
    assert round(done) == seconds <= ran + 1
    assert not checkpoint.exists()
