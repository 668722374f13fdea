"""Saving the settings in the background: one write at a time, the newest settings last."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.notifications import SeverityLevel

from companion.disk.fileio import LockTimeout
from companion.disk.paths import Paths
from companion.settings.user_settings import NewerSettingsError, Settings, save_settings


class SettingsSaver:
    """Writes the app's current settings in worker threads, one write at a time, the newest settings last.

    Each request starts a worker; a worker that finds nothing new to write returns at once, so a burst of
    changes (typing a number) costs few writes and never writes older settings over newer ones.
    """

    def __init__(self, app: App[Any], paths: Paths, current: Callable[[], Settings]) -> None:
        self.app = app
        self.paths = paths
        self.current = current
        self._lock = threading.Lock()
        self._pending = False
        self._last_problem: str | None = None

    def request(self) -> None:
        """Save the current settings soon (in a worker thread)."""
        self._pending = True
        self.app.run_worker(self._save, name="save-settings", group="save-settings", thread=True)

    def flush(self) -> str | None:
        """Write what is not saved yet, here and now (when the app has ended); the problem, if it failed."""
        return self._write()

    def _write(self) -> str | None:
        with self._lock:
            if not self._pending:
                return None
            self._pending = False
            try:
                save_settings(self.paths, self.current())
            except (NewerSettingsError, LockTimeout, OSError) as error:
                self._pending = True  # still unsaved: the next change, or quitting, tries again
                return str(error) if not isinstance(error, OSError) or not error.strerror else _os_problem(error)
            return None

    def _save(self) -> None:
        problem = self._write()
        if problem == self._last_problem:  # one notice a problem, not one a keystroke
            return
        self._last_problem = problem
        if problem is None:
            self._notify("Your settings are saved again.", "information")
        else:
            self._notify(problem, "error")

    def _notify(self, message: str, severity: SeverityLevel) -> None:
        title = "Settings" if severity == "information" else "Settings not saved"
        with contextlib.suppress(RuntimeError):  # the app has ended meanwhile: flush() reports instead
            self.app.call_from_thread(
                self.app.notify, message, title=title, severity=severity, timeout=10, markup=False
            )


def _os_problem(error: OSError) -> str:
    where = f" ({error.filename})" if error.filename else ""
    return f"Could not write your settings{where}: {error.strerror}. Your changes apply until you quit."
