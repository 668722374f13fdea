"""Benchmark of how quickly the runner answers its keys and how well it keeps time on a busy machine (issue 17).
Not a test: ``python benchmarks/bench_keys.py``.

- Key to screen: seconds from ``tmux send-keys`` until the key's effect is on screen (``tmux capture-pane``), for
  ``space`` (the runner shows "Paused"), ``n`` (the next step) and ``s`` (the stop dialog), with the machine idle
  and beside two CPU-bound processes. The anchor is the same key handled by the floor app
  (``bare_app_pydantic.py``), started beside Companion and pressed in turn with it. Target <= 1.5x the floor.
- Context: ``s`` then ``y``, from ``y`` to the reflection screen (for the floor: to its dialog gone).
- Timing under load, beside two CPU-bound processes: over 30 s the countdown follows the wall clock within 1 s,
  and the session recorded after stopping holds the seconds really done, within 1 s of the countdown's own
  elapsed time.

Exits with status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from terminal import (
    FIRST_FRAME_MARK,
    Terminal,
    companion_command,
    companion_runner,
    countdown_seconds,
    cpu_bound,
    env_for,
    floor_command,
    load_average,
    ready_to_measure,
    report,
    spread,
    terminal,
)

KEY_TARGET = 1.5
TIMING_TOLERANCE = 1.0
"""Seconds the countdown may be off the wall clock, and the record off the countdown."""
ROUTINE_FIRST_STEP = 60
"""Seconds of the routine's first step: the timing check runs within it."""
DIALOG = "Stop the routine now?"


@dataclass(frozen=True)
class Key:
    """A key, what shows it took effect, and how to undo it before the next round."""

    name: str
    key: str
    shows: str
    undo: str
    undone: str
    undone_gone: bool


KEYS = (
    Key("space (pause shows Paused)", "Space", "paused", "Space", "paused", True),
    Key("n (the next step)", "n", "Step 2 of", "b", "Step 1 of", False),
    Key("s (the stop dialog)", "s", DIALOG, "n", DIALOG, True),
)


@contextlib.contextmanager
def open_floor(home: Path) -> Iterator[Terminal]:
    """The floor app, its first frame drawn."""
    with terminal(floor_command(), env_for(home)) as term:
        term.wait_for(FIRST_FRAME_MARK)
        yield term


def press(term: Terminal, key: Key) -> float:
    seconds = term.press(key.key, key.shows)
    term.press(key.undo, key.undone, gone=key.undone_gone)
    return seconds


def key_rounds(home: Path, rounds: int, busy: bool) -> tuple[dict[str, tuple[list[float], list[float]]], float, float]:
    """Key-to-screen seconds of Companion and of the floor for each key, pressed in turn, ``rounds`` times; then
    ``s``, ``y`` once in each (seconds from ``y`` to its effect)."""
    figures: dict[str, tuple[list[float], list[float]]] = {key.name: ([], []) for key in KEYS}
    with companion_runner(home) as app, open_floor(home) as floor, cpu_bound(2) if busy else contextlib.nullcontext():
        for _ in range(rounds):
            for key in KEYS:
                companion, anchor = figures[key.name]
                anchor.append(press(floor, key))
                companion.append(press(app, key))
        floor.press("s", DIALOG)
        floor_stop = floor.press("y", DIALOG, gone=True)
        app.press("s", DIALOG)
        app_stop = app.press("y", "Routine stopped")
    return figures, app_stop, floor_stop


def recorded_seconds(home: Path) -> int:
    """Seconds really done in the one session of the history in ``home`` (read with ``companion history --json``)."""
    out = subprocess.run(
        companion_command("history", "--json"), env=env_for(home), capture_output=True, text=True, check=True
    ).stdout
    (session,) = json.loads(out)["sessions"]
    return sum(int(step["actual_seconds"]) for step in session["steps"])


def next_second(term: Terminal, after: int | None) -> tuple[float, int]:
    """The moment (perf_counter) the countdown turns over from ``after`` (any value: ``None``), and its new value."""
    while True:
        shown = countdown_seconds(term.screen())
        if shown is not None and after is not None and shown != after:
            return time.perf_counter(), shown
        after = shown if after is None else after
        time.sleep(0.002)


def timing_under_load(home: Path, seconds: float) -> bool:
    """Over ``seconds`` beside two CPU-bound processes: countdown against the wall clock, record against countdown."""
    with cpu_bound(2), companion_runner(home) as app:
        start, first = next_second(app, None)
        time.sleep(max(0.0, seconds - 0.5))
        end, last = next_second(app, countdown_seconds(app.screen()))
        app.send("s")  # just after the turnover: the countdown shows the time done, to within the key's delay
        app.wait_for(DIALOG)
        counted = ROUTINE_FIRST_STEP - last
        app.press("y", "Routine stopped")
    wall, countdown = end - start, first - last
    recorded = recorded_seconds(home)
    clock_ok = abs(countdown - wall) <= TIMING_TOLERANCE
    record_ok = abs(recorded - counted) <= TIMING_TOLERANCE
    print(
        f"countdown vs wall clock beside two CPU-bound processes: {countdown} s counted in {wall:.2f} s "
        f"(within {TIMING_TOLERANCE:.0f} s: {'ok' if clock_ok else 'MISSED'})"
    )
    print(
        f"seconds recorded vs the countdown's elapsed time: {recorded} s recorded, {counted} s counted "
        f"(within {TIMING_TOLERANCE:.0f} s: {'ok' if record_ok else 'MISSED'})",
        flush=True,
    )
    return clock_ok and record_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="presses of each key per condition (median)")
    parser.add_argument("--timing-seconds", type=float, default=30.0, help="wall time of the timing check")
    args = parser.parse_args()
    if not ready_to_measure():
        return 2
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for busy in (False, True):
            condition = "beside two CPU-bound processes" if busy else "idle"
            figures, app_stop, floor_stop = key_rounds(Path(tmp) / f"keys-{busy}", args.rounds, busy)
            for key in KEYS:
                companion, floor = figures[key.name]
                ok &= report(f"key to screen, {key.name}, {condition}", companion, floor, "s", KEY_TARGET)
            print(f"context: s then y, {condition}: {app_stop:.3f} s to the reflection (floor {floor_stop:.3f} s)")
            print(
                "    every key, Companion "
                f"{spread([s for c, _ in figures.values() for s in c], ' s')}; "
                f"floor {spread([s for _, f in figures.values() for s in f], ' s')}",
                flush=True,
            )
        ok &= timing_under_load(Path(tmp) / "timing", args.timing_seconds)
    print(f"load average at the end: {load_average()}")
    print("all targets met" if ok else "some targets were missed")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
