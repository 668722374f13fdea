"""Typing prices: what is accepted, what is refused and what the message says."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.settings.price_entry import MAX_PRICE, PriceError, format_price, parse_price
from companion.words import money


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
    assert format_price(89.9) == "89.90"  # as money() writes it everywhere, never "89.9"
    assert format_price(Decimal("89.95")) == "89.95"
    assert format_price(0) == "0"


def test_the_largest_price_is_said_as_it_can_be_typed() -> None:
    with pytest.raises(PriceError) as error:
        parse_price("99999999", "device price")
    assert "type at most 1000000." in str(error.value)  # no thousands separator: the box refuses them


@given(st.decimals(min_value=0, max_value=MAX_PRICE, places=2, allow_nan=False, allow_infinity=False))
def test_a_price_in_its_box_reads_back_as_itself_and_as_money_writes_it(price: Decimal) -> None:
    shown = format_price(price)
    assert shown == money(price) and parse_price(shown, "device price") == price
