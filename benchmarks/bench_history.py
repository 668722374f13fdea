"""Benchmark of the session history (issue 3). Not a test: run ``python benchmarks/bench_history.py``.

Prints, and checks against the targets (exit status 1 if one is missed):

- save time with 10 and with 20,000 sessions stored (median of interleaved appends; target ratio <= 1.5);
- time to load 20,000 sessions (target <= 500 ms);
- time to open the history screen over 20,000 sessions, headless with ``App.run_test`` at 80x24: from pushing
  the screen to its table filled and drawn (target <= 500 ms), and to the file read again in the screen's worker
  (sessions saved by another window) and checked against the table;
- memory added by 20,000 loaded sessions (tracemalloc; target <= 60 MiB).

Sessions are realistic: the three bundled routines' shapes (6-7 steps), 70 % done as planned, the rest stopped
early, paused or extended (so their step times vary). ``--unique-steps`` makes every step time distinct, the worst
case for memory.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from companion.disk.paths import Paths
from companion.history.records import SessionRecord, SessionStatus, StepDone
from companion.history.store import HistoryStore

ROUTINES = [
    (
        "neck-shoulders-desk",
        "Neck and shoulders at the desk",
        [("neck", "hands", 90)] * 3 + [("shoulders", "ball", 120)] * 4,
    ),
    ("lower-back-ease", "Lower back ease", [("lower-back", "ball", 120)] * 3 + [("glutes", "ball", 90)] * 3),
    ("legs-after-running", "Legs after running", [("calves", "roller", 120)] * 4 + [("quads", "roller", 90)] * 3),
]
TARGET_RATIO = 1.5
TARGET_LOAD_MS = 500.0
TARGET_MEMORY_MIB = 60.0
TARGET_SCREEN_MS = 500.0


async def _open_history_screen(paths: Paths, rounds: int) -> tuple[list[float], list[float]]:
    """Per round, seconds from pushing the history screen to (1) its table filled and drawn from the sessions the
    app read at start, and (2) the file read again in the screen's worker and checked against the table."""
    from companion.services import build_services
    from screens.app import CompanionApp
    from screens.history import HistoryScreen

    app = CompanionApp(build_services(paths=paths))
    filled, fresh = [], []
    async with app.run_test(size=(80, 24)) as pilot:
        while not app.history_ready:  # the app's own start-up read, so it does not overlap the measured one
            await pilot.pause(0.05)
        for _ in range(rounds):
            gc.collect()
            began = time.perf_counter()
            screen = HistoryScreen(app.services, history_ready=app.history_ready)
            await app.push_screen(screen)
            while not screen.loaded:
                await asyncio.sleep(0.002)
            # Draw a whole frame of the screen now (``pilot.pause`` would also wait for the re-read's worker).
            frame = app.export_screenshot()
            filled.append(time.perf_counter() - began)
            assert screen.query_one("#sessions-table").row_count > 0 and "Tension" in frame
            while not screen.fresh:
                await asyncio.sleep(0.002)
            fresh.append(time.perf_counter() - began)
            await app.pop_screen()
            await pilot.pause()
    return filled, fresh


def make_sessions(count: int, rng: random.Random, unique_steps: bool) -> list[SessionRecord]:
    start = datetime(2020, 1, 1, 7, 30, tzinfo=UTC)
    sessions = []
    for number in range(count):
        routine_id, title, plan = ROUTINES[number % 3]
        began = start + timedelta(hours=9 * number)
        as_planned = rng.random() < 0.7 and not unique_steps
        steps = []
        for index, (area, tool, seconds) in enumerate(plan):
            actual = seconds if as_planned else rng.randint(0, seconds + 60)
            if unique_steps:
                actual = (number * 7 + index) % 100_000
            steps.append(StepDone(area=area, tool=tool, planned_seconds=seconds, actual_seconds=actual))
        sessions.append(
            SessionRecord(
                id=uuid.UUID(int=rng.getrandbits(128)),
                routine_id=routine_id,
                routine_title=title,
                started_at=began,
                # Pauses and step changes take time too; a record may never hold more seconds than its clock allows.
                ended_at=began
                + max(timedelta(minutes=14), timedelta(seconds=sum(s.actual_seconds for s in steps) + 60)),
                status=SessionStatus.COMPLETED if as_planned else SessionStatus.STOPPED,
                steps=tuple(steps),
                tension_before=rng.randint(3, 8),
                tension_after=rng.randint(0, 5) if rng.random() < 0.8 else None,
                notes="Felt looser afterwards." if rng.random() < 0.2 else "",
            )
        )
    return sessions


def paths_in(root: Path) -> Paths:
    return Paths(data=root / "data", config=root / "config", state=root / "state")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20_000)
    parser.add_argument("--saves", type=int, default=60, help="appends measured per store")
    parser.add_argument("--unique-steps", action="store_true", help="worst case for memory: no step is shared")
    args = parser.parse_args()
    rng = random.Random(2026)
    big_count = args.sessions
    stored = make_sessions(big_count, rng, args.unique_steps)
    extra = make_sessions(2 * args.saves, rng, args.unique_steps)

    with tempfile.TemporaryDirectory(prefix="companion-bench-") as tmp:
        small, big = HistoryStore(paths_in(Path(tmp) / "small")), HistoryStore(paths_in(Path(tmp) / "big"))
        small.import_records(stored[:10])
        started = time.perf_counter()
        big.import_records(stored)
        print(
            f"written {big_count} sessions in {time.perf_counter() - started:.2f} s "
            f"({big.path.stat().st_size / 2**20:.1f} MiB on disk)"
        )
        small_times, big_times = [], []
        for number in range(args.saves):  # interleaved, so disk noise hits both alike
            for store, times, record in (
                (small, small_times, extra[2 * number]),
                (big, big_times, extra[2 * number + 1]),
            ):
                began = time.perf_counter()
                store.append(record)
                times.append(time.perf_counter() - began)
        small_ms, big_ms = statistics.median(small_times) * 1000, statistics.median(big_times) * 1000
        ratio = big_ms / small_ms

        load_times = []
        for _ in range(5):
            gc.collect()
            began = time.perf_counter()
            report = HistoryStore(big.paths).load()
            load_times.append(time.perf_counter() - began)
            assert len(report.records) == big_count + args.saves and not report.messages
            del report
        load_ms = statistics.median(load_times) * 1000
        filled, fresh = asyncio.run(_open_history_screen(big.paths, 5))
        screen_ms, fresh_ms = statistics.median(filled) * 1000, statistics.median(fresh) * 1000
        first_ms = filled[0] * 1000

        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        fresh = HistoryStore(big.paths)
        fresh.load()
        gc.collect()
        after, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        added_mib = (after - before) / 2**20
        peak_mib = (peak - before) / 2**20
        del fresh

    kind = "every step time distinct (worst case)" if args.unique_steps else "realistic mix"
    print(f"sessions: {big_count}, {kind}; Python {sys.version.split()[0]}")
    print(f"save with 10 stored:      {small_ms:7.2f} ms (median of {args.saves})")
    print(f"save with {big_count} stored: {big_ms:7.2f} ms (median of {args.saves})")
    print(f"ratio:                    {ratio:7.2f}   (target <= {TARGET_RATIO})")
    print(f"load {big_count} sessions:   {load_ms:7.1f} ms (median of 5; target <= {TARGET_LOAD_MS:.0f})")
    print(
        f"open the history screen:  {screen_ms:7.1f} ms to the table drawn (median of 5, first {first_ms:.0f};"
        " target <= 500)"
    )
    print(f"  and read the file again: {fresh_ms:7.1f} ms to the re-read checked (median of 5, in a worker)")
    print(
        f"memory added:             {added_mib:7.1f} MiB "
        f"(peak while loading {peak_mib:.1f}; target <= {TARGET_MEMORY_MIB:.0f})"
    )
    missed = []
    if ratio > TARGET_RATIO:
        missed.append("save ratio")
    if load_ms > TARGET_LOAD_MS:
        missed.append("load time")
    if screen_ms > TARGET_SCREEN_MS:
        missed.append("history screen")
    if added_mib > TARGET_MEMORY_MIB:
        missed.append("memory")
    if missed:
        print("MISSED: " + ", ".join(missed))
        return 1
    print("all targets met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
