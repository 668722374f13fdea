"""A cache of the validated catalogue (and of the advice rules), so that start-up skips parsing and validating
files that have not changed.

The catalogue cache holds what :func:`companion.catalogue.loader.load_catalog` returned, pickled, behind a key
made of every input: the bytes of each bundled file, the name, size and modification time of each of the user's
routine files, and the versions of Companion, pydantic and Python. :mod:`companion.advice.loader` keeps the rules
of ``advice.toml`` (which the home screen's preview needs for its first frame) here too, behind the same kind of
key. Any change gives another key, and the file is loaded and validated afresh. Skipping validation also skips
building pydantic's validators, which is most of the time and memory a cold load costs.

The files live in the user's cache folder, private to the user like every Companion file. A cache that cannot be
read, or was written for other inputs, is ignored and replaced; a cache that cannot be written changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import platformdirs
import pydantic

from companion import __version__
from companion.catalogue.loader import BUNDLED_ROOT, LoadResult, load_catalog
from companion.disk.fileio import atomic_write
from companion.disk.paths import APP_NAME

T = TypeVar("T")

CACHE_FORMAT = 1
"""Bumped whenever what the cache holds changes shape (it is also in the file name)."""


def cache_path(name: str = "catalog") -> Path:
    """Where the cache called ``name`` lives (honours ``XDG_CACHE_HOME``)."""
    return platformdirs.user_cache_path(APP_NAME) / f"{name}-v{CACHE_FORMAT}.pickle"


def _bundled_files(root: Path) -> list[Path]:
    return [
        root / "catalog.toml",
        root / "safety.toml",
        *sorted(root.glob("routines/*.toml")),
        *sorted(root.glob("therapies/*.toml")),
    ]


def cache_key(root: Path, user_routines: Path | None, files: list[Path] | None = None) -> str:
    """A digest of everything the loaded catalogue (or the loaded ``files``, when given) depends on."""
    digest = hashlib.sha256()
    digest.update(f"{CACHE_FORMAT}|{__version__}|{pydantic.VERSION}|{sys.version}|{root}".encode())
    for path in _bundled_files(root) if files is None else files:
        digest.update(f"\0{path.relative_to(root)}\0".encode())
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    if user_routines is not None and user_routines.is_dir():
        # The user's files by name, size and time of change: any edit, addition or removal changes the key.
        for path in sorted(user_routines.glob("*.toml")):
            with contextlib.suppress(OSError):
                stat = path.stat()
                digest.update(f"\0{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}".encode())
    return digest.hexdigest()


def _read_cache(path: Path, key: str, kind: type[T]) -> T | None:
    try:
        with path.open("rb") as handle:
            if handle.readline().rstrip(b"\n") != key.encode():
                return None
            result = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError, TypeError, ValueError):
        return None
    return result if isinstance(result, kind) else None


def cached(path: Path, key: str, kind: type[T], load: Callable[[], T]) -> T:
    """What the cache at ``path`` holds for ``key``, else ``load()`` (then kept there for next time)."""
    cached = _read_cache(path, key, kind)
    if cached is not None:
        return cached
    result = load()
    with contextlib.suppress(OSError, pickle.PicklingError):
        atomic_write(path, key.encode() + b"\n" + pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return result


def load_catalog_cached(
    root: Path = BUNDLED_ROOT, user_routines: Path | None = None, path: Path | None = None
) -> LoadResult:
    """:func:`load_catalog`, from the cache when nothing it depends on has changed.

    Raises :class:`ContentError` like :func:`load_catalog` when the bundled content has a problem (such a result
    is never cached).
    """
    key = cache_key(root, user_routines)
    return cached(path or cache_path(), key, LoadResult, lambda: load_catalog(root, user_routines))
