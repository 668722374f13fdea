"""Schema versions of the history and the migrations between them.

Every history file carries the version in its header line and every record in its ``schema_version`` field. A
record written by an older release is brought forward one version at a time by the functions in
:data:`RECORD_MIGRATIONS` (``n`` -> a function turning a version-``n`` record into a version ``n + 1`` one).
Migrating a record that is already current (or newer) returns it unchanged, so migrating twice changes nothing.

Released versions and their fixture files (``tests/fixtures/history-v<N>.jsonl``):

- 1: the first release. Nothing to migrate yet.

To add version 2: bump :data:`companion.history.records.RECORD_SCHEMA_VERSION`, add ``RECORD_MIGRATIONS[1]``, add a
fixture ``history-v2.jsonl`` written by the new release, and keep ``history-v1.jsonl`` loading.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from companion.history.records import RECORD_SCHEMA_VERSION

CURRENT_SCHEMA_VERSION = RECORD_SCHEMA_VERSION
"""The version this release writes (file header and records alike)."""

FIRST_SCHEMA_VERSION = 1
"""A record without ``schema_version`` (written by hand) is taken as this version."""

Migration = Callable[[dict[str, Any]], dict[str, Any]]

RECORD_MIGRATIONS: dict[int, Migration] = {}
"""``n`` -> a function turning a version-``n`` record (a dict, never mutated) into a version-``n + 1`` one."""


class MigrationError(ValueError):
    """A record's version is not a version we know how to read."""


def record_version(data: Mapping[str, Any]) -> int:
    """The schema version of a record (or header) dict."""
    version = data.get("schema_version", FIRST_SCHEMA_VERSION)
    if type(version) is not int or version < FIRST_SCHEMA_VERSION:
        raise MigrationError(f"schema_version must be a whole number from {FIRST_SCHEMA_VERSION}, not {version!r}")
    return version


def current_version() -> int:
    """The version this release writes (read at call time, so tests can pretend a newer release exists)."""
    return CURRENT_SCHEMA_VERSION


def needs_migration(data: Mapping[str, Any]) -> bool:
    """Whether ``data`` was written by an older release than this one."""
    return record_version(data) < current_version()


def migrate_record(
    data: dict[str, Any], *, target: int | None = None, steps: Mapping[int, Migration] | None = None
) -> dict[str, Any]:
    """Bring a record dict to version ``target`` (default: the current one); unknown fields are kept.

    Returns ``data`` itself when nothing is to be done (current or newer), otherwise a new dict.
    """
    target = current_version() if target is None else target
    steps = RECORD_MIGRATIONS if steps is None else steps
    version = record_version(data)
    if version >= target:
        return data
    migrated = dict(data)
    while version < target:
        step = steps.get(version)
        if step is None:
            raise MigrationError(f"no migration from schema version {version} to {version + 1}")
        migrated = step(dict(migrated))
        version += 1
        migrated["schema_version"] = version
    return migrated
