"""One routine at a time: a second window neither records a live run as interrupted nor starts a run over its
checkpoint. The run lock is released by the operating system when its holder dies, even by SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from companion.disk.paths import default_paths
from companion.run.checkpoint import claim_run, load_checkpoint, run_elsewhere, save_checkpoint
from companion.run.engine import RoutineRun
from companion.safety.plan import make_plan
from companion.services import Services
from screens.home import HomeScreen
from screens.recovery import RecoveryScreen
from screens.runner import RunnerScreen
from screens.screening import ScreeningScreen

ROOT = Path(__file__).resolve().parent.parent
ROUTINE = "neck-shoulders-desk"


def test_the_lock_is_exclusive_and_released() -> None:
    paths = default_paths()
    first = claim_run(paths)
    assert first is not None
    assert claim_run(paths) is None and run_elsewhere(paths)
    first.release()
    first.release()  # twice is harmless
    assert not run_elsewhere(paths)


def test_a_killed_holder_frees_the_lock() -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from companion.run.checkpoint import claim_run; from companion.disk.paths import "
            "default_paths; lock = claim_run(default_paths()); print(lock is not None, flush=True); "
            "import time; time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
        assert run_elsewhere(default_paths())
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    assert not run_elsewhere(default_paths())


def _live_checkpoint(services: Services) -> None:
    routine = services.catalog.routine(ROUTINE)
    assert routine is not None
    run = RoutineRun(make_plan(routine, services.catalog), services.clock)
    run.start()
    services.clock.advance(30)  # type: ignore[attr-defined]
    save_checkpoint(services.paths, run.checkpoint())


async def test_a_run_in_another_window_is_not_offered_for_recovery_nor_doubled(make_app, services) -> None:
    _live_checkpoint(services)
    other_window = claim_run(services.paths)
    assert other_window is not None
    try:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            assert not isinstance(app.screen, RecoveryScreen)
            await pilot.press("enter")  # start the highlighted routine: refused, the other run goes on
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            messages = [n.message for n in app._notifications]
            assert any("running in another Companion window" in m for m in messages)
        checkpoint, _ = load_checkpoint(services.paths)
        assert checkpoint is not None  # the other window's checkpoint is untouched
    finally:
        other_window.release()


async def test_the_runner_holds_the_lock_until_the_session_is_recorded(make_app, services) -> None:
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ScreeningScreen)
        assert not run_elsewhere(services.paths)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RunnerScreen)
        assert run_elsewhere(services.paths)
        services.clock.advance(30)  # some time done: a run stopped at 0:00 is not a session
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert not isinstance(app.screen, RunnerScreen)
        assert not run_elsewhere(services.paths)
        assert len(services.store.records) == 1


async def test_a_plan_shown_before_another_window_began_its_run_does_not_start_beside_it(make_app, services) -> None:
    """Finding 98: a window on its plan when another window's run began started a second run beside it (every
    per-session limit doubled). The start takes the run lock first: refused, the plan stays on screen."""
    from screens.plan_review import PlanReviewScreen

    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # none of these apply
        await pilot.pause()
        assert isinstance(app.screen, PlanReviewScreen)
        other_window = claim_run(services.paths)  # another window starts its run now
        assert other_window is not None
        try:
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, PlanReviewScreen)
            assert any("running in another Companion window" in n.message for n in app._notifications)
        finally:
            other_window.release()
        await pilot.press("enter")  # once it has ended, this one starts
        await pilot.pause()
        assert isinstance(app.screen, RunnerScreen) and run_elsewhere(services.paths)
