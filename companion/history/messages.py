"""What the history store tells people: each message about the history file written once, plain sentences that
say what happened, where the data went and what to do."""

from __future__ import annotations

import uuid
from pathlib import Path

from companion.history import migrations

MAX_PROBLEMS_SHOWN = 5


def summarise(problems: list[str]) -> str:
    """The first few problems, and how many more."""
    shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
    more = len(problems) - MAX_PROBLEMS_SHOWN
    return shown + (f"; and {more} more" if more > 0 else "")


def too_large(path: Path, limit: int) -> str:
    return (
        f"Your history at {path} is larger than the {limit // 2**20} MiB Companion reads (20,000 sessions take "
        "about 15 MiB); it was not read, and nothing was changed or moved. Move it away to start a new history, "
        "or import it in parts."
    )


def cannot_read(path: Path, exc: OSError | None) -> str:
    """``exc`` None: permission denied."""
    if exc is None:
        return (
            f"Cannot read your history at {path}: permission denied. Nothing was changed or moved; check the "
            "file's owner and permissions."
        )
    return f"Cannot read your history at {path}: {exc.strerror or exc}. Nothing was changed or moved."


def newer_file(path: Path, version: int) -> str:
    which = (
        f"format version {version}"
        if version > migrations.current_version()
        else "some of its sessions are of a newer format"
    )
    return (
        f"Your history at {path} was written by a newer version of Companion ({which}; this one knows up to "
        f"format version {migrations.current_version()}). It is shown read-only: nothing will be changed or added "
        "to it. Update Companion to save new sessions."
    )


def left_untouched(problems: list[str]) -> str:
    return f"Some lines could not be read and were left untouched: {summarise(problems)}."


def not_repaired(path: Path, problems: list[str], exc: Exception) -> str:
    why = str(exc).rstrip(".")
    return (
        f"Your history at {path} has problems ({summarise(problems)}) that could not be repaired now: {why}. The "
        "intact sessions are shown; nothing was changed."
    )


def byte_order_mark(path: Path) -> str:
    return (
        f"Your history at {path} starts with a byte-order mark (it was probably saved by a text editor); it was "
        "read normally."
    )


def link_outside(path: Path, target: Path, folder: Path) -> str:
    return (
        f"Your history at {path} is a link to {target}, outside Companion's data folder {folder}; Companion does "
        "not write through it, so no session can be saved until it is mended; nothing was changed. Put the file "
        "itself in the data folder, or link the whole data folder instead."
    )


def empty(path: Path, copy: Path) -> str:
    return (
        f"Your history file {path} was empty; an empty file is not taken for an empty history. It was kept as "
        f"{copy}. If you have a backup of your history, import it with 'companion import FILE'."
    )


def damaged(path: Path, problems: list[str], copy: Path, sessions: int) -> str:
    return (
        f"Your history file {path} was damaged ({summarise(problems)}). The original is kept unchanged as {copy}; "
        f"sessions in use: {sessions}, every intact one."
    )


def torn(side: Path, sessions: int | None) -> str:
    """A torn last line set aside (``sessions`` None: found while saving)."""
    said = (
        f"The last line of your history was cut short (a save was interrupted); the fragment was set aside in {side}."
    )
    return said if sessions is None else f"{said} Sessions in use: {sessions}, every complete one."


def upgraded(copy: Path) -> str:
    return (
        f"Your history was upgraded to format version {migrations.current_version()}; the previous file is kept "
        f"as {copy}."
    )


def read_only(path: Path) -> str:
    return (
        f"Your history at {path} was written by a newer version of Companion; this version only reads it and "
        "changes nothing. Update Companion to save or change sessions."
    )


def write_failed(path: Path, exc: OSError) -> str:
    reason = "the disk is full" if exc.errno == 28 else (exc.strerror or str(exc))
    return (
        f"Could not save to your history at {path}: {reason}. Your earlier sessions are unchanged. Free some "
        "space or fix the problem, then try again, or export the session to a file."
    )


def overlaps(new: uuid.UUID, new_span: str, old: uuid.UUID, old_span: str) -> str:
    return (
        f"The session {new} ({new_span}) overlaps one already in your history ({old}, {old_span}): one routine "
        "runs at a time, so the two cannot both be real, and their time would count twice toward your limits."
    )


def unread_lines(path: Path, problems: list[str]) -> str:
    return f"Your history at {path} has lines that could not be read ({summarise(problems)})."
