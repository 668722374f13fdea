"""Durable file primitives: atomic whole-file replacement and an inter-process lock.

Whole-file writes go to a temporary file in the same folder, are fsynced, moved over the old file with
``os.replace`` and the folder is fsynced, so a crash leaves exactly the old or exactly the new file. Files are
created 0600: this is health data.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


class LockTimeout(Exception):
    """Another Companion holds the lock for longer than we are willing to wait."""

    def __init__(self, path: Path, waited: float) -> None:
        super().__init__(
            f"Another Companion window is saving to {path.parent} (waited {waited:.1f} s). "
            "Try again in a moment; nothing was lost."
        )
        self.path = path


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and parents) private to the user if it does not exist; return it."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    return path


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash at any point leaves the old or the new content.

    On any error the temporary file is removed and the original file is untouched.
    """
    ensure_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            fd = -1
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if fd != -1:
            os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


@contextlib.contextmanager
def file_lock(lock_path: Path, timeout: float = 3.0, poll: float = 0.02) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_path`` (a separate lock file, never the data file).

    Waits up to ``timeout`` seconds for another process, then raises :class:`LockTimeout`.
    """
    ensure_dir(lock_path.parent)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    started = time.monotonic()
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                waited = time.monotonic() - started
                if waited >= timeout:
                    raise LockTimeout(lock_path, waited) from None
                time.sleep(poll)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
