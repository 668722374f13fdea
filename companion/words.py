"""How Companion writes numbers for people: durations (and, as they are added, plurals and money), one helper
each, used by the core, the command line and the screens alike."""

from __future__ import annotations


def format_seconds(seconds: int) -> str:
    """``m:ss`` for a duration, e.g. ``2:05``."""
    minutes, secs = divmod(max(0, int(seconds)), 60)
    return f"{minutes}:{secs:02d}"
