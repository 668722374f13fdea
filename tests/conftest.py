"""Shared fixtures: every test runs with its own XDG folders so no test touches a real home."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

WORKERS_PER_CORE = 2
"""``pytest -n auto`` (the README's command) starts this many workers per core: a Pilot test spends most of its
wall time waiting on the app's timers and redraws. Measured on two cores (the settings, builder and history
screens' 68 tests): two workers 220 s of wall time for 175 s of CPU, four workers 163 s, eight 180 s."""


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    return WORKERS_PER_CORE * (os.cpu_count() or 1)


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


@pytest.fixture(scope="session")
def catalog_cache(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bundled catalogue's cache file as the app writes it at a first start, made once per test process."""
    from companion.catalogue.cache import cache_path, load_catalog_cached

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("catalog-cache")))
        load_catalog_cached()
        return cache_path().read_bytes()


@pytest.fixture
def services(isolated_home: Path, catalog_cache: bytes):
    """The app's services over the bundled catalogue, the isolated folders and a fake clock.

    The test's cache folder starts with the catalogue's cache, as at every start after a first one: validating the
    whole catalogue again for each test would cost more than many tests do (the cache's own tests start cold).
    """
    from companion.catalogue.cache import cache_path
    from companion.disk.fileio import atomic_write
    from companion.run.clock import FakeClock
    from companion.services import build_services

    atomic_write(cache_path(), catalog_cache)  # 0600 in a 0700 folder, as the app writes it
    return build_services(clock=FakeClock())


@pytest.fixture
def make_app(services):
    """Build a fresh ``CompanionApp`` on the test's services (keyword arguments go to the app)."""
    from screens.app import CompanionApp

    def factory(**kwargs):
        return CompanionApp(services, **kwargs)

    return factory


WRITE_GROUPS = frozenset(
    {
        "save-session",
        "checkpoint",
        "run-status",
        "save-failed",
        "save-screening",
        "builder-save",
        "reload-catalogue",
        "recovery",
    }
)
"""The app's worker groups that write (or reload, or look for an unfinished run in) files off the UI thread."""


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
