"""The engine: worker threads hosting the monitors, sharded by profile.

The GUI talks to monitors only through this object. Commands return
``concurrent.futures.Future``s (await them on the qasync loop with ``asyncio.wrap_future``);
events arrive as ``eventsReady(list[Event])`` in the GUI thread, in batches.
"""

from __future__ import annotations

import concurrent.futures
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, Signal

from ..core.eventlog import EventLog
from ..core.monitor import MonitorSet
from ..core.probe import probe_once
from ..core.profile import Profile
from ..core.resolver import Resolver
from ..core.rlimit import raise_open_file_limit
from ..core.sample import Sample
from ..core.settings import automatic_workers
from .worker import Worker

log = logging.getLogger(__name__)

STOP_DEADLINE_S = 5.0


class Engine(QObject):
    eventsReady = Signal(object)

    def __init__(
        self,
        workers: int = 0,
        eventlog: EventLog | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._count = workers or automatic_workers()
        self._eventlog = eventlog
        self._resolver: Resolver | None = None
        self._workers: list[Worker] = []
        self._where: dict[str, Worker] = {}
        self.profiles: dict[str, Profile] = {}

    @property
    def running(self) -> bool:
        return bool(self._workers)

    @property
    def worker_count(self) -> int:
        return self._count

    def start(self) -> None:
        if self._workers:
            return
        self._resolver = Resolver()
        submit = self._eventlog.submit if self._eventlog is not None else None
        for i in range(self._count):
            worker = Worker(i, self._resolver, submit)
            worker.events.connect(self.eventsReady)
            worker.start_and_wait()
            self._workers.append(worker)

    def shutdown(self, timeout: float = STOP_DEADLINE_S) -> bool:
        """Stop every monitor and join every worker within ``timeout``; True if all ended.

        Connected to ``QCoreApplication.aboutToQuit``: a thread still running when its
        QThread is destroyed aborts the process, so this waits, with a deadline.
        """
        workers, self._workers = self._workers, []
        self._where.clear()
        for worker in workers:
            worker.request_stop()
        deadline = time.monotonic() + timeout
        clean = True
        for worker in workers:
            left_ms = max(0, int((deadline - time.monotonic()) * 1000))
            if not worker.wait(left_ms):
                log.error("%s did not stop within %.1f s", worker.objectName(), timeout)
                clean = False
                continue
            worker.events.disconnect(self.eventsReady)
            worker.deleteLater()
        if self._resolver is not None:
            self._resolver.close()
            self._resolver = None
        return clean

    # -- profiles -------------------------------------------------------------------------

    def _pick(self) -> Worker:
        counts = dict.fromkeys(self._workers, 0)
        for w in self._where.values():
            counts[w] += 1
        return min(self._workers, key=lambda w: (counts[w], w.index))

    def _on(
        self, profile_id: str, command: Callable[[MonitorSet], Any]
    ) -> concurrent.futures.Future[Any]:
        worker = self._where.get(profile_id)
        if worker is None:
            future: concurrent.futures.Future[Any] = concurrent.futures.Future()
            future.set_exception(KeyError(f"profile {profile_id} is not monitored"))
            return future
        return worker.submit(command)

    def set_profiles(self, profiles: Iterable[Profile]) -> None:
        """Start monitoring many profiles, their first checks spread over a second."""
        for profile in profiles:
            self.add(profile, stagger=True)

    def add(self, profile: Profile, *, stagger: bool = False) -> concurrent.futures.Future[Any]:
        if not self._workers:
            raise RuntimeError("the engine is not running")
        raise_open_file_limit(len(self.profiles) + 256)
        worker = self._pick()
        self._where[profile.id] = worker
        self.profiles[profile.id] = profile
        return worker.submit(lambda ms: ms.add(profile, stagger=stagger))

    def update(self, profile: Profile) -> concurrent.futures.Future[Any]:
        if profile.id not in self._where:
            return self.add(profile)
        self.profiles[profile.id] = profile
        return self._on(profile.id, lambda ms: ms.update(profile))

    def remove(self, profile_id: str) -> concurrent.futures.Future[Any]:
        future = self._on(profile_id, lambda ms: ms.remove(profile_id))
        self._where.pop(profile_id, None)
        self.profiles.pop(profile_id, None)
        return future

    def pause(self, profile_id: str) -> concurrent.futures.Future[Any]:
        return self._on(profile_id, lambda ms: ms.monitors[profile_id].pause())

    def resume(self, profile_id: str) -> concurrent.futures.Future[Any]:
        return self._on(profile_id, lambda ms: ms.monitors[profile_id].resume())

    def pause_all(self) -> list[concurrent.futures.Future[Any]]:
        return [self.pause(pid) for pid in list(self._where)]

    def resume_all(self) -> list[concurrent.futures.Future[Any]]:
        return [self.resume(pid) for pid in list(self._where)]

    def test_now(self, profile: Profile) -> concurrent.futures.Future[Sample]:
        """A one-off check of ``profile`` (saved or not) on a worker; never on the GUI thread.

        For a monitored profile it runs on its own monitor (a probe's result then counts);
        an unsaved profile from the dialog is checked on the least busy worker.
        """
        if profile.id in self._where and self.profiles.get(profile.id) == profile:
            return self._on(profile.id, lambda ms: ms.monitors[profile.id].check_now())
        if not self._workers:
            future: concurrent.futures.Future[Sample] = concurrent.futures.Future()
            future.set_exception(RuntimeError("the engine is not running"))
            return future
        resolver = self._resolver
        assert resolver is not None
        return self._pick().submit(lambda _ms: probe_once(profile, resolver))
