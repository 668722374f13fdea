"""Every text field of the settings, from the file and from the settings screen, checked for control characters
(issue 13): a file holding one is refused with a message naming the field and set aside; text typed or pasted
into the screen is refused beside the box and never applied; text from the speech engine is shown inertly."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Input, Static

from companion.cli.entry import main
from companion.disk.paths import default_paths
from companion.run.speech import Voice
from companion.settings.user_settings import load_settings
from screens.settings import SettingsScreen, voice_options

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
HOSTILE = ["\x1b[2J", "\x1b]0;X\x07", "\u009b2J", "\u009d0;x", "a\x00b", "\x7f"]
"""Each short enough for the currency's 8 characters: only the control character can refuse it."""


def write_settings(data: dict[str, Any]) -> Path:
    paths = default_paths()
    paths.config.mkdir(parents=True, exist_ok=True)
    paths.settings.write_text(json.dumps(data), encoding="utf-8")
    return paths.settings


def text_fields(text: str) -> list[tuple[str, dict[str, Any]]]:
    """Each text field of the settings file holding ``text``, with the field's name as the message gives it."""
    return [
        ("prices.currency", {"prices": {"currency": text, "device_price": 90, "session_price": 60}}),
        ("theme", {"theme": text}),
        ("speech.voice", {"speech": {"voice": text}}),
        ("owned_tools", {"owned_tools": ["hands", text]}),
        ("limits", {"limits": {text: {"step_seconds": 30}}}),
    ]


@pytest.mark.parametrize("text", HOSTILE, ids=[ascii(t) for t in HOSTILE])
def test_a_control_character_in_any_text_field_of_the_file_is_refused_naming_the_field(text: str) -> None:
    for field, data in text_fields(text):
        path = write_settings({"bell": True, **data})
        settings, message = load_settings(default_paths())
        assert settings.bell, field  # the other fields are kept (finding 64)
        assert text not in json.dumps(settings.model_dump(mode="json"), ensure_ascii=False), field
        assert message is not None and message.isprintable(), field
        assert field in message and "could not be used" in message and "kept as" in message, (field, message)
        (kept,) = path.parent.glob("settings.json.corrupt-*")  # set aside, never deleted: the message names where
        assert str(kept) in message
        kept.unlink()


def test_the_currency_names_the_control_character_it_holds() -> None:
    write_settings({"prices": {"currency": "€\x1b[2J"}})
    _settings, message = load_settings(default_paths())
    assert message is not None and "prices.currency: contains a control character (U+001B)" in message


def test_a_theme_name_of_a_megabyte_is_refused_and_one_of_a_later_version_kept() -> None:
    write_settings({"theme": "t" * 2**19})
    _settings, message = load_settings(default_paths())
    assert message is not None and "theme" in message
    write_settings({"theme": "a-theme-of-later"})
    settings, message = load_settings(default_paths())
    assert message is None and settings.theme == "a-theme-of-later"


def test_compare_with_a_control_character_in_the_currency_says_so_and_prints_only_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_settings({"prices": {"currency": "\x1b[2J\u009b", "device_price": 90, "session_price": 60}})
    for args in (["compare"], ["compare", "--json"]):
        assert main(args) == 0
        out, err = capsys.readouterr()
        assert CONTROL.search(out.replace("\n", "")) is None and CONTROL.search(err.replace("\n", "")) is None
    write_settings({"prices": {"currency": "\x1b[2J\u009b", "device_price": 90, "session_price": 60}})
    assert main(["compare"]) == 0
    assert "prices.currency: contains a control character" in capsys.readouterr().err


def test_voice_labels_from_the_engine_are_shown_inertly() -> None:
    (_default, (label, value)) = voice_options([Voice("en-gb", "English \x1b]0;PWNED\x07 (en-gb)")], "")
    assert value == "en-gb" and CONTROL.search(label.plain) is None and "\\u001b]0;PWNED" in label.plain


@pytest.mark.parametrize("text", ["\x1b[2J", "\u009b31m"])
async def test_a_currency_pasted_with_a_control_character_is_refused_beside_the_box(
    make_app: Any, services: Any, text: str
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("comma")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        box = screen.query_one("#currency", Input)
        box.focus()
        await pilot.pause()
        box.post_message(events.Paste(text))
        await pilot.pause()
        problem = screen.query_one("#prices-problem", Static)
        assert problem.display
        assert "The currency contains a control character" in str(problem.render())
        await pilot.press("enter", "escape")  # Enter and leaving the screen apply nothing
        await pilot.pause()
        assert services.settings.prices.currency == ""
        assert "were not used" in " ".join(str(n.message) for n in app._notifications)
        path = services.paths.settings
        assert not path.exists() or json.loads(path.read_text(encoding="utf-8"))["prices"]["currency"] == ""


def test_plan_keeps_the_stricter_limits_beside_a_bad_field_and_says_a_looser_one_is_not_applied(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Finding 64: 'Thumb the sole' at 0:45 with the person's hands limit, 1:15 once a bad currency threw it away."""
    write_settings({"limits": {"hands": {"step_seconds": 45}, "massage-gun": {"step_seconds": 900}}})
    assert main(["plan", "feet-reset"]) == 0
    strict = capsys.readouterr()
    assert "Massage gun, a step: 15:00 is looser than the content's 1:00: not applied." in strict.err
    write_settings({"limits": {"hands": {"step_seconds": 45}}, "prices": {"currency": "\u0007EUR"}})
    assert main(["plan", "feet-reset"]) == 0
    out, err = capsys.readouterr()
    assert out == strict.out  # the same plan: the hands limit kept
    assert "0:45" in out and "prices.currency" in err and "the others are kept" in err
