"""Drive the installed ``companion`` in a real terminal (tmux), as a person would: type keys, read the screen."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
needs_tmux = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (the CI script installs it)")


class TmuxSession:
    """A detached tmux session running one command at a fixed size."""

    def __init__(self, command: list[str], env: dict[str, str], size: tuple[int, int] = (80, 24)) -> None:
        self.name = f"companion-test-{uuid.uuid4().hex[:8]}"
        self.socket = f"companion-{uuid.uuid4().hex[:8]}"
        exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
        # COLUMNS and LINES unset: the tmux server inherits the test process's environment, where they may say
        # 80x24 (set under pytest), and an app reads them before the terminal's own size (shutil.get_terminal_size).
        shell = f"env -u COLUMNS -u LINES {exports} {shlex.join(command)}; echo EXITED-$?; sleep 30"
        width, height = size
        self._tmux("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), shell)

    def _tmux(self, *args: str) -> str:
        assert TMUX is not None
        result = subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True, text=True, timeout=20)
        return result.stdout

    def send(self, *keys: str) -> None:
        """Send keys by tmux name (``Space``, ``Enter``, ``Escape``, ``C-q``) or literal text."""
        for key in keys:
            self._tmux("send-keys", "-t", self.name, key)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", self.name)

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        """Wait until ``text`` is on the screen; return the screen. Fails with the last screen otherwise."""
        return self.wait_until(lambda screen: text in screen, f"{text!r} did not appear", timeout)

    def wait_until(self, condition: Callable[[str], bool], what: str, timeout: float = 20.0) -> str:
        """Wait until the screen meets ``condition``; return it. Fails saying ``what`` with the last screen."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if condition(screen):
                return screen
            time.sleep(0.1)  # a poll of the screen, not a wait for the app: the condition decides
        raise AssertionError(f"{what} within {timeout} s; the screen was:\n{screen}")

    def close(self) -> None:
        self._tmux("kill-server")


def companion_env(home: Path) -> dict[str, str]:
    """Environment for the app under test: its own XDG folders, a real terminal type, no colour surprises."""
    env = {
        "HOME": str(home),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
        "LANG": "C.UTF-8",
    }
    for name in ("DATA", "CONFIG", "STATE", "CACHE"):
        env[f"XDG_{name}_HOME"] = os.environ[f"XDG_{name}_HOME"]
    return env


def companion_command() -> list[str]:
    """The installed script, as a newcomer would run it."""
    script = shutil.which("companion")
    assert script, "the companion script is not installed (pip install -e '.[test]')"
    return [script]


def run_companion(home: Path, *args: str) -> str:
    """What the installed ``companion`` prints for ``args`` (it must succeed), in the test's own folders."""
    result = subprocess.run(
        [*companion_command(), *args], env=companion_env(home), capture_output=True, text=True, timeout=30, check=True
    )
    return result.stdout
