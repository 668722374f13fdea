"""Hostile files through the core: imports refused whole in one line, damage in the history set aside, checkpoints
no run could leave refused, links, a full disk and the umask (issue 13). Fuzzed mutations of real exports,
histories and checkpoints (Hypothesis) never raise anything but the documented error, and lose no intact session.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.catalogue.loader import load_catalog
from companion.cli.entry import main
from companion.disk.paths import Paths, default_paths
from companion.history import interchange
from companion.history.interchange import InterchangeError
from companion.history.store import HistoryStore, SaveError
from companion.run.checkpoint import load_checkpoint
from companion.words import CONTROL_CHARACTERS
from tests import hostile_corpus as corpus
from tests.history_support import dumped, fresh_store, history_bytes, make_record, side_files, write_history

CATALOG = load_catalog().catalog


# -- imports ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"), [case[1:] for case in corpus.EXPORT_CASES], ids=[c[0] for c in corpus.EXPORT_CASES]
)
def test_each_hostile_export_is_refused_whole_in_one_line_naming_session_and_field(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InterchangeError) as caught:
        interchange.parse(corpus.hostile_export(changes), "export.json", now=corpus.NOW, catalog=CATALOG)
    message = str(caught.value)
    assert "\n" not in message and message.isprintable()
    assert message.startswith("session 2 (id ")
    assert field in message


def test_the_valid_cases_import_so_the_refusals_above_are_for_the_change() -> None:
    document = corpus.export_document(corpus.base_session(1, hours_ago=3), corpus.base_session(2))
    records = interchange.parse(document, "x.json")
    assert len(records) == 2


def test_an_import_nested_without_end_is_one_message() -> None:
    with pytest.raises(InterchangeError, match="nested too deeply"):
        interchange.parse(corpus.NESTED_JSON, "deep.json")


def test_companion_import_refuses_a_hostile_file_whole_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh_store().append(make_record(1))
    before = default_paths().history.read_bytes()
    for name, changes, field in corpus.EXPORT_CASES[:8]:
        source = tmp_path / "export.json"
        source.write_bytes(corpus.hostile_export(changes))
        assert main(["import", str(source)]) == 2, name
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and field in err and "nothing was imported" in err, name
    assert default_paths().history.read_bytes() == before


def test_companion_import_refuses_a_file_too_large_before_reading_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "huge.json"
    with source.open("wb") as handle:
        handle.truncate(200 * 2**20)  # 200 MB, sparse: refused by its size alone
    assert main(["import", str(source)]) == 2
    assert "larger than 64 MiB" in capsys.readouterr().err


# -- the history file ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(corpus.bad_history_lines()))
def test_a_bad_record_in_the_history_is_set_aside_and_the_intact_ones_kept(name: str) -> None:
    paths = default_paths()
    write_history(paths, corpus.history_with([corpus.bad_history_lines()[name]]))
    report = fresh_store().load()
    assert dumped(report.records) == dumped([make_record(n) for n in range(3)])
    assert any("line 3:" in message and "damaged" in message for message in report.messages)
    assert all(message.isprintable() for message in report.messages)
    assert any(path.name.startswith("history.jsonl.corrupt-") for path in side_files(paths))
    again = fresh_store().load()  # repaired once: the next start reads a clean file
    assert again.messages == [] and dumped(again.records) == dumped(report.records)


def test_a_history_too_large_is_refused_before_reading_with_a_message() -> None:
    paths = default_paths()
    write_history(paths, b"")
    with paths.history.open("wb") as handle:
        handle.truncate(100 * 2**20)
    with pytest.raises(Exception, match="larger than the 64 MiB") as caught:
        fresh_store().load()
    assert type(caught.value).__name__ == "StorageError"
    assert side_files(paths) == []  # nothing moved


def test_a_newer_record_in_an_older_file_is_kept_as_it_is_read_only() -> None:
    paths = default_paths()
    newer = json.loads(make_record(9).model_dump_json())
    newer.update(schema_version=2, steps="a shape of a later version", tension_before={"scale": 20, "value": 14})
    data = corpus.history_with([json.dumps(newer).encode()])
    write_history(paths, data)
    store = fresh_store()
    report = store.load()
    assert report.read_only and dumped(report.records) == dumped([make_record(n) for n in range(3)])
    assert any("newer" in message for message in report.messages)
    with pytest.raises(SaveError):
        store.save(make_record(20))
    assert paths.history.read_bytes() == data and side_files(paths) == []


def test_a_failed_repair_on_a_full_disk_keeps_one_copy_however_often_it_is_tried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths = default_paths()
    data = corpus.history_with([b"not json"])
    write_history(paths, data)

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", full)
        for _ in range(3):
            report = fresh_store().load()
            assert len(report.records) == 3 and any("could not be repaired now" in m for m in report.messages)
    copies = [path for path in side_files(paths) if ".corrupt-" in path.name]
    assert len(copies) == 1 and copies[0].read_bytes() == data and paths.history.read_bytes() == data
    report = fresh_store().load()  # space again: repaired, and the one copy is the one named
    assert str(copies[0]) in " ".join(report.messages)
    assert [path for path in side_files(paths) if ".corrupt-" in path.name] == copies


# -- links and modes ----------------------------------------------------------------------------------------------


def test_a_history_linked_out_of_the_data_folder_is_never_written_through(tmp_path: Path) -> None:
    paths = default_paths()
    paths.data.mkdir(parents=True, exist_ok=True)
    victim = tmp_path / "bashrc"
    victim.write_bytes(b"export PATH=/usr/bin\n")
    paths.history.symlink_to(victim)
    store = fresh_store()
    with pytest.raises(SaveError, match="outside Companion's data folder") as caught:
        store.save(make_record(1))
    assert caught.value.record == make_record(1)
    assert victim.read_bytes() == b"export PATH=/usr/bin\n" and paths.history.is_symlink()


async def test_a_history_linked_out_of_the_data_folder_is_said_at_start_not_first_at_a_runs_end(
    tmp_path: Path,
) -> None:
    """Finding 95: the link was told only when the session of a finished run could not be saved."""
    from companion.run.clock import FakeClock
    from companion.services import build_services
    from screens.app import CompanionApp

    paths = default_paths()
    paths.data.mkdir(parents=True, exist_ok=True)
    elsewhere = tmp_path / "synced-history.jsonl"
    elsewhere.write_bytes(history_bytes([make_record(0)]))
    paths.history.symlink_to(elsewhere)
    report = fresh_store().load()
    assert len(report.records) == 1
    assert [m for m in report.messages if "outside Companion's data folder" in m and "no session can be saved" in m]
    app = CompanionApp(build_services(clock=FakeClock()))
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(60):
            await pilot.pause(0.05)
            if app.history_ready:
                break
        await pilot.pause(0.1)
        said = " ".join(str(note.message) for note in app._notifications)
        assert "outside Companion's data folder" in said
    assert elsewhere.read_bytes() == history_bytes([make_record(0)])


def test_a_history_linked_inside_the_data_folder_is_followed_and_the_target_replaced() -> None:
    paths = default_paths()
    real = paths.data / "synced" / "history.jsonl"
    real.parent.mkdir(parents=True)
    real.write_bytes(history_bytes([make_record(0)]))
    paths.history.symlink_to(real)
    store = fresh_store()
    store.save(make_record(1))  # an append
    store.save(make_record(0, notes="edited"))  # a rewrite
    store.delete([make_record(1).id])
    assert paths.history.is_symlink() and paths.history.resolve() == real.resolve()
    assert dumped(HistoryStore(paths).records) == dumped([make_record(0, notes="edited")])
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


def test_folders_are_made_0700_and_files_0600_whatever_the_umask(tmp_path: Path) -> None:
    paths = Paths(data=tmp_path / "a" / "b" / "data", config=tmp_path / "c", state=tmp_path / "s" / "t")
    old = os.umask(0)
    try:
        HistoryStore(paths).save(make_record(1))
        from companion.run.checkpoint import Checkpoint, save_checkpoint

        save_checkpoint(paths, Checkpoint.model_validate(corpus.checkpoint_data()))
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b", paths.data, tmp_path / "s", paths.state):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    for file in (paths.history, paths.lock, paths.checkpoint):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


# -- checkpoints --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(corpus.CHECKPOINT_CASES))
def test_a_checkpoint_no_run_could_leave_is_set_aside_with_a_message(name: str) -> None:
    paths = default_paths()
    paths.state.mkdir(parents=True, exist_ok=True)
    paths.checkpoint.write_bytes(corpus.CHECKPOINT_CASES[name])
    checkpoint, message = load_checkpoint(paths, corpus.NOW, CATALOG)
    assert checkpoint is None and message is not None and message.isprintable()
    assert "could not be read" in message and not paths.checkpoint.exists()


def test_a_checkpoint_a_run_could_leave_is_offered() -> None:
    paths = default_paths()
    paths.state.mkdir(parents=True, exist_ok=True)
    paths.checkpoint.write_text(json.dumps(corpus.checkpoint_data()))
    checkpoint, message = load_checkpoint(paths, corpus.NOW, CATALOG)
    assert message is None and checkpoint is not None and round(checkpoint.actual_seconds) == 120


# -- fuzzed mutations of real files -------------------------------------------------------------------------------

REAL_EXPORT = interchange.dump([make_record(n) for n in range(4)], "json")
REAL_CSV = interchange.dump([make_record(n) for n in range(4)], "csv")
REAL_CHECKPOINT = json.dumps(corpus.checkpoint_data(), indent=1).encode()


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few bytes flipped, inserted, deleted or a slice repeated (as damage or a sender would)."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(0, len(out) - 1)))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "repeat"]))
        if kind == "flip" and out:
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=8) | st.sampled_from([b"\x1b[2J", b"\xc2\x9b", b"[" * 50]))
        elif kind == "delete":
            del out[at : at + draw(st.integers(1, 16))]
        else:
            out[at:at] = out[at : at + draw(st.integers(1, 64))] * draw(st.integers(1, 4))
    return bytes(out)


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(data=mutated(REAL_EXPORT) | mutated(REAL_CSV))
def test_a_mutated_export_imports_or_is_refused_in_one_line(data: bytes) -> None:
    try:
        records = interchange.parse(data, "export.json", now=corpus.NOW, catalog=CATALOG)
    except InterchangeError as exc:
        assert "\n" not in str(exc)
    else:
        assert len(records) <= 4


@FUZZ
@given(data=mutated(REAL_CHECKPOINT))
def test_a_mutated_checkpoint_is_offered_or_set_aside_never_raises(data: bytes) -> None:
    paths = default_paths()
    paths.state.mkdir(parents=True, exist_ok=True)
    paths.checkpoint.write_bytes(data)
    checkpoint, message = load_checkpoint(paths, corpus.NOW, CATALOG)
    assert (checkpoint is None) != (message is None) or (checkpoint is None and message is None) is False
    if checkpoint is None:
        assert message is not None and message.isprintable()


@FUZZ
@given(line=st.integers(0, 4), damage=st.data())
def test_a_mutated_history_line_loses_no_other_session(line: int, damage: st.DataObject) -> None:
    records = [make_record(n) for n in range(5)]
    lines = history_bytes(records).split(b"\n")
    lines[line + 1] = damage.draw(mutated(lines[line + 1]))
    paths = default_paths()
    write_history(paths, b"\n".join(lines))
    report = fresh_store().load()
    kept = {record.id for record in report.records}
    assert {record.id for index, record in enumerate(records) if index != line} <= kept
    assert all(message.isprintable() for message in report.messages)


# -- command-line output ------------------------------------------------------------------------------------------

CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")


def test_history_output_plain_json_and_csv_never_carries_a_control_character(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Fields of a newer version are kept as they are, whatever they hold: the output still shows them inertly."""
    record = json.loads(make_record(1).model_dump_json())
    record["mood"] = "\x1b]0;PWNED\x07\x1b[2J csi \u009b2J osc \u009d0;x\u009c del \x7f rlo \u202e"
    write_history(default_paths(), history_bytes([make_record(0)]) + json.dumps(record).encode() + b"\n")
    for args in (["history"], ["history", "--json"], ["history", "--csv"]):
        assert main(args) == 0
        out, err = capsys.readouterr()
        assert CONTROL.search(out.replace("\r\n", "\n")) is None, args
        assert CONTROL.search(err) is None, args
    assert main(["history", "--json"]) == 0
    (kept,) = [session["mood"] for session in json.loads(capsys.readouterr().out)["sessions"] if "mood" in session]
    assert kept == record["mood"]  # escaped for the terminal, exact for a program
    assert main(["history", "--csv"]) == 0
    assert "\\u001b]0;PWNED" in capsys.readouterr().out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damage=st.data())
def test_a_mutated_catalogue_cache_is_used_only_when_it_still_validates(damage: st.DataObject) -> None:
    from companion.catalogue.cache import cache_path, load_catalog_cached

    cache_path().unlink(missing_ok=True)  # each example starts from the same real cache
    fresh = load_catalog_cached()
    path = cache_path()
    path.write_bytes(damage.draw(mutated(path.read_bytes())))
    result = load_catalog_cached()
    # A mutation the models accept is a catalogue like any other; most are not, and a fresh load answers.
    assert all(control is None for control in (CONTROL.search(r.title) for r in result.catalog.routines))
    assert len(result.catalog.routines) == len(fresh.catalog.routines)


def test_compare_says_when_it_sets_a_bad_settings_file_aside(capsys: pytest.CaptureFixture[str]) -> None:
    paths = default_paths()
    paths.config.mkdir(parents=True, exist_ok=True)
    paths.settings.write_bytes(b"[" * 100_000)
    assert main(["compare"]) == 0
    err = capsys.readouterr().err
    assert "settings file could not be used" in err and "nested too deeply" in err


# -- messages never dropped ---------------------------------------------------------------------------------------


def test_a_repair_on_first_use_of_the_sessions_is_kept_to_be_told_once() -> None:
    paths = default_paths()
    write_history(paths, corpus.history_with([b"not json"]))
    store = fresh_store()
    assert len(store.records) == 3  # loaded on first use: the damage is set aside...
    (copy,) = [path for path in side_files(paths) if ".corrupt-" in path.name]
    said = store.take_messages()  # ...and told, once
    assert len(said) == 1 and str(copy) in said[0] and store.take_messages() == []


def test_a_reader_that_only_needs_the_sessions_repairs_nothing() -> None:
    """The exposure and the recovery read the sessions through stores nobody shows: a repair there would be a
    message no one sees (the store that shows the history repairs it, and says so)."""
    from companion.run.done import read_exposure

    paths = default_paths()
    data = write_history(paths, corpus.history_with([b"not json"])).read_bytes()
    assert [record.id for record in fresh_store().intact_records()] == [make_record(n).id for n in range(3)]
    read_exposure(paths, corpus.NOW, timedelta(hours=1))
    assert paths.history.read_bytes() == data and side_files(paths) == []
    said = " ".join(fresh_store().load().messages)  # the store that shows them
    assert [copy for copy in side_files(paths) if str(copy) in said]


async def test_the_app_tells_of_a_repaired_history_whoever_read_it_first(isolated_home: Path) -> None:
    """Found by the fuzzed start-up: the recovery of an unfinished run (was it saved already?) repaired the history
    before the app's own load, and the app then read a clean file and said nothing."""
    from companion.run.clock import FakeClock
    from companion.services import build_services
    from screens.app import CompanionApp

    paths = default_paths()
    write_history(paths, corpus.history_with([b"null"]))
    paths.state.mkdir(parents=True, exist_ok=True)
    paths.checkpoint.write_text(json.dumps(corpus.checkpoint_data()))
    app = CompanionApp(build_services(clock=FakeClock(corpus.NOW)))
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(100):
            if app.history_ready:
                break
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        said = [str(n.message) for n in app._notifications]
    (copy,) = [path for path in side_files(paths) if ".corrupt-" in path.name]
    assert sum(str(copy) in message for message in said) == 1, said


def test_plan_repairs_nothing_and_counts_the_damaged_history_as_used_up(capsys: pytest.CaptureFixture[str]) -> None:
    """Finding 58 (and 57 b): the first reader, 'companion plan', set a torn line aside without a word, and planned
    as if its time had not been done."""
    paths = default_paths()
    data = write_history(paths, history_bytes([make_record(n) for n in range(3)])[:-30]).read_bytes()
    assert main(["plan", "feet-reset"]) == 0
    out, err = capsys.readouterr()
    said = out + err
    assert "has lines that could not be read (line 4: cut short" in said
    assert "When the session on line 4 was done cannot be read" in said
    assert "every area's daily limits count as used up" in said  # finding 57: never looser
    assert "Nothing can start until" in said
    assert paths.history.read_bytes() == data and side_files(paths) == []


def test_history_names_the_parts_set_aside_before(capsys: pytest.CaptureFixture[str]) -> None:
    paths = default_paths()
    write_history(paths, corpus.history_with([b"not json"]))
    assert main(["history"]) == 0
    first = capsys.readouterr().err
    (copy,) = [path for path in side_files(paths) if ".corrupt-" in path.name]
    assert str(copy) in first and "set aside earlier" not in first  # named once, as it is set aside
    for args in (["history"], ["history", "--json"]):
        assert main(args) == 0
        err = capsys.readouterr().err
        assert f"set aside earlier, as {copy}" in err and "companion import FILE" in err


def test_an_import_with_notes_null_is_taken_as_no_note() -> None:
    """Finding 56: 'tension_after': null was fine and 'notes': null refused the whole import."""
    session = dict(corpus.base_session(1), notes=None, tension_after=None)
    (record,) = interchange.parse(corpus.export_document(session), "export.json", now=corpus.NOW, catalog=CATALOG)
    assert record.notes == "" and record.tension_after is None


def test_a_session_in_the_history_that_no_run_could_give_is_counted_and_named(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Finding 75: a gun step on the neck (import refuses it) in the history file itself was listed without a word.
    It is kept, its time counts towards the limits (stricter, never looser), and `history` names it."""
    from companion.history.records import StepDone
    from companion.run.done import read_exposure

    paths = default_paths()
    gun = make_record(2, steps=(StepDone(area="neck", tool="massage-gun", planned_seconds=60, actual_seconds=60),))
    write_history(paths, history_bytes([make_record(1), gun]))
    assert main(["history"]) == 0
    out, err = capsys.readouterr()
    assert "a session no run could have given: Routine 2" in err and "Massage gun on Neck" in err
    assert "delete it there" in err and out.count("\n") == 4  # heading, two sessions, the total
    assert read_exposure(paths, gun.ended_at, timedelta(minutes=15)).day[("massage-gun", "neck")] == 60
    assert main(["history"]) == 0 and "no run could have given" in capsys.readouterr().err  # said each time


def test_an_import_sharing_time_with_the_run_going_on_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Finding 91: a session imported while a run went on, overlapping it, was added and never counted by that run."""
    from datetime import UTC, datetime

    from companion.run.checkpoint import claim_run, save_checkpoint
    from companion.run.clock import FakeClock
    from companion.run.engine import RoutineRun
    from companion.safety.plan import make_plan

    paths = default_paths()
    now = datetime.now(UTC)
    routine = CATALOG.routine("forearms-gun-grip")
    assert routine is not None
    clock = FakeClock(start=now - timedelta(minutes=1))
    run = RoutineRun(make_plan(routine, CATALOG), clock)
    run.start()
    clock.advance(30)
    save_checkpoint(paths, run.checkpoint())
    session = dict(
        corpus.base_session(1),
        started_at=(now - timedelta(minutes=3)).isoformat(),
        ended_at=(now + timedelta(minutes=2)).isoformat(),
    )
    source = tmp_path / "export.json"
    source.write_bytes(corpus.export_document(session))
    lock = claim_run(paths)  # the run is going on in another window
    assert lock is not None
    try:
        assert main(["import", str(source)]) == 2
        assert "overlaps the routine running now" in capsys.readouterr().err
    finally:
        lock.release()
    assert main(["import", str(source)]) == 2  # interrupted: its checkpoint waits to be recorded
    assert "overlaps the routine left unfinished" in capsys.readouterr().err
    assert HistoryStore(paths).records == []
    earlier = dict(
        session,
        started_at=(now - timedelta(hours=2)).isoformat(),
        ended_at=(now - timedelta(hours=2) + timedelta(minutes=5)).isoformat(),
    )
    source.write_bytes(corpus.export_document(earlier))
    assert main(["import", str(source)]) == 0  # a session before the run is fine
