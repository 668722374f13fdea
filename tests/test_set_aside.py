"""Damaged files are set aside, never overwritten (finding 70): two repairs in the same second keep both originals,
whichever file they are (settings repaired field by field or not read at all, the checkpoint, any file through
the one helper, ``fileio.move_aside``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.disk.fileio import move_aside
from companion.disk.paths import Paths
from companion.run.checkpoint import load_checkpoint
from companion.settings.user_settings import load_settings

NOW = datetime(2026, 12, 2, 2, 31, 28, tzinfo=UTC)
STAMP = "20261202T023128Z"


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    folders = Paths(data=tmp_path / "data", config=tmp_path / "config", state=tmp_path / "state")
    for folder in (folders.data, folders.config, folders.state):
        folder.mkdir(parents=True)
    return folders


def kept(path: Path) -> dict[str, bytes]:
    """The set-aside copies beside ``path``, by name, with what each holds."""
    return {copy.name: copy.read_bytes() for copy in sorted(path.parent.glob(f"{path.name}.corrupt-*"))}


def test_two_settings_repairs_in_the_same_second_keep_both_originals(paths: Paths) -> None:
    """The tester's case: a bad currency, then within the same second a bad own limit (each repaired field by field),
    then a file that is no JSON at all."""
    bad_currency = b'{"prices": {"currency": "\\u0007EUR"}}'
    bad_limit = b'{"limits": {"hands": {"step_seconds": "abc"}}}'
    not_json = b"garbage{"
    for content in (bad_currency, bad_limit, not_json):
        paths.settings.write_bytes(content)
        _settings, message = load_settings(paths, NOW)
        assert message is not None and f"corrupt-{STAMP}" in message
    assert kept(paths.settings) == {
        f"settings.json.corrupt-{STAMP}": bad_currency,
        f"settings.json.corrupt-{STAMP}-2": bad_limit,
        f"settings.json.corrupt-{STAMP}-3": not_json,
    }


def test_two_damaged_checkpoints_in_the_same_second_keep_both(paths: Paths) -> None:
    for content in (b'{"schema_version": 1, "cut', b"[1, 2"):
        paths.checkpoint.write_bytes(content)
        checkpoint, message = load_checkpoint(paths, NOW)
        assert checkpoint is None and message is not None and "could not be read" in message
    assert list(kept(paths.checkpoint).values()) == [b'{"schema_version": 1, "cut', b"[1, 2"]
    assert not paths.checkpoint.exists()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=6))
def test_move_aside_keeps_every_original_under_its_own_name(tmp_path_factory, contents: list[bytes]) -> None:
    """However many files are set aside in one second, each keeps its bytes under a name of its own."""
    path = tmp_path_factory.mktemp("aside") / "exposure.json"
    names = []
    for content in contents:
        path.write_bytes(content)
        moved = move_aside(path, NOW)
        assert moved is not None and not path.exists()
        names.append(moved.name)
    assert len(set(names)) == len(contents)
    assert sorted(kept(path).values()) == sorted(contents)
