"""Keys and lines from the terminal for plain mode, without a full-screen UI.

Lines (screening answers, ratings) are read with the terminal's own line editing and echo. During the run,
:meth:`Keys.cbreak` puts the terminal in cbreak mode (keys arrive one by one, unechoed; Ctrl+C still interrupts)
and restores it afterwards, however the program ends. From a pipe or a file the bytes are read as they come, and
after the end of the input :meth:`Keys.read` only waits. Escape sequences (arrow and function keys) are skipped.
Both read the descriptor directly, through one buffer, so nothing typed ahead is lost between them.

This is the POSIX way (``termios``, and ``select`` on any descriptor). Windows has neither: there the module still
imports, and :class:`Keys` raises a :class:`~companion.cli.support.CliError` saying to use the full-screen app
(which runs on Windows) instead of an ``ImportError``.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import time
from collections.abc import Iterator
from types import ModuleType
from typing import IO, Any, Protocol

from companion.cli.support import CliError

ESCAPE = "\x1b"
NO_PLAIN_MODE = (
    "plain mode (--plain) reads keys the POSIX way (termios), which this system does not have (Windows); "
    "run 'companion start ID' without --plain: the full-screen app works here"
)


class KeySource(Protocol):
    """What plain mode reads from: :class:`Keys`, or a script of keys in tests."""

    ended: bool

    def cbreak(self) -> contextlib.AbstractContextManager[None]: ...

    def read(self, timeout: float) -> str | None: ...

    def line(self) -> str | None: ...


class Keys:
    """What is typed on ``stream`` (standard input by default): lines, or single keys inside :meth:`cbreak`."""

    def __init__(self, stream: IO[Any] | None = None) -> None:
        self._termios, self._tty = _posix_terminal()
        self.stream = stream or sys.stdin
        self.fd = self.stream.fileno()
        self._buffer = ""
        self.ended = False
        """The input has ended (a closed pipe): no more keys will come."""

    @contextlib.contextmanager
    def cbreak(self) -> Iterator[None]:
        """Keys one by one, unechoed, until the block ends (then the terminal is as it was)."""
        if not os.isatty(self.fd):
            yield
            return
        termios, tty = self._termios, self._tty
        saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        try:
            yield
        finally:
            with contextlib.suppress(OSError, termios.error):
                termios.tcsetattr(self.fd, termios.TCSADRAIN, saved)

    def _fill(self, timeout: float | None) -> bool:
        """Read what has come (waiting at most ``timeout`` seconds; ``None``: as long as it takes)."""
        if self.ended:
            return False
        if timeout is not None:
            ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
            if not ready:
                return False
        data = os.read(self.fd, 1024)
        if not data:
            self.ended = True
            return False
        self._buffer += data.decode("utf-8", errors="replace")
        return True

    def read(self, timeout: float) -> str | None:
        """The next key, or ``None`` if none came within ``timeout`` seconds."""
        deadline = time.monotonic() + max(0.0, timeout)
        while not (keys := _without_escapes(self._buffer)):
            self._buffer = ""
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if self.ended:
                time.sleep(left)
                return None
            self._fill(left)
        key, self._buffer = keys[0], keys[1:]
        return key

    def line(self) -> str | None:
        """The next line typed, without its end; ``None`` at the end of the input."""
        while "\n" not in self._buffer:
            if not self._fill(None):
                if self.ended and self._buffer:
                    text, self._buffer = self._buffer, ""
                    return text.rstrip("\r")
                return None
        text, _, self._buffer = self._buffer.partition("\n")
        return text.rstrip("\r")


def _posix_terminal() -> tuple[ModuleType, ModuleType]:
    """The POSIX terminal modules (``termios``, ``tty``); a :class:`CliError` where there are none (Windows)."""
    try:
        import termios
        import tty
    except ImportError:
        raise CliError(NO_PLAIN_MODE, exit_code=1) from None
    return termios, tty


def _without_escapes(text: str) -> str:
    """``text`` without escape sequences (ESC, then either ``[`` or ``O`` and the sequence, or one character)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != ESCAPE:
            out.append(char)
            i += 1
            continue
        i += 1
        if i < len(text) and text[i] in "[O":
            i += 1
            while i < len(text) and not ("@" <= text[i] <= "~"):
                i += 1
        i += 1
    return "".join(out)
