"""A daemon thread that owns one asyncio loop, and a thread-safe connection counter.

The lab's proxy and servers must behave like independent peers of the code under test, which
runs in its own loop (a test's, or an engine worker's). If they shared that loop, a stalled
monitor would stall the peer too, and a fault would never be injected while the monitor was
busy. So each lab object runs its own loop in its own thread, and its public methods are plain
blocking calls that hand work over and wait a few milliseconds for the answer; they can be
called from any thread, including from inside another running loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Awaitable, Callable, Coroutine
from types import TracebackType
from typing import Any, Self, TypeVar

T = TypeVar("T")

#: How long start() and stop() wait for the loop thread before giving up.
DEADLINE_S = 5.0


class LoopThread:
    """Runs ``setup()`` in a fresh loop on a daemon thread, then serves calls until stopped.

    The loop is built with ``asyncio.Runner(loop_factory=asyncio.SelectorEventLoop)`` rather
    than ``asyncio.run()``: once qasync has installed its event-loop policy (the GUI demo),
    the default factory would build a Qt loop in this thread and fail.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(
        self,
        setup: Callable[[], Awaitable[None]],
        teardown: Callable[[], Awaitable[None]],
    ) -> None:
        """Start the thread; return once ``setup`` has finished, re-raising its error."""
        if self._thread is not None:
            raise RuntimeError(f"{self._name} already started")
        self._reset()
        self._thread = threading.Thread(
            target=self._run, args=(setup, teardown), name=self._name, daemon=True
        )
        self._thread.start()
        if not self._ready.wait(DEADLINE_S):
            raise TimeoutError(f"{self._name} did not start within {DEADLINE_S} s")
        if self._error is not None:
            self._thread.join(DEADLINE_S)
            self._thread = None
            raise self._error

    def _reset(self) -> None:
        """Forget a previous run, so that a stopped thread can be started again."""
        self._ready.clear()
        self._error = None
        self._loop = None
        self._stopping = None

    def _run(
        self,
        setup: Callable[[], Awaitable[None]],
        teardown: Callable[[], Awaitable[None]],
    ) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stopping = asyncio.Event()
            try:
                await setup()
            except BaseException as exc:
                self._error = exc
                self._ready.set()
                await teardown()
                return
            self._ready.set()
            try:
                await self._stopping.wait()
            finally:
                await teardown()
                # Let transports that teardown closed run their connection_lost callbacks
                # (which close the sockets) before the runner closes the loop.
                for _ in range(3):
                    await asyncio.sleep(0)

        with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as runner:
            runner.run(main())

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._ready.is_set()

    def call(self, factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run ``factory()`` on the loop thread and wait for its result."""
        loop = self._loop
        if self._thread is None or loop is None or not self.running:
            raise RuntimeError(f"{self._name} is not running")
        if threading.get_ident() == self._thread.ident:
            raise RuntimeError(f"{self._name}: blocking call from its own loop thread")
        future = asyncio.run_coroutine_threadsafe(factory(), loop)
        try:
            return future.result(DEADLINE_S)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"{self._name} did not answer within {DEADLINE_S} s") from None

    def stop(self) -> None:
        """Run the teardown and join the thread (deadline 5 s). Safe to call twice."""
        thread, loop, stopping = self._thread, self._loop, self._stopping
        if thread is None:
            return
        if loop is not None and stopping is not None and thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop closed already
                loop.call_soon_threadsafe(stopping.set)
        thread.join(DEADLINE_S)
        if thread.is_alive():
            raise TimeoutError(f"{self._name} did not stop within {DEADLINE_S} s")
        self._thread = None


class ConnectionCounter:
    """Counts live connections; lets other threads wait for a count without polling."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._count = 0

    def add(self, delta: int) -> None:
        with self._cond:
            self._count += delta
            self._cond.notify_all()

    @property
    def value(self) -> int:
        with self._cond:
            return self._count

    def wait_for(self, n: int, timeout: float) -> bool:
        """Block until at least ``n`` connections are live; False if ``timeout`` passes."""
        with self._cond:
            return self._cond.wait_for(lambda: self._count >= n, timeout)

    def wait_for_idle(self, timeout: float) -> bool:
        """Block until no connection is live; False if ``timeout`` passes."""
        with self._cond:
            return self._cond.wait_for(lambda: self._count == 0, timeout)


class StartStop:
    """``with thing:`` starts it and stops it, for everything in the lab."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
