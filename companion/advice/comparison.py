"""Self-massage against professional therapy: the points people decide by and the break-even number of sessions."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from companion.advice.models import AdviceRules, ComparisonPoint
from companion.catalogue.models import TherapySource
from companion.words import count

Price = Decimal | int | float | str


def _price(value: Price | None, name: str) -> Decimal | None:
    if value is None:
        return None
    try:
        price = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{name} must be a number, not '{value}'") from None
    if not price.is_finite() or price < 0:
        raise ValueError(f"{name} must be zero or more, not '{value}'")
    return price


def break_even_sessions(device_price: Price | None, session_price: Price | None) -> int | None:
    """How many professional sessions cost as much as the device: ``device / session``, rounded up.

    ``None`` when either price is unknown or a session is free (nothing to break even against). A free device
    (your hands) breaks even at once: ``0``. Raises :class:`ValueError` for a negative or non-numeric price.
    """
    device = _price(device_price, "the device price")
    session = _price(session_price, "the session price")
    if device is None or session is None or session == 0:
        return None
    return math.ceil(device / session)


@dataclass(frozen=True)
class Comparison:
    """The comparison as the therapy guide shows it."""

    title: str
    intro: str
    points: tuple[ComparisonPoint, ...]
    summary: str
    break_even_sessions: int | None
    cost_line: str
    """The break-even sentence, or how to get one when a price is missing."""
    sources: tuple[TherapySource, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "intro": self.intro,
            "points": [point.model_dump(mode="json") for point in self.points],
            "summary": self.summary,
            "break_even_sessions": self.break_even_sessions,
            "cost_line": self.cost_line,
            "sources": [source.model_dump(mode="json") for source in self.sources],
        }

    def lines(self) -> list[str]:
        """The comparison as plain text."""
        lines = [self.title, self.intro]
        for point in self.points:
            lines += ["", f"{point.title}:", f"  Self-massage: {point.self_massage}"]
            lines.append(f"  Professional: {point.professional}")
        lines += ["", self.cost_line, "", self.summary, "", "Sources:"]
        lines += [f"  - {s.title}: {s.reference}" for s in self.sources]
        return lines


def compare(rules: AdviceRules, device_price: Price | None = None, session_price: Price | None = None) -> Comparison:
    """The comparison text from ``advice.toml`` with the break-even number for the user's own prices."""
    text = rules.comparison
    sessions = break_even_sessions(device_price, session_price)
    if sessions is None and _price(session_price, "the session price") == 0:
        cost_line = text.free_sessions
    elif sessions is None:
        cost_line = text.break_even_unknown
    elif sessions == 0:
        cost_line = text.free_tools
    else:
        cost_line = text.break_even.format(sessions=count(sessions, "session"))
    return Comparison(
        title=text.title,
        intro=text.intro,
        points=text.points,
        summary=text.summary,
        break_even_sessions=sessions,
        cost_line=cost_line,
        sources=text.sources,
    )
