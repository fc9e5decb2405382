"""What the notification policy tells about this computer itself: its network, its sleep.

The engine says when this computer's network goes down or returns (``network`` events, read
from the kernel) and when it sleeps or wakes (``power`` events); this turns them into as few
notices as the truth allows:

- **Offline**: "This computer is offline" once; the drops it causes (cause ``local_network``)
  are recorded but not told one by one. When the network returns, their recoveries make one
  "Back online: 18 of 20 connections are up" notice, as soon as every such drop is back, or
  after ``back_grace_s`` naming what is still down.
- **Asleep and waking**: failures across a sleep are not the targets' outages. From the sleep
  until ``wake_settle_s`` after waking, drops are held; those that recover meanwhile are never
  told. If the network is still down then, the wait goes on while it is, up to the
  ``wake_grace_s`` setting; then what is still down is told, in one notice, and an offline
  network as "This computer is offline" (which a network that returned within the wait never
  is).
- **Changed**: a new default route, a Wi-Fi switch, a VPN up or down can cut held
  connections, which then reconnect at once. Drops in the ``change_settle_s`` after a change
  that the engine ties to it (``cut_by_change``: the change in their detail, or this
  computer's network as their cause) are held the same way, and those that reconnect are
  never told (the event log keeps them). Any other drop is news at once: a server on this
  computer that closes is not cut by a route that came for a container.

Every held drop gets at least ``HELD_MIN_S`` to come back, however late in the wait it came.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Mapping, Sequence, Set
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Slot

from ...core.events import Cause, Event, State
from ...core.local_routes import cut_by_change
from ...core.profile import Profile
from ...core.settings import Settings
from ..common.detail_text import detail_text
from .notice import Change, Notice, Transition
from .wording import join_names

#: After the network returns, how long recoveries are awaited to be told together.
BACK_GRACE_S = 10.0
#: After waking, how long drops are awaited to recover before they are told.
WAKE_SETTLE_S = 10.0
#: After the routes changed, the same.
CHANGE_SETTLE_S = 5.0
#: A drop held in a wait is awaited at least this long.
HELD_MIN_S = 2.0


class Policy(Protocol):
    """What this needs of the notification policy that owns it."""

    @property
    def settings(self) -> Settings: ...
    @property
    def down(self) -> Mapping[str, Event]: ...
    def monitored(self) -> list[Profile]: ...
    def now(self) -> float: ...
    def forget_guess(self) -> None: ...
    def told(self, profile: Profile, transition: Transition, now: float) -> None: ...
    def allowed(self, change: Change) -> bool: ...
    def tell(self, notices: Sequence[Notice]) -> None: ...
    def notice(self, title: str, body: str, urgent: bool, about: Sequence[Profile]) -> Notice: ...
    def down_notice(self, downs: Sequence[Change]) -> Notice: ...


def single_shot(parent: QObject, seconds: float, slot: object) -> QTimer:
    """A precise single-shot timer: a coarse one may fire 5 % late."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(round(seconds * 1000))
    timer.timeout.connect(slot)
    return timer


class ComputerNotices(QObject):
    """See the module's docstring; owned by the policy, which it tells through."""

    def __init__(
        self,
        policy: Policy,
        parent: QObject,
        *,
        back_grace_s: float,
        wake_settle_s: float,
        change_settle_s: float = CHANGE_SETTLE_S,
    ) -> None:
        super().__init__(parent)
        self._policy = policy
        self._back = single_shot(self, back_grace_s, self._back_online)
        self._wake = single_shot(self, wake_settle_s, self._wake_over)
        self._settle_ms = self._wake.interval()
        self._change_ms = round(change_settle_s * 1000)
        self._held_min_ms = round(min(HELD_MIN_S, wake_settle_s, change_settle_s) * 1000)
        #: While this computer's network is down: the event that said so.
        self.offline: Event | None = None
        #: Whether "offline" is yet to be told (it went down while asleep or waking).
        self._offline_untold = False
        self.asleep = False
        self._woke_at = 0.0
        #: The wait holds every drop (a sleep's), not only those cut by a change.
        self._hold_all = False
        #: Drops held across a sleep, by profile.
        self._held: dict[str, Change] = {}

    def active(self) -> bool:
        """Whether the profiles' changes go through ``take`` first."""
        return (
            self.offline is not None
            or self.asleep
            or self._back.isActive()
            or self._wake.isActive()
        )

    def waking(self) -> bool:
        return self.asleep or self._wake.isActive()

    def stop(self) -> None:
        self._back.stop()
        self._wake.stop()

    def handle(self, event: Event, now: float) -> None:
        policy = self._policy
        if event.state is State.OFFLINE and self.offline is None:
            self.offline = event
            policy.forget_guess()
            self._back.stop()
            if self.waking():
                self._offline_untold = True  # the network may return within the wait
            else:
                policy.tell(self._offline_notice(event))
        elif event.state is State.ONLINE and self.offline is not None:
            self.offline = None
            if self._offline_untold:
                self._offline_untold = False  # back within the wait: nothing to tell
            else:
                self._back.start()  # ended early by ``flushed`` once every local drop is back
                if not self._local_drops():
                    self._back_online()
        elif event.state is State.SLEEP:
            self.asleep = self._hold_all = True
            self._wake.stop()
        elif event.state is State.WAKE:
            self.asleep = False
            self._hold_all = True
            self._woke_at = now
            self._wake.start(self._settle_ms)
        elif event.state is State.CHANGED and not self.asleep:
            if not self._wake.isActive():  # within a wake's wait: it holds all, as it did
                self._hold_all = False
            self._woke_at = now
            self._hold_for(self._change_ms)

    def _hold_for(self, ms: int) -> None:
        """Make the wait last at least ``ms`` from now."""
        if not self._wake.isActive() or self._wake.remainingTime() < ms:
            self._wake.start(ms)

    def take(self, changes: list[Change]) -> list[Notice]:
        """Remove from ``changes`` what this computer's notices stand for; what is left is
        told as usual."""
        kept = []
        for c in changes:
            pid = c.event.profile_id
            if self.waking() and (self._hold_all or pid in self._held or cut_by_change(c.event)):
                if c.transition is Transition.DOWN and c.other is None:
                    self._held[pid] = c  # told after the wait, if still down
                    if not self.asleep:
                        self._hold_for(self._held_min_ms)
                    continue
                if pid in self._held or c.transition is Transition.DOWN:
                    self._held.pop(pid, None)  # back within the wait: a sleep's blip
                    continue
            drop = c.event if c.transition is Transition.DOWN else c.other
            local = drop is not None and drop.cause is Cause.LOCAL_NETWORK
            if local and (self.offline is not None or self._back.isActive()):
                continue
            kept.append(c)
        changes[:] = kept
        return []

    def flushed(self) -> None:
        """After the policy told a batch: the "Back online" wait ends once all are back."""
        if self._back.isActive() and not self._local_drops():
            self._back_online()

    def no_route(
        self, causes: Set[Cause | None], details: Sequence[str] = ()
    ) -> tuple[str | None, str] | None:
        """Most servers down at once while this computer's network is up, where the kernel
        said it has no route to some of them (cause ``local_network``: the default route or
        a VPN gone), or that their route leads through a link without carrier (``details``,
        the drops': the cable out beside a Wi-Fi that is up): the title (None: the usual)
        and the line saying so, for no router beyond this computer is to blame for those;
        None where it said so of none."""
        if Cause.LOCAL_NETWORK not in causes:
            return None
        dead = {m[1] for d in details if (m := _DEAD_END.search(d))}
        if causes == {Cause.LOCAL_NETWORK} and dead and all(_DEAD_END.search(d) for d in details):
            return self.tr("This computer's link to most servers is down"), self.tr(
                "This computer's network is up, but its route to them goes through {links},"
                " which has no carrier: a cable may be out."
            ).format(links=", ".join(sorted(dead)))
        if causes == {Cause.LOCAL_NETWORK}:
            return self.tr("This computer has no route to most servers"), self.tr(
                "This computer's network is up, but it has no route to them: "
                "a default route or a VPN may be gone."
            )
        return None, self.tr(
            "This computer's network is up, but it has no route to some of them;"
            " for the others a router or link beyond it may be down."
        )

    def _local_drops(self) -> bool:
        return any(e.cause is Cause.LOCAL_NETWORK for e in self._policy.down.values())

    def _offline_notice(self, event: Event) -> list[Notice]:
        if not self._policy.settings.notify_on_down:
            return []
        body = detail_text(event.detail) or self.tr("No network route leaves this computer.")
        body += "\n" + self.tr("Connections that drop meanwhile are recorded, not told one by one.")
        return [self._policy.notice(self.tr("This computer is offline"), body, True, [])]

    @Slot()
    def _back_online(self) -> None:
        self._back.stop()
        policy = self._policy
        monitored = policy.monitored()
        down = [p for p in monitored if p.id in policy.down]
        now = policy.now()
        for p in monitored:
            if p.id not in policy.down:
                policy.told(p, Transition.UP, now)
        if not policy.settings.notify_on_up:
            return
        up = len(monitored) - len(down)
        body = self.tr("{up} of {total} connections are up.", "", len(monitored)).format(
            up=up, total=len(monitored)
        )
        if down:
            still = join_names([p.name for p in down], 8)
            body += self.tr(" Still down: {names}.").format(names=still)
        policy.tell([policy.notice(self.tr("Back online"), body, False, monitored)])

    @Slot()
    def _wake_over(self) -> None:
        policy = self._policy
        waited = policy.now() - self._woke_at
        limit = policy.settings.wake_grace_s
        if self.offline is not None and waited < limit:
            self._wake.start(max(1, min(self._settle_ms, round((limit - waited) * 1000))))
            return  # the network may still return
        held, self._held = self._held, {}
        notices = []
        if self.offline is not None and self._offline_untold:
            self._offline_untold = False
            notices += self._offline_notice(self.offline)
        downs = [
            c
            for pid, c in held.items()
            if policy.down.get(pid) is c.event
            and not (self.offline is not None and c.event.cause is Cause.LOCAL_NETWORK)
            and policy.allowed(c)
        ]
        if downs:
            notices.append(policy.down_notice(downs))
        policy.tell(notices)


def host_counts(monitored: Sequence[Profile], down: Mapping[str, Event]) -> tuple[int, int]:
    """How many hosts the ``monitored`` profiles watch, and on how many all of them are down.

    This computer's own hosts (loopback) are left out: they say nothing of its network."""
    hosts: dict[str, bool] = {}
    for p in monitored:
        host = host_key(p)
        if not _loopback(host):
            hosts[host] = hosts.get(host, True) and p.id in down
    return len(hosts), sum(hosts.values())


#: How ``LocalNetwork.local_failure`` says a route leads through a link without carrier.
_DEAD_END = re.compile(r"^this computer's route to \S+ goes through (.+?), which has no carrier")

#: Hosts whose kind (loopback, name) is remembered: every notice of a burst asks it of every
#: profile, and 5,000 parsed each time took a tenth of a second of the GUI thread.
HOSTS_KEPT = 65_536
#: Drops no further than this before the latest (by their events' times) went down "at once",
#: for the guess that this computer's network is down (``NotificationPolicy._outage``).
AT_ONCE_S = 60.0


def at_once(down: Mapping[str, Event]) -> dict[str, Event]:
    """The drops of ``down`` that came with its latest. Servers down for an hour, and one more
    now, did not go down at once: counted with the old drops, the one new drop made "Is this
    computer's network down? 4 of 5 connections went down at once"."""
    latest = max((e.ts for e in down.values()), default=None)
    if latest is None:
        return {}
    return {k: e for k, e in down.items() if (latest - e.ts).total_seconds() <= AT_ONCE_S}


def host_key(profile: Profile) -> str:
    """``profile``'s host as written the same way whatever its case or final dot."""
    return profile.host.strip().lower().rstrip(".")


@functools.lru_cache(maxsize=HOSTS_KEPT)
def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0].strip("[]")).is_loopback
    except ValueError:
        return False
