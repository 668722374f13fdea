"""Durable file primitives: atomic whole-file replacement, exclusive creation, setting files aside, a lock.

Whole-file writes go to a temporary file in the same folder, are fsynced, moved over the old file with
``os.replace`` and the folder is fsynced, so a crash leaves exactly the old or exactly the new file. Files are
created 0600: this is health data. Every write goes through ``os.write``/``os.fsync``/``os.replace`` (never a
buffered file object) so the failure-injection tests can interrupt each call in turn.

The same code runs on Linux, macOS and Windows: the lock between processes is filelock's (``flock`` on POSIX,
``msvcrt.locking`` on Windows; either is released by the operating system when its holder dies), and what Windows
lacks (``fchmod``, opening a folder to fsync it: NTFS journals renames itself) is skipped there.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from filelock import BaseFileLock

FILE_MODE = 0o600
DIR_MODE = 0o700
NOT_INHERITED = getattr(os, "O_CLOEXEC", 0)
"""Open flag: a program started meanwhile never keeps the file (Windows has no such flag; Python's descriptors
are not inherited there by default)."""
WINDOWS = sys.platform == "win32"


class LockTimeout(Exception):
    """Another Companion holds the lock for longer than we are willing to wait."""

    def __init__(self, path: Path, waited: float) -> None:
        super().__init__(
            f"Another Companion window is saving to {path.parent} (waited {waited:.1f} s). "
            "Try again in a moment; nothing was lost."
        )
        self.path = path
        self.waited = waited


WRITE_ERRORS = (OSError, LockTimeout)
"""What a locked write may raise: a disk problem, or another window holding the lock too long."""


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and any missing parent) 0700, whatever the umask, if it does not exist; return it.

    ``mkdir(parents=True)`` would make the parents 0777 less the umask: under umask 000 another local user could
    then plant files in them. Folders that exist already are left as they are.
    """
    missing: list[Path] = []
    folder = path
    while not folder.is_dir():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue
        os.chmod(folder, DIR_MODE)  # mkdir's mode is narrowed by the umask, never widened; chmod is exact
    return path


class NotRegularFile(OSError):
    """A pipe, socket or device where Companion expects a file: opening a pipe waits for a writer that may never
    come, and a device may never end, so such a path is refused as a file that cannot be read."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(errno.EINVAL, "not a regular file: a pipe, socket or device", str(path))


def require_regular(fd: int, path: Path | str) -> None:
    """Raise :class:`NotRegularFile` unless the open descriptor ``fd`` is a regular file."""
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        raise NotRegularFile(path)


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading in binary; :class:`NotRegularFile` for a pipe, socket or device. The open does
    not wait (``O_NONBLOCK``: a pipe with no writer opens at once, then is refused); a symlink to a regular file is
    followed. Raises ``OSError`` (``FileNotFoundError``...)."""
    fd = os.open(path, os.O_RDONLY | NOT_INHERITED | getattr(os, "O_NONBLOCK", 0))
    try:
        require_regular(fd, path)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path) -> bytes:
    """The bytes of the regular file ``path`` (see :func:`open_regular`)."""
    with open_regular(path) as handle:
        return handle.read()


def read_bounded(path: Path, max_bytes: int) -> bytes | None:
    """The bytes of the regular file ``path`` (see :func:`open_regular`), or ``None`` when it holds more than
    ``max_bytes`` (never reading more than that). Raises ``OSError`` (``FileNotFoundError``...)."""
    with open_regular(path) as handle:
        data = handle.read(max_bytes + 1)
    return None if len(data) > max_bytes else data


MAX_SMALL_FILE_BYTES = 2**20
"""Settings, screening answers and checkpoints take a few KiB; a file larger than this is not read. A design
choice."""


def parse_json(raw: bytes | None) -> Any:
    """The JSON value in ``raw`` (UTF-8), ``ValueError`` for anything else: bytes that are not UTF-8 or not JSON,
    ``None`` (a file :func:`read_bounded` found too large), or nesting deeper than Python's stack allows."""
    if raw is None:
        raise ValueError(f"larger than {MAX_SMALL_FILE_BYTES // 1024} KiB")
    try:
        return json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise ValueError("nested too deeply") from None


def owned_by_user(path: Path) -> bool:
    """Whether ``path`` belongs to the user running Companion (always true where the system has no owners)."""
    if not hasattr(os, "getuid"):  # pragma: no cover - Windows
        return True
    try:
        return os.lstat(path).st_uid == os.getuid()
    except OSError:
        return False


Signature = tuple[int, int, int]
"""A file's inode, size and time of last change in nanoseconds: a rewrite (a new inode) or an append (a new size)
changes it."""


def file_signature(path: Path) -> Signature | None:
    """``path``'s :data:`Signature` (``None`` when it is missing or cannot be looked at): one ``stat``, no read."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_ino, found.st_size, found.st_mtime_ns


FolderSignature = tuple[tuple[str, Signature | None], ...]


def folder_signature(folder: Path, suffix: str) -> FolderSignature:
    """The names and signatures of the files ending in ``suffix`` in ``folder`` (none when it cannot be listed):
    any file added, removed, renamed or changed gives another value."""
    try:
        names = sorted(entry.name for entry in os.scandir(folder) if entry.name.endswith(suffix))
    except OSError:
        return ()
    return tuple((name, file_signature(folder / name)) for name in names)


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (on Windows a folder cannot be opened; NTFS journals it)."""
    if WINDOWS:
        return
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (``os.write`` may write less than asked)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:  # pragma: no cover - a regular file never returns 0 without an error
            raise OSError(errno.EIO, "write returned no progress")
        view = view[written:]


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash at any point leaves the old or the new content.

    On any error before the replacement the temporary file is removed and the original file is untouched. An
    error while syncing the folder after the replacement is raised too (the new content is then in place).
    """
    ensure_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        try:
            if not WINDOWS:  # mkstemp creates it 0600 already; this keeps it so under any umask
                os.fchmod(fd, FILE_MODE)
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def create_exclusive(path: Path, data: bytes) -> None:
    """Create ``path`` (0600) holding ``data``, durably; fail with ``FileExistsError`` if it exists already."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOT_INHERITED, FILE_MODE)
    try:
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        raise
    fsync_dir(path.parent)


def fresh_name(path: Path, suffix: str) -> Iterator[Path]:
    """Candidate names ``<name>.<suffix>``, ``<name>.<suffix>-2``, ... beside ``path``."""
    yield path.with_name(f"{path.name}.{suffix}")
    for number in range(2, 10_000):
        yield path.with_name(f"{path.name}.{suffix}-{number}")


def existing_copy(path: Path, kind: str) -> Path | None:
    """A copy ``<name>.<kind>-*`` kept earlier by :func:`keep_copy` that is still the very file at ``path`` (a hard
    link to it): keeping it again would only add a name (as a repair that failed for a full disk, tried again)."""
    try:
        current = os.stat(path)
        candidates = sorted(path.parent.glob(f"{path.name}.{kind}-*"))
    except OSError:
        return None
    for candidate in candidates:
        with contextlib.suppress(OSError):
            if os.path.samestat(current, os.stat(candidate)):
                return candidate
    return None


def keep_copy(path: Path, suffix: str) -> Path:
    """Keep the current content of ``path`` under a new name ``<name>.<suffix>``; never overwrite a file.

    A hard link is used where the file system allows it (instant, and the bytes are exactly the original's);
    otherwise the bytes are copied into a new file. Returns the name used.
    """
    for candidate in fresh_name(path, suffix):
        try:
            os.link(path, candidate)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
                raise
            try:
                create_exclusive(candidate, read_regular(path))
            except FileExistsError:
                continue
            return candidate
        fsync_dir(path.parent)
        return candidate
    raise FileExistsError(errno.EEXIST, "no free name to keep a copy", str(path))


def set_aside_bytes(path: Path, suffix: str, data: bytes) -> Path:
    """Write ``data`` to a new file ``<name>.<suffix>`` beside ``path`` (never overwriting one); return it."""
    for candidate in fresh_name(path, suffix):
        try:
            create_exclusive(candidate, data)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(errno.EEXIST, "no free name to set data aside", str(path))


def utc_stamp(moment: datetime) -> str:
    """A UTC time for file names, e.g. ``20261122T061500Z``."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def move_aside(path: Path, now: datetime | None = None) -> Path | None:
    """Keep an unreadable ``path`` as ``<name>.corrupt-<UTC time>`` and remove it, never overwriting a file
    (the kept name is linked before the old one goes); ``None`` if that failed."""
    try:
        kept = keep_copy(path, f"corrupt-{utc_stamp(now or datetime.now(UTC))}")
        path.unlink()
    except OSError:
        return None
    return kept


def lock_path_for(path: Path) -> Path:
    """The lock file guarding writes to ``path`` (a separate, hidden file beside it)."""
    return path.with_name(f".{path.name}.lock")


def _lock(lock_path: Path, poll: float = 0.05) -> BaseFileLock:
    """An exclusive lock on ``lock_path`` between processes (and between threads: each call is its own lock).

    Only the operating system's lock is used (never filelock's "soft" fallback, a file whose presence means
    "locked", which would outlive a holder killed by SIGKILL); the lock file is kept, 0600, and never deleted, so
    two processes always lock the same file.
    """
    # Imported when first locking (not on the way to the first frame); the operating system's lock by name, so
    # that a platform filelock does not know is an error, never a silent soft lock.
    import filelock

    os_lock: type[BaseFileLock] = filelock.WindowsFileLock if WINDOWS else filelock.UnixFileLock
    ensure_dir(lock_path.parent)
    return os_lock(
        lock_path,
        mode=FILE_MODE,
        thread_local=False,
        poll_interval=poll,
        fallback_to_soft=False,
        preserve_lock_file=True,
    )


class HeldLock:
    """A lock this process holds until :meth:`release` (or until it ends, when the operating system frees it)."""

    def __init__(self, lock: BaseFileLock) -> None:
        self._lock: BaseFileLock | None = lock

    def release(self) -> None:
        """Give the lock up (twice is harmless)."""
        if self._lock is not None:
            self._lock.release(force=True)
            self._lock = None


def try_lock(lock_path: Path) -> HeldLock | None:
    """Take the lock on ``lock_path`` without waiting; ``None`` when another holds it."""
    from filelock import Timeout

    lock = _lock(lock_path)
    try:
        lock.acquire(blocking=False)
    except Timeout:
        return None
    return HeldLock(lock)


@contextlib.contextmanager
def file_lock(lock_path: Path, timeout: float = 3.0, poll: float = 0.02) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` (a separate lock file, never the data file).

    Waits up to ``timeout`` seconds for another process (or thread), then raises :class:`LockTimeout`. The lock
    is not re-entrant: do not take it again while holding it.
    """
    from filelock import Timeout

    lock = _lock(lock_path, poll)
    started = time.monotonic()
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise LockTimeout(lock_path, time.monotonic() - started) from None
    try:
        yield
    finally:
        lock.release(force=True)
