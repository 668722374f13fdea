"""Ctrl+Q during a run asks, as Stop does, and checkpoints first; SIGTERM and SIGHUP give the terminal back and
checkpoint the run (issue 13)."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

from companion.run.checkpoint import load_checkpoint
from companion.services import Services
from screens.runner import QuitConfirmScreen
from tests.test_e2e_runner import ROUTINE, app_pid, history, start_routine
from tests.test_routine_flow import tick, to_runner
from tests.tmux_driver import TmuxSession, companion_command, companion_env, needs_tmux


async def test_ctrl_q_during_a_run_checkpoints_asks_and_keeps_going_on_no(make_app, services: Services) -> None:
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        runner = await to_runner(pilot)
        await tick(pilot, services, 30)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, QuitConfirmScreen)
        checkpoint, _message = load_checkpoint(services.paths)
        assert checkpoint is not None and round(checkpoint.actual_seconds) == 30  # saved before asking
        assert runner.run.snapshot().paused
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is runner and not runner.run.snapshot().paused
        assert app.return_code is None


async def test_ctrl_q_then_yes_quits_keeping_the_run_for_the_next_start(make_app, services: Services) -> None:
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await to_runner(pilot)
        await tick(pilot, services, 42)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    checkpoint, _message = load_checkpoint(services.paths)
    assert checkpoint is not None and round(checkpoint.actual_seconds) == 42
    assert services.store.records == []  # not recorded: offered at the next start


def _modes(session: TmuxSession) -> str:
    """Whether the pane is in the alternate screen and reports the mouse (``1``) or not (``0``)."""
    return session._tmux("display-message", "-p", "-t", session.name, "#{alternate_on} #{mouse_any_flag}").strip()


@needs_tmux
def test_sigterm_and_sighup_give_the_terminal_back_and_checkpoint_the_run(isolated_home: Path) -> None:
    checkpoint = Path(os.environ["XDG_STATE_HOME"]) / "companion" / "run-checkpoint.json"
    for number in (signal.SIGTERM, signal.SIGHUP):
        checkpoint.unlink(missing_ok=True)
        session = TmuxSession([*companion_command(), "start", ROUTINE], companion_env(isolated_home))
        try:
            start_routine(session)
            assert _modes(session).startswith("1")
            time.sleep(2.5)
            os.kill(app_pid(session), number)
            session.wait_for(f"EXITED-{128 + number}")
            assert _modes(session) == "0 0", number  # the alternate screen left, mouse reporting off
            data: dict[str, Any] = json.loads(checkpoint.read_text())
            assert sum(step["actual_seconds"] for step in data["steps"]) >= 2  # saved at the signal, not 5 s ago
        finally:
            session.close()
    assert history(isolated_home) == []
