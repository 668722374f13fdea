"""The comparison screen: break-even shown as you type, bad numbers explained, prices kept on Enter or leaving."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from companion.settings.user_settings import load_settings
from screens.compare import CompareScreen
from screens.home import HomeScreen
from tests.palette import run_command

SIZES = [(80, 24), (60, 20)]


def shown(app, widget_id: str) -> str:
    return str(app.screen.query_one(f"#{widget_id}", Static).render())


async def open_compare(app, pilot) -> None:
    await pilot.pause()
    await run_command(pilot, "compare self")
    assert isinstance(app.screen, CompareScreen)


async def wait_for_prices(pilot, services, device: float, session: float, currency: str = "") -> None:
    """The app saves settings in a worker: wait (bounded) until the file holds these prices."""
    for _ in range(60):
        settings, _message = load_settings(services.paths)
        prices = settings.prices
        if (prices.device_price, prices.session_price, prices.currency) == (device, session, currency):
            return
        await pilot.pause(0.05)
    raise AssertionError(f"prices {device}/{session} were not saved to {services.paths.settings}")


async def type_into(pilot, app, widget_id: str, text: str) -> None:
    app.screen.query_one(f"#{widget_id}", Input).focus()
    await pilot.pause()
    await pilot.press("ctrl+u")  # Input: delete to the start of the line
    await pilot.press(*text)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
async def test_prices_give_a_break_even_and_are_saved(make_app, services, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await open_compare(app, pilot)
        assert app.screen.query_one("#device-price", Input).has_focus
        assert "Enter the price of your device" in shown(app, "cost")
        for title in ("Cost", "Time and convenience", "What each one reaches", "Personal fit and advice", "Safety"):
            assert title in shown(app, "points")

        await pilot.press(*"89")
        await pilot.press("tab")
        await pilot.press(*"60")
        await pilot.press("tab")
        await pilot.press(*"EUR")
        await pilot.pause()
        cost = shown(app, "cost")
        assert "break-even after 2 sessions" in cost
        assert "Device 89 EUR" in cost and "one session 60 EUR" in cost
        assert "2 sessions with a professional" in cost

        await pilot.press("enter")  # Enter keeps the prices
        await wait_for_prices(pilot, services, 89.0, 60.0, "EUR")
        settings, message = load_settings(services.paths)
        assert message is None
        assert services.settings.prices == settings.prices
        # The file is in the isolated config folder, not a real home.
        assert str(services.paths.settings).startswith(str(services.paths.config))

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_saved_prices_come_back(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_compare(app, pilot)
        await type_into(pilot, app, "device-price", "300")
        await type_into(pilot, app, "session-price", "70,50")
        assert "break-even after 5 sessions" in shown(app, "cost")
        assert services.settings.prices.session_price is None  # still in the box: nothing half-typed is kept
        await pilot.press("escape")  # leaving keeps it
        await pilot.pause()
        await wait_for_prices(pilot, services, 300.0, 70.5)

    # A new app on the same folders reads them back into the inputs.
    from companion.run.clock import FakeClock
    from companion.services import build_services
    from screens.app import CompanionApp

    again = CompanionApp(build_services(services.paths, clock=FakeClock()))
    async with again.run_test(size=(80, 24)) as pilot:
        await open_compare(again, pilot)
        assert again.screen.query_one("#device-price", Input).value == "300"
        assert again.screen.query_one("#session-price", Input).value == "70.50"  # two decimals, as in the text
        assert "break-even after 5 sessions" in shown(again, "cost") and "one session 70.50" in shown(again, "cost")


async def test_a_bad_number_is_explained_and_not_saved(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_compare(app, pilot)
        await type_into(pilot, app, "device-price", "abc")
        problem = app.screen.query_one("#price-problem", Static)
        assert problem.display
        text = shown(app, "price-problem")
        assert "The device price is not a number" in text and "for example 89" in text
        assert "break-even" not in shown(app, "cost") and "Enter the price" in shown(app, "cost")
        await type_into(pilot, app, "session-price", "-5")
        assert "The session price cannot be negative" in shown(app, "price-problem")
        await pilot.pause(0.3)
        assert not services.paths.settings.exists()  # nothing saved while a number is wrong
        assert services.settings.prices.device_price is None

        await type_into(pilot, app, "device-price", "0")
        await type_into(pilot, app, "session-price", "50")
        assert not problem.display
        assert "cost nothing" in shown(app, "cost")  # a free tool breaks even at once


async def test_currency_is_shown_as_plain_text(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_compare(app, pilot)
        await type_into(pilot, app, "device-price", "10")
        await type_into(pilot, app, "session-price", "5")
        await type_into(pilot, app, "currency", "[b]x")
        assert "Device 10 [b]x" in shown(app, "cost")


async def test_prices_changed_elsewhere_show_here(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_compare(app, pilot)
        prices = {"device_price": 120.0, "session_price": 40.0, "currency": "GBP"}
        app.apply_settings(services.settings.updated(prices=prices))  # as the settings screen would
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#device-price", Input).value == "120"
        assert app.screen.query_one("#currency", Input).value == "GBP"
        assert "break-even after 3 sessions" in shown(app, "cost")
        await wait_for_prices(pilot, services, 120.0, 40.0, "GBP")
