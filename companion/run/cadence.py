"""When the owner of a run (the app's runner, plain mode's loop) wakes, and when it saves the checkpoint.

Neither counts anything: each wake only asks the run where it is (see :mod:`companion.run.engine`), so these
numbers change how often the display moves and how much a crash can lose, never a step's length.
"""

from __future__ import annotations

from companion.disk.fileio import WRITE_ERRORS
from companion.disk.paths import Paths
from companion.run.checkpoint import Checkpoint, save_checkpoint
from companion.run.engine import RoutineRun, RunSnapshot, RunStatus

IDLE_REDRAW_SECONDS = 1.0
"""While paused, how often the run is still asked where it is (a redraw, never a count)."""
REDRAW_MARGIN = 0.02
"""Wake this long after a second turns over, so the new second is surely there to show."""
CHECKPOINT_SECONDS = 5.0
"""While running, the checkpoint is also saved this often (besides every change)."""


def next_wake(snap: RunSnapshot) -> float:
    """Seconds until the shown second turns over (everything shown moves in whole seconds), or a second while
    paused: fewer wake-ups than a fixed fast interval, and never a late second."""
    delay = IDLE_REDRAW_SECONDS
    if snap.status is RunStatus.RUNNING:
        delay = (snap.remaining % 1.0) or 1.0
    return delay + REDRAW_MARGIN


class Checkpointer:
    """Saves ``run``'s checkpoint on every change and every :data:`CHECKPOINT_SECONDS` while it runs."""

    def __init__(self, paths: Paths, run: RoutineRun) -> None:
        self.paths = paths
        self.run = run
        self._last = float("-inf")
        self._failed = False

    def due(self, changed: bool, snap: RunSnapshot) -> bool:
        """Whether to save now: something changed, or the run has gone on a while since the last save."""
        waited = self.run.clock.monotonic() - self._last
        return changed or (snap.status is RunStatus.RUNNING and waited >= CHECKPOINT_SECONDS)

    def take(self) -> Checkpoint:
        """Where the run is now, to be saved (the next save falls due from now)."""
        self._last = self.run.clock.monotonic()
        return self.run.checkpoint()

    def failed(self, error: Exception) -> str | None:
        """The message to show for a failed save: the first failure's (later ones pass quietly)."""
        if self._failed:
            return None
        self._failed = True
        return f"The run cannot be checkpointed ({error}); if Companion is closed now, this session is lost."

    def save(self) -> str | None:
        """Save where the run is, here and now; the first failure returns the message to show."""
        try:
            save_checkpoint(self.paths, self.take())
        except WRITE_ERRORS as exc:
            return self.failed(exc)
        return None
