"""Prices as people type them: ``89``, ``89.90`` or ``89,90``; a blank means "not set"."""

from __future__ import annotations

import re
from decimal import Decimal

from companion.words import amount

_PRICE = re.compile(r"^(\d+)(?:[.,](\d{1,2}))?$")
"""Digits, then at most two decimals after a point or a comma (``1,000`` is refused rather than guessed)."""

MAX_PRICE = Decimal("1000000")


class PriceError(ValueError):
    """A price that is not a plain, non-negative number; the message says what to type instead."""


def parse_price(text: str, name: str) -> Decimal | None:
    """``text`` as a price, or ``None`` when blank. Raises :class:`PriceError` naming ``name`` otherwise."""
    value = text.strip()
    for symbol in ("$", "€", "£", "¥"):  # a symbol typed with the number is harmless
        value = value.removeprefix(symbol).removesuffix(symbol).strip()
    if not value:
        return None
    if value.startswith("-"):
        raise PriceError(f"The {name} cannot be negative: type 0 or more, for example 89 or 89.90.")
    match = _PRICE.match(value)
    if match is None:
        raise PriceError(
            f"The {name} is not a number: type digits with at most two decimals, "
            "for example 89 or 89.90 (no thousands separators)."
        )
    whole, cents = match.groups()
    price = Decimal(f"{whole}.{cents or '0'}")
    if price > MAX_PRICE:
        raise PriceError(f"The {name} is too large: type at most {amount(MAX_PRICE)}.")
    return price


def format_price(value: Decimal | float | None) -> str:
    """A price for an input box, written as everywhere else (:func:`companion.words.amount`: ``89``, ``89.90``);
    blank when not set."""
    return "" if value is None else amount(value)
