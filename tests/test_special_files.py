"""A pipe, socket or device where Companion expects a file never holds the start or a command (finding 102).

Opening a named pipe for reading waits for a writer; reading a device may never end. Every file Companion reads
(history, settings, today's answers, the checkpoint, the ledger of time done, the run's status, a routine file) is
opened without waiting and refused when it is not a regular file, with a message naming it. Each test here arms a
writer that, should a reader ever wait on the pipe, lets it go after a few seconds with bytes that are not valid:
a regression then fails on its message instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from companion.cli.entry import main
from companion.disk.fileio import NotRegularFile, read_bounded, read_regular
from companion.disk.paths import Paths, default_paths
from companion.history.store import HistoryStore, SaveError
from companion.run.clock import FakeClock
from companion.services import build_services
from screens.app import CompanionApp
from tests.history_support import make_record

REFUSED = "not a regular file"


def _files(paths: Paths) -> dict[str, Path]:
    return {
        "history": paths.history,
        "settings": paths.settings,
        "answers": paths.screening,
        "checkpoint": paths.checkpoint,
        "ledger": paths.state / "exposure.json",
        "status": paths.state / "run-status.json",
        "routine": paths.routines / "mine.toml",
    }


def _release_later(fifo: Path, stop: threading.Event) -> None:
    """Should anything open ``fifo`` and wait, give it a writer (and nonsense) after a few seconds."""
    if stop.wait(5):
        return
    with contextlib.suppress(OSError):
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.write(fd, b"\x00nonsense")
        os.close(fd)


@contextlib.contextmanager
def pipe_at(path: Path) -> Iterator[Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path, 0o600)
    stop = threading.Event()
    releaser = threading.Thread(target=_release_later, args=(path, stop), daemon=True)
    releaser.start()
    try:
        yield path
    finally:
        stop.set()
        releaser.join()


@pytest.mark.parametrize("reader", [read_regular, lambda path: read_bounded(path, 1024)])
def test_a_pipe_is_refused_without_waiting_and_a_device_without_reading(tmp_path: Path, reader) -> None:
    with pipe_at(tmp_path / "pipe") as fifo, pytest.raises(NotRegularFile) as refused:
        reader(fifo)
    assert REFUSED in str(refused.value) and str(fifo) in str(refused.value)
    with pytest.raises(NotRegularFile):
        reader(Path("/dev/zero"))
    (tmp_path / "file").write_bytes(b"ok")
    os.symlink(tmp_path / "file", tmp_path / "link")
    assert reader(tmp_path / "link") == b"ok"  # a symlink to a file is a file


@pytest.mark.parametrize("which", ["history", "settings", "answers", "checkpoint", "ledger", "status", "routine"])
async def test_the_app_starts_over_a_pipe_and_names_it(which: str) -> None:
    paths = default_paths()
    with pipe_at(_files(paths)[which]) as fifo:
        app = CompanionApp(build_services(clock=FakeClock(datetime.now(UTC))))
        told = which in ("history", "settings", "checkpoint", "routine")  # answers are read by the flow
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(60 if told else 1):
                await pilot.pause(0.05)
                said = " ".join(str(note.message) for note in app._notifications)
                if REFUSED in said:
                    break
            if told:
                assert REFUSED in said and fifo.name in said, said
            await pilot.press("h")  # the views still open over what could be read
            await pilot.pause(0.2)
            assert type(app.screen).__name__ == "HistoryScreen"
        assert app.return_code in (None, 0)


@pytest.mark.parametrize("which", ["history", "answers", "checkpoint", "ledger", "routine"])
def test_commands_over_a_pipe_say_so_and_end(which: str, capsys: pytest.CaptureFixture[str]) -> None:
    paths = default_paths()
    with pipe_at(_files(paths)[which]):
        for command in (["history"], ["advice"], ["status"], ["plan", "feet-reset"]):
            main(command)
        out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    if which != "ledger":  # the ledger's refusal is said by the plan as "could not be read"
        assert REFUSED in text, text
    else:
        assert "could not be read" in text, text


def test_validate_names_a_pipe_and_goes_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fine = tmp_path / "fine.toml"
    fine.write_text((Path(__file__).parent.parent / "docs" / "example-routine.toml").read_text(), encoding="utf-8")
    with pipe_at(tmp_path / "pipe.toml") as fifo:
        assert main(["validate", str(fifo), str(fine)]) == 1
        out = capsys.readouterr()
    assert REFUSED in out.out + out.err and "fine.toml" in out.out + out.err


def test_a_session_saved_to_a_pipe_is_refused_with_the_session_kept() -> None:
    """The history path a pipe (a careless link, a test harness): the append is refused and the session handed
    back with the error, for the app to keep it, never written into the pipe."""
    paths = default_paths()
    with pipe_at(paths.history):
        store = HistoryStore(paths)
        record = make_record(1)
        with pytest.raises(SaveError) as refused:
            store.append(record)
    assert REFUSED in str(refused.value)
    assert refused.value.record == record
