"""The user's settings: look and feel, cues, breathing rhythm, stricter limits, owned tools and local prices.

Settings live in one JSON document (``Paths.settings``), replaced atomically under a lock. Loading never fails:

- no file: the defaults;
- a file that cannot be read or is not valid: the defaults, a message for the user, and the file moved aside to
  ``settings.json.corrupt-<UTC time>`` (never deleted);
- a file from a newer Companion (higher ``schema_version``): every field this version understands is read, the
  rest kept as is, and :func:`save_settings` refuses to overwrite it.

Fields this version does not know (written by a newer one) survive a load and save round trip.

Settings can only make safety limits stricter: :meth:`Settings.apply_to_limit` takes the smaller of the content's
limit and the user's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from companion.catalogue.models import (
    BREATH_SECONDS_MIN,
    DAY_SECONDS_MAX,
    EXHALE_SECONDS_MAX,
    INHALE_SECONDS_MAX,
    STEP_SECONDS_MAX,
    EffectiveLimit,
    Identifier,
    Routine,
)
from companion.catalogue.problems import validation_problems
from companion.disk.fileio import (
    MAX_SMALL_FILE_BYTES,
    atomic_write,
    file_lock,
    lock_path_for,
    move_aside,
    parse_json,
    read_bounded,
)
from companion.disk.paths import Paths

SETTINGS_SCHEMA_VERSION = 1
"""The settings format this version writes."""

DEFAULT_THEME = "companion-calm"


class SettingsModel(BaseModel):
    """Base for settings models: unknown keys are kept (a newer version may have written them), values frozen."""

    model_config = ConfigDict(extra="allow", frozen=True)


class Breathing(SettingsModel):
    """The breathing pacer's default rhythm (a step's own cue, when it has one, takes precedence)."""

    inhale: int = Field(default=4, ge=BREATH_SECONDS_MIN, le=INHALE_SECONDS_MAX)
    """Seconds to breathe in."""
    exhale: int = Field(default=6, ge=BREATH_SECONDS_MIN, le=EXHALE_SECONDS_MAX)
    """Seconds to breathe out."""


class StricterLimit(SettingsModel):
    """The user's own limits for one tool. They can only make the content's limits stricter, never looser.

    Unknown keys are refused (a typo such as ``step_second`` would otherwise look like a limit that holds).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    step_seconds: int | None = Field(default=None, gt=0, le=STEP_SECONDS_MAX)
    """Most seconds for one step with this tool (``None``: the content's limit)."""
    area_session_seconds: int | None = Field(default=None, gt=0, le=DAY_SECONDS_MAX)
    """Most seconds with this tool on one area in a sitting (``None``: the content's limit)."""
    area_day_seconds: int | None = Field(default=None, gt=0, le=DAY_SECONDS_MAX)
    """Most seconds with this tool on one area in any 24 hours (``None``: the content's limit)."""


class Prices(SettingsModel):
    """Local prices, used to compare self-massage with professional therapy."""

    currency: Annotated[str, StringConstraints(max_length=8, strip_whitespace=True)] = ""
    """Currency symbol or code to show with prices, e.g. ``€`` or ``USD`` (empty: none shown)."""
    device_price: float | None = Field(default=None, ge=0)
    """What the user paid (or would pay) for their massage device."""
    session_price: float | None = Field(default=None, ge=0)
    """What one professional massage session costs locally."""


ToolId = Identifier


DEFAULT_RATE = 175
"""Words a minute: espeak-ng's own default (``espeak-ng --help``: "-s ... The default is 175")."""
MIN_RATE = 80
MAX_RATE = 400
"""The speech rates allowed (espeak-ng takes 80 to 450 words a minute; a Companion design choice within that)."""
VOICE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_+./() -]{0,59}")
"""What a voice setting may hold: it goes to the speech command as one argument, and never starts with '-'."""


@dataclass(frozen=True)
class HandsFreeChoice:
    """What this session asks for on top of the settings (``companion start ID --speak --notify``)."""

    speak: bool = False
    notify: bool = False


class Speech(SettingsModel):
    """Spoken cues (see :mod:`companion.run.speech`): on or off, how fast, in which of the engine's voices."""

    enabled: bool = False
    rate: int = Field(default=DEFAULT_RATE, ge=MIN_RATE, le=MAX_RATE)
    """Words a minute."""
    voice: Annotated[str, StringConstraints(pattern=f"^(?:{VOICE_ID.pattern})?$")] = ""
    """The engine's voice id (empty: the engine's own default)."""


class Settings(SettingsModel):
    """Everything the user can set. Frozen: change it with :meth:`updated` (which validates) and save it."""

    schema_version: int = SETTINGS_SCHEMA_VERSION
    """Format of the file these settings came from; a file from a newer version is never overwritten."""
    theme: str = DEFAULT_THEME
    """Name of the Textual theme."""
    bell: bool = False
    """Ring the terminal bell at cues (step changes, the 5-second warning, the end)."""
    reduced_motion: bool = False
    """Show the breathing pacer as text instead of animating it, and skip visual flashes."""
    breathing: Breathing = Field(default_factory=Breathing)
    """The breathing rhythm used when a step has no cue of its own."""
    limits: dict[ToolId, StricterLimit] = Field(default_factory=dict)
    """Stricter limits per tool id; the plan uses the smaller of these and the content's."""
    owned_tools: tuple[ToolId, ...] = ()
    """Tool ids the user owns; empty means "not set" (every routine is offered without a mark)."""
    prices: Prices = Field(default_factory=Prices)
    """Local prices for the therapy comparison."""
    speech: Speech = Field(default_factory=Speech)
    """Spoken cues while a routine runs."""
    notifications: bool = False
    """A desktop notification at each step change and at the end."""

    def updated(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied and validated (raises ``pydantic.ValidationError`` on a bad value)."""
        data = self.model_dump()
        data.update(changes)
        return Settings.model_validate(data)

    def stricter_limit(self, tool: str) -> StricterLimit:
        """The user's limits for ``tool`` (all ``None`` when none are set)."""
        return self.limits.get(tool) or StricterLimit()

    def apply_to_limit(self, limit: EffectiveLimit) -> EffectiveLimit:
        """``limit`` made stricter by the user's limits for its tool: the smaller value wins, ``None`` = no limit."""
        own = self.stricter_limit(limit.tool)
        return limit.model_copy(
            update={
                "step_seconds": _stricter(limit.step_seconds, own.step_seconds),
                "area_session_seconds": _stricter(limit.area_session_seconds, own.area_session_seconds),
                "area_day_seconds": _stricter(limit.area_day_seconds, own.area_day_seconds),
            }
        )

    def owns(self, tool: str) -> bool:
        """Whether the user has ``tool``; always true while owned tools are not set."""
        return not self.owned_tools or tool in self.owned_tools

    def missing_tools(self, routine: Routine) -> tuple[str, ...]:
        """Tool ids ``routine`` needs that the user said they do not own (empty while owned tools are not set)."""
        return tuple(tool for tool in routine.tools if not self.owns(tool))


def _stricter(content: int | None, own: int | None) -> int | None:
    if content is None:
        return own
    if own is None:
        return content
    return min(content, own)


class NewerSettingsError(Exception):
    """The settings file was written by a newer Companion; this version does not overwrite it."""

    def __init__(self, path: Path, version: int) -> None:
        super().__init__(
            f"{path} was written by a newer Companion (settings format {version}, this version writes "
            f"{SETTINGS_SCHEMA_VERSION}); your change applies until you quit but is not saved. "
            "Update Companion to keep changes."
        )
        self.path = path


def _salvage(data: dict[str, Any]) -> Settings:
    """Settings from a newer file: every field that validates on its own is kept, the others take defaults."""
    kept: dict[str, Any] = {}
    for key, value in data.items():
        try:
            Settings.model_validate({key: value})
        except ValidationError:
            continue
        kept[key] = value
    return Settings.model_validate(kept)


def load_settings(paths: Paths, now: datetime | None = None) -> tuple[Settings, str | None]:
    """The user's settings and, when something was wrong with the file, a message saying what and where it went.

    ``now`` stamps the name of a file moved aside (defaults to the current UTC time).
    """
    path = paths.settings
    try:
        raw = read_bounded(path, MAX_SMALL_FILE_BYTES)
    except FileNotFoundError:
        return Settings(), None
    except OSError as exc:
        return Settings(), f"Could not read your settings ({path}: {exc.strerror or exc}); using the defaults."
    try:
        data = parse_json(raw)
        if not isinstance(data, dict):
            raise ValueError("the file does not hold a JSON object")
        version = data.get("schema_version", SETTINGS_SCHEMA_VERSION)
        if isinstance(version, int) and not isinstance(version, bool) and version > SETTINGS_SCHEMA_VERSION:
            settings = _salvage(data)
            return settings, (
                f"Your settings were written by a newer Companion (format {version}); "
                "this version uses what it understands and will not overwrite them."
            )
        return Settings.model_validate(data), None
    except (UnicodeDecodeError, ValueError) as exc:  # ValidationError and JSONDecodeError are ValueErrors
        problem = _describe(exc)
    moved = move_aside(path, now)
    where = f"it was kept as {moved}" if moved else "it could not be moved aside and is left as is"
    return Settings(), f"Your settings file could not be used ({problem}); using the defaults, and {where}."


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first, *others = validation_problems("settings", exc)
        more = f" and {len(others)} more" if others else ""
        return f"{first.field or 'settings'}: {first.message}{more}"
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON at line {exc.lineno}"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return str(exc)


def _version_on_disk(path: Path) -> int | None:
    try:
        data = parse_json(read_bounded(path, MAX_SMALL_FILE_BYTES))
    except (OSError, ValueError):
        return None
    version = data.get("schema_version") if isinstance(data, dict) else None
    return version if isinstance(version, int) and not isinstance(version, bool) else None


def save_settings(paths: Paths, settings: Settings) -> None:
    """Write ``settings`` atomically (0600) under a lock.

    Raises :class:`NewerSettingsError` when the file on disk (or ``settings`` itself) comes from a newer
    Companion, and :class:`companion.disk.fileio.LockTimeout` when another window holds the lock too long.
    """
    path = paths.settings
    if settings.schema_version > SETTINGS_SCHEMA_VERSION:
        raise NewerSettingsError(path, settings.schema_version)
    with file_lock(lock_path_for(path)):
        on_disk = _version_on_disk(path)
        if on_disk is not None and on_disk > SETTINGS_SCHEMA_VERSION:
            raise NewerSettingsError(path, on_disk)
        text = json.dumps(settings.model_dump(mode="json"), indent=2, ensure_ascii=False, sort_keys=False)
        atomic_write(path, (text + "\n").encode("utf-8"))
