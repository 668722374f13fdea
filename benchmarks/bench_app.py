"""Benchmark of the app as a person starts and runs it (issue 17). Not a test: ``python benchmarks/bench_app.py``.

Every figure is a ratio against an anchor measured in the same run, launches taken in turn (anchor, Companion,
anchor, ...) so that a busy spell of the shared machine weighs on both alike; medians are compared and the spread
(min-max) printed. The anchor is the floor, ``bare_app_pydantic.py``: a bare Textual app that validates small
pydantic models of its own before its first frame and imports nothing of Companion's.

- first full frame (the Footer's palette hint drawn, read with ``tmux capture-pane``): target <= 1.25x the floor;
- memory at the home screen (VmRSS from ``/proc/PID/status`` once the frame is up): target <= 1.15x the floor;
- context, not targets: the same two figures against a bare Textual app without pydantic (``bare_app.py``);
- the first start on a fresh machine (an empty home: no catalogue cache, no settings) against the floor's first
  start in an empty home (printed; the issue sets no target);
- start-up with 20,000 sessions in the history: target <= 1.3x an empty history;
- CPU while a routine runs (user + system ticks from ``/proc/PID/stat`` over the same wall time): target at or
  below termdown counting down (skipped, and said so, without ``termdown``: ``pip install termdown``);
- memory while a routine runs: target <= 1.2x the floor.

Exits with status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from terminal import (
    FIRST_FRAME_MARK,
    Terminal,
    bare_command,
    companion_command,
    companion_runner,
    env_for,
    floor_command,
    load_average,
    ready_to_measure,
    report,
    spread,
    terminal,
)

FIRST_FRAME_TARGET = 1.25
HOME_MEMORY_TARGET = 1.15
RUN_MEMORY_TARGET = 1.2
HISTORY_START_TARGET = 1.3
SETTLE_SECONDS = 0.3
"""After the first frame, before memory is read: let the frame (and what follows it at once) settle."""


def first_frame(command: list[str], home: Path) -> tuple[float, float]:
    """Seconds to the first full frame and the RSS (MiB) then."""
    with terminal(command, env_for(home)) as term:
        seconds = term.wait_for(FIRST_FRAME_MARK)
        time.sleep(SETTLE_SECONDS)
        return seconds, term.rss_mib()


Launch = tuple[list[str], Path]


def in_turn(runs: int, launches: list[Launch]) -> list[tuple[list[float], list[float]]]:
    """First-frame seconds and RSS of each launch, ``runs`` times, taking the launches in turn in every round."""
    results: list[tuple[list[float], list[float]]] = [([], []) for _ in launches]
    for _ in range(runs):
        for (command, home), (seconds, rss) in zip(launches, results, strict=True):
            second, mib = first_frame(command, home)
            seconds.append(second)
            rss.append(mib)
    return results


def fresh_starts(runs: int, root: Path) -> tuple[list[float], list[float]]:
    """First-frame seconds of Companion and of the floor, each started in a home of its own that nothing has used
    yet (a fresh account: no catalogue cache, no settings), taken in turn."""
    companion: list[float] = []
    floor: list[float] = []
    for number in range(runs):
        companion.append(first_frame(companion_command(), root / f"fresh-companion-{number}")[0])
        floor.append(first_frame(floor_command(), root / f"fresh-floor-{number}")[0])
    return companion, floor


def fill_history(home: Path, count: int) -> None:
    """Write ``count`` realistic sessions with the history benchmark's generator."""
    os.environ.update(env_for(home))
    from bench_history import make_sessions

    from companion.disk.paths import default_paths
    from companion.history.store import HistoryStore

    HistoryStore(default_paths()).import_records(make_sessions(count, random.Random(7), unique_steps=False))


def cpu_and_memory(term: Terminal, seconds: float) -> tuple[float, float]:
    """CPU seconds the program in ``term`` uses over ``seconds`` of wall time (after a second to settle), and its
    resident memory (MiB) at the end."""
    time.sleep(1.0)
    before = term.cpu_ticks()
    time.sleep(seconds)
    return (term.cpu_ticks() - before) / os.sysconf("SC_CLK_TCK"), term.rss_mib()


def while_running(home: Path, floor_mib: list[float], rounds: int, seconds: float) -> bool:
    """CPU over ``seconds`` of a routine against termdown counting down, ``rounds`` times in turn, and memory
    while the routine runs against the floor's at its first frame."""
    termdown = shutil.which("termdown", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    if termdown is None:
        print("CPU and memory while a routine runs: skipped, termdown is not installed (pip install termdown)")
        return True
    anchors, runners, runner_mib = [], [], []
    for _ in range(rounds):
        with terminal([termdown, "30m"], env_for(home)) as term:
            anchors.append(cpu_and_memory(term, seconds)[0])
        with companion_runner(home) as term:
            cpu, mib = cpu_and_memory(term, seconds)
        runners.append(cpu)
        runner_mib.append(mib)
    ok = report(f"CPU over {seconds:.0f} s of a routine, Companion vs termdown", runners, anchors, "s", 1.0)
    memory = report("memory while a routine runs, Companion vs floor", runner_mib, floor_mib, "MiB", RUN_MEMORY_TARGET)
    return ok and memory


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="launches of each program per figure (median)")
    parser.add_argument("--cpu-seconds", type=float, default=20.0, help="wall time of one CPU comparison")
    parser.add_argument("--cpu-rounds", type=int, default=2, help="CPU comparisons (termdown, Companion in turn)")
    args = parser.parse_args()
    if not ready_to_measure():
        return 2
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        empty, full = Path(tmp) / "empty", Path(tmp) / "full"
        first_frame(companion_command(), empty)  # unmeasured: fills the catalogue cache, as any later start finds it
        (floor_s, floor_mib), (app_s, app_mib), (bare_s, bare_mib) = in_turn(
            args.runs, [(floor_command(), empty), (companion_command(), empty), (bare_command(), empty)]
        )
        ok &= report("first full frame, Companion vs floor", app_s, floor_s, "s", FIRST_FRAME_TARGET)
        ok &= report("memory at the home screen, Companion vs floor", app_mib, floor_mib, "MiB", HOME_MEMORY_TARGET)
        report("context: first frame, Companion vs bare Textual", app_s, bare_s, "s", None)
        report("context: first frame, floor vs bare Textual", floor_s, bare_s, "s", None)
        report("context: memory at home, Companion vs bare Textual", app_mib, bare_mib, "MiB", None)
        report("context: memory, floor vs bare Textual", floor_mib, bare_mib, "MiB", None)

        fresh_app, fresh_floor = fresh_starts(args.runs, Path(tmp))
        report("first start in a fresh home (no cache), Companion vs the floor's", fresh_app, fresh_floor, "s", None)

        fill_history(full, 20_000)
        first_frame(companion_command(), full)  # fills this home's catalogue cache
        (empty_s, _), (full_s, full_mib) = in_turn(
            args.runs, [(companion_command(), empty), (companion_command(), full)]
        )
        ok &= report("first frame with 20,000 sessions vs none", full_s, empty_s, "s", HISTORY_START_TARGET)
        print(f"    memory with 20,000 sessions: {spread(full_mib, ' MiB')}", flush=True)

        ok &= while_running(empty, floor_mib, args.cpu_rounds, args.cpu_seconds)
    print(f"load average at the end: {load_average()}")
    print("all targets met" if ok else "some targets were missed")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
