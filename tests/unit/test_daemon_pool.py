"""The resolver's threads: made on demand, used again, never waited for at exit."""

from __future__ import annotations

import threading
import time

import pytest

from tcpmonitor_gui.core import daemon_pool
from tcpmonitor_gui.core.daemon_pool import DaemonPool


def test_calls_one_after_another_use_one_thread() -> None:
    pool = DaemonPool(4, "test-pool")
    try:
        for n in range(20):
            assert pool.submit(pow, n, 2).result(5) == n * n
        assert pool.threads == 1
    finally:
        pool.shutdown()


def test_a_call_that_never_returns_keeps_no_other_waiting() -> None:
    pool = DaemonPool(4, "test-pool")
    stuck = threading.Event()
    try:
        held = [pool.submit(stuck.wait, 30) for _ in range(3)]
        assert pool.submit(str, 7).result(5) == "7"
        assert pool.threads == 4
        assert all(not f.done() for f in held)
    finally:
        stuck.set()
        pool.shutdown()


def test_what_a_call_raises_is_handed_to_its_caller() -> None:
    pool = DaemonPool(1, "test-pool")
    try:
        with pytest.raises(ZeroDivisionError):
            pool.submit(divmod, 1, 0).result(5)
        assert pool.submit(divmod, 7, 2).result(5) == (3, 1)  # the thread lives on
    finally:
        pool.shutdown()


def test_shutdown_cancels_what_has_not_begun() -> None:
    pool = DaemonPool(1, "test-pool")
    stuck = threading.Event()
    running = pool.submit(stuck.wait, 30)
    queued = pool.submit(str, 1)
    pool.shutdown()
    assert queued.cancelled()
    stuck.set()
    assert running.result(5) is True
    with pytest.raises(RuntimeError):
        pool.submit(str, 2)


def test_a_call_after_the_threads_ended_idle_runs_though_calls_once_waited_for_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """More calls than threads: one waited in the queue for a thread to be free. The thread
    that took it had counted itself free (idle), and kept counting so: once the threads had
    ended idle, the pool believed one was still waiting, handed the next call to it, and
    made none; that call's future never completed (a lookup stuck for good)."""
    monkeypatch.setattr(daemon_pool, "IDLE_S", 0.2)
    pool = DaemonPool(2, "test-pool")
    release = threading.Event()
    try:
        first = [pool.submit(release.wait, 30) for _ in range(2)]
        queued = pool.submit(str, 3)  # waits for one of the two
        release.set()
        assert [f.result(5) for f in first] == [True, True]
        assert queued.result(5) == "3"
        deadline = time.monotonic() + 10
        while pool.threads and time.monotonic() < deadline:
            time.sleep(0.05)  # ok-sleep: waiting for the idle threads to end, with a deadline
        assert pool.threads == 0
        assert pool.submit(str, 4).result(5) == "4"
    finally:
        pool.shutdown()
