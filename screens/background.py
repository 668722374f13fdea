"""Writing to disk off the UI thread: one write at a time, in Textual thread workers, the newest value last.

A write may wait up to seconds for another Companion window's lock, so the UI never makes one itself. A burst of
requests (a checkpoint every change, a setting every keystroke) costs few writes: a worker that starts finds only
the newest value waiting and writes that, so an older value is never written over a newer one.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from textual.app import App

T = TypeVar("T")


class LatestWriter(Generic[T]):
    """Writes the newest value requested with ``write``, in a worker thread.

    ``failed`` is called on the UI thread with the exception when ``write`` raises one of ``errors``; the value is
    then dropped (the next request brings a newer one). ``written``, if given, is called on the UI thread with each
    value a worker wrote.
    """

    def __init__(
        self,
        app: App[Any],
        name: str,
        write: Callable[[T], None],
        errors: tuple[type[Exception], ...],
        failed: Callable[[Exception], None] | None = None,
        written: Callable[[T], None] | None = None,
    ) -> None:
        self.app = app
        self.name = name
        self.write = write
        self.errors = errors
        self.failed = failed
        self.written = written
        self._waiting: T | None = None
        self._guard = threading.Lock()
        """Held while the waiting value is taken or replaced."""
        self._writing = threading.Lock()
        """Held for a whole write: one at a time."""

    @property
    def waiting(self) -> bool:
        """Whether a value is waiting to be written."""
        return self._waiting is not None

    def request(self, value: T) -> None:
        """Write ``value`` soon, in a worker thread, in place of any value still waiting: the worker started for
        that one writes this one instead (a key that changes the run twice costs one write, and one worker)."""
        with self._guard:
            queued = self._waiting is not None
            self._waiting = value
        if not queued:
            self.app.run_worker(self._run, name=self.name, group=self.name, thread=True, exit_on_error=False)

    def _run(self) -> None:
        value, error = self._write_waiting()
        if error is not None and self.failed is not None:
            self._tell(self.failed, error)
        elif value is not None and error is None and self.written is not None:
            self._tell(self.written, value)

    def _tell(self, callback: Callable[[Any], None], argument: object) -> None:
        with contextlib.suppress(RuntimeError):  # the app has ended meanwhile
            self.app.call_from_thread(callback, argument)

    def flush(self) -> Exception | None:
        """Write the value waiting, here and now (in whatever thread calls it); the error, if it failed."""
        return self._write_waiting()[1]

    def _write_waiting(self) -> tuple[T | None, Exception | None]:
        """The value waiting (``None``: there was none), written; and the error, if it failed."""
        with self._writing:
            with self._guard:
                value, self._waiting = self._waiting, None
            if value is None:
                return None, None
            try:
                self.write(value)
            except self.errors as error:
                return value, error
            return value, None

    def write_now(self, value: T) -> Exception | None:
        """Write ``value`` here and now, in place of any value waiting (the app is ending: no worker would run)."""
        with self._guard:
            self._waiting = value
        return self.flush()

    def close(self) -> None:
        """Drop what is waiting and wait for the write under way (from a worker thread: it may take seconds)."""
        with self._guard:
            self._waiting = None
        with self._writing:
            pass
