"""Settings: defaults, round trip, unknown fields kept, corrupt files moved aside, newer files never overwritten."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from companion.catalogue.models import EffectiveLimit
from companion.disk.paths import Paths
from companion.settings.user_settings import (
    LIMITS_UNREAD,
    SETTINGS_SCHEMA_VERSION,
    STRICTEST_SECONDS,
    NewerSettingsError,
    Prices,
    Settings,
    StricterLimit,
    load_settings,
    save_settings,
)


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(data=tmp_path / "data", config=tmp_path / "config", state=tmp_path / "state")


def test_missing_file_gives_defaults(paths: Paths) -> None:
    settings, message = load_settings(paths)
    assert message is None
    assert settings == Settings()
    assert settings.theme == "companion-calm"
    assert settings.bell is False and settings.reduced_motion is False
    assert (settings.breathing.inhale, settings.breathing.exhale) == (4, 6)
    assert settings.owned_tools == () and settings.limits == {}
    assert settings.prices.currency == "" and settings.prices.device_price is None
    assert settings.schema_version == SETTINGS_SCHEMA_VERSION


def test_round_trip(paths: Paths) -> None:
    settings = Settings(
        theme="companion-night",
        bell=True,
        reduced_motion=True,
        limits={"massage-gun": StricterLimit(step_seconds=30, area_day_seconds=120)},
        owned_tools=("hands", "massage-ball"),
        prices=Prices(currency="€", device_price=129.0, session_price=70.5),
    ).updated(breathing={"inhale": 5, "exhale": 7})
    save_settings(paths, settings)
    loaded, message = load_settings(paths)
    assert message is None
    assert loaded == settings
    assert stat.S_IMODE(paths.settings.stat().st_mode) == 0o600


def test_unknown_fields_survive(paths: Paths) -> None:
    paths.config.mkdir(parents=True)
    data = {"schema_version": 1, "bell": True, "future_toggle": [1, 2], "prices": {"currency": "$", "tax": 0.2}}
    paths.settings.write_text(json.dumps(data))
    settings, message = load_settings(paths)
    assert message is None and settings.bell
    save_settings(paths, settings.updated(theme="other"))
    saved = json.loads(paths.settings.read_text())
    assert saved["future_toggle"] == [1, 2]
    assert saved["prices"]["tax"] == 0.2
    assert saved["theme"] == "other"


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe",
        b"[1, 2]",
    ],
)
def test_corrupt_file_gives_defaults_and_is_moved_aside(paths: Paths, content: bytes) -> None:
    paths.config.mkdir(parents=True)
    paths.settings.write_bytes(content)
    settings, message = load_settings(paths, now=datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    assert settings == Settings()
    assert message is not None and "defaults" in message
    moved = paths.config / "settings.json.corrupt-20261102T093000Z"
    assert moved.read_bytes() == content
    assert str(moved) in message
    assert not paths.settings.exists()
    # A second corrupt file in the same second gets its own name.
    paths.settings.write_bytes(content)
    load_settings(paths, now=datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    assert (paths.config / "settings.json.corrupt-20261102T093000Z-2").exists()


def test_a_bad_field_loses_only_itself_and_a_bad_limit_is_taken_at_its_strictest(paths: Paths) -> None:
    """Finding 64: a control character in the currency threw away the person's stricter limits for good."""
    paths.config.mkdir(parents=True)
    data = {
        "bell": True,
        "limits": {
            "hands": {"step_seconds": 45},
            "massage-gun": {"step_seconds": -1, "area_day_seconds": 300},
            "massage-ball": {"step_second": 30},
            "foam-roller": "a minute",
            "NOT AN ID": {"step_seconds": 10},
        },
        "prices": {"currency": "\u0007EUR", "device_price": 89},
        "speech": {"rate": 9999, "enabled": True},
    }
    content = json.dumps(data).encode()
    paths.settings.write_bytes(content)
    settings, message = load_settings(paths, now=datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    assert settings.bell and settings.prices.device_price == 89 and settings.prices.currency == ""
    assert settings.speech.enabled and settings.speech.rate == Settings().speech.rate
    limits = {tool: limit.model_dump() for tool, limit in settings.limits.items()}
    assert limits == {
        "hands": {"step_seconds": 45, "area_session_seconds": None, "area_day_seconds": None},
        "massage-gun": {"step_seconds": 1, "area_session_seconds": None, "area_day_seconds": 300},
        "massage-ball": {"step_seconds": 1, "area_session_seconds": 1, "area_day_seconds": 1},
        "foam-roller": {"step_seconds": 1, "area_session_seconds": 1, "area_day_seconds": 1},
    }
    moved = paths.config / "settings.json.corrupt-20261102T093000Z"
    assert message is not None and message.isprintable() and str(moved) in message
    assert message.startswith("Some of your settings could not be used (") and "the others are kept" in message
    assert "now 1 second" in message
    assert moved.read_bytes() == content
    assert load_settings(paths) == (settings, None)  # what was kept is written back: the next start keeps it


def test_newer_file_is_read_and_never_overwritten(paths: Paths) -> None:
    paths.config.mkdir(parents=True)
    data = {"schema_version": 99, "bell": True, "theme": 42, "new_thing": {"x": 1}}
    paths.settings.write_text(json.dumps(data))
    settings, message = load_settings(paths)
    assert message is not None and "newer" in message
    assert settings.bell is True  # understood field read
    assert settings.theme == "companion-calm"  # invalid in this version: default
    with pytest.raises(NewerSettingsError):
        save_settings(paths, settings)
    with pytest.raises(NewerSettingsError):
        save_settings(paths, Settings())
    assert json.loads(paths.settings.read_text()) == data


def test_stricter_limits_must_be_positive() -> None:
    with pytest.raises(ValidationError):
        StricterLimit(step_seconds=0)
    with pytest.raises(ValidationError):
        StricterLimit(area_day_seconds=-5)
    with pytest.raises(ValidationError):
        Settings().updated(breathing={"inhale": 1, "exhale": 6})


def _limit(step: int | None, day: int | None) -> EffectiveLimit:
    return EffectiveLimit(
        tool="massage-gun",
        area="calves",
        step_seconds=step,
        area_session_seconds=120,
        session_seconds=600,
        area_day_seconds=day,
        source="s",
        session_source="s",
        day_source="d",
    )


def test_settings_only_make_limits_stricter() -> None:
    settings = Settings(limits={"massage-gun": StricterLimit(step_seconds=30, area_day_seconds=1000)})
    applied = settings.apply_to_limit(_limit(60, 240))
    assert applied.step_seconds == 30  # stricter: taken
    assert applied.area_day_seconds == 240  # looser: ignored
    assert applied.area_session_seconds == 120 and applied.session_seconds == 600
    # Where the content has no limit, the user's applies.
    assert settings.apply_to_limit(_limit(None, None)).step_seconds == 30
    # Another tool is untouched.
    other = _limit(60, 240).model_copy(update={"tool": "hands"})
    assert settings.apply_to_limit(other) == other


def test_owns_and_missing_tools() -> None:
    from tests.catalog_fixture import make_catalog

    mixed = make_catalog().routines[0]
    assert Settings().missing_tools(mixed) == ()
    settings = Settings(owned_tools=("hands", "massage-ball"))
    assert settings.owns("hands") and not settings.owns("massage-gun")
    assert settings.missing_tools(mixed) == ("massage-gun", "electric-pad")


def test_a_torn_file_that_held_limits_keeps_every_limit_at_its_strictest_until_checked(paths: Paths) -> None:
    """Finding 72: a settings file cut short (`{"limits": {"hands": {"step_se`) gave the content's looser limits."""
    paths.config.mkdir(parents=True)
    paths.settings.write_bytes(b'{"bell": true, "limits": {"hands": {"step_se')
    settings, message = load_settings(paths, now=datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    assert settings.own_limits_unread and message is not None and LIMITS_UNREAD in message
    assert "kept as" in message and "settings.json.corrupt-20261102T093000Z" in message
    held = settings.apply_to_limit(_limit(120, 480))
    assert (held.step_seconds, held.area_session_seconds, held.area_day_seconds) == (STRICTEST_SECONDS,) * 3
    assert load_settings(paths) == (settings, None)  # written back: the next start is as strict
    checked = settings.updated(own_limits_unread=False, limits={"massage-gun": {"step_seconds": 45}})
    again = checked.apply_to_limit(_limit(120, 480))
    assert (again.step_seconds, again.area_session_seconds, again.area_day_seconds) == (45, 120, 480)


@pytest.mark.parametrize("raw", [b'{"bell": tr', b'{"limits": {}, "bell": tr', b"\xff\xfe"])
def test_a_torn_file_that_held_no_limits_gives_the_defaults(paths: Paths, raw: bytes) -> None:
    paths.config.mkdir(parents=True)
    paths.settings.write_bytes(raw)
    settings, message = load_settings(paths)
    assert settings == Settings() and message is not None and "using the defaults" in message


def test_a_settings_file_that_cannot_be_read_at_all_keeps_limits_at_their_strictest(paths: Paths) -> None:
    paths.settings.mkdir(parents=True)  # a folder where the file should be: reading it fails
    settings, message = load_settings(paths)
    assert settings.own_limits_unread and message is not None and LIMITS_UNREAD in message
