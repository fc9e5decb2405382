"""Threads for calls that may never return, which the program's exit does not wait for.

``concurrent.futures.ThreadPoolExecutor`` joins its threads when the interpreter exits, and
``shutdown`` cannot stop a call under way: a name lookup that a silent resolver holds (glibc
waits 5 s a server and a try, 20 s and more in all) held ``tcpmonitor check``'s exit that
long after it had said "no answer within 1 s", ``run``'s after SIGTERM, and the window's
process after it closed. Here the threads are daemons: the exit leaves them to the kernel.
Like the executor's, they are made on demand, up to a cap, and kept a while for the next call.
"""

from __future__ import annotations

import concurrent.futures
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
#: How long a thread with nothing to do waits for a call before it ends.
IDLE_S = 30.0

_Call = tuple[concurrent.futures.Future[Any], Callable[..., Any], tuple[Any, ...]]


class DaemonPool:
    """``submit`` as an executor's; at most ``max_workers`` threads, named ``name``-N."""

    def __init__(self, max_workers: int, name: str) -> None:
        self._max = max_workers
        self._name = name
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        #: Threads waiting for a call and not yet promised one by ``submit``.
        self._idle = 0
        #: Calls queued when every thread was busy: each is the next one free's, which then
        #: does not count itself idle (it did, and the pool, its threads ended, believed one
        #: still waited, handed it the next call, and made none: that call never ran).
        self._backlog = 0
        self._made = 0
        self._closed = False

    @property
    def threads(self) -> int:
        return self._threads

    def submit(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        fut: concurrent.futures.Future[T] = concurrent.futures.Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the pool is shut down")
            self._calls.put((fut, fn, args))
            if self._idle:
                self._idle -= 1  # that thread takes it: the next call is not left to wait
            elif self._threads < self._max:
                self._threads += 1
                self._made += 1
                name = f"{self._name}-{self._made}"
                threading.Thread(target=self._work, name=name, daemon=True).start()
            else:
                self._backlog += 1
        return fut

    def _work(self) -> None:
        while True:
            try:
                call = self._calls.get(timeout=IDLE_S)
            except queue.Empty:
                with self._lock:
                    if self._calls.empty():  # no call was promised to this thread meanwhile
                        self._idle -= 1
                        self._threads -= 1
                        return
                continue
            if call is None:
                return
            fut, fn, args = call
            del call  # what it returns is the caller's, not kept alive by an idle thread
            result = error = None
            if fut.set_running_or_notify_cancel():
                try:
                    result = fn(*args)
                except BaseException as exc:  # handed over, as an executor does
                    error = exc
            with self._lock:  # idle before the caller hears: its next call is this thread's
                closed = self._closed
                if closed:
                    self._threads -= 1
                elif self._backlog:
                    self._backlog -= 1  # a call waits: this thread's next
                else:
                    self._idle += 1
            if fut.running():
                if error is not None:
                    fut.set_exception(error)
                else:
                    fut.set_result(result)
            del fut, fn, args, result, error
            if closed:
                return

    def shutdown(self) -> None:
        """Cancel the calls not yet begun and let the threads end (those in a call end with
        it, or with the program)."""
        with self._lock:
            self._closed = True
            while True:
                try:
                    call = self._calls.get_nowait()
                except queue.Empty:
                    break
                if call is not None:
                    call[0].cancel()
            for _ in range(self._threads):
                self._calls.put(None)
