"""Monitors: one per profile, many per asyncio loop.

A ``MonitorSet`` is what a worker thread (the GUI's engine) or the headless ``run`` command
hosts on its loop. Every task it starts is owned and its failure logged with the profile it
belongs to; one monitor's bug never stops another.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
from collections.abc import AsyncIterator, Callable, Iterable

from .detectors import run_held, run_probe
from .events import STOPPED, TARGET_CHANGED, Cause, Event, Kind, State, utc_now
from .failure import CheckFailed
from .lean_probe import LeanProbe, Pace, lean_address
from .localnet import LocalNetwork
from .maintenance import in_maintenance, open_until
from .probe import probe_once
from .profile import Profile
from .resolver import Resolver
from .sample import Sample
from .state import StateMachine
from .waits import Backoff, Wake
from .wire import Wire

log = logging.getLogger(__name__)

Emit = Callable[[Event], None]
#: Failures that this computer's network could explain; the others prove a peer answered.
LOCALISABLE = frozenset(
    {
        Cause.CONNECT_TIMEOUT,
        Cause.UNREACHABLE,
        Cause.DNS_ERROR,
        Cause.HEARTBEAT_TIMEOUT,
        Cause.KEEPALIVE_TIMEOUT,
        Cause.LOCAL_ERROR,
    }
)

#: The one word for a connection that is not watched, whoever paused it (the user for this
#: connection, or "pause all"): the log says the same change the same way.
PAUSED_DETAIL = "paused"


class Monitor:
    """Runs one profile's detector and turns its samples into events."""

    def __init__(
        self,
        profile: Profile,
        resolver: Resolver,
        emit: Emit,
        local: LocalNetwork | None = None,
        *,
        pace: Pace | None = None,
        woke: Callable[[], object] | None = None,
    ) -> None:
        """``pace``: its loop's, if it has lean probes (see ``MonitorSet``); ``woke``: asked
        before a failure is reported, tells a sleep just ended first (``PowerWatch.look_now``)."""
        self.profile = profile
        self.machine = StateMachine(profile)
        self._resolver = resolver
        self._emit = emit
        self._local = local
        self._woke = woke
        self._task: asyncio.Task[None] | None = None
        #: A probe that only connects to an address runs as callbacks, not a task.
        self._lean: LeanProbe | None = None
        self._wake: Wake | LeanProbe | None = None
        #: Set while a drop that began in a maintenance window waits for it to close.
        self._window: asyncio.TimerHandle | None = None
        self._pace = pace

    @property
    def state(self) -> State:
        return self.machine.state

    @property
    def running(self) -> bool:
        if self._lean is not None:
            return self._lean.active
        return self._task is not None and not self._task.done()

    def start(self, delay_s: float = 0.0) -> None:
        if self.running:
            return
        address = lean_address(self.profile)
        if address is not None:
            self._lean = self._wake = LeanProbe(self.profile, address, self.report, pace=self._pace)
            self._lean.start(delay_s)
            return
        self._task = asyncio.get_running_loop().create_task(
            self._run(delay_s), name=f"monitor {self.profile.name}"
        )
        self._task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error(
                "monitor %r (%s) stopped: %r", self.profile.name, self.profile.id, exc, exc_info=exc
            )

    async def stop(self) -> None:
        if self._window is not None:
            self._window.cancel()
            self._window = None
        lean, self._lean = self._lean, None
        if lean is not None:
            lean.stop()
            self._wake = None
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def pause(self) -> None:
        await self.stop()
        self._publish(self.machine.set_state(State.PAUSED, PAUSED_DETAIL))

    async def resume(self) -> None:
        """Watch again, unless the user paused this connection itself (``enabled`` false):
        that choice outlives any "resume all"."""
        if not self.profile.enabled:
            return
        if self.machine.state is State.PAUSED:
            self._publish(self.machine.set_state(State.UNKNOWN, "resumed"))
        self.start()

    async def check_now(self) -> Sample:
        """A one-off check outside the schedule (the GUI's "Test now").

        For a ``probe`` the result counts like any other sample; for the persistent detectors
        it is only reported, as their held connection is the better witness.
        """
        sample = await probe_once(self.profile, self._resolver)
        if self.profile.detector.kind == "probe" and self.machine.state is not State.PAUSED:
            self.report(sample)
        return sample

    def retry_now(self, recheck: bool = False) -> None:
        """Check again now if this monitor is waiting to retry a failed target (the network
        came back): no waiting out a backoff that grew while the network was down.
        ``recheck``: a probe that is up checks now too (after a sleep, "up" is old news; a
        held connection finds out by itself, at its next heartbeat or keepalive). A held
        connection from an address this computer no longer has is cut, and made again now."""
        if self._wake is None:
            return
        held = self._wake.held if isinstance(self._wake, Wake) else None
        orphaned = held is not None and held.wire is not None and self._cut_if_orphaned(held.wire)
        if orphaned and isinstance(self._wake, Wake):
            self._wake.now(cut=True)
        elif self.machine.state is not State.UP or (
            recheck and self.profile.detector.kind == "probe"
        ):
            self._wake.now()

    def _cut_if_orphaned(self, wire: Wire) -> bool:
        """A held connection from an address this computer no longer has is dead (nothing
        can reach it, and its keepalive may take minutes to say so): cut it now. One to that
        same address is to this computer itself: kept while the address is on a link, one
        without carrier too (``LocalNetwork.address_gone``)."""
        transport = wire.transport
        sockname = transport.get_extra_info("sockname") if transport is not None else None
        peer = transport.get_extra_info("peername") if transport is not None else None
        to = str(peer[0]) if peer else None
        why = self._local.address_gone(str(sockname[0]), to) if self._local and sockname else None
        if why:
            wire.cut(CheckFailed(Cause.LOCAL_NETWORK, why))
        return bool(why)

    def report(self, sample: Sample) -> None:
        if not sample.ok and self._woke is not None:
            self._woke()  # a sleep the clocks say just ended is told before what it caused
        local = self._local
        if not sample.ok and local is not None:
            why = local.local_failure(_ip_of(sample.address))
            if why and sample.cause in LOCALISABLE:  # the kernel says: this computer's network
                sample = dataclasses.replace(
                    sample, cause=Cause.LOCAL_NETWORK, detail=f"{why}; {sample.detail}"
                )
            elif self.machine.state is State.UP and (
                change := local.recent_change(to=_ip_of(sample.address))
            ):
                # Cut, likely, by this computer's network changing: said so, and reconnected
                # at once rather than after a backoff (once: a target that still fails then
                # is retried as usual, never in a tight loop).
                if sample.cause is not Cause.LOCAL_NETWORK:  # a cut one says why itself
                    detail = f"{sample.detail}; right after {change}" if sample.detail else change
                    sample = dataclasses.replace(sample, detail=detail)
                if self._wake is not None:
                    self._wake.now()
        for event in self.machine.feed(sample):
            self._publish(event)

    def _publish(self, event: Event | None) -> None:
        if event is not None:
            self._emit(event)
            if event.maintenance and event.state is State.DOWN:
                self._until_maintenance_ends()

    def take_on(self, profile: Profile) -> None:
        """The same connection, edited where it does not change how it is checked."""
        self.profile = self.machine.profile = profile
        if self._lean is not None:
            self._lean.profile = profile
        if self._window is not None:  # its maintenance windows may have changed
            self._until_maintenance_ends()

    def _until_maintenance_ends(self) -> None:
        """Look again when the window closes: a target still down then is an outage."""
        if self._window is not None:
            self._window.cancel()
        end = open_until(self.profile.maintenance)
        if end is None:
            self._maintenance_over()
            return
        delay = max(0.0, (end - utc_now()).total_seconds()) + 0.05
        self._window = asyncio.get_running_loop().call_later(delay, self._maintenance_over)

    def _maintenance_over(self) -> None:
        self._window = None
        if self.machine.state is not State.DOWN or not self.running:
            return
        if in_maintenance(self.profile.maintenance):  # another window, or a longer one
            self._until_maintenance_ends()
            return
        self._emit(self.machine.still_down("still down after its maintenance window"))

    async def _run(self, delay_s: float) -> None:
        if delay_s > 0:
            await asyncio.sleep(delay_s)
        detector = run_probe if self.profile.detector.kind == "probe" else run_held
        if self.profile.detector.persistent and self.machine.state is State.UNKNOWN:
            self._publish(self.machine.set_state(State.CONNECTING, "connecting"))
        backoff = Backoff(self.profile.detector.interval_s, self.profile.detector.max_backoff_s)
        self._wake = Wake()
        while True:
            try:
                await detector(self.profile, self._resolver, self.report, self._wake)
            except Exception as exc:
                # A bug, not a network failure (those are samples). Say so, keep going.
                log.exception("monitor %r (%s) failed", self.profile.name, self.profile.id)
                try:
                    self.report(Sample.failure(Cause.LOCAL_ERROR, f"internal error: {exc!r}"))
                except Exception:  # the bug may be in what consumes our events
                    log.exception("monitor %r could not report its failure", self.profile.name)
                await asyncio.sleep(backoff.next_delay())


class MonitorSet:
    """The monitors hosted on one loop, by profile id."""

    def __init__(
        self,
        emit: Emit,
        resolver: Resolver | None = None,
        local: LocalNetwork | None = None,
        *,
        shares_gil: bool = False,
        woke: Callable[[], object] | None = None,
    ) -> None:
        """``shares_gil``: this loop shares the GIL with a window's thread, which must win it
        back after every call into Qt: lean probes take the cheapest ways, the ones that hold
        the GIL longest, only while they are few (``Pace``). ``woke``: see ``Monitor``."""
        self._emit = emit
        self._local = local
        self._woke = woke
        self._pace = Pace(shares_gil)
        self._own_resolver = resolver is None
        self.resolver = resolver or Resolver()
        self.monitors: dict[str, Monitor] = {}
        #: Each profile's edits and removal, one at a time (``_turn``): its lock and users.
        self._turns: dict[str, tuple[asyncio.Lock, int]] = {}
        #: The monitors of each target (a monitor's host and port never change: an edit of
        #: them makes a new monitor), so that a target coming back wakes its own monitors
        #: without a pass over all: a thousand rows recovering together made a million.
        self._by_target: dict[str, dict[str, Monitor]] = {}
        #: "Pause all" is in force: nothing starts until ``resume_all``, not even a profile
        #: added or enabled meanwhile.
        self.held = False

    def __len__(self) -> int:
        return len(self.monitors)

    def add(
        self, profile: Profile, *, stagger: bool = True, before: StateMachine | None = None
    ) -> Monitor:
        """Start monitoring ``profile`` (if enabled); its id must not be monitored yet.
        ``before``: its monitor's state before an edit (``update``)."""
        if profile.id in self.monitors:
            raise ValueError(f"profile {profile.id} is already monitored")
        monitor = Monitor(
            profile, self.resolver, self._relay, self._local, pace=self._pace, woke=self._woke
        )
        if before is not None:
            monitor.machine.go_on_from(before)
        self.monitors[profile.id] = monitor
        self._by_target.setdefault(profile.target, {})[profile.id] = monitor
        if profile.enabled and not self.held:
            if monitor.state is State.PAUSED:  # enabled again: as ``Monitor.resume`` says it
                self._emit_state(monitor, State.UNKNOWN, "resumed")
            # Spread the first checks of many profiles over up to a second.
            delay = random.uniform(0, min(1.0, profile.detector.interval_s)) if stagger else 0.0
            monitor.start(delay)
        else:
            self._emit_state(monitor, State.PAUSED, PAUSED_DETAIL)
        return monitor

    def _relay(self, event: Event) -> None:
        self._emit(event)
        if event.kind is Kind.STATE and event.state is State.UP and event.previous is State.DOWN:
            # The target answers again: every other monitor of it stops waiting out its
            # backoff, so held connections come back with the probes, not 40 s later.
            monitor = self.monitors.get(event.profile_id)
            if monitor is None:
                return
            for other in self._by_target.get(monitor.profile.target, {}).values():
                if other is not monitor:
                    other.retry_now()

    def retry_now(self, recheck: bool = False) -> None:
        """Every monitor that waits on a failed target tries again now (``recheck``: every
        probe checks now, see ``Monitor.retry_now``)."""
        for monitor in self.monitors.values():
            monitor.retry_now(recheck)

    async def pause_all(self) -> None:
        self.held = True
        await asyncio.gather(*(m.pause() for m in self.monitors.values() if m.running))

    async def resume_all(self) -> None:
        """Resume what "pause all" paused; what the user paused one by one stays paused."""
        self.held = False
        await asyncio.gather(*(m.resume() for m in self.monitors.values()))

    def add_all(self, profiles: Iterable[Profile]) -> None:
        for profile in profiles:
            self.add(profile)

    async def remove(self, profile_id: str, *, record: bool = False) -> None:
        """Stop watching a profile; ``record``: say so with an ``unknown`` event (as ``close``
        does), when the profile itself goes on existing in the history."""
        async with self._turn(profile_id):
            await self._remove(profile_id, record=record)

    @contextlib.asynccontextmanager
    async def _turn(self, profile_id: str) -> AsyncIterator[None]:
        """One edit or removal of a profile at a time, in the order asked: a second one while
        the first waited for its monitor to stop (a pause and a resume 40 ms apart) found no
        monitor, started one afresh, and the first then failed ('already monitored')."""
        lock, users = self._turns.get(profile_id, (asyncio.Lock(), 0))
        self._turns[profile_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._turns[profile_id]
            if users > 1:
                self._turns[profile_id] = (lock, users - 1)
            else:
                del self._turns[profile_id]

    async def _remove(self, profile_id: str, *, record: bool = False, why: str = STOPPED) -> None:
        monitor = self.monitors.pop(profile_id, None)
        if monitor is not None:
            self._unindex(monitor)
            await monitor.stop()
            if record and monitor.state is not State.PAUSED:
                self._emit_state(monitor, State.UNKNOWN, why)

    async def update(self, profile: Profile) -> Monitor:
        """Apply an edited profile: the monitor restarts with the new settings, or, when
        only what is not checked changed (a name, notices, a snooze), takes them on as it
        runs: a held connection is not dropped for a rename. A drop of the same target goes
        on through the restart (``StateMachine.go_on_from``); another target's state begins
        anew, the old one's ended by an ``unknown`` (``events.TARGET_CHANGED``)."""
        async with self._turn(profile.id):
            return await self._update(profile)

    async def _update(self, profile: Profile) -> Monitor:
        monitor = self.monitors.get(profile.id)
        if monitor is not None and monitor.profile.watched_as(profile):
            monitor.take_on(profile)
            return monitor
        waits = monitor is not None and monitor._window is not None  # a window's end
        same = monitor is not None and monitor.profile.same_target(profile)
        await self._remove(profile.id, record=not same, why=TARGET_CHANGED)
        paused = monitor is not None and monitor.state is State.PAUSED
        before = monitor.machine if monitor is not None and (same or paused) else None
        edited = self.add(profile, stagger=False, before=before)
        if waits and before is not None and edited.state is State.DOWN:
            edited._until_maintenance_ends()  # the drop it goes on with began in one
        return edited

    def _unindex(self, monitor: Monitor) -> None:
        target = monitor.profile.target
        same = self._by_target.get(target)
        if same is not None and same.get(monitor.profile.id) is monitor:
            del same[monitor.profile.id]
            if not same:
                del self._by_target[target]

    def _emit_state(self, monitor: Monitor, state: State, detail: str) -> None:
        event = monitor.machine.set_state(state, detail)
        if event is not None:
            self._emit(event)

    async def close(self) -> None:
        """Stop every monitor; each running one records that it is no longer watched.

        The ``unknown`` state event keeps uptime honest: time while nothing was watching
        counts neither as up nor as down.
        """
        monitors = list(self.monitors.values())
        self.monitors.clear()
        self._by_target.clear()
        await asyncio.gather(*(m.stop() for m in monitors), return_exceptions=True)
        for monitor in monitors:
            if monitor.state is not State.PAUSED:
                self._emit_state(monitor, State.UNKNOWN, STOPPED)
        if self._own_resolver:
            self.resolver.close()


def _ip_of(address: str | None) -> str | None:
    """``10.0.0.7`` of ``10.0.0.7:5432``, ``::1`` of ``[::1]:5432``."""
    if not address:
        return None
    host = (
        address.rpartition(":")[0] if not address.startswith("[") else address[1:].partition("]")[0]
    )
    return host or None
