"""Companion runs where Textual runs (Linux, macOS, Windows): no module of ours needs what only POSIX has.

Windows has no ``fcntl``, no ``termios`` and no ``os.O_CLOEXEC``. A fresh interpreter with those taken away
imports every module of the core and the UI; one without ``O_CLOEXEC`` saves a checkpoint, a session and a routine
file under the lock.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

IMPORTS_WITHOUT_POSIX = """
import os, sys
sys.modules["fcntl"] = None  # importing it now raises ImportError, as on Windows
sys.modules["termios"] = None
del os.O_CLOEXEC
import importlib, pkgutil
import companion, screens
for package in (companion, screens):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if not module.name.endswith(".__main__"):  # that one runs the app
            importlib.import_module(module.name)
print("ok")
"""

# The lock itself is the operating system's (flock here, msvcrt.locking on Windows), so fcntl stays.
SAVES_WITHOUT_POSIX_FLAGS = """
import os
del os.O_CLOEXEC
from companion.disk.paths import default_paths
from companion.history.store import HistoryStore
from companion.catalogue.loader import load_catalog
from companion.catalogue.user_routines import duplicate_routine, save_user_routine
from companion.run.checkpoint import claim_run, clear_checkpoint, load_checkpoint, save_checkpoint
from companion.run.clock import FakeClock
from companion.run.engine import RoutineRun
from companion.safety.plan import make_plan

paths = default_paths()
catalog = load_catalog(user_routines=paths.routines).catalog
routine = catalog.routines[0]
run = RoutineRun(make_plan(routine, catalog), FakeClock())
run.start()
lock = claim_run(paths)
assert lock is not None and claim_run(paths) is None
save_checkpoint(paths, run.checkpoint())
assert load_checkpoint(paths)[0] is not None
run.stop()
HistoryStore(paths).save(run.to_record())
clear_checkpoint(paths)
lock.release()
assert len(HistoryStore(paths).load().records) == 1
save_user_routine(paths, duplicate_routine(routine, "my-copy", "My copy"), catalog)
print("ok")
"""


def _run(code: str) -> None:
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")


def test_every_module_imports_without_posix_only_modules() -> None:
    _run(IMPORTS_WITHOUT_POSIX)


def test_a_run_a_session_and_a_routine_are_saved_without_posix_only_flags() -> None:
    _run(SAVES_WITHOUT_POSIX_FLAGS)
