"""The catalogue cache: the same catalogue as a fresh load, rebuilt whenever an input changes, never trusted
when damaged."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import companion.advice.loader as advice_loader
import companion.catalogue.cache as cache
from companion.advice.loader import load_advice, load_advice_cached
from companion.catalogue.cache import cache_path, load_catalog_cached
from companion.catalogue.loader import BUNDLED_ROOT, load_catalog

USER_ROUTINE = Path(__file__).resolve().parent.parent / "docs" / "example-routine.toml"


def test_cached_catalogue_equals_a_fresh_load_and_is_served_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = tmp_path / "routines"
    user.mkdir()
    shutil.copy(USER_ROUTINE, user / "mine.toml")
    first = load_catalog_cached(user_routines=user)
    assert first.catalog == load_catalog(user_routines=user).catalog
    assert cache_path().is_file()
    assert cache_path().stat().st_mode & 0o777 == 0o600

    def no_load(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cache should have answered")

    monkeypatch.setattr(cache, "load_catalog", no_load)
    again = load_catalog_cached(user_routines=user)
    assert again.catalog == first.catalog
    assert any(r.source == "user" for r in again.catalog.routines)


def test_a_changed_user_file_is_loaded_afresh(tmp_path: Path) -> None:
    user = tmp_path / "routines"
    user.mkdir()
    load_catalog_cached(user_routines=user)
    target = user / "mine.toml"
    shutil.copy(USER_ROUTINE, target)
    with_file = load_catalog_cached(user_routines=user)
    assert any(r.source == "user" for r in with_file.catalog.routines)
    target.write_text(target.read_text().replace("seconds = ", "seconds = 9"), encoding="utf-8")
    os.utime(target, ns=(1, 1))
    broken = load_catalog_cached(user_routines=user)
    assert not any(r.source == "user" for r in broken.catalog.routines)
    assert broken.user_problems


@pytest.mark.parametrize("damage", [b"", b"not a key\n", b"garbage", None])
def test_a_damaged_or_stale_cache_is_ignored_and_replaced(damage: bytes | None) -> None:
    fresh = load_catalog_cached()
    path = cache_path()
    key_line = path.read_bytes().split(b"\n", 1)[0]
    path.write_bytes(key_line + b"\nnot a pickle" if damage is None else damage)
    assert load_catalog_cached().catalog == fresh.catalog
    assert path.read_bytes().startswith(key_line + b"\n")
    assert len(path.read_bytes()) > len(key_line) + 20


def test_advice_rules_come_from_the_cache_until_advice_toml_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "content"
    shutil.copytree(BUNDLED_ROOT, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    first = load_advice_cached(root)
    assert first == load_advice(root)
    assert cache_path("advice").stat().st_mode & 0o777 == 0o600

    def no_load(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cache should have answered")

    with monkeypatch.context() as patch:
        patch.setattr(advice_loader, "load_advice", no_load)
        assert load_advice_cached(root) == first
    advice = root / "advice.toml"
    advice.write_text(advice.read_text().replace('reference = "', 'reference = "changed ', 1))
    changed = load_advice_cached(root)
    assert changed != first
    assert changed == load_advice(root)


def test_a_damaged_advice_cache_is_ignored_and_replaced() -> None:
    fresh = load_advice_cached()
    cache_path("advice").write_bytes(b"garbage")
    assert load_advice_cached() == fresh
    assert cache_path("advice").read_bytes() != b"garbage"


def _planted_pickle(marker: Path) -> bytes:
    """A pickle that, if ever unpickled, would create ``marker`` (as a planted cache once ran a command)."""
    import pickle

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    return pickle.dumps(Payload())


def test_a_planted_pickle_behind_the_right_key_is_never_run(tmp_path: Path) -> None:
    fresh = load_catalog_cached()
    path = cache_path()
    key = path.read_bytes().split(b" ", 1)[0].decode()
    marker = tmp_path / "ran"
    body = _planted_pickle(marker)
    for name in (path, path.with_name("catalog-v1.pickle")):  # the new file and the old format's
        name.write_bytes(cache._head(key, body) + b"\n" + body)  # even behind the right key and digest
    assert load_catalog_cached().catalog == fresh.catalog
    assert not marker.exists()


def test_flipped_bytes_in_the_cache_are_ignored(tmp_path: Path) -> None:
    fresh = load_catalog_cached()
    path = cache_path()
    data = bytearray(path.read_bytes())
    for at in range(len(data) // 3, len(data), len(data) // 7):
        data[at] ^= 0x5A
    path.write_bytes(bytes(data))
    assert load_catalog_cached().catalog == fresh.catalog


def test_a_cache_that_validates_as_json_but_not_as_a_catalogue_is_ignored() -> None:
    fresh = load_catalog_cached()
    path = cache_path()
    text = path.read_text(encoding="utf-8")
    title = fresh.catalog.routines[0].title
    path.write_text(text.replace(f'"{title}"', '"\\u001b]0;PWNED\\u0007"', 1), encoding="utf-8")
    result = load_catalog_cached()
    assert result.catalog == fresh.catalog and result.catalog.routines[0].title == title


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file away needs root")
def test_a_cache_file_or_folder_of_another_user_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = load_catalog_cached()
    path = cache_path()

    def no_load(*args: object, **kwargs: object) -> object:
        return fresh  # a fresh load answers: the cache was not trusted

    loads: list[int] = []
    monkeypatch.setattr(cache, "load_catalog", lambda *a, **k: loads.append(1) or no_load())
    os.chown(path, 12345, -1)
    load_catalog_cached()
    assert loads == [1]
    os.chown(path, os.getuid(), -1)
    os.chown(path.parent, 12345, -1)
    load_catalog_cached()
    assert loads == [1, 1]
    os.chown(path.parent, os.getuid(), -1)
    path.parent.chmod(0o777)
    load_catalog_cached()
    assert loads == [1, 1, 1]


def test_the_key_holds_the_models_fingerprint(monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache.cache_key(BUNDLED_ROOT, None)
    monkeypatch.setattr(cache, "models_fingerprint", lambda: "another shape of the models")
    assert cache.cache_key(BUNDLED_ROOT, None) != before


def test_cache_folders_are_0700_and_files_0600_whatever_the_umask() -> None:
    old = os.umask(0)
    try:
        load_catalog_cached()
    finally:
        os.umask(old)
    assert cache_path().stat().st_mode & 0o777 == 0o600
    assert cache_path().parent.stat().st_mode & 0o777 == 0o700
