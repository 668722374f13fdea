"""The store shared by threads (the UI thread and its workers): ``save()`` as an upsert, nothing lost or torn."""

from __future__ import annotations

import sys
import threading
import uuid
from collections.abc import Iterator

import pytest

from companion.history.store import HistoryStore
from tests.history_support import dumped, fresh_store, make_record


def test_save_appends_a_new_session_and_replaces_a_saved_one() -> None:
    store = fresh_store()
    first, second = make_record(1), make_record(2)
    store.save(first)
    store.save(second)
    edited = first.model_copy(update={"tension_after": 2, "notes": "reflected"})
    store.save(edited)
    assert dumped(fresh_store().records) == dumped([edited, second])
    assert dumped(store.records) == dumped([edited, second])


def test_save_on_a_store_not_loaded_yet_finds_the_saved_session() -> None:
    fresh_store().save(make_record(1))
    edited = make_record(1, notes="changed in a second window")
    fresh_store().save(edited)  # must replace, not append a second line with the same id
    report = fresh_store().load()
    assert report.messages == [] and dumped(report.records) == dumped([edited])


def test_save_puts_back_a_session_deleted_in_another_window() -> None:
    mine = fresh_store()
    mine.save(make_record(1))
    fresh_store().delete([make_record(1).id])
    edited = make_record(1, notes="still mine")
    mine.save(edited)
    assert dumped(fresh_store().records) == dumped([edited])


@pytest.fixture
def busy_switching() -> Iterator[None]:
    """Switch threads very often, so that an unguarded read-then-write of the store's state interleaves."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


@pytest.mark.usefixtures("busy_switching")
def test_threads_saving_editing_and_loading_at_once_keep_every_session() -> None:
    """Three threads save and edit while a fourth loads the file again and again; then the savers add a few more
    (appends only, so nothing re-reads the file): the store's own list must still be exactly what is on disk."""
    store = fresh_store()
    per_thread, afterwards = 60, 3
    errors: list[BaseException] = []
    start, reader_done = threading.Barrier(4), threading.Barrier(4)
    savers_busy = threading.Event()
    savers_busy.set()

    def ident(worker: int, number: int) -> uuid.UUID:
        return uuid.UUID(int=(worker + 1) << 64 | number)

    def saver(worker: int) -> None:
        try:
            start.wait()
            for number in range(per_thread):
                record = make_record(number, id=ident(worker, number))
                store.save(record)
                if number % 5 == 0:
                    store.save(record.model_copy(update={"notes": f"edited by {worker}"}))
            savers_busy.clear()
            reader_done.wait()
            for number in range(per_thread, per_thread + afterwards):
                store.save(make_record(number, id=ident(worker, number)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def reader() -> None:
        try:
            start.wait()
            while savers_busy.is_set():
                store.load()
                ids = [record.id for record in store.records]
                assert len(ids) == len(set(ids))
            reader_done.wait()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=saver, args=(w,)) for w in range(3)] + [threading.Thread(target=reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    expected = {ident(w, n) for w in range(3) for n in range(per_thread + afterwards)}
    on_disk = HistoryStore(store.paths).load()
    assert on_disk.messages == []
    in_memory = [record.id for record in store.records]  # kept up to date by the writes alone, never re-read
    assert len(in_memory) == len(set(in_memory)) == len(expected)
    assert {record.id for record in on_disk.records} == expected == set(in_memory)
    assert sum(record.notes.startswith("edited by") for record in on_disk.records) == 3 * (per_thread // 5)


def test_a_load_in_another_thread_waits_for_a_save_under_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """The save's line is on disk but its session not yet in the store's list: a load from another thread at that
    moment must wait, or the session would be in the list twice (read from the file, then added by the save)."""
    import os

    store = fresh_store()
    store.save(make_record(0))  # the file exists: the save's first fsync is that of its own line
    written, go = threading.Event(), threading.Event()
    real_fsync = os.fsync
    saving_thread: list[threading.Thread] = []

    def slow_fsync(fd: int) -> None:
        real_fsync(fd)
        if threading.current_thread() in saving_thread and not written.is_set():
            written.set()
            go.wait(timeout=5)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    saver = threading.Thread(target=store.save, args=(make_record(1),))
    saving_thread.append(saver)
    loader = threading.Thread(target=store.load)
    saver.start()
    assert written.wait(timeout=5)
    loader.start()
    loader.join(timeout=0.3)
    go.set()
    saver.join()
    loader.join()
    assert [record.id for record in store.records] == [make_record(0).id, make_record(1).id]
