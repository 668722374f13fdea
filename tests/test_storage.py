"""HistoryStore basics: append, load, update, delete/restore, import, file modes, errors, newer versions (test 6)."""

from __future__ import annotations

import json
import os
import stat
import uuid
from pathlib import Path

import pytest

from companion.disk.fileio import file_lock
from companion.disk.paths import default_paths
from companion.history.store import HistoryStore, ReadOnlyError, SaveError, StorageError, StoreBusy
from tests.history_support import HEADER, dumped, fresh_store, history_bytes, make_record, side_files, write_history


def test_a_missing_file_is_an_empty_history_and_nothing_is_created() -> None:
    store = fresh_store()
    report = store.load()
    assert report.records == [] and report.messages == [] and not report.read_only
    assert not default_paths().history.exists()


def test_append_writes_a_header_and_one_line_per_session_with_mode_0600() -> None:
    store = fresh_store()
    records = [make_record(i) for i in range(3)]
    for record in records:
        store.append(record)
    path = default_paths().history
    lines = path.read_bytes().splitlines(keepends=True)
    assert lines[0] == HEADER
    assert len(lines) == 4 and all(line.endswith(b"\n") for line in lines)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(default_paths().lock.stat().st_mode) == 0o600
    assert dumped(fresh_store().records) == dumped(records)
    assert dumped(store.records) == dumped(records)


def test_append_refuses_a_session_already_saved() -> None:
    store = fresh_store()
    store.load()
    store.append(make_record(1))
    with pytest.raises(ValueError, match="already saved"):
        store.append(make_record(1))


def test_update_replaces_by_id_and_keeps_the_order() -> None:
    store = fresh_store()
    records = [make_record(i) for i in range(4)]
    for record in records:
        store.append(record)
    changed = records[1].model_copy(update={"tension_after": 1, "notes": "better"})
    store.update(changed)
    assert dumped(fresh_store().records) == dumped([records[0], changed, *records[2:]])
    with pytest.raises(StorageError, match="No saved session"):
        store.update(make_record(99))


def test_delete_then_restore_puts_the_sessions_back_where_they_were() -> None:
    store = fresh_store()
    records = [make_record(i) for i in range(5)]
    for record in records:
        store.append(record)
    before = default_paths().history.read_bytes()
    removed = store.delete([records[1].id, records[3].id, uuid.uuid4()])
    assert [r.id for r in removed] == [records[1].id, records[3].id]
    assert [r.id for r in fresh_store().records] == [records[0].id, records[2].id, records[4].id]
    store.restore(removed)
    assert dumped(fresh_store().records) == dumped(records)
    store.restore(removed)  # restoring twice adds nothing
    assert len(fresh_store().records) == 5
    assert len(default_paths().history.read_bytes()) == len(before)


def test_rewrites_start_from_the_disk_so_another_windows_save_is_kept() -> None:
    mine, other = fresh_store(), fresh_store()
    mine.append(make_record(0))
    mine.load()
    other.append(make_record(1))  # saved by another window after mine loaded
    mine.update(make_record(0, notes="edited"))
    assert [r.id for r in fresh_store().records] == [make_record(0).id, make_record(1).id]


def test_import_records_skips_present_ids() -> None:
    store = fresh_store()
    store.append(make_record(0))
    result = store.import_records([make_record(0), make_record(1), make_record(2)])
    assert [r.id for r in result.added] == [make_record(1).id, make_record(2).id]
    assert [r.id for r in result.skipped] == [make_record(0).id]
    assert len(fresh_store().records) == 3


def test_unknown_fields_survive_load_and_every_rewrite() -> None:
    paths = default_paths()
    line = json.loads(make_record(0).model_dump_json())
    line["mood"] = {"colour": "blue"}
    line["steps"][0]["pressure"] = "light"
    header = b'{"format": "companion-history", "schema_version": 1, "device": "laptop"}\n'
    write_history(paths, header + json.dumps(line).encode() + b"\n")
    store = fresh_store()
    record = store.records[0]
    assert record.model_extra == {"mood": {"colour": "blue"}}
    assert record.steps[0].model_extra == {"pressure": "light"}
    store.append(make_record(1))
    store.update(make_record(1, notes="changed"))  # a whole-file rewrite
    lines = paths.history.read_bytes().splitlines()
    assert json.loads(lines[0])["device"] == "laptop"
    assert lines[1] == json.dumps(line).encode()  # the untouched line is kept byte for byte
    reloaded = fresh_store().records[0]
    assert reloaded.model_extra == {"mood": {"colour": "blue"}}
    assert reloaded.steps[0].model_extra == {"pressure": "light"}


def test_a_permission_error_is_reported_as_such_and_nothing_is_moved(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    paths = default_paths()
    write_history(paths, history_bytes([make_record(0)]))
    paths.history.chmod(0o000)
    try:
        with pytest.raises(StorageError, match="permission denied"):
            fresh_store().load()
        assert side_files(paths) == []
    finally:
        paths.history.chmod(0o600)


def test_a_permission_error_even_as_root_is_reported_and_nothing_is_moved() -> None:
    from companion.history import store as storage

    paths = default_paths()
    write_history(paths, history_bytes([make_record(0)]))
    before = paths.history.read_bytes()

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(paths.history))

    with pytest.MonkeyPatch.context() as patch:  # its own patcher: undoing it keeps the XDG isolation
        patch.setattr(storage, "open_regular", denied)
        with pytest.raises(StorageError, match="permission denied"):
            fresh_store().load()
    assert side_files(paths) == [] and paths.history.read_bytes() == before


def test_a_read_error_is_not_taken_for_corruption() -> None:
    paths = default_paths()
    paths.history.mkdir(parents=True)  # reading a folder fails with an OSError that is not corruption
    with pytest.raises(StorageError, match="Cannot read your history"):
        fresh_store().load()
    assert side_files(paths) == []


def test_a_busy_lock_gives_a_clear_message_and_keeps_the_record() -> None:
    store = HistoryStore(default_paths(), lock_timeout=0.1)
    record = make_record(0)
    with file_lock(default_paths().lock):
        with pytest.raises(SaveError, match="Another Companion window") as caught:
            store.append(record)
        with pytest.raises(StoreBusy):
            store.delete([record.id])
    assert caught.value.record is record
    store.append(record)  # retry works once the other window is done
    assert fresh_store().records[0].id == record.id


def test_export_unsaved_writes_an_importable_file(tmp_path: Path) -> None:
    from companion.history import interchange

    record = make_record(3)
    target = tmp_path / "unsaved.json"
    fresh_store().export_unsaved(record, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert dumped(interchange.parse(target.read_bytes(), target.name)) == dumped([record])


# -- test 6: a file from a newer version is read if possible and never written -------------------------------

NEWER_HEADER = b'{"format": "companion-history", "schema_version": 2, "new_header_field": true}\n'


def newer_file() -> bytes:
    lines = [NEWER_HEADER]
    for number in range(3):
        data = json.loads(make_record(number).model_dump_json())
        data["schema_version"] = 2
        data["heart_rate"] = 60 + number
        lines.append(json.dumps(data).encode() + b"\n")
    lines.append(b'{"schema_version": 2, "id": "not-a-uuid", "totally": "different"}\n')
    lines.append(b'{"schema_version": 2, "id": "torn')
    return b"".join(lines)


def snapshot(path: Path) -> tuple[bytes, int, int]:
    info = path.stat()
    return path.read_bytes(), info.st_mtime_ns, info.st_ino


def test_a_newer_file_is_read_read_only_and_every_write_is_refused(tmp_path: Path) -> None:
    paths = default_paths()
    write_history(paths, newer_file())
    os.utime(paths.history, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before = snapshot(paths.history)
    store = fresh_store()
    report = store.load()
    assert report.read_only and store.read_only
    assert [r.id for r in report.records] == [make_record(i).id for i in range(3)]
    assert report.records[0].model_extra == {"heart_rate": 60}
    assert any("newer version" in message for message in report.messages)
    assert any("left untouched" in message for message in report.messages)
    with pytest.raises(SaveError, match="newer version") as caught:
        store.append(make_record(7))
    assert caught.value.record == make_record(7)
    for attempt in (
        lambda: store.update(report.records[0]),
        lambda: store.delete([report.records[0].id]),
        lambda: store.restore([make_record(8)]),
        lambda: store.import_records([make_record(9)]),
    ):
        with pytest.raises(ReadOnlyError):
            attempt()
    # A store that never loaded still refuses: the header is checked under the lock before appending.
    with pytest.raises(SaveError, match="newer version"):
        fresh_store().append(make_record(10))
    with pytest.raises(ReadOnlyError):
        HistoryStore(paths).delete([report.records[0].id])
    fresh_store().export_unsaved(make_record(11), tmp_path / "out.json")
    assert snapshot(paths.history) == before
    assert side_files(paths) == []
