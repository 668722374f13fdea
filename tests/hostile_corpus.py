"""A corpus of hostile files: each case of issue 13 (and a few more), as the bytes a careless or hostile sender
would hand over. Used by the import, start-up and view tests; see ``test_hostile_files.py``.

Each export case is ``(name, session changes, the field the refusal must name)``; the sessions start from a real
one (``tests.history_support.make_record``), so everything but the change is valid.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.history_support import HEADER, make_record

NOW = datetime.now(UTC)
"""Imports are checked against the real clock: every case is relative to it."""


def base_session(number: int = 1, hours_ago: float = 1) -> dict[str, Any]:
    """A valid session, as a JSON object, that started ``hours_ago`` (an hour unless told)."""
    from companion.history.interchange import session_json

    start = NOW - timedelta(hours=hours_ago)
    data = session_json(make_record(number, started_at=start, ended_at=start + timedelta(minutes=10)))
    data["steps"] = [{"area": "neck", "tool": "hands", "planned_seconds": 60, "actual_seconds": 60}]
    return data


def _steps(seconds: int, *, tool: str = "hands", area: str = "neck", count: int = 1) -> list[dict[str, Any]]:
    return [{"area": area, "tool": tool, "planned_seconds": 60, "actual_seconds": seconds} for _ in range(count)]


TEN_HOURS_LATER = (NOW - timedelta(hours=1) + timedelta(hours=11)).isoformat()

EXPORT_CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "year 9999 east of UTC",
        {"started_at": "9999-12-31T23:00:00+05:00", "ended_at": "9999-12-31T23:30:00+05:00"},
        "started_at",
    ),
    ("before 2000", {"started_at": "1999-12-31T23:00:00+00:00"}, "started_at"),
    ("no time zone", {"started_at": "2026-11-02T09:00:00"}, "started_at"),
    (
        "a week ahead",
        {
            "started_at": (NOW + timedelta(days=7)).isoformat(),
            "ended_at": (NOW + timedelta(days=7, minutes=5)).isoformat(),
        },
        "started_at",
    ),
    ("end before start", {"ended_at": (NOW - timedelta(hours=2)).isoformat()}, "ended_at"),
    (
        "36,000 s of massage gun on the neck",
        {"ended_at": TEN_HOURS_LATER, "steps": _steps(7200, tool="massage-gun", count=5)},
        "steps",
    ),
    ("a massage gun on the neck", {"steps": _steps(60, tool="massage-gun")}, "steps"),
    (
        "36,000 s inside a five-minute window",
        {"ended_at": (NOW - timedelta(minutes=55)).isoformat(), "steps": _steps(7200, count=5)},
        "steps",
    ),
    ("10^30 seconds", {"steps": _steps(10**30)}, "steps.0.actual_seconds"),
    ("negative seconds", {"steps": _steps(-5)}, "steps.0.actual_seconds"),
    ("200,000 steps", {"steps": _steps(0, count=200_000)}, "larger than"),
    ("201 steps", {"steps": _steps(0, count=201)}, "steps"),
    ("tension true", {"tension_before": True}, "tension_before"),
    ("tension 6.0", {"tension_after": 6.5}, "tension_after"),
    (
        "seconds as a string",
        {"steps": [{"area": "neck", "tool": "hands", "planned_seconds": "60", "actual_seconds": 60}]},
        "steps.0.planned_seconds",
    ),
    ("a 10 MB unknown field", {"padding": "x" * 10_000_000}, "larger than"),
    ("a 2 MB note", {"notes": "n" * 2_000_000}, "larger than"),
    ("a 20,000 character note", {"notes": "n" * 20_000}, "notes"),
    ("a long title", {"routine_title": "t" * 500}, "routine_title"),
    ("an escape sequence in the title", {"routine_title": "\x1b]0;PWNED\x07\x1b[2J"}, "routine_title"),
    ("C1 controls in the title", {"routine_title": "csi \u009b2J osc \u009d0;x\u009c"}, "routine_title"),
    ("an escape sequence in the notes", {"notes": "fine\n\x1b[31mred"}, "notes"),
    ("a right-to-left override in the notes", {"notes": "bidi \u202eevil\u202c zw\u200b"}, "notes"),
    ("a bidirectional isolate in the title", {"routine_title": "\u2067title\u2069"}, "routine_title"),
    ("an escape sequence as an area", {"steps": _steps(60, area="neck\x1b[2J")}, "steps.0.area"),
    ("schema_version true", {"schema_version": True}, "schema_version"),
]
"""Every one must be refused whole, in one line naming the session and the field (or the reason)."""


def export_document(*sessions: dict[str, Any]) -> bytes:
    return json.dumps({"format": "companion-history", "schema_version": 1, "sessions": list(sessions)}).encode()


def hostile_export(changes: dict[str, Any]) -> bytes:
    """A valid session, then the hostile one (so a refusal must be whole: the first is not imported either)."""
    bad = base_session(2)
    bad.update(changes)
    return export_document(base_session(1, hours_ago=3), bad)  # earlier: two sessions cannot share time


NESTED_JSON = (
    b'{"format": "companion-history", "schema_version": 1, "sessions": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
)
NESTED_TOML = b"id = 'deep'\nsteps = " + b"[" * 600 + b"]" * 600 + b"\n"
"""A 1.2 KB routine file of 600 nested arrays (the parser recursed until Python gave up)."""


def history_with(lines: list[bytes]) -> bytes:
    """A history file of valid sessions with ``lines`` among them (each without its end of line)."""
    good = [make_record(number).model_dump_json().encode() for number in range(3)]
    return HEADER + b"\n".join([good[0], *lines, good[1], good[2]]) + b"\n"


def bad_history_lines() -> dict[str, bytes]:
    """Lines a history file may hold that are no session: each must be set aside, never crash a view."""
    record = base_session(7)
    lines: dict[str, bytes] = {}
    for name, changes, _field in EXPORT_CASES:
        if name in ("a week ahead", "36,000 s of massage gun on the neck", "a massage gun on the neck"):
            # Checked where the clock and the catalogue are known (an import, a recovery): the history file keeps
            # a session a wrong clock dated ahead, and its time counts against the limits (the plan only stricter).
            continue
        data = dict(record, **changes)
        data["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
        lines[name] = json.dumps(data).encode()
    lines["nested 100,000 deep"] = b"[" * 100_000 + b"]" * 100_000
    lines["a line of 3 MB"] = b'{"id": "' + b"x" * 3_000_000 + b'"}'
    return lines


def checkpoint_data(**changes: Any) -> dict[str, Any]:
    """A valid checkpoint (started 3 minutes ago, saved now), as JSON data."""
    data: dict[str, Any] = {
        "schema_version": 1,
        "session_id": str(uuid.UUID(int=77)),
        "routine_id": "neck-shoulders-desk",
        "routine_title": "Neck and shoulders at the desk",
        "started_at": (NOW - timedelta(minutes=3)).isoformat(),
        "saved_at": NOW.isoformat(),
        "steps": [
            {"title": "Warm up", "area": "neck", "tool": "hands", "planned_seconds": 90, "actual_seconds": 90.0},
            {"title": "Knead", "area": "shoulders", "tool": "hands", "planned_seconds": 90, "actual_seconds": 30.5},
        ],
        "current_index": 1,
        "paused": False,
        "tension_before": 6,
    }
    data.update(changes)
    return data


def _step_seconds(*seconds: object) -> list[dict[str, Any]]:
    return [
        {"title": f"Step {n}", "area": "neck", "tool": "hands", "planned_seconds": 90, "actual_seconds": value}
        for n, value in enumerate(seconds)
    ]


CHECKPOINT_CASES: dict[str, bytes] = {
    "actual_seconds Infinity": json.dumps(checkpoint_data(steps=_step_seconds(float("inf")), current_index=0)).encode(),
    "actual_seconds NaN": json.dumps(checkpoint_data(steps=_step_seconds(float("nan")), current_index=0)).encode(),
    "two steps of 1e308": json.dumps(checkpoint_data(steps=_step_seconds(1e308, 1e308))).encode(),
    "10^12 s": json.dumps(checkpoint_data(steps=_step_seconds(1e12), current_index=0)).encode(),
    "36,000 s when three minutes passed": json.dumps(checkpoint_data(steps=_step_seconds(3600.0) * 10)).encode(),
    "saved before it started": json.dumps(checkpoint_data(saved_at=(NOW - timedelta(hours=1)).isoformat())).encode(),
    "step under way past the last": json.dumps(checkpoint_data(current_index=5)).encode(),
    "paused as a number": json.dumps(checkpoint_data(paused=1)).encode(),
    "year 9999": json.dumps(
        checkpoint_data(started_at="9999-12-31T23:00:00+05:00", saved_at="9999-12-31T23:05:00+05:00")
    ).encode(),
    "an escape sequence in the title": json.dumps(checkpoint_data(routine_title="\x1b]0;PWNED\x07")).encode(),
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "not UTF-8": b"\xff\xfe\x00garbage",
    "a 1 MB file": b'{"pad": "' + b"x" * 2**20 + b'"}',
    "a JSON list": b"[1, 2, 3]",
}
"""Checkpoints no run can have left: each is set aside with a message, never offered for recording."""
