"""Test 7: every released version's fixture loads; migrations run once, keep a copy, and twice change nothing."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest

from companion.disk.paths import default_paths
from companion.history import migrations
from companion.history.records import SessionStatus
from tests.history_support import dumped, fresh_store, side_files

FIXTURES = Path(__file__).parent / "fixtures"
RELEASED = range(migrations.FIRST_SCHEMA_VERSION, migrations.CURRENT_SCHEMA_VERSION + 1)


def install(name: str) -> Path:
    paths = default_paths()
    paths.data.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / name, paths.history)
    return paths.history


def test_there_is_a_fixture_for_every_released_version() -> None:
    for version in RELEASED:
        assert (FIXTURES / f"history-v{version}.jsonl").is_file()
        assert version == migrations.CURRENT_SCHEMA_VERSION or version in migrations.RECORD_MIGRATIONS


@pytest.mark.parametrize("version", list(RELEASED))
def test_every_fixture_loads_completely_and_cleanly(version: int) -> None:
    path = install(f"history-v{version}.jsonl")
    report = fresh_store().load()
    lines = [line for line in path.read_text().splitlines()[1:] if line.strip()]
    assert len(report.records) == len(lines) == 3
    assert not report.read_only
    assert all(r.schema_version == migrations.CURRENT_SCHEMA_VERSION for r in report.records)


def test_the_v1_fixture_reads_as_written() -> None:
    install("history-v1.jsonl")
    records = fresh_store().records
    first, second, third = records
    assert first.id == uuid.UUID("6f1c2a52-4d1e-4c53-9c43-0b7f7d3e9a01")
    assert first.started_at.utcoffset().total_seconds() == 3600
    assert (first.tension_before, first.tension_after, first.actual_seconds) == (6, 3, 210)
    assert second.status is SessionStatus.STOPPED and second.tension_after is None
    assert third.routine_title == "Legs after running (an old title)"
    assert third.model_extra == {"device": "laptop"}
    assert third.steps[0].model_extra == {"side": "left"}
    assert "東京" in third.notes


def test_loading_a_current_file_changes_nothing_on_disk() -> None:
    path = install(f"history-v{migrations.CURRENT_SCHEMA_VERSION}.jsonl")
    before = path.read_bytes(), path.stat().st_mtime_ns
    fresh_store().load()
    fresh_store().load()
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert side_files(default_paths()) == []


def test_migrate_record_is_a_no_op_for_current_and_newer_records() -> None:
    data = {"schema_version": migrations.CURRENT_SCHEMA_VERSION, "id": "x"}
    assert migrations.migrate_record(data) is data
    newer = {"schema_version": migrations.CURRENT_SCHEMA_VERSION + 1}
    assert migrations.migrate_record(newer) is newer
    with pytest.raises(migrations.MigrationError):
        migrations.migrate_record({"schema_version": "one"})
    with pytest.raises(migrations.MigrationError):
        migrations.migrate_record({"schema_version": 0})


# -- the mechanism, exercised with a pretend version 2 --------------------------------------------------------


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Pretend release 2 renamed ``notes`` to ``journal`` and then back, adding ``migrated_from``."""
    data["migrated_from"] = 1
    data["notes"] = data.get("notes", "").strip()
    return data


@pytest.fixture
def pretend_v2():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(migrations, "CURRENT_SCHEMA_VERSION", 2)
        patch.setitem(migrations.RECORD_MIGRATIONS, 1, _v1_to_v2)
        yield


def test_migrating_twice_changes_nothing(pretend_v2: None) -> None:
    line = (FIXTURES / "history-v1.jsonl").read_text().splitlines()[1]
    once = migrations.migrate_record(json.loads(line))
    twice = migrations.migrate_record(once)
    assert once["schema_version"] == 2 and once["migrated_from"] == 1
    assert twice == once


def test_a_missing_step_is_a_clear_error() -> None:
    with pytest.raises(migrations.MigrationError, match="no migration from schema version 1"):
        migrations.migrate_record({"schema_version": 1}, target=3, steps={})


def test_an_old_file_is_migrated_once_on_disk_with_a_copy_kept(pretend_v2: None) -> None:
    path = install("history-v1.jsonl")
    original = path.read_bytes()
    report = fresh_store().load()
    assert any("upgraded to format version 2" in m for m in report.messages)
    (copy,) = side_files(default_paths())
    assert copy.name.startswith("history.jsonl.v1-") and copy.read_bytes() == original
    assert json.loads(path.read_text().splitlines()[0])["schema_version"] == 2
    assert all(r.schema_version == 2 and r.model_extra.get("migrated_from") == 1 for r in report.records)
    assert report.records[2].model_extra["device"] == "laptop"  # unknown fields survive the migration
    after_first = path.read_bytes(), path.stat().st_mtime_ns
    again = fresh_store().load()  # the second time there is nothing to do
    assert again.messages == []
    assert (path.read_bytes(), path.stat().st_mtime_ns) == after_first
    assert dumped(again.records) == dumped(report.records)
