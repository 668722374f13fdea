"""Shared fixtures: every test runs with its own XDG folders so no test touches a real home."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every XDG folder (and HOME) at a fresh temporary directory."""
    home = tmp_path / "home"
    for name in ("DATA", "CONFIG", "STATE", "CACHE"):
        folder = home / name.lower()
        folder.mkdir(parents=True)
        monkeypatch.setenv(f"XDG_{name}_HOME", str(folder))
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture
def services(isolated_home: Path):
    """The app's services over the bundled catalogue, the isolated folders and a fake clock."""
    from companion.run.clock import FakeClock
    from companion.services import build_services

    return build_services(clock=FakeClock())


@pytest.fixture
def make_app(services):
    """Build a fresh ``CompanionApp`` on the test's services (keyword arguments go to the app)."""
    from screens.app import CompanionApp

    def factory(**kwargs):
        return CompanionApp(services, **kwargs)

    return factory


WRITE_GROUPS = frozenset(
    {"save-session", "checkpoint", "save-failed", "save-screening", "builder-save", "reload-catalogue"}
)
"""The app's worker groups that write (or reload) files off the UI thread."""


@pytest.fixture(autouse=True)
def pauses_wait_for_saves(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pause in these tests also lets the writes under way finish (they run in worker threads), so what a test
    then reads from disk is what the app has written."""
    pause = Pilot.pause

    async def pause_and_save(self: Pilot[Any], delay: float | None = None) -> None:
        await pause(self, delay)
        while writing := [w for w in self.app.workers if w.group in WRITE_GROUPS and not w.is_finished]:
            for worker in writing:
                with contextlib.suppress(WorkerCancelled):  # an exclusive worker replaced by a newer one
                    await worker.wait()
            await pause(self)  # their results are handled on the UI thread

    monkeypatch.setattr(Pilot, "pause", pause_and_save)
