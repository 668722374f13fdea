"""Typing prices: what is accepted, what is refused and what the message says."""

from __future__ import annotations

from decimal import Decimal

import pytest

from companion.settings.price_entry import PriceError, format_price, parse_price


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("89", Decimal("89")),
        (" 89.90 ", Decimal("89.90")),
        ("89,5", Decimal("89.5")),
        ("0", Decimal("0")),
        ("€60", Decimal("60")),
        ("60 $", Decimal("60")),
        ("", None),
        ("   ", None),
    ],
)
def test_accepted_prices(text: str, expected: Decimal | None) -> None:
    assert parse_price(text, "session price") == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("abc", "not a number"),
        ("1,000", "not a number"),
        ("1.2.3", "not a number"),
        ("12.345", "not a number"),
        ("-5", "cannot be negative"),
        ("nan", "not a number"),
        ("1e9", "not a number"),
        ("99999999", "too large"),
    ],
)
def test_refused_prices_say_what_to_type(text: str, words: str) -> None:
    with pytest.raises(PriceError) as error:
        parse_price(text, "device price")
    assert words in str(error.value) and "device price" in str(error.value)


def test_format_price() -> None:
    assert format_price(None) == ""
    assert format_price(89.0) == "89"
    assert format_price(89.9) == "89.9"
    assert format_price(Decimal("89.95")) == "89.95"
    assert format_price(0) == "0"
