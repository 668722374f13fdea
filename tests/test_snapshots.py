"""Snapshot tests of the key screens at 80x24 (``pytest --snapshot-update`` after an intended change)."""

from __future__ import annotations


def test_home_screen(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24))


def test_home_screen_narrow(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(60, 20))


def test_therapy_explanation(snap_compare, make_app) -> None:
    """The guide narrowed to "sciatica", showing deep tissue massage (focus on the list: no blinking cursor)."""
    assert snap_compare(make_app(), press=["t", *"sciatica", "enter"], terminal_size=(80, 24))
