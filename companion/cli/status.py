"""``companion status [--json]``: what is running now, for status bars (tmux, waybar, polybar) and scripts.

One line of text (``idle``; ``running: Step 2 of 7 ...``; ``paused: ...``; ``interrupted: ...``) or one JSON
object. Read from the file the run replaces every second (see :mod:`companion.run.status`); never writes.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from companion.cli.options import add_json_option
from companion.cli.support import print_json
from companion.disk.paths import default_paths
from companion.run.status import RunState, StatusReport, read_status
from companion.words import format_seconds, one_line


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``status`` to the ``companion`` parser."""
    p = subparsers.add_parser(
        "status", help="what is running now: idle, or the routine, its step and the time left (for status bars)"
    )
    add_json_option(p, "one JSON object instead of a line of text")
    p.set_defaults(handler=cmd_status)


def _left(seconds: float) -> str:
    return format_seconds(int(seconds + 0.999))  # as the runner shows it: rounded up


def status_line(report: StatusReport) -> str:
    """The one-line report."""
    status = report.status
    if status is None or report.state is RunState.IDLE:
        return "idle"
    if report.state is RunState.INTERRUPTED:
        return f"interrupted: {status.routine_title}, {format_seconds(round(report.seconds_done))} done"
    return (
        f"{report.state.value}: step {status.step_number} of {status.step_count}, {status.step_title} "
        f"({status.area_name}), {_left(report.step_seconds_left)} left; "
        f"routine {_left(report.routine_seconds_left)} left"
    )


def status_json(report: StatusReport) -> dict[str, Any]:
    """The JSON report: ``state`` always; the routine, step and seconds while one runs or was interrupted."""
    status = report.status
    if status is None or report.state is RunState.IDLE:
        return {"state": RunState.IDLE.value}
    data: dict[str, Any] = {
        "state": report.state.value,
        "routine_id": status.routine_id,
        "routine_title": status.routine_title,
        "seconds_done": round(report.seconds_done, 1),
    }
    if report.state is RunState.INTERRUPTED:
        return data
    data.update(
        {
            "step": status.step_number,
            "steps": status.step_count,
            "step_title": status.step_title,
            "area": status.area,
            "area_name": status.area_name,
            "step_seconds_left": round(report.step_seconds_left, 1),
            "routine_seconds_left": round(report.routine_seconds_left, 1),
            "paused": report.state is RunState.PAUSED,
        }
    )
    return data


def cmd_status(args: argparse.Namespace) -> int:
    report = read_status(default_paths(), datetime.now(UTC))
    if args.json:
        print_json(status_json(report))
    else:
        print(one_line(status_line(report)))
    return 0
