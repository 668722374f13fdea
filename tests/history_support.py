"""Shared helpers for the history tests: deterministic sessions and raw history files."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from companion.disk.paths import Paths, default_paths
from companion.history.records import SessionRecord, SessionStatus, StepDone
from companion.history.store import HistoryStore

OFFSETS = (UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8)))
HEADER = b'{"format": "companion-history", "schema_version": 1}\n'


def make_record(number: int = 0, **changes: object) -> SessionRecord:
    """A valid session; ``number`` varies the id, time, offset, steps and tension."""
    start = datetime(2026, 10, 1, 8, 0, tzinfo=OFFSETS[number % 3]) + timedelta(hours=13 * number, seconds=number)
    steps = (
        StepDone(area="neck", tool="hands", planned_seconds=60, actual_seconds=60 - number % 7),
        StepDone(area="upper-back", tool="ball", planned_seconds=90, actual_seconds=90),
    )
    data: dict[str, object] = {
        "id": uuid.UUID(int=number + 1),
        "routine_id": f"routine-{number % 3}",
        "routine_title": f"Routine {number % 3}",
        "started_at": start,
        "ended_at": start + timedelta(minutes=3),
        "status": list(SessionStatus)[number % 3],
        "steps": steps,
        "tension_before": number % 11,
        "tension_after": None if number % 4 == 0 else (number + 3) % 11,
        "notes": "" if number % 2 else f'note {number}, with "quotes", commas\nand a new line',
    }
    data.update(changes)
    return SessionRecord.model_validate(data)


def record_line(record: SessionRecord) -> bytes:
    return record.model_dump_json().encode() + b"\n"


def history_bytes(records: list[SessionRecord], header: bytes = HEADER) -> bytes:
    return header + b"".join(record_line(record) for record in records)


def write_history(paths: Paths, data: bytes) -> Path:
    paths.data.mkdir(parents=True, exist_ok=True)
    paths.history.write_bytes(data)
    paths.history.chmod(0o600)
    return paths.history


def fresh_store() -> HistoryStore:
    return HistoryStore(default_paths())


def side_files(paths: Paths) -> list[Path]:
    """Everything in the data folder besides the history and the lock."""
    if not paths.data.exists():
        return []
    return sorted(p for p in paths.data.iterdir() if p.name not in ("history.jsonl", ".lock"))


def dumped(records: list[SessionRecord]) -> list[dict[str, object]]:
    """Records as JSON-able dicts: equal exactly when every field (and offset) is equal."""
    return [json.loads(record.model_dump_json()) for record in records]
