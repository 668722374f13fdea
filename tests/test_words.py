"""Counts and money in words: one helper for the app and the command line."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from companion.words import amount, count, money, plural


def test_counts_agree_with_their_number() -> None:
    assert count(0, "step") == "0 steps"
    assert count(1, "step") == "1 step"
    assert count(2, "session") == "2 sessions"
    assert count(1, "answer") == "1 answer"
    assert plural(3, "safety limit") == "safety limits"
    assert count(2, "body area", "body areas") == "2 body areas"


@given(st.integers(min_value=0, max_value=10**6))
def test_no_count_reads_one_things_or_an_s_in_brackets(number: int) -> None:
    text = count(number, "session")
    assert "(s)" not in text
    assert text.endswith("session") == (number == 1)


def test_money_has_no_stray_decimals_and_puts_symbols_first() -> None:
    assert money(60.0, "€") == "€60"
    assert money(Decimal("89.9"), "€") == "€89.90"
    assert money(89.95, "USD") == "89.95 USD"
    assert money(150, "EUR") == "150 EUR"
    assert money(0, "") == "0"
    assert money("12.5", " £ ") == "£12.50"


@given(st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False))
def test_amount_reads_back_as_the_same_sum(value: Decimal) -> None:
    shown = amount(value)
    assert Decimal(shown) == value
    assert "." not in shown or len(shown.split(".")[1]) == 2
