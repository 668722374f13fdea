"""Shared fixtures: every test runs with its own XDG folders so no test touches a real home."""

from __future__ import annotations

from pathlib import Path

import pytest


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
