"""The user's settings: look and feel, cues, breathing rhythm, stricter limits, owned tools and local prices.

Settings live in one JSON document (``Paths.settings``), replaced atomically under a lock. Loading never fails:

- no file: the defaults;
- a file that cannot be read or parsed: the defaults, a message for the user, and the file moved aside to
  ``settings.json.corrupt-<UTC time>`` (never deleted);
- a file with fields that are not valid: every valid field is kept (a bad one takes its default) and an own limit
  that cannot be read is taken at its strictest (:data:`STRICTEST_SECONDS`: never looser than the person meant);
  the file is moved aside as above, what was kept written back, and a message says so;
- a file from a newer Companion (higher ``schema_version``): every field this version understands is read, the
  rest kept as is, and :func:`save_settings` refuses to overwrite it.

Fields this version does not know (written by a newer one) survive a load and save round trip.

Settings can only make safety limits stricter: :meth:`Settings.apply_to_limit` takes the smaller of the content's
limit and the user's.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

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
    LockTimeout,
    atomic_write,
    file_lock,
    lock_path_for,
    move_aside,
    parse_json,
    read_bounded,
)
from companion.disk.paths import Paths
from companion.settings.price_entry import MAX_PRICE
from companion.words import plain_text, printable

SETTINGS_SCHEMA_VERSION = 1
"""The settings format this version writes."""

DEFAULT_THEME = "companion-calm"
THEME_NAME_LENGTH = 100
"""Longer than any theme's name (Textual's are under 20 characters); never a 1 MB string."""


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

    currency: Annotated[str, StringConstraints(max_length=8, strip_whitespace=True), AfterValidator(plain_text)] = ""
    """Currency symbol or code to show with prices, e.g. ``€`` or ``USD`` (empty: none shown)."""
    device_price: float | None = Field(default=None, ge=0, le=MAX_PRICE)
    """What the user paid (or would pay) for their massage device."""
    session_price: float | None = Field(default=None, ge=0, le=MAX_PRICE)
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
    theme: Annotated[str, StringConstraints(max_length=THEME_NAME_LENGTH), AfterValidator(plain_text)] = DEFAULT_THEME
    """Name of the Textual theme (one this version lacks is kept, and the default shown)."""
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
    own_limits_unread: bool = False
    """The settings file could not be read and may have held the user's own limits: until they check them in
    Settings and say so, every cap they have not set counts as :data:`STRICTEST_SECONDS` (never looser)."""

    def updated(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied and validated (raises ``pydantic.ValidationError`` on a bad value)."""
        data = self.model_dump()
        data.update(changes)
        return Settings.model_validate(data)

    def stricter_limit(self, tool: str) -> StricterLimit:
        """The user's limits for ``tool`` (all ``None`` when none are set)."""
        return self.limits.get(tool) or StricterLimit()

    def apply_to_limit(self, limit: EffectiveLimit) -> EffectiveLimit:
        """``limit`` made stricter by the user's limits for its tool: the smaller value wins, ``None`` = no limit.
        While their limits could not be read (:attr:`own_limits_unread`), every cap not set is the strictest."""
        own = self.stricter_limit(limit.tool)
        if self.own_limits_unread:
            own = StricterLimit.model_validate(
                {cap: STRICTEST_SECONDS if value is None else value for cap, value in own.model_dump().items()}
            )
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


STRICTEST_SECONDS = 1
"""One of the user's own limits that cannot be read is taken at its strictest, one second, so the steps it bears on
are left out rather than planned to the content's looser limit. A design choice."""


def _valid(data: dict[str, Any]) -> bool:
    try:
        Settings.model_validate(data)
    except ValidationError:
        return False
    return True


def _salvage(data: dict[str, Any]) -> tuple[Settings, bool]:
    """Settings from a file with a bad field, or from a newer one: every field that validates on its own is kept
    (inside prices, speech and breathing field by field), the others take defaults; of the user's own limits, one
    that cannot be read is taken at its strictest. Also whether one was."""
    kept: dict[str, Any] = {}
    strictest = False
    for key, value in data.items():
        if key == "limits" and isinstance(value, dict):
            kept[key], strictest = _salvage_limits(value)
        elif _valid({key: value}):
            kept[key] = value
        elif isinstance(value, dict) and key in _GROUPS:
            kept[key] = {name: item for name, item in value.items() if _valid({key: {name: item}})}
    return Settings.model_validate(kept), strictest


_GROUPS = frozenset(
    name
    for name, field in Settings.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, SettingsModel)
)
"""The settings made of fields of their own (prices, speech, breathing): salvaged field by field."""


def _salvage_limits(limits: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], bool]:
    """The user's limits per tool with every cap that cannot be read set to :data:`STRICTEST_SECONDS`: a bad value,
    and every cap not set when a name is misspelt or the entry is no table at all (some limit was meant). A tool id
    that is no id is dropped (it names no tool)."""
    caps = tuple(StricterLimit.model_fields)
    kept: dict[str, dict[str, Any]] = {}
    strictest = False
    for tool, entry in limits.items():
        if not _valid({"limits": {tool: {}}}):
            continue
        if _valid({"limits": {tool: entry}}):
            kept[tool] = entry
            continue
        given = entry if isinstance(entry, dict) else {}
        unsure = not isinstance(entry, dict) or any(name not in caps for name in given)
        own: dict[str, Any] = {}
        for cap in caps:
            if cap in given and _valid({"limits": {tool: {cap: given[cap]}}}):
                own[cap] = given[cap]
            elif cap in given or unsure:
                own[cap] = STRICTEST_SECONDS
        kept[tool] = own
        strictest = True
    return kept, strictest


def load_settings(paths: Paths, now: datetime | None = None) -> tuple[Settings, str | None]:
    """The user's settings and, when something was wrong with the file, a message saying what and where it went.

    ``now`` stamps the name of a file moved aside (defaults to the current UTC time).
    """
    path = paths.settings
    try:
        raw = read_bounded(path, MAX_SMALL_FILE_BYTES)
    except FileNotFoundError:
        return Settings(), None
    except OSError as exc:  # what it holds cannot be known: it may hold the user's own limits
        problem = f"Could not read your settings ({path}: {exc.strerror or exc})."
        return Settings(own_limits_unread=True), f"{problem} {LIMITS_UNREAD}"
    try:
        data = parse_json(raw)
        if not isinstance(data, dict):
            raise ValueError("the file does not hold a JSON object")
        version = data.get("schema_version", SETTINGS_SCHEMA_VERSION)
        if isinstance(version, int) and not isinstance(version, bool) and version > SETTINGS_SCHEMA_VERSION:
            settings, _strictest = _salvage(data)
            return settings, (
                f"Your settings were written by a newer Companion (format {version}); "
                "this version uses what it understands and will not overwrite them."
            )
        return Settings.model_validate(data), None
    except ValidationError as exc:
        settings, strictest = _salvage(data)
        return settings, _salvaged(paths, settings, strictest, _describe(exc), now)
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        problem = _describe(exc)
    moved = move_aside(path, now)
    where = f"it was kept as {moved}" if moved else "it could not be moved aside and is left as is"
    if not _may_hold_limits(raw):
        # The field's path may be a key of the file: shown inertly, as everything read from it.
        return Settings(), printable(
            f"Your settings file could not be used ({problem}); using the defaults, and {where}."
        )
    settings = Settings(own_limits_unread=True)
    if moved is not None:  # so that the next start is as strict, until the person has checked their limits
        with contextlib.suppress(OSError, NewerSettingsError, LockTimeout):
            save_settings(paths, settings)
    return settings, printable(f"Your settings file could not be used ({problem}); {where}. {LIMITS_UNREAD}")


LIMITS_UNREAD = (
    f"It held your own stricter limits, which could not be read: until you check them in Settings (Stricter "
    f"limits) and press 'My limits are right', every limit you have not set there counts as {STRICTEST_SECONDS} "
    "second, so no step can start."
)
"""Said while the user's own limits could not be read (the loader's message, the Settings screen)."""


def _may_hold_limits(raw: bytes | None) -> bool:
    """Whether an unreadable settings file may have held the user's own limits: it names them, and not as empty
    (one too large to read may hold anything)."""
    return raw is None or (b'"limits"' in raw and re.search(rb'"limits"\s*:\s*\{\s*\}', raw) is None)


def _salvaged(paths: Paths, settings: Settings, strictest: bool, problem: str, now: datetime | None) -> str:
    """Keep the file as it was, write back what was kept (so the next start keeps it too); the message."""
    moved = move_aside(paths.settings, now)
    if moved is not None:
        with contextlib.suppress(OSError, NewerSettingsError, LockTimeout):
            save_settings(paths, settings)
    where = f"the file as it was is kept as {moved}" if moved else "the file could not be moved aside and is left as is"
    stricter = (
        f"; each of your own limits that could not be read is now {STRICTEST_SECONDS} second, so the steps it "
        "bears on are left out until you set it again in Settings"
        if strictest
        else ""
    )
    return printable(f"Some of your settings could not be used ({problem}); the others are kept{stricter}; {where}.")


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
    """Write ``settings`` atomically (0600) under a lock, in place of every setting kept.

    Raises :class:`NewerSettingsError` when the file on disk (or ``settings`` itself) comes from a newer
    Companion, and :class:`companion.disk.fileio.LockTimeout` when another window holds the lock too long.
    """
    save_change(paths, SettingsChange.whole(settings), settings)


SettingField = tuple[str, ...]
"""Where one setting is: ``("theme",)``, ``("breathing", "inhale")``, ``("limits", "massage-ball", "step_seconds")``."""


@dataclass(frozen=True)
class SettingsChange:
    """Settings changed in one window, field by field (each field's place and its new value, in order). Made to
    the settings as they are on disk now, it keeps what another window set meanwhile in every other field (a
    stricter limit of theirs is never written over with an older value). ``replace``: the whole set instead."""

    fields: tuple[tuple[SettingField, Any], ...] = ()
    replace: Settings | None = None

    @classmethod
    def whole(cls, settings: Settings) -> SettingsChange:
        return cls(replace=settings)

    @classmethod
    def between(cls, before: Settings, after: Settings) -> SettingsChange:
        """The fields that differ from ``before`` to ``after`` (a limit taken away: its value ``None``)."""
        old, new = _leaves(before.model_dump(mode="json")), _leaves(after.model_dump(mode="json"))
        return cls(tuple((place, new.get(place)) for place in {**old, **new} if old.get(place) != new.get(place)))

    def then(self, later: SettingsChange) -> SettingsChange:
        """This change followed by a ``later`` one from the same window."""
        if later.replace is not None:
            return later
        if self.replace is not None:
            return SettingsChange(replace=later.applied_to(self.replace))
        return SettingsChange(self.fields + later.fields)

    @property
    def places(self) -> frozenset[SettingField]:
        """The fields this change sets (every one for a whole set)."""
        if self.replace is not None:
            return frozenset(_leaves(self.replace.model_dump(mode="json")))
        return frozenset(place for place, _value in self.fields)

    def applied_to(self, kept: Settings) -> Settings:
        """``kept`` (the settings on disk) with this change made to it; a field whose value no longer validates
        there is left as kept."""
        if self.replace is not None:
            return self.replace
        settings = kept
        for place, value in self.fields:
            data = settings.model_dump(mode="json")
            where = data
            for key in place[:-1]:
                if not isinstance(where.get(key), dict):
                    where[key] = {}
                where = where[key]
            where[place[-1]] = value
            data["limits"] = {
                tool: caps for tool, caps in data.get("limits", {}).items()
                if isinstance(caps, dict) and any(cap is not None for cap in caps.values())
            }  # fmt: skip
            with contextlib.suppress(ValidationError):
                settings = Settings.model_validate(data)
        return settings


def _leaves(data: dict[str, Any], prefix: SettingField = ()) -> dict[SettingField, Any]:
    found: dict[SettingField, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            found.update(_leaves(value, (*prefix, key)))
        else:
            found[(*prefix, key)] = value
    return found


def settings_on_disk(paths: Paths, held: Settings) -> Settings:
    """The settings as the file holds them now, read without changing the file (a field that is not valid is
    salvaged as :func:`load_settings` does: an own limit that cannot be read at its strictest). A file that cannot
    be read leaves ``held`` (this window's), with every limit not set at its strictest if it may hold limits."""
    try:
        raw = read_bounded(paths.settings, MAX_SMALL_FILE_BYTES)
    except FileNotFoundError:
        return Settings()
    except OSError:
        return held.model_copy(update={"own_limits_unread": True})
    try:
        data = parse_json(raw)
        if not isinstance(data, dict):
            raise ValueError("the file does not hold a JSON object")
        return Settings.model_validate(data)
    except ValidationError:
        return _salvage(data)[0]
    except (UnicodeDecodeError, ValueError):
        return held.model_copy(update={"own_limits_unread": True}) if _may_hold_limits(raw) else held


def save_change(paths: Paths, change: SettingsChange, held: Settings) -> Settings:
    """Make ``change`` to the settings on disk, read again under the lock (``held``, this window's, when the file
    cannot be read), and write the result atomically (0600); the settings now kept.

    Raises :class:`NewerSettingsError` when the file on disk (or the result) comes from a newer Companion, and
    :class:`companion.disk.fileio.LockTimeout` when another window holds the lock too long.
    """
    path = paths.settings
    with file_lock(lock_path_for(path)):
        on_disk = _version_on_disk(path)
        if on_disk is not None and on_disk > SETTINGS_SCHEMA_VERSION:
            raise NewerSettingsError(path, on_disk)
        settings = change.applied_to(settings_on_disk(paths, held))
        if settings.schema_version > SETTINGS_SCHEMA_VERSION:
            raise NewerSettingsError(path, settings.schema_version)
        text = json.dumps(settings.model_dump(mode="json"), indent=2, ensure_ascii=False, sort_keys=False)
        atomic_write(path, (text + "\n").encode("utf-8"))
    return settings
