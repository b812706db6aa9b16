"""The embedded result backend: results stored from many worker threads at once all reach
their callers, and expired results leave."""

from __future__ import annotations

import sys
import threading

import pytest
from dramatiq import Message

from jobs import results
from jobs.results import NotifyingStubBackend

TEN_MINUTES_MS = 600_000


def _message(n: int) -> Message:
    return Message(queue_name="tools", actor_name="op", args=(), kwargs={}, options={},
                   message_id=f"m{n}")  # fmt: skip


@pytest.fixture
def busy_switching():
    """Threads switch as often as the interpreter allows: a race shows in one run."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def test_results_stored_by_many_threads_at_once_each_reach_their_caller(busy_switching):
    told: list[str] = []
    told_lock = threading.Lock()

    def notify(message_id: str, data: bytes) -> None:
        with told_lock:
            told.append(message_id)

    backend = NotifyingStubBackend(notify=notify, namespace="t")
    for n in range(1500):  # a busy morning's results, still fresh
        backend.store_result(_message(n), {"n": n}, TEN_MINUTES_MS)
    failures: list[BaseException] = []

    def worker(first: int) -> None:
        for n in range(first, first + 3000):
            try:
                backend.store_result(_message(n), {"n": n}, TEN_MINUTES_MS)
            except BaseException as exc:  # what Dramatiq would log, leaving the caller waiting
                failures.append(exc)

    threads = [threading.Thread(target=worker, args=(10_000 * (i + 1),)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(told) == 1500 + 6 * 3000
    assert len(backend.results) == 1500 + 6 * 3000  # none expired yet
    assert backend.get_result(_message(10_001)) == {"n": 10_001}


def test_expired_results_leave_and_a_result_stored_again_stays(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(results.time, "monotonic", lambda: clock[0])
    backend = NotifyingStubBackend(notify=lambda *_: None, namespace="t")
    backend.store_result(_message(1), "first", 1_000)
    backend.store_result(_message(2), "second", 1_000)
    clock[0] += 0.5
    backend.store_result(_message(2), "second again", 60_000)  # a later store of the same
    clock[0] += 1
    backend.store_result(_message(3), "third", 1_000)
    assert set(backend.results) == {
        backend.build_message_key(_message(2)),
        backend.build_message_key(_message(3)),
    }
    assert backend.get_result(_message(2)) == "second again"
