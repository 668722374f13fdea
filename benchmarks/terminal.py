"""What the benchmarks share: a program in a detached tmux terminal, the three programs compared, a busy machine,
and how figures are printed (a median with its spread, a ratio against its anchor and target). Not a test."""

from __future__ import annotations

import compileall
import contextlib
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
FIRST_FRAME_MARK = "palette"
"""Text the Footer draws last: the command palette hint at its right end."""
POLL_SECONDS = 0.002
"""Pause between two reads of the screen, so the reader leaves the CPU to the program it watches."""


class Terminal:
    """A detached tmux session at 80x24 running one command (``exec``-ed, so the pane's pid is the program)."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.socket = f"bench-{uuid.uuid4().hex[:8]}"
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        self.started = time.perf_counter()
        self._tmux(
            "new-session", "-d", "-s", "bench", "-x", "80", "-y", "24", f"exec env {exports} {shlex.join(command)}"
        )
        self.pid = int(self._tmux("list-panes", "-t", "bench", "-F", "#{pane_pid}").split()[0])

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False).stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "bench")

    def send(self, *keys: str) -> None:
        for key in keys:
            self._tmux("send-keys", "-t", "bench", key)

    def wait_for(self, text: str, timeout: float = 30.0, since: float | None = None, *, gone: bool = False) -> float:
        """Seconds from ``since`` (default: the launch) until ``text`` is on screen (or, with ``gone``, off it);
        ``text`` is matched regardless of case."""
        start = self.started if since is None else since
        wanted = text.lower()
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if (wanted in self.screen().lower()) != gone:
                return time.perf_counter() - start
            time.sleep(POLL_SECONDS)
        raise RuntimeError(f"{text!r} never {'left' if gone else 'appeared'}; the screen was:\n{self.screen()}")

    def press(self, key: str, text: str, *, gone: bool = False, timeout: float = 30.0) -> float:
        """Seconds from sending ``key`` until ``text`` is on screen (or off it): key to screen, as a person sees it."""
        start = time.perf_counter()
        self.send(key)
        return self.wait_for(text, timeout, since=start, gone=gone)

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def cpu_ticks(self) -> int:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    def close(self) -> None:
        self._tmux("kill-server")


@contextlib.contextmanager
def terminal(command: list[str], env: dict[str, str]) -> Iterator[Terminal]:
    """A :class:`Terminal` that is always closed."""
    term = Terminal(command, env)
    try:
        yield term
    finally:
        term.close()


ROUTINE = "wind-down-sleep"
"""The routine the runner benchmarks follow (its first step lasts 60 s)."""


@contextlib.contextmanager
def companion_runner(home: Path) -> Iterator[Terminal]:
    """Companion at its runner, on the routine's first step: each key sent once the screen it is meant for is up."""
    forget_runs(home)
    with terminal(companion_command("start", ROUTINE), env_for(home)) as term:
        term.wait_for(FIRST_FRAME_MARK)
        term.send("Enter")  # screening: none of these apply
        term.wait_for("Today's plan")
        term.send("Enter")  # no tension rating: start
        term.wait_for("left of")
        yield term


def env_for(home: Path) -> dict[str, str]:
    """A private home (data, settings, state and caches in it), as a fresh user account has."""
    env = {"HOME": str(home), "TERM": "xterm-256color", "LANG": "C.UTF-8", "PATH": os.environ.get("PATH", "")}
    for name in ("DATA", "CONFIG", "STATE", "CACHE"):
        env[f"XDG_{name}_HOME"] = str(home / name.lower())
    return env


def forget_runs(home: Path) -> None:
    """Remove the state a run leaves in ``home`` (its checkpoint, the run lock, today's screening answers), so the
    next start is a day's first and offers no recovery (a benchmark's runs end by closing the terminal)."""
    shutil.rmtree(home / "state", ignore_errors=True)


def companion_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "companion", *args]


def floor_command() -> list[str]:
    """The anchor: a bare Textual app after validating its own small pydantic models (``bare_app_pydantic.py``)."""
    return [sys.executable, str(BENCHMARKS / "bare_app_pydantic.py")]


def bare_command() -> list[str]:
    """Context: a bare Textual app without pydantic (``bare_app.py``)."""
    return [sys.executable, str(BENCHMARKS / "bare_app.py")]


def compile_sources() -> None:
    """As ``pip install`` does: compile the bytecode once, so no launch pays for compiling the sources (this matters
    where PYTHONDONTWRITEBYTECODE is set, as on our CI machines, and for an editable install)."""
    for package in ("companion", "screens", "content", "benchmarks"):
        compileall.compile_dir(ROOT / package, quiet=1)


def ready_to_measure() -> bool:
    """Check for tmux, compile the sources and print the load average; ``False`` (said so) without tmux."""
    if shutil.which("tmux") is None:
        print("tmux is needed (apt-get install tmux)")
        return False
    compile_sources()
    print(f"load average at the start: {load_average()}", flush=True)
    return True


BURNER = "while True: pass"


@contextlib.contextmanager
def cpu_bound(count: int = 2) -> Iterator[None]:
    """``count`` CPU-bound processes (at the same priority as the program measured) for as long as the block runs."""
    burners = [subprocess.Popen([sys.executable, "-c", BURNER]) for _ in range(count)]
    try:
        time.sleep(0.5)  # let them get going
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages, to say how busy it was."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def spread(values: list[float], unit: str = "", digits: int = 3) -> str:
    """``median (min-max)`` of ``values``."""
    return (
        f"{statistics.median(values):.{digits}f}{unit} ({min(values):.{digits}f}-{max(values):.{digits}f}, "
        f"n={len(values)})"
    )


def report(name: str, values: list[float], anchors: list[float], unit: str, target: float | None) -> bool:
    """Print the median of ``values`` against the median of ``anchors`` and their ratio; ``False`` if the ratio is
    over ``target`` (``None``: a figure for context, never missed)."""
    value, anchor = statistics.median(values), statistics.median(anchors)
    ratio = value / anchor if anchor else float("inf")
    ok = target is None or ratio <= target
    verdict = "context" if target is None else f"target <= {target} {'ok' if ok else 'MISSED'}"
    print(f"{name}: ratio {ratio:.2f} ({verdict})", flush=True)
    print(f"    {spread(values, ' ' + unit)}  anchor {spread(anchors, ' ' + unit)}", flush=True)
    return ok


CLOCK = re.compile(r"(\d+):(\d\d) left of")


def countdown_seconds(screen: str) -> int | None:
    """The runner's remaining seconds as shown (``m:ss left of``), if on screen."""
    match = CLOCK.search(screen)
    return int(match[1]) * 60 + int(match[2]) if match else None
