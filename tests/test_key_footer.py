"""The Footer is rebuilt when the keys it shows change, and only then (``screens.widgets.key_footer``)."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from screens.widgets.key_footer import KeyFooter
from tests.advice_history import wait_until


def footer_keys(app) -> list[FooterKey]:
    return list(app.screen.query_one(KeyFooter).query(FooterKey))


def descriptions(app) -> list[str]:
    return [key.description for key in footer_keys(app) if key.description]


async def test_the_footer_follows_the_keys_and_keeps_its_keys_when_none_changed(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Start" in descriptions(app)  # Enter starts the routine highlighted in the focused list
        built = footer_keys(app)
        app.screen.refresh_bindings()  # told the bindings may have changed, though none did
        await pilot.pause()
        assert footer_keys(app) == built  # the same FooterKey widgets: nothing was rebuilt
        await pilot.press("f")  # the goal filter: Enter keeps its usual meaning there, so Start leaves the Footer
        await wait_until(pilot, lambda: "Start" not in descriptions(app))
        assert "Filter" in descriptions(app)
        await pilot.press("escape")  # filters cleared, the list focused again: Start is back
        await wait_until(pilot, lambda: "Start" in descriptions(app))
