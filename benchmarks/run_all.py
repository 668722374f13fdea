"""Every benchmark in one command: ``python benchmarks/run_all.py`` (issues 7 and 17). Not a test.

Runs ``bench_app.py`` (start-up, memory, CPU while a routine runs), ``bench_keys.py`` (key to screen, timing on a
busy machine) and ``bench_history.py`` (the history at 20,000 sessions), each with its defaults, whatever the
others found, and prints their figures as they come.
Exits with status 1 when any target is missed, 2 when a benchmark could not run, else 0.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = ("bench_app.py", "bench_keys.py", "bench_history.py")


def main() -> int:
    here = Path(__file__).resolve().parent
    codes = []
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        codes.append(subprocess.run([sys.executable, str(here / name)], check=False).returncode)
    if any(code not in (0, 1) for code in codes):
        return 2
    return 1 if 1 in codes else 0


if __name__ == "__main__":
    raise SystemExit(main())
