"""How Companion writes numbers for people: durations, counts and money, one helper each, used by the core, the
command line and the screens alike; and the one rule for text from files: no control characters (refused where
text is read, shown inertly where it is written).

``format_seconds(125)`` is "2:05"; ``count(1, "step")`` is "1 step" and ``count(2, "step")`` "2 steps", never
"1 steps" or "step(s)"; ``money(60, "€")`` is "€60" and ``money(89.9, "USD")`` "89.90 USD", never "€ 60.0".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

_CENT = Decimal("0.01")


def format_seconds(seconds: int) -> str:
    """``m:ss`` for a duration, e.g. ``2:05``."""
    minutes, secs = divmod(max(0, int(seconds)), 60)
    return f"{minutes}:{secs:02d}"


def moment(when: datetime) -> str:
    """A moment in the person's local time, for "until when" messages: ``Wed 02 Dec 14:05``."""
    return when.astimezone().strftime("%a %d %b %H:%M")


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``noun`` for one, else ``many`` (by default ``noun`` + "s"): ``plural(2, "day")`` -> ``"days"``."""
    if count == 1:
        return noun
    return many if many is not None else f"{noun}s"


def count(number: int, noun: str, many: str | None = None) -> str:
    """The number and its noun: ``count(1, "session")`` -> ``"1 session"``, ``count(3, ...)`` -> ``"3 sessions"``."""
    return f"{number} {plural(number, noun, many)}"


def join_and(words: Sequence[str], conjunction: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c`` (or ``a, b or c`` with ``conjunction="or"``: a choice)."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


def amount(value: Decimal | float | int | str) -> str:
    """A sum of money without its currency: whole amounts without decimals (``60``), others with two (``89.90``)."""
    cents = Decimal(str(value)).quantize(_CENT)
    return f"{cents:f}" if cents != cents.to_integral_value() else f"{cents.to_integral_value():f}"


def money(value: Decimal | float | int | str, currency: str = "") -> str:
    """A sum with the user's currency: a symbol goes before it (``€60``), a code or word after (``60 USD``)."""
    shown = amount(value)
    currency = currency.strip()
    if not currency:
        return shown
    if len(currency) == 1 and not currency.isalnum():
        return f"{currency}{shown}"
    return f"{shown} {currency}"


CONTROL_CHARACTERS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
"""The control characters no text from a file may hold, as the body of a regular-expression class: C0 but tab and
new line, DEL, and C1 (ESC and CSI start the terminal's escape sequences; BEL, OSC...); and the bidirectional
embeddings, overrides and isolates (U+202A to U+202E, U+2066 to U+2069), which make a terminal show text in another
order than it is written (the marks U+200E and U+200F, which only tell the direction, are text)."""
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")


def control_character(text: str) -> str | None:
    """The first control character in ``text`` (tab and new line are text), or ``None``."""
    match = _CONTROL.search(text)
    return match.group() if match else None


def plain_text(value: str) -> str:
    """``value`` when it holds no control character; else ``ValueError`` naming the first (a pydantic validator
    for text read from a file or typed, so none can drive the terminal)."""
    found = control_character(value)
    if found:
        raise ValueError(f"contains a control character (U+{ord(found):04X}); remove it, text must be plain")
    return value


def printable(text: str) -> str:
    """``text`` with every control character shown as ``\\uXXXX``, so that it cannot drive a terminal."""
    return _CONTROL.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def one_line(text: str) -> str:
    """``text`` for one line of a terminal: control characters shown as ``\\uXXXX``, tabs and new lines as spaces."""
    return printable(text).replace("\t", " ").replace("\n", " ")
