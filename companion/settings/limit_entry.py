"""Stricter limits as people type them: ``45`` (seconds) or ``1:30`` (minutes and seconds); a blank means "none".

A typed limit may only make the content's limit stricter: a longer time is refused with a message that says
what the content allows and what to type instead.
"""

from __future__ import annotations

import re

from companion.catalogue.models import Catalog
from companion.settings.user_settings import Settings
from companion.words import format_seconds

_SECONDS = re.compile(r"^\d{1,5}$")
_MINUTES_SECONDS = re.compile(r"^(\d{1,4}):([0-5]\d)$")


class LimitError(ValueError):
    """A typed limit that cannot be used; the message says why and what to type instead."""


def parse_limit(text: str, name: str, content: int | None, most: int) -> int | None:
    """``text`` as seconds, or ``None`` when blank.

    ``name`` names the limit in messages ("Massage gun, a step"), ``content`` is the content's limit (``None``:
    the content sets none) and ``most`` the largest value the settings accept. Raises :class:`LimitError`.
    """
    value = text.strip()
    if not value:
        return None
    if _SECONDS.match(value):
        seconds = int(value)
    elif match := _MINUTES_SECONDS.match(value):
        seconds = int(match.group(1)) * 60 + int(match.group(2))
    else:
        raise LimitError(f"{name}: type seconds (90) or minutes:seconds (1:30), or leave it blank.")
    if seconds <= 0:
        raise LimitError(f"{name}: a limit must be at least 1 second; leave it blank to use the content's.")
    if content is not None and seconds > content:
        raise LimitError(
            f"{looser(name, seconds, content)} "
            f"Settings can only make limits stricter: type {format_seconds(content)} or less, or leave it blank."
        )
    if seconds > most:
        raise LimitError(f"{name}: type at most {format_seconds(most)}.")
    return seconds


def looser(name: str, seconds: int, content: int) -> str:
    """What is said of an own limit looser than the content's: it is not applied (the content's holds)."""
    return f"{name}: {format_seconds(seconds)} is looser than the content's {format_seconds(content)}: not applied."


LIMIT_NAMES = {"step_seconds": "a step", "area_session_seconds": "a session on one area", "area_day_seconds":
               "a day on one area"}  # fmt: skip
"""How each of the user's own limits is named for people."""


def looser_limits(settings: Settings, catalog: Catalog) -> list[str]:
    """What is said of each own limit in ``settings`` looser than the content's (a hand-edited file): not applied."""
    said = []
    for tool_id, own in settings.limits.items():
        tool = catalog.tools.get(tool_id)
        if tool is None:
            continue
        content = catalog.limit_for(tool_id, "")
        for field, words in LIMIT_NAMES.items():
            seconds, theirs = getattr(own, field), getattr(content, field)
            if seconds is not None and theirs is not None and seconds > theirs:
                said.append(looser(f"{tool.name}, {words}", seconds, theirs))
    return said


def format_limit(seconds: int | None) -> str:
    """A limit for an input box: ``1:30``; blank when not set."""
    return "" if seconds is None else format_seconds(seconds)
