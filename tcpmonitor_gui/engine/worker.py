"""One worker thread: a plain asyncio loop hosting many monitors.

The loop is created explicitly (``asyncio.Runner`` with a ``SelectorEventLoop``): once qasync
has installed its policy, ``asyncio.run()`` here would build a Qt loop in this thread and fail
(DESIGN.md, Threads). Commands come in through ``call_soon_threadsafe``; events go out as one
Qt signal carrying a list, flushed at least every 100 ms and at once on a state change.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThread, Signal

from ..core.events import Event, Kind
from ..core.localnet import LocalNetwork
from ..core.monitor import MonitorSet
from ..core.resolver import Resolver

log = logging.getLogger(__name__)

FLUSH_S = 0.1
#: State changes go out after this long: at once to a person, and a burst of them (a
#: thousand connections dropping together) is a few batches, not one per turn of the loop
#: (each batch is a queued signal and a pass over the table in the GUI thread).
NEWS_S = 0.02
#: Commands wait at most this long for this computer's network to be known (``local``).
KNOWN_DEADLINE_S = 5.0


class WorkerStopped(RuntimeError):
    """The worker is not running, so the command cannot be carried out."""


class Worker(QThread):
    #: A batch of events (``list[Event]``), emitted from the worker thread; a receiver in the
    #: GUI thread gets it through a queued connection.
    events = Signal(object)

    def __init__(
        self,
        index: int,
        resolver: Resolver,
        submit: Callable[[list[Event]], object] | None = None,
        local: LocalNetwork | None = None,
        woke: Callable[[], object] | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName(f"tcpmonitor-worker-{index}")
        self.index = index
        self._resolver = resolver
        self._submit = submit
        self._local = local
        self._woke = woke  # see ``Monitor``
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._monitors: MonitorSet | None = None
        #: Set once this computer's network is known: commands wait for it, so that no
        #: monitor begins (and names a first failure) before "is it me?" can be answered.
        self._known: asyncio.Event | None = None
        self._ready = threading.Event()
        self._batch: list[Event] = []
        self._flush_handle: asyncio.TimerHandle | None = None

    @property
    def count(self) -> int:
        return 0 if self._monitors is None else len(self._monitors)

    def start_and_wait(self, timeout: float = 5.0) -> None:
        """Start the thread and return once its loop runs (commands can then be sent)."""
        self.start()
        if not self._ready.wait(timeout):
            raise RuntimeError(f"{self.objectName()} did not start within {timeout} s")

    def run(self) -> None:  # the worker thread
        try:
            with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as runner:
                runner.run(self._main())
        except Exception:
            log.exception("%s stopped with an error", self.objectName())
        finally:
            self._ready.set()  # never leave start_and_wait hanging

    async def _main(self) -> None:
        self._loop = loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        self._known = known = asyncio.Event()
        # Checks answered within ``connect`` and checks run ten milliseconds' worth at a time
        # are cheaper, but keep this thread in Python for longer stretches, and the
        # window's thread, which must win the GIL back after every call into Qt, waits:
        # at 5,000 rows its stall p99 went from 67-100 to 122-257 ms. So they are taken
        # only while the checks are few (``Pace``); the command line always takes them.
        self._monitors = MonitorSet(
            self._emit, resolver=self._resolver, local=self._local, shares_gil=True, woke=self._woke
        )
        if self._local is None:
            known.set()
        else:
            deadline = loop.call_later(KNOWN_DEADLINE_S, known.set)  # a stuck watcher

            def now_known() -> None:  # the watcher's thread, or this one
                with contextlib.suppress(RuntimeError):  # the loop is closed: stopped
                    loop.call_soon_threadsafe(known.set)
                    loop.call_soon_threadsafe(deadline.cancel)

            self._local.when_known(now_known)
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            monitors, self._monitors = self._monitors, None
            await monitors.close()
            self._flush()
            self._loop = None

    # -- events out (worker thread) -------------------------------------------------------

    def _emit(self, event: Event) -> None:
        self._batch.append(event)
        loop = self._loop
        if loop is None:
            return
        # News (a state change) goes at once, as far as a person can tell; samples wait
        # longer. A change never waits behind the samples' slower batch.
        due = loop.time() + (NEWS_S if event.kind is Kind.STATE else FLUSH_S)
        pending = self._flush_handle
        if pending is not None:
            if pending.when() <= due:
                return
            pending.cancel()
        self._flush_handle = loop.call_at(due, self._flush)

    def _flush(self) -> None:
        self._flush_handle = None
        batch, self._batch = self._batch, []
        if not batch:
            return
        if self._submit is not None:
            try:
                self._submit(batch)
            except Exception:  # the log being gone must not stop monitoring
                log.exception("%s could not hand events to the event log", self.objectName())
        self.events.emit(batch)

    # -- commands in (any thread) ---------------------------------------------------------

    def submit(self, command: Callable[[MonitorSet], Any]) -> concurrent.futures.Future[Any]:
        """Run ``command(monitors)`` on the worker's loop; the future holds its result."""
        loop = self._loop
        if loop is None or not self.isRunning():
            future: concurrent.futures.Future[Any] = concurrent.futures.Future()
            future.set_exception(WorkerStopped(f"{self.objectName()} is not running"))
            return future

        async def call() -> Any:
            if self._known is not None:
                await self._known.wait()
            if self._monitors is None:
                raise WorkerStopped(f"{self.objectName()} is stopping")
            result: Any = command(self._monitors)
            if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                result = await result
            return result

        try:
            return asyncio.run_coroutine_threadsafe(call(), loop)
        except RuntimeError as exc:  # the loop closed between the check and the call
            future = concurrent.futures.Future()
            future.set_exception(WorkerStopped(str(exc)))
            return future

    def request_stop(self) -> None:
        """Ask the loop to close its monitors and end; returns at once (any thread)."""
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # already closed
                loop.call_soon_threadsafe(stopping.set)
