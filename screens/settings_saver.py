"""Saving the settings in the background, through the one writer (:class:`screens.background.LatestWriter`): one
write at a time, each window's changes made field by field to the settings as they are on disk then (another
window's meanwhile are kept); what could not be written is tried again on the way out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.notifications import SeverityLevel

from companion.disk.fileio import MAX_SMALL_FILE_BYTES, WRITE_ERRORS, read_bounded
from companion.disk.paths import Paths
from companion.settings.user_settings import NewerSettingsError, Settings, SettingsChange, save_change, settings_on_disk
from screens.background import LatestWriter

SETTINGS_ERRORS = (NewerSettingsError, *WRITE_ERRORS)


class SettingsSaver:
    """Writes this window's changes to the settings in worker threads, the newest last, each made to the settings
    on disk as they are then; ``kept`` is called on the UI thread with the settings the file then holds.

    A problem is told once (not once a keystroke), and again once the settings are saved after it. Changes not
    written by the time the app ends (still waiting, or refused) are written by :meth:`flush`.
    """

    def __init__(
        self, app: App[Any], paths: Paths, current: Callable[[], Settings], kept: Callable[[Settings], None]
    ) -> None:
        self.app = app
        self.paths = paths
        self.current = current
        self.kept = kept
        self._seen: object = _file_bytes(paths)
        """The file as this window last read it (at first: as the settings were read at start)."""
        self._unkept: SettingsChange | None = None
        """This window's changes not yet on disk (being written, or the write failed)."""
        self._written: dict[int, Settings] = {}
        """The settings each write left on disk, by the change written (taken on the UI thread)."""
        self._last_problem: str | None = None
        self._writer = LatestWriter(app, "save-settings", self._write, SETTINGS_ERRORS, self._failed, self._done)

    def request(self, change: SettingsChange) -> None:
        """Write ``change`` soon (in a worker thread), after those of this window still waiting."""
        self._unkept = change if self._unkept is None else self._unkept.then(change)
        self._writer.request(self._unkept)

    def now(self) -> Settings:
        """The settings as they are now: the file read again, with this window's changes not yet written made
        to them (the file cannot be read: this window's). A file unchanged since it was last read leaves them."""
        seen = _file_bytes(self.paths)
        if seen == self._seen and not isinstance(seen, OSError):
            return self.current()
        self._seen = seen
        on_disk = settings_on_disk(self.paths, self.current())
        return on_disk if self._unkept is None else self._unkept.applied_to(on_disk)

    def flush(self) -> str | None:
        """Write what is not saved yet, here and now (when the app has ended); the problem, if it failed."""
        if self._unkept is None:
            return None
        error = self._writer.write_now(self._unkept)
        return None if error is None else _problem(error)

    def _write(self, change: SettingsChange) -> None:
        self._written[id(change)] = save_change(self.paths, change, self.current())

    def _failed(self, error: Exception) -> None:
        problem = _problem(error)
        if problem != self._last_problem:
            self._last_problem = problem
            self._notify(problem, "error")

    def _done(self, change: SettingsChange) -> None:
        settings = self._written.pop(id(change), None)
        self._seen = _UNKNOWN  # written here: read again next time
        if self._unkept is change:  # nothing newer asked meanwhile: the file has every change of this window
            self._unkept = None
        if self._last_problem is not None:
            self._last_problem = None
            self._notify("Your settings are saved again.", "information")
        if settings is not None:
            self.kept(settings if self._unkept is None else self._unkept.applied_to(settings))

    def _notify(self, message: str, severity: SeverityLevel) -> None:
        title = "Settings" if severity == "information" else "Settings not saved"
        self.app.notify(message, title=title, severity=severity, timeout=10, markup=False)


_UNKNOWN = object()
_MISSING = object()


def _file_bytes(paths: Paths) -> object:
    """What the settings file holds now: its bytes (``None``: too large to read), whether there is none, or the
    error reading it."""
    try:
        return read_bounded(paths.settings, MAX_SMALL_FILE_BYTES)
    except FileNotFoundError:
        return _MISSING
    except OSError as error:
        return error


def _problem(error: Exception) -> str:
    """What a failed write means for the person."""
    if not isinstance(error, OSError) or not error.strerror:
        return str(error)
    where = f" ({error.filename})" if error.filename else ""
    return f"Could not write your settings{where}: {error.strerror}. Your changes apply until you quit."
