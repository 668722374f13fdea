"""Test 8 and the import rules: JSON and CSV round trips are exact; bad files give one message naming the field."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from companion.history import interchange
from companion.history.interchange import InterchangeError
from companion.history.records import SessionRecord, SessionStatus, StepDone, overlap_within
from companion.history.store import HistoryStore
from tests.history_support import dumped, fresh_store, make_record

TRICKY_TEXT = [
    "",
    "plain",
    "quotes \" and 'single', commas, ; semicolons",
    "line one\nline two\n\tline three, indented",
    "  leading and trailing spaces  ",
    "=SUM(A1:A2) looks like a formula",
    '=HYPERLINK("http://example.com")',
    "+SUM(1)",
    "-2 points",
    "@cmd",
    "'Tis the season",
    "'=already guarded by hand",
    "unicode: café 東京 🙂 \u2028 separator",
    "[markup] not [bold]markup[/bold]",
]


def tricky_records() -> list[SessionRecord]:
    records = [make_record(i) for i in range(9)]
    for i, text in enumerate(TRICKY_TEXT):
        title = text.replace("\n", " ").replace("\t", " ")  # a title is one line
        records.append(make_record(100 + i, notes=text, routine_title=title or "untitled"))
    start = datetime(2026, 3, 29, 1, 59, 59, 123456, tzinfo=timezone(timedelta(hours=-3, minutes=-30)))
    records.append(
        make_record(
            200,
            started_at=start,
            ended_at=start + timedelta(seconds=1),
            steps=(),
            tension_before=None,
            tension_after=None,
        )
    )
    extra = json.loads(make_record(201).model_dump_json())
    extra["heart_rate"] = [60, 61]
    extra["steps"][0]["pressure"] = "light"
    records.append(SessionRecord.model_validate(extra))
    return records


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_then_import_reproduces_every_session_exactly(fmt: str, tmp_path) -> None:
    records = tricky_records()
    source = fresh_store()
    for record in records:
        source.append(record)
    data = interchange.dump(fresh_store().records, fmt)  # type: ignore[arg-type]
    parsed = interchange.parse(data, f"export.{fmt}")
    assert dumped(parsed) == dumped(records)
    assert [r.started_at.utcoffset() for r in parsed] == [r.started_at.utcoffset() for r in records]
    # into an empty history, through the store
    other = HistoryStore(source.paths.__class__(tmp_path / "d", tmp_path / "c", tmp_path / "s"))
    result = other.import_records(parsed)
    assert len(result.added) == len(records) and result.skipped == []
    assert dumped(HistoryStore(other.paths).records) == dumped(records)
    # importing again adds nothing
    again = other.import_records(interchange.parse(data, f"export.{fmt}"))
    assert again.added == [] and len(again.skipped) == len(records)


plain_text = st.characters(blacklist_categories=("Cc", "Cs"))
"""Text a session may hold: no control characters (C0, DEL, C1), which every boundary refuses."""
step_strategy = st.builds(
    StepDone,
    area=st.sampled_from(["neck", "upper-back", "feet", "an-area-of-a-newer-version"]),
    tool=st.sampled_from(["hands", "ball"]),
    planned_seconds=st.integers(0, 3600),
    actual_seconds=st.integers(0, 3600),
)


@st.composite
def record_strategy(draw: st.DrawFn) -> SessionRecord:
    """A session that makes sense: its steps hold no more time than passed between its start and its end."""
    steps = tuple(draw(st.lists(step_strategy, max_size=4)))
    started = draw(
        st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2099, 12, 1), timezones=st.timezones())
    )
    spare = draw(st.integers(0, 10 * 3600))
    return SessionRecord(
        id=draw(st.uuids()),
        routine_id=draw(st.text(plain_text, min_size=1, max_size=20)),
        routine_title=draw(st.text(plain_text, max_size=30)),
        started_at=started,
        # Added in UTC: wall-clock arithmetic in a zone with a fold (a clock put back) could end before the start.
        ended_at=(started.astimezone(UTC) + timedelta(seconds=sum(s.actual_seconds for s in steps) + spare)).astimezone(
            started.tzinfo
        ),
        status=draw(st.sampled_from(list(SessionStatus))),
        steps=steps,
        tension_before=draw(st.none() | st.integers(0, 10)),
        tension_after=draw(st.none() | st.integers(0, 10)),
        notes=draw(st.text(st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from("\n\t"), max_size=60)),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(record_strategy(), max_size=4, unique_by=lambda r: r.id))
def test_round_trip_holds_for_generated_sessions(records: list[SessionRecord]) -> None:
    assume(overlap_within(records) is None)  # sessions sharing time are refused (tested below)
    for fmt in ("json", "csv"):
        parsed = interchange.parse(interchange.dump(records, fmt), f"x.{fmt}")  # type: ignore[arg-type]
        assert [r.model_dump(mode="json") for r in parsed] == [
            SessionRecord.model_validate_json(r.model_dump_json()).model_dump(mode="json") for r in records
        ]


def test_json_document_has_the_documented_shape() -> None:
    record = make_record(1)
    doc = json.loads(interchange.dump([record], "json"))
    assert doc["format"] == "companion-history" and doc["schema_version"] == 1
    (session,) = doc["sessions"]
    assert list(session) == [
        "id",
        "routine_id",
        "routine_title",
        "started_at",
        "ended_at",
        "status",
        "steps",
        "tension_before",
        "tension_after",
        "notes",
    ]
    assert session["started_at"] == record.started_at.isoformat() and "+05:30" in session["started_at"]
    assert list(session["steps"][0]) == ["area", "tool", "planned_seconds", "actual_seconds"]


def test_no_csv_cell_of_text_starts_as_a_spreadsheet_formula() -> None:
    """CSV injection: a title or note a spreadsheet would run (=, +, -, @, a tab) is written after a ', which import
    takes off again (the round trip above stays exact)."""
    rows = list(csv.DictReader(io.StringIO(interchange.csv_text(tricky_records()), newline="")))
    cells = [row[name] for row in rows for name in ("routine_title", "notes")]
    assert not [cell for cell in cells if cell.startswith(interchange.FORMULA_STARTS)]
    assert '\'=HYPERLINK("http://example.com")' in cells
    assert "'Tis the season" in cells  # nothing to guard: written as it is
    assert "''=already guarded by hand" in cells


def test_a_hand_written_csv_keeps_a_leading_quote_that_guards_nothing() -> None:
    assert interchange.unguarded("'Tis") == "'Tis"
    assert interchange.unguarded("'=1") == "=1"
    assert interchange.unguarded("''x") == "'x"
    assert interchange.unguarded("'") == "'"


def _at(minutes: int, length: int, number: int) -> SessionRecord:
    start = datetime(2026, 11, 30, 18, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    return make_record(number, started_at=start, ended_at=start + timedelta(minutes=length), steps=())


def test_sessions_sharing_time_are_found_and_touching_ones_are_not() -> None:
    from companion.history.records import overlap_with

    first, touching, inside = _at(0, 10, 1), _at(10, 5, 2), _at(3, 2, 3)
    assert overlap_within([first, touching]) is None  # one ends as the next begins
    assert overlap_within([touching, first, inside]) == (1, 2)
    assert overlap_with([touching, inside], [first]) == (1, first)
    long_ago = _at(-600, 500, 4)  # ends before `inside` starts, after an earlier one that reaches further
    assert overlap_with([inside], [_at(-700, 1000, 5), long_ago]) is not None
    assert overlap_with([touching], [long_ago, first]) is None


def test_an_export_with_one_session_twice_under_two_ids_is_refused_whole() -> None:
    copy = _at(0, 10, 1).model_copy(update={"id": uuid.uuid4()})
    with pytest.raises(
        InterchangeError, match=r"sessions 1 \(id .*\) and 2 \(id .*\) overlap in time \(2026-11-30 18:00"
    ):
        interchange.parse(interchange.dump([_at(0, 10, 1), copy], "json"), "x.json")


def test_csv_has_per_area_columns_for_spreadsheets() -> None:
    rows = list(csv.DictReader(io.StringIO(interchange.csv_text([make_record(1), make_record(2)]), newline="")))
    assert rows[0]["area:neck"] == str(make_record(1).seconds_per_area()["neck"])
    assert rows[0]["area:upper-back"] == "90"
    assert rows[0]["actual_seconds"] == str(make_record(1).actual_seconds)
    assert json.loads(rows[0]["steps"])[0]["area"] == "neck"


def test_csv_saved_by_a_spreadsheet_with_a_bom_and_crlf_imports() -> None:
    data = b"\xef\xbb\xbf" + interchange.csv_text([make_record(3)]).encode()
    assert dumped(interchange.parse(data, "whatever.txt")) == dumped([make_record(3)])


def test_a_history_jsonl_file_can_be_imported_too() -> None:
    store = fresh_store()
    store.append(make_record(1))
    store.append(make_record(2))
    data = store.paths.history.read_bytes()
    assert dumped(interchange.parse(data, "history.jsonl")) == dumped([make_record(1), make_record(2)])


def _doc(*sessions: object) -> bytes:
    return json.dumps({"format": "companion-history", "schema_version": 1, "sessions": list(sessions)}).encode()


def _session(number: int = 1, **changes: object) -> dict[str, object]:
    data = interchange.session_json(make_record(number))
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\xff\xfe", "not UTF-8"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"format": "other", "sessions": []}', "field 'format'"),
        (b'{"format": "companion-history", "schema_version": 1}', "field 'sessions'"),
        (b'{"format": "companion-history", "schema_version": 9, "sessions": []}', "newer version"),
        (_doc(_session(1), "text"), "session 2: expected an object"),
        (_doc(_session(1), _session(2, tension_after=12)), "field 'tension_after'"),
        (_doc(_session(3, started_at="2026-11-02T09:00:00")), "field 'started_at'"),
        (_doc(_session(4, id="not-a-uuid")), "session 1 (id not-a-uuid): field 'id'"),
        (_doc({k: v for k, v in _session(5).items() if k != "id"}), "session 1: field 'id': missing"),
        (_doc(_session(6, status="paused")), "field 'status'"),
        (_doc(_session(7, steps=[{"area": "neck"}])), "field 'steps.0.tool'"),
        (_doc(_session(8), _session(8)), "sessions 1 and 2 have the same id"),
        (b"hello,world\n1,2\n", "neither a Companion JSON export nor a CSV"),
    ],
)
def test_a_bad_file_gives_one_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(InterchangeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        interchange.parse(data, "import.json")


def _csv_with(change: dict[str, str], drop: str | None = None) -> bytes:
    text = interchange.csv_text([make_record(1), make_record(2)])
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    rows[1].update(change)
    fields = [name for name in rows[0] if name != drop]
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.mark.parametrize(
    ("change", "drop", "message"),
    [
        ({"tension_before": "eleven"}, None, "row 3 (id 00000000-0000-0000-0000-000000000003): field 'tension_before'"),
        ({"steps": "[{"}, None, "row 3 .*field 'steps': not valid JSON"),
        ({"extra": "[1]"}, None, "field 'extra'"),
        ({"status": ""}, None, "field 'status'"),
        ({}, "steps", "no 'steps' column"),
    ],
)
def test_a_bad_csv_names_the_row_and_field(change: dict[str, str], drop: str | None, message: str) -> None:
    with pytest.raises(InterchangeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        interchange.parse(_csv_with(change, drop), "import.csv")


def test_format_for_uses_the_suffix_unless_told() -> None:
    from pathlib import Path

    assert interchange.format_for(Path("a.CSV")) == "csv"
    assert interchange.format_for(Path("a.json")) == "json"
    assert interchange.format_for(Path("a")) == "json"
    assert interchange.format_for(Path("a.csv"), "json") == "json"


def test_ids_are_kept_exactly() -> None:
    record = make_record(1, id=uuid.UUID("12345678-1234-5678-1234-567812345678"))
    assert interchange.parse(interchange.dump([record], "csv"), "a.csv")[0].id == record.id


def test_a_session_across_a_clock_put_back_is_a_session() -> None:
    """New York puts its clocks back at 02:00 on 1 November 2026: 01:50 (first pass) to 01:10 (second pass) is
    20 minutes, though the wall clock went backwards."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/New_York")
    start = datetime(2026, 11, 1, 1, 50, tzinfo=zone, fold=0)
    end = datetime(2026, 11, 1, 1, 10, tzinfo=zone, fold=1)
    record = make_record(started_at=start, ended_at=end)
    assert (end.astimezone(UTC) - start.astimezone(UTC)) == timedelta(minutes=20)
    again = SessionRecord.model_validate_json(record.model_dump_json())
    # (A time in a repeated hour never equals one in another zone, PEP 495: compare them in UTC.)
    assert again.started_at.astimezone(UTC) == start.astimezone(UTC)
    assert again.ended_at.astimezone(UTC) == end.astimezone(UTC)
