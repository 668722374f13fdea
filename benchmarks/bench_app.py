"""Benchmark of the app as a person runs it (issue 7). Not a test: run ``python benchmarks/bench_app.py``.

Each figure is measured in the same run as its anchor, with public tools only:

- start-up: time from launch to the first full frame (the Footer's palette hint drawn), read with
  ``tmux capture-pane``; Companion against a bare Textual app (Header, Static, Footer). Target ratio <= 1.3.
- memory: resident set size (``/proc/PID/status`` VmRSS) once the first frame is up. Target ratio <= 1.5.
- context, not a target: the same two figures for the bare app started after importing Companion's pydantic
  models and validating its settings (``bare_app_pydantic.py``), i.e. what validating at the boundary costs.
- start-up with 20,000 sessions in the history against an empty history. Target ratio <= 1.3.
- CPU while a routine runs: user + system ticks from ``/proc/PID/stat`` over the same wall time, Companion's
  runner against termdown counting down. Target: at or below termdown. Skipped (and said so) when termdown is
  not installed (``pip install termdown``).

Prints each figure with its anchor and ratio; exits with status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_FRAME_MARK = "palette"
"""Text the Footer draws last: the command palette hint at its right end."""


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

    def wait_for(self, text: str, timeout: float = 30.0) -> float:
        """Seconds from launch until ``text`` is on screen."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if text in self.screen():
                return time.perf_counter() - self.started
            time.sleep(0.005)
        raise RuntimeError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

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


def env_for(home: Path) -> dict[str, str]:
    env = {"HOME": str(home), "TERM": "xterm-256color", "LANG": "C.UTF-8", "PATH": os.environ.get("PATH", "")}
    for name in ("DATA", "CONFIG", "STATE", "CACHE"):
        env[f"XDG_{name}_HOME"] = str(home / name.lower())
    return env


def companion_command() -> list[str]:
    return [sys.executable, "-m", "companion"]


def bare_command() -> list[str]:
    return [sys.executable, str(ROOT / "benchmarks" / "bare_app.py")]


def floor_command() -> list[str]:
    """The bare app after importing Companion's models and validating its settings (context, not a target)."""
    return [sys.executable, str(ROOT / "benchmarks" / "bare_app_pydantic.py")]


def first_frame(command: list[str], home: Path) -> tuple[float, float]:
    """Seconds to the first full frame and the RSS (MiB) then."""
    terminal = Terminal(command, env_for(home))
    try:
        seconds = terminal.wait_for(FIRST_FRAME_MARK)
        time.sleep(0.3)  # let the frame settle before reading memory
        return seconds, terminal.rss_mib()
    finally:
        terminal.close()


def medians(runs: int, launches: list[tuple[list[str], Path]]) -> list[tuple[float, float]]:
    """Median first-frame seconds and RSS of each ``(command, home)`` over ``runs`` rounds, taking them in turn in
    every round, so that a busy spell of the machine weighs on all of them alike."""
    results: list[list[tuple[float, float]]] = [[] for _ in launches]
    for _ in range(runs):
        for (command, home), result in zip(launches, results, strict=True):
            result.append(first_frame(command, home))
    return [(statistics.median(r[0] for r in result), statistics.median(r[1] for r in result)) for result in results]


def fill_history(home: Path, count: int) -> None:
    """Write ``count`` realistic sessions with the history benchmark's generator."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    os.environ.update(env_for(home))
    import random

    from bench_history import make_sessions

    from companion.disk.paths import default_paths
    from companion.history.store import HistoryStore

    store = HistoryStore(default_paths())
    store.import_records(make_sessions(count, random.Random(7), unique_steps=False))


def report(name: str, value: float, anchor: float, unit: str, target: float) -> bool:
    ratio = value / anchor if anchor else float("inf")
    ok = ratio <= target
    print(
        f"{name:<34} {value:8.3f} {unit:<4} anchor {anchor:8.3f} {unit:<4} ratio {ratio:5.2f} "
        f"(target <= {target}) {'ok' if ok else 'MISSED'}"
    )
    return ok


def cpu_while_counting(
    command: list[str], home: Path, keys: list[str], mark: str, seconds: float
) -> tuple[float, float]:
    """CPU seconds used over ``seconds`` of wall time once ``mark`` is on screen (after sending ``keys``), and the
    resident memory (MiB) at the end."""
    terminal = Terminal(command, env_for(home))
    try:
        if keys:
            terminal.wait_for(FIRST_FRAME_MARK)
            for key in keys:
                terminal.send(key)
                time.sleep(0.4)
        terminal.wait_for(mark)
        time.sleep(1.0)
        before = terminal.cpu_ticks()
        time.sleep(seconds)
        return (terminal.cpu_ticks() - before) / os.sysconf("SC_CLK_TCK"), terminal.rss_mib()
    finally:
        terminal.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="launches per figure (median)")
    parser.add_argument("--cpu-seconds", type=float, default=20.0, help="wall time for the CPU comparison")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is needed (apt-get install tmux)")
        return 2
    # As ``pip install`` does: compile the bytecode once, so no launch pays for compiling the sources (this
    # matters where PYTHONDONTWRITEBYTECODE is set, as on our CI machines, and for an editable install).
    compileall.compile_dir(ROOT / "companion", quiet=1)
    compileall.compile_dir(ROOT / "screens", quiet=1)
    compileall.compile_dir(ROOT / "content", quiet=1)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        empty, full = Path(tmp) / "empty", Path(tmp) / "full"
        first_frame(companion_command(), empty)  # unmeasured: fills the catalogue cache, as any later start finds it
        (bare_time, bare_rss), (app_time, app_rss), (floor_time, floor_rss) = medians(
            args.runs, [(bare_command(), empty), (companion_command(), empty), (floor_command(), empty)]
        )
        ok &= report("start-up to first frame", app_time, bare_time, "s", 1.3)
        ok &= report("memory at the home screen", app_rss, bare_rss, "MiB", 1.5)
        print(
            f"{'context: bare app + pydantic models':<34} {floor_time:8.3f} s    {floor_rss:8.3f} MiB "
            f"(ratio {floor_time / bare_time:.2f} and {floor_rss / bare_rss:.2f} before any screen of Companion's)"
        )
        fill_history(full, 20_000)
        first_frame(companion_command(), full)  # fills this home's catalogue cache
        (empty_time, empty_rss), (full_time, full_rss) = medians(
            args.runs, [(companion_command(), empty), (companion_command(), full)]
        )
        ok &= report("start-up with 20,000 sessions", full_time, empty_time, "s", 1.3)
        print(f"{'memory with 20,000 sessions':<34} {full_rss:8.3f} MiB (empty history {empty_rss:.3f} MiB)")

        termdown = shutil.which("termdown")
        if termdown is None:
            print("CPU while a routine runs: skipped, termdown is not installed (pip install termdown)")
        else:
            anchor, _ = cpu_while_counting([termdown, "30m"], empty, [], "", args.cpu_seconds)
            runner, runner_rss = cpu_while_counting(
                [*companion_command(), "start", "wind-down-sleep"],
                empty,
                ["Enter", "Enter"],
                "left of",
                args.cpu_seconds,
            )
            print(
                f"{'CPU while a routine runs':<34} {runner:8.3f} s    termdown {anchor:8.3f} s over "
                f"{args.cpu_seconds:.0f} s {'ok' if runner <= anchor else 'MISSED'}"
            )
            ok &= runner <= anchor
            ok &= report("memory while a routine runs", runner_rss, bare_rss, "MiB", 1.5)
    print("all targets met" if ok else "some targets were missed")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
