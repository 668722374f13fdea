"""Test 5: damaged history files. Each is set aside or skipped as designed, with a message; nothing intact is lost.

A torn last line goes to ``history.jsonl.torn-<UTC>``; any other damage keeps the whole original file as
``history.jsonl.corrupt-<UTC>`` and the intact sessions are written back.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest

from companion.disk.paths import default_paths
from companion.history.store import HistoryStore
from tests.history_support import HEADER, dumped, fresh_store, history_bytes, make_record, side_files, write_history

RECORDS = [make_record(i) for i in range(6)]
GOOD = history_bytes(RECORDS)


def load_bytes(data: bytes):
    paths = default_paths()
    write_history(paths, data)
    store = fresh_store()
    return store, store.load(), paths


def assert_quarantined(original: bytes, kind: str = "corrupt") -> list:
    paths = default_paths()
    kept = [p for p in side_files(paths) if f".{kind}-" in p.name]
    assert len(kept) == 1, side_files(paths)
    if kind == "corrupt":
        assert kept[0].read_bytes() == original  # the original, byte for byte
    return kept


def assert_clean_afterwards(expected: list) -> None:
    """After the repair the file loads with no message and holds exactly the intact sessions."""
    again = fresh_store().load()
    assert again.messages == []
    assert dumped(again.records) == dumped(expected)


def test_empty_file_is_reported_and_never_taken_for_an_empty_history_silently() -> None:
    _store, report, _paths = load_bytes(b"")
    assert report.records == []
    assert any("was empty" in m for m in report.messages)
    assert_quarantined(b"")
    assert_clean_afterwards([])


def test_blank_file_is_reported_too() -> None:
    _store, report, _paths = load_bytes(b"\n\n  \n")
    assert any("blank" in m for m in report.messages)
    assert_quarantined(b"\n\n  \n")


def test_nul_bytes_after_a_power_cut_keep_every_intact_line() -> None:
    data = GOOD + b"\x00" * 300
    _store, report, _paths = load_bytes(data)
    assert dumped(report.records) == dumped(RECORDS)
    assert any("NUL" in m and "corrupt" in m for m in report.messages)
    assert_quarantined(data)
    assert_clean_afterwards(RECORDS)


def test_nul_bytes_over_a_line_in_the_middle() -> None:
    lines = GOOD.splitlines(keepends=True)
    lines[3] = b"\x00" * (len(lines[3]) - 1) + b"\n"
    data = b"".join(lines)
    _store, report, _paths = load_bytes(data)
    assert dumped(report.records) == dumped(RECORDS[:2] + RECORDS[3:])
    assert any("line 4: NUL bytes only" in m for m in report.messages)
    assert_quarantined(data)


def test_nul_bytes_before_an_intact_record_are_stripped_and_the_record_kept() -> None:
    lines = GOOD.splitlines(keepends=True)
    lines[2] = b"\x00\x00\x00" + lines[2]
    data = b"".join(lines)
    _store, report, _paths = load_bytes(data)
    assert dumped(report.records) == dumped(RECORDS)
    assert_quarantined(data)
    assert_clean_afterwards(RECORDS)


@pytest.mark.parametrize("seed", range(12))
def test_truncated_at_a_random_offset(seed: int) -> None:
    rng = random.Random(seed)
    offset = rng.randrange(1, len(GOOD) - 1)
    data = GOOD[:offset]
    _store, report, paths = load_bytes(data)
    complete_lines = data.count(b"\n")
    at_boundary = data.endswith(b"\n")
    expected = RECORDS[: max(0, complete_lines - 1)]
    assert dumped(report.records) == dumped(expected)
    if at_boundary:
        assert report.messages == []
        return
    assert report.messages, "a truncated file must be reported"
    if complete_lines == 0:  # the header itself was cut: the file as a whole is set aside
        assert_quarantined(data)
    else:
        (side,) = assert_quarantined(data, "torn")
        assert side.read_bytes() == data[data.rfind(b"\n") + 1 :]
        assert paths.history.read_bytes() == data[: data.rfind(b"\n") + 1]
    assert_clean_afterwards(expected)


def test_trailing_garbage_on_its_own_line() -> None:
    data = GOOD + b"this is not json\n"
    _store, report, _paths = load_bytes(data)
    assert dumped(report.records) == dumped(RECORDS)
    assert any("line 8: not valid JSON" in m for m in report.messages)
    assert_quarantined(data)
    assert_clean_afterwards(RECORDS)


def test_trailing_garbage_without_newline_is_a_torn_line_set_aside() -> None:
    data = GOOD + b"garbage"
    _store, report, _paths = load_bytes(data)
    assert dumped(report.records) == dumped(RECORDS)
    (side,) = assert_quarantined(data, "torn")
    assert side.read_bytes() == b"garbage"
    assert_clean_afterwards(RECORDS)


def test_invalid_utf8_line_is_quarantined_and_the_rest_kept() -> None:
    lines = GOOD.splitlines(keepends=True)
    lines[2] = lines[2].replace(b"Routine", b"R\xff\xfeutine")
    data = b"".join(lines)
    _store, report, _paths = load_bytes(data)
    assert dumped(report.records) == dumped([RECORDS[0], *RECORDS[2:]])
    assert any("line 3: not valid UTF-8" in m for m in report.messages)
    assert_quarantined(data)


def test_a_bom_is_accepted_with_a_note_and_nothing_moved() -> None:
    data = b"\xef\xbb\xbf" + GOOD
    store, report, paths = load_bytes(data)
    assert dumped(report.records) == dumped(RECORDS)
    assert any("byte-order mark" in m for m in report.messages)
    assert side_files(paths) == [] and paths.history.read_bytes() == data
    store.append(make_record(50))  # appending to it works and the file still loads
    assert len(fresh_store().records) == 7


@pytest.mark.parametrize(
    "content",
    [b"[1, 2, 3]\n", b'"a string"\n', b"42\n", b"null\n", b'[{"format": "companion-history"}]\n'],
)
def test_wrong_top_level_type_for_the_whole_file(content: bytes) -> None:
    _store, report, _paths = load_bytes(content)
    assert report.records == []
    assert any("not a Companion history header" in m for m in report.messages)
    assert_quarantined(content)
    assert_clean_afterwards([])


def test_wrong_top_level_type_for_a_line() -> None:
    lines = GOOD.splitlines(keepends=True)
    lines.insert(2, b'["a", "list"]\n')
    data = b"".join(lines)
    _store, report, _paths = load_bytes(data)
    assert dumped(report.records) == dumped(RECORDS)
    assert any("line 3: a JSON list, not a session object" in m for m in report.messages)
    assert_quarantined(data)


def test_a_record_failing_validation_is_named_by_line_and_field() -> None:
    bad = json.loads(make_record(40).model_dump_json())
    bad["tension_after"] = 11
    lines = GOOD.splitlines(keepends=True)
    lines.insert(3, json.dumps(bad).encode() + b"\n")
    data = b"".join(lines)
    _store, report, _paths = load_bytes(data)
    assert dumped(report.records) == dumped(RECORDS)
    assert any("line 4: field 'tension_after'" in m for m in report.messages)
    assert_quarantined(data)


def test_a_step_failing_validation_names_the_step_field() -> None:
    bad = json.loads(make_record(41).model_dump_json())
    bad["steps"][1]["actual_seconds"] = -5
    data = GOOD + json.dumps(bad).encode() + b"\n"
    _store, report, _paths = load_bytes(data)
    assert any("field 'steps.1.actual_seconds'" in m for m in report.messages)


def test_duplicate_ids_keep_the_first_and_report_the_second() -> None:
    twin = make_record(2, notes="a different copy")
    data = GOOD + history_bytes([twin], header=b"")
    _store, report, _paths = load_bytes(data)
    assert dumped(report.records) == dumped(RECORDS)
    assert any(f"a second session with id {twin.id}" in m for m in report.messages)
    assert_quarantined(data)
    assert_clean_afterwards(RECORDS)


def test_missing_header_keeps_the_records() -> None:
    data = history_bytes(RECORDS, header=b"")
    _store, report, _paths = load_bytes(data)
    assert dumped(report.records) == dumped(RECORDS)
    assert any("header line is missing" in m for m in report.messages)
    assert_quarantined(data)
    assert default_paths().history.read_bytes().startswith(HEADER)


def test_quarantine_never_overwrites_an_earlier_copy() -> None:
    fixed = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    paths = default_paths()
    for attempt in range(3):
        write_history(paths, GOOD + b"bad line %d\n" % attempt)
        HistoryStore(paths, now=lambda: fixed).load()
    kept = sorted(p.name for p in side_files(paths))
    assert kept == [
        "history.jsonl.corrupt-20261102T090000Z",
        "history.jsonl.corrupt-20261102T090000Z-2",
        "history.jsonl.corrupt-20261102T090000Z-3",
    ]
    for attempt, name in enumerate(kept):
        assert (paths.data / name).read_bytes() == GOOD + b"bad line %d\n" % attempt


def test_a_torn_line_is_never_glued_to_the_next_record() -> None:
    paths = default_paths()
    write_history(paths, GOOD + b'{"schema_version": 1, "id": "0000')
    store = HistoryStore(paths)  # no load: the append itself must mend the tail
    store.append(make_record(60))
    assert any("cut short" in m for m in store.messages)
    data = paths.history.read_bytes()
    assert data == GOOD + history_bytes([make_record(60)], header=b"")
    report = fresh_store().load()
    assert report.messages == [] and len(report.records) == 7


def test_a_complete_last_line_without_newline_is_kept_and_the_next_append_adds_one() -> None:
    paths = default_paths()
    write_history(paths, GOOD[:-1])
    store = fresh_store()
    report = store.load()
    assert dumped(report.records) == dumped(RECORDS) and report.messages == []
    store.append(make_record(61))
    assert paths.history.read_bytes() == GOOD + history_bytes([make_record(61)], header=b"")


def test_a_rewrite_of_a_damaged_file_keeps_the_original_first() -> None:
    paths = default_paths()
    data = GOOD + b"junk\n"
    write_history(paths, data)
    store = HistoryStore(paths)
    store.delete([RECORDS[0].id])
    assert_quarantined(data)
    assert dumped(fresh_store().records) == dumped(RECORDS[1:])
