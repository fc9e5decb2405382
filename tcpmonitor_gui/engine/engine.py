"""The engine: worker threads hosting the monitors, sharded by profile.

The GUI talks to monitors only through this object. Given the profile registry, the engine
follows it: what is added, edited or removed there is started, restarted or stopped here, so
no one else tells it. Commands return ``concurrent.futures.Future``s; events arrive as
``eventsReady(list[Event])`` in the GUI thread, in batches.

The engine also owns the watcher of this computer's network (``core.localnet``): the monitors
ask it whether a failure is local, its changes are events like any other (``kind`` network,
stored and sent in a batch of their own), and when the network returns every monitor retries
at once.
"""

from __future__ import annotations

import collections
import concurrent.futures
import datetime as dt
import functools
import logging
import threading
import time
from collections.abc import Callable, Container, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from ..core.actions import Action
from ..core.events import Event, Kind, State
from ..core.profile import Profile
from ..core.profile_set import Change
from ..core.rlimit import raise_open_file_limit
from ..core.settings import automatic_workers
from ..core.snooze import snoozed
from ..core.validate import parse_listen
from .gui_thread import call_in_gui_thread
from .registry import ProfileRegistry

if TYPE_CHECKING:
    from ..core.action_runner import ActionRunner
    from ..core.computer import ThisComputer
    from ..core.eventlog import EventLog
    from ..core.metrics import Metrics
    from ..core.metrics_server import ServedWhenFree
    from ..core.monitor import MonitorSet
    from ..core.resolver import Resolver
    from ..core.sample import Sample
    from .worker import Worker

log = logging.getLogger(__name__)

STOP_DEADLINE_S = 5.0
#: At quit, running actions get this long before they are killed.
ACTIONS_DEADLINE_S = 2.0


class Engine(QObject):
    eventsReady = Signal(object)
    #: The metrics could not be served: the address (``host:port``) and the system's words
    #: for why ("Address already in use"); the window says it in the user's language. The
    #: port is tried again (``ServedWhenFree``): ``metricsServed`` (the address) once it serves.
    metricsFailed = Signal(str, str)
    metricsServed = Signal(str)

    def __init__(
        self,
        workers: int = 0,
        eventlog: EventLog | None = None,
        registry: ProfileRegistry | None = None,
        parent: QObject | None = None,
        *,
        everywhere: Callable[[], Sequence[Action]] = tuple,
        metrics_listen: str = "",
    ) -> None:
        """``registry``: the profiles to monitor from ``start()`` on, following its changes
        (None: only what ``add`` is given); their actions run on their changes, with
        ``everywhere()`` (the settings' global actions)."""
        super().__init__(parent)
        self._everywhere = everywhere
        self._actions: ActionRunner | None = None
        self._metrics_listen = metrics_listen
        self._metrics: Metrics | None = None
        self._metrics_server: ServedWhenFree | None = None
        self._count = workers or automatic_workers()
        self._eventlog = eventlog
        self._registry = registry
        self._resolver: Resolver | None = None
        self._computer: ThisComputer | None = None
        self._workers: list[Worker] = []
        #: Which worker hosts each monitored profile (placement, not the profiles).
        self._where: dict[str, Worker] = {}
        #: Workers that did not stop in time at shutdown, still running: see ``shutdown``.
        self.lingering: list[Worker] = []
        if registry is not None:
            registry.added.connect(self._added)
            registry.changed.connect(self._changed)
            registry.removed.connect(self._removed)
            for signal in (registry.added, registry.changed, registry.removed):
                signal.connect(self._profiles_for_metrics)

    @property
    def running(self) -> bool:
        return bool(self._workers)

    @property
    def worker_count(self) -> int:
        return self._count

    def use_eventlog(self, eventlog: EventLog | None) -> None:
        """Store events there from ``start()`` on (the desktop program opens its log on the
        I/O thread, so the log may come after the engine)."""
        if self._workers:
            raise RuntimeError("the event log is chosen before monitoring starts")
        self._eventlog = eventlog

    def start(self) -> None:
        if self._workers:
            return
        # The monitors' modules (and asyncio) load here, after the window's first frame.
        from ..core.action_runner import ActionRunner  # noqa: PLC0415
        from ..core.computer import ThisComputer  # noqa: PLC0415
        from ..core.last_seen import states_before  # noqa: PLC0415
        from ..core.resolver import Resolver  # noqa: PLC0415
        from .worker import Worker  # noqa: PLC0415

        self._resolver = Resolver()
        self._computer = ThisComputer(self._computer_changed)
        # Not waited for (pyroute2's import and the kernel's answer held the GUI thread a
        # quarter of a second): the workers' commands wait until the network is known, and
        # starting offline is told as news.
        self._computer.start(wait=False)
        submit = self._store if self._eventlog is not None else None
        log = self._eventlog  # asked what a state found at the start changed from (actions)
        before = None if log is None else functools.partial(states_before, log.path)
        self._actions = ActionRunner(self._action_done, before)
        for i in range(self._count):
            worker = Worker(
                i, self._resolver, submit, self._computer.network, self._computer.power.look_now
            )
            worker.events.connect(self.eventsReady)
            worker.events.connect(self._run_actions)
            worker.start_and_wait()
            self._workers.append(worker)
        if self._metrics_listen:
            self._serve_metrics()
        if self._registry is not None:
            self.set_profiles(self._registry.profiles)

    def _store(self, batch: list[Event]) -> None:  # a worker's thread
        """To the event log, but not the demo's events (transient profiles): the user's
        history is theirs, and the demo's goes away with it."""
        assert self._eventlog is not None
        profiles = self._registry.profiles if self._registry is not None else None
        if profiles is not None and any(profiles.is_transient(e.profile_id) for e in batch):
            batch = [e for e in batch if not profiles.is_transient(e.profile_id)]
        if batch:
            self._eventlog.submit(batch)

    def shutdown(self, timeout: float = STOP_DEADLINE_S) -> bool:
        """Stop every monitor and join every worker within ``timeout``; True if all ended.

        Connected to ``QCoreApplication.aboutToQuit``: a thread still running when its
        QThread is destroyed aborts the process, so this waits, with a deadline.
        """
        workers, self._workers = self._workers, []
        self._where.clear()
        if self._computer is not None:
            self._computer.close()  # first: no news about a program that is stopping
            self._computer = None
        actions, self._actions = self._actions, None
        if actions is not None:
            actions.close(ACTIONS_DEADLINE_S)  # what still runs then is killed
        server, self._metrics_server, self._metrics = self._metrics_server, None, None
        if server is not None:
            server.close()
        for worker in workers:
            worker.request_stop()
        deadline = time.monotonic() + timeout
        clean = True
        for worker in workers:
            left_ms = max(0, int((deadline - time.monotonic()) * 1000))
            if not worker.wait(left_ms):
                log.error("%s did not stop within %.1f s", worker.objectName(), timeout)
                # Kept: a QThread destroyed while it runs aborts the process.
                self.lingering.append(worker)
                clean = False
                continue
            worker.events.disconnect(self.eventsReady)
            worker.events.disconnect(self._run_actions)
            worker.deleteLater()
        if self._resolver is not None:
            self._resolver.close()
            self._resolver = None
        return clean

    @property
    def online(self) -> bool | None:
        """Whether this computer's network is up (None: unknown, or not running)."""
        return None if self._computer is None else self._computer.network.online

    def _computer_changed(self, event: Event) -> None:  # a watcher's thread
        call_in_gui_thread(self._computer_news, event, owner=self)

    def _computer_news(self, event: Event) -> None:
        if self._computer is None:
            return  # stopped meanwhile
        self._tell([event])
        from ..core.computer import RETRY_AFTER  # noqa: PLC0415 - loaded by start()

        if event.state in RETRY_AFTER:  # everything that failed meanwhile tries again now
            recheck = event.state is not State.ONLINE  # after a sleep or change: all
            for worker in self._workers:
                worker.submit(lambda ms: ms.retry_now(recheck))
            if self._actions is not None:  # and services hear what they missed (``untold``)
                self._actions.retry_missed()

    def _tell(self, events: list[Event]) -> None:
        """Events of the engine's own (not a monitor's): stored, and sent like a batch."""
        if self._eventlog is not None:
            try:
                self._eventlog.submit(events)
            except Exception:  # the log being gone must not stop the news
                log.exception("could not hand this computer's change to the event log")
        self.eventsReady.emit(events)

    def _serve_metrics(self) -> None:
        """Prometheus metrics from the desktop program (setting ``metrics_listen``)."""
        from ..core.metrics import Metrics  # noqa: PLC0415 - only when asked
        from ..core.metrics_server import ServedWhenFree  # noqa: PLC0415

        host, port = parse_listen("metrics_listen", self._metrics_listen)
        exported, log = self._exported(()), self._eventlog
        metrics = Metrics(exported, waits=log is not None)  # until it knows what the log knew
        began = dt.datetime.now(dt.UTC)  # what is stored from now on is fed (and held) too
        self._metrics = metrics  # fed while the port is tried again: right once served
        failed, served = self.metricsFailed.emit, self.metricsServed.emit
        self._metrics_server = ServedWhenFree(metrics, host, port, failed=failed, served=served)
        if (computer := self._computer) is not None:  # an online start is told by no event
            known = functools.partial(_computer_known, metrics, computer)
            computer.network.when_known(known)
        if log is not None:  # read on a thread of its own: never the GUI thread's
            ids = [p.id for p in exported]
            learn = (metrics, log.path, ids, began)
            threading.Thread(target=_learn, args=learn, daemon=True).start()
        self.eventsReady.connect(self._feed_metrics)  # every batch: monitors', actions'

    def _feed_metrics(self, events: Sequence[Event]) -> None:
        if (metrics := self._metrics) is not None:
            for event in events:
                metrics.feed(event)

    def _profiles_for_metrics(self) -> None:
        if self._metrics is not None:
            self._metrics.set_profiles(self._exported(self._metrics))

    def _exported(self, already: Container[str]) -> list[Profile]:
        """What the metrics export, as ``tcpmonitor run`` does: the enabled profiles, and
        those ``already`` exported (one disabled meanwhile shows paused, its counters kept
        for when it is enabled again); never the demo's (transient: not the team's)."""
        if self._registry is None:
            return []
        profiles = self._registry.profiles
        return [
            p
            for p in profiles
            if (p.enabled or p.id in already) and not profiles.is_transient(p.id)
        ]

    def _run_actions(self, events: Sequence[Event]) -> None:
        """Start the actions of the batch's changes (they run on their own thread), of the
        profiles this program records: another that records one runs its actions."""
        runner, registry, log = self._actions, self._registry, self._eventlog
        if runner is None or registry is None:
            return
        everywhere = self._everywhere()
        by_id = registry.profiles.by_id
        for event in events:
            if event.kind is not Kind.STATE or (p := by_id.get(event.profile_id)) is None:
                continue
            actions = (*p.actions, *everywhere)
            if not any(a.may_want(event) for a in actions):
                # Asked first: a claim is a lock the writers' threads hold at times, and one
                # asked for a pause (after the writer let go of it) was held while paused.
                continue
            if log is not None and not log.claims.holds(p.id):
                continue
            quiet = snoozed(p.snooze_until)
            runner.submit(event, actions, p.target, snoozed=quiet)

    def _action_done(self, event: Event) -> None:  # the actions' thread
        call_in_gui_thread(self._action_news, event, owner=self)

    def _action_news(self, event: Event) -> None:
        if self._actions is not None:  # not once stopping: the log may be closing
            self._tell([event])

    def monitored(self, profile_id: str) -> bool:
        return profile_id in self._where

    # -- following the registry -----------------------------------------------------------

    def _added(self, profiles: Sequence[Profile]) -> None:
        if self.running and len(profiles) == 1:
            self.add(profiles[0])
        elif self.running and profiles:
            self.set_profiles(profiles)  # one command per worker, not one per profile

    def _changed(self, changes: Sequence[Change]) -> None:
        if self.running:
            for change in changes:
                self.update(change.profile)

    def _removed(self, profiles: Sequence[Profile]) -> None:
        if self.running:
            for profile in profiles:
                if profile.id in self._where:
                    self.remove(profile.id, record=True)
                if self._eventlog is not None:
                    self._eventlog.release(profile.id)  # another program may record it now

    # -- profiles -------------------------------------------------------------------------

    def _pick(self, counts: collections.Counter[Worker] | None = None) -> Worker:
        """The worker with the fewest profiles (``counts``: as the caller keeps them)."""
        if len(self._workers) == 1:  # the default where Python has a GIL: nothing to count
            return self._workers[0]
        counts = collections.Counter(self._where.values()) if counts is None else counts
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
        """Start monitoring many profiles, their first checks spread over a second: one
        command per worker (5,000 profiles one by one kept the GUI thread 2 s)."""
        if not self._workers:
            raise RuntimeError("the engine is not running")
        batches: dict[Worker, list[Profile]] = {w: [] for w in self._workers}
        counts = collections.Counter(self._where.values())
        for profile in profiles:
            worker = self._pick(counts)
            counts[worker] += 1
            self._where[profile.id] = worker
            batches[worker].append(profile)
        raise_open_file_limit(len(self._where))
        for worker, batch in batches.items():
            if batch:
                worker.submit(functools.partial(_add_each, batch))

    def add(self, profile: Profile, *, stagger: bool = False) -> concurrent.futures.Future[Any]:
        if not self._workers:
            raise RuntimeError("the engine is not running")
        raise_open_file_limit(len(self._where))
        worker = self._pick()
        self._where[profile.id] = worker
        return worker.submit(lambda ms: ms.add(profile, stagger=stagger))

    def update(self, profile: Profile) -> concurrent.futures.Future[Any]:
        if profile.id not in self._where:
            return self.add(profile)
        return self._on(profile.id, lambda ms: ms.update(profile))

    def remove(self, profile_id: str, *, record: bool = False) -> concurrent.futures.Future[Any]:
        """Stop watching a profile; ``record``: say so (``MonitorSet.remove``), as for a
        profile removed: its drop stayed "ongoing" in the history while nothing watched it."""
        future = self._on(profile_id, lambda ms: ms.remove(profile_id, record=record))
        self._where.pop(profile_id, None)
        return future

    def pause(self, profile_id: str) -> concurrent.futures.Future[Any]:
        return self._on(profile_id, lambda ms: ms.monitors[profile_id].pause())

    def resume(self, profile_id: str) -> concurrent.futures.Future[Any]:
        return self._on(profile_id, lambda ms: ms.monitors[profile_id].resume())

    def pause_all(self) -> list[concurrent.futures.Future[Any]]:
        """Pause every monitor, and hold new ones paused, until ``resume_all``."""
        return [w.submit(lambda ms: ms.pause_all()) for w in self._workers]

    def resume_all(self) -> list[concurrent.futures.Future[Any]]:
        """Undo ``pause_all`` exactly: a connection the user paused stays paused."""
        return [w.submit(lambda ms: ms.resume_all()) for w in self._workers]

    def test_now(self, profile: Profile) -> concurrent.futures.Future[Sample]:
        """A one-off check of ``profile`` (saved or not) on a worker; never on the GUI thread.

        The monitor that watches exactly these settings runs it (a probe's result then
        counts); other settings (the dialog's, being edited) are checked on their own.
        """
        if not self._workers:
            future: concurrent.futures.Future[Sample] = concurrent.futures.Future()
            future.set_exception(RuntimeError("the engine is not running"))
            return future

        def check(ms: MonitorSet) -> Any:
            monitor = ms.monitors.get(profile.id)
            if monitor is not None and monitor.profile == profile:
                return monitor.check_now()
            from ..core.probe import probe_once  # noqa: PLC0415 - with the monitors

            return probe_once(profile, ms.resolver)

        return self._where.get(profile.id, self._pick()).submit(check)


def _learn(metrics: Metrics, path: Path, ids: list[str], began: dt.datetime) -> None:
    """What the event log knew of the exported profiles before ``began``, to the metrics
    (``Metrics.know``)."""
    from ..core.last_seen import known_states  # noqa: PLC0415 - loaded by start()

    known: dict[str, tuple[State, dt.datetime]] = {}
    try:
        known = known_states(path, ids, began)
    finally:
        metrics.know(known)  # whatever happened: the events it holds go on


def _computer_known(metrics: Metrics, computer: ThisComputer) -> None:
    """This computer's network, once read (the watcher's thread, or at once), to the metrics."""
    metrics.set_computer(online=computer.network.online, asleep=computer.power.asleep)


def _add_each(profiles: list[Profile], monitors: MonitorSet) -> None:
    """On the worker's loop: each profile added on its own (one refused is logged, the
    others are still watched)."""
    for profile in profiles:
        try:
            monitors.add(profile, stagger=True)
        except Exception:
            log.exception("profile %r (%s) could not be monitored", profile.name, profile.id)
