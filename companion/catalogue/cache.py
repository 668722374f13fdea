"""A cache of the validated catalogue (and of the advice rules), so that start-up skips parsing and validating
files that have not changed.

The catalogue cache holds what :func:`companion.catalogue.loader.load_catalog` returned, as JSON, behind a key
made of every input: the bytes of each bundled file, the name, size and modification time of each of the user's
routine files, the versions of Companion, pydantic and Python, and a fingerprint of the models (the source of the
modules that define them), so an upgrade never reads a stale shape. :mod:`companion.advice.loader` keeps the rules
of ``advice.toml`` (which the home screen's preview needs for its first frame) here too, behind the same kind of
key. Any change gives another key, and the file is loaded and validated afresh. A cache skips reading the TOML
files, locating lines and checking cross references and limits; what it holds is validated again by the core's
own models (pydantic's JSON validation), so a cache file can hold nothing the models would not accept, and it is
never code: no pickle.

The files live in the user's cache folder, 0600 in a 0700 folder like every Companion file. A cache that cannot
be read, is larger than :data:`MAX_CACHE_BYTES`, does not match the digest on its first line (a flipped byte),
does not validate, was written for other inputs, or whose file or folder belongs to another user (or is writable
by others) is ignored (and replaced when the folder is ours); a cache that cannot be written changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import platformdirs
import pydantic

import companion
from companion import __version__
from companion.catalogue.loader import BUNDLED_ROOT, LoadResult, load_catalog
from companion.disk.fileio import atomic_write, owned_by_user, read_bounded
from companion.disk.paths import APP_NAME

T = TypeVar("T")

CACHE_FORMAT = 2
"""Bumped whenever what the cache holds changes shape (it is also in the file name). 2: JSON, no more pickle."""
MAX_CACHE_BYTES = 16 * 2**20
"""The bundled catalogue takes about 0.3 MiB as JSON; a larger cache file is not read. A design choice."""
MODEL_SOURCES = ("catalogue/models.py", "catalogue/problems.py", "catalogue/loader.py", "advice/models.py")
"""The modules defining what the caches hold (inside ``companion``): their source is part of every key."""


def cache_path(name: str = "catalog") -> Path:
    """Where the cache called ``name`` lives (honours ``XDG_CACHE_HOME``)."""
    return platformdirs.user_cache_path(APP_NAME) / f"{name}-v{CACHE_FORMAT}.json"


@cache
def models_fingerprint() -> str:
    """A digest of the source of the modules whose models the caches hold: a changed model gives another key."""
    digest = hashlib.sha256()
    package = Path(companion.__file__).parent
    for name in MODEL_SOURCES:
        digest.update(f"\0{name}\0".encode())
        with contextlib.suppress(OSError):
            digest.update((package / name).read_bytes())
    return digest.hexdigest()


def _private(path: Path) -> bool:
    """Whether ``path`` (a cache file or folder) is the user's own and writable by no one else."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    return owned_by_user(path) and not mode & (stat.S_IWGRP | stat.S_IWOTH) and not stat.S_ISLNK(mode)


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
    versions = f"{CACHE_FORMAT}|{__version__}|{models_fingerprint()}|{pydantic.VERSION}|{sys.version}|{root}"
    digest.update(versions.encode())
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


_ADAPTERS: dict[type[Any], pydantic.TypeAdapter[Any]] = {}


def _adapter(kind: type[Any]) -> pydantic.TypeAdapter[Any]:
    """The validator of ``kind`` (built once: building it is most of what a first validation costs)."""
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = pydantic.TypeAdapter(kind)
    return adapter


def _head(key: str, body: bytes) -> bytes:
    """The first line of a cache file: its key and the digest of what follows (a flipped byte is never used)."""
    return f"{key} {hashlib.sha256(body).hexdigest()}".encode()


def _read_cache(path: Path, key: str, kind: type[T]) -> T | None:
    """What the cache file holds for ``key``, validated as a ``kind``; ``None`` if anything is amiss."""
    if not (_private(path.parent) and _private(path)):
        return None
    try:
        data = read_bounded(path, MAX_CACHE_BYTES)
        if data is None:
            return None
        head, _, body = data.partition(b"\n")
        if head != _head(key, body):
            return None
        result: T = _adapter(kind).validate_json(body)
    except (OSError, ValueError, RecursionError):  # a ValidationError is a ValueError
        return None
    return result


def cached(path: Path, key: str, kind: type[T], load: Callable[[], T]) -> T:
    """What the cache at ``path`` holds for ``key``, else ``load()`` (then kept there for next time, when the cache
    folder is the user's own)."""
    found = _read_cache(path, key, kind)
    if found is not None:
        return found
    result = load()
    with contextlib.suppress(OSError, ValueError):
        if not path.parent.exists() or _private(path.parent):
            body = _adapter(kind).dump_json(result)
            atomic_write(path, _head(key, body) + b"\n" + body)
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
