"""Is it me or them? This computer's network, as the kernel sees it.

Most alerts a desktop monitor raises on a laptop are about the laptop: the cable came out, the
Wi-Fi dropped, the VPN went down. Whether that is so is not guessed from how many targets fail
(a refusal proves the network works, however many there are); it is read from the kernel's
links and routes (rtnetlink, through ``pyroute2``):

- **offline**: no route leaves this computer through a link that is up, other than loopback
  (a bridge of containers or VMs leads only to them, a VPN's tunnel out only through a link
  under it: ``local_routes.ways_out``): every failure that could be the network (a timeout,
  unreachable, no DNS) is then this computer's (``Cause.LOCAL_NETWORK``), but one of a
  container or VM on this computer;
- **no route to that destination**: the kernel cannot route to the address a check used (the
  VPN that carried it is gone), even while other routes work;
- **changed**: while online, the routes out changed (a new default route, a Wi-Fi switch, a
  VPN up or down), which can cut held connections: told once the burst of route messages
  settles, and remembered for ``CHANGE_GRACE_S`` so that a drop then is known for likely its
  doing (``recent_change``).

Linux only: elsewhere ``online`` stays None (unknown) and nothing is ever taken for local;
README says what the other systems would need.

The watcher is a thread that waits on netlink events (a link or a route came or went): it
reads the links, addresses and routes whole at start (and when some events were lost), and
then follows the events (``kernel_tables``: a container starting on a host of hundreds once
cost a second of CPU, each time all read again); it tells ``on_change(online, reason)``
and ``on_routes(detail)``; queries may come from any thread.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import math
import os
import select
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from .kernel_tables import KernelTables, Net
from .local_routes import Address, Route, describe_change
from .local_verdict import judge
from .rtnl import Notices

__all__ = ["Address", "LocalNetwork", "Route", "describe_change", "loopback"]

log = logging.getLogger(__name__)

Change = Callable[[bool, str], None]
_WATCHED = (
    "RTM_NEWLINK",
    "RTM_DELLINK",
    "RTM_NEWROUTE",
    "RTM_DELROUTE",
    "RTM_NEWADDR",
    "RTM_DELADDR",
)
#: Route changes that come within this of each other are one change (a VPN adds several).
SETTLE_S = 0.3
#: The network coming back is told once its routes (DHCP's default route) have settled for
#: ``SETTLE_S``, or this long after its link came back at most; routes that come later are a
#: change, told as one (and everything that failed meanwhile is checked again then).
ONLINE_SETTLE_S = 2.0
#: Offline or back this soon after the last one told (a flapping link, a loose cable) is told
#: once the link has held its state this long, as one event that says how often it flapped;
#: and a change of routes this soon after the last one told (a second uplink flapping).
FLAP_S = 1.0
#: How long after a change a dropped connection is taken as likely cut by it.
CHANGE_GRACE_S = 5.0
#: How often all is read whole again, whatever the notices said: what changes with no notice
#: (a link's ``ignore_routes_with_linkdown`` set) is seen within this (a reading whole costs
#: well under a second with 300 containers).
REREAD_S = 600.0


class LocalNetwork:
    """See the module's docstring. ``start()`` reads the state and starts watching."""

    def __init__(
        self, on_change: Change | None = None, on_routes: Callable[[str], None] | None = None
    ) -> None:
        """``on_change(online, reason)``: offline or back; ``on_routes(detail)``: while
        online, the routes out changed (a new default route, a VPN up or down)."""
        self._on_change = on_change
        self._on_routes = on_routes
        #: The routes out and this computer's addresses on the links that are up, but those
        #: of its containers' and VMs' bridges (one starting is no change of the network).
        self._routes: frozenset[Route | Address] = frozenset()
        #: This computer's addresses on the links that are up.
        self._here: frozenset[str] = frozenset()
        #: Addresses on loopback links (a service's 10.99.0.1/32 on lo): never gone.
        self._on_loopback: frozenset[str] = frozenset()
        #: Addresses on any link, up or not (docker0 with no container keeps its own).
        self._anywhere: dict[str, str] = {}  # and the link each is on
        #: The last change (online, offline, or routes) and when (``monotonic()``).
        self.change = ""
        self.changed_at = -CHANGE_GRACE_S
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        #: Called once the state is known (``when_known``).
        self._waiting: list[Callable[[], object]] = []
        #: Tell an offline start through ``on_change`` (``start(wait=False)``).
        self._tell_start = False
        self._closed = False
        #: A pipe whose write end ``close`` writes to, to end the watcher's wait.
        self._stop_r = self._stop_w = -1
        self._socket: Any = None
        #: Asked for the links, routes and addresses; never bound to the notices: a dump on
        #: the bound socket read, and kept in pyroute2's backlog, the notices that came
        #: meanwhile, so the socket was not readable again and a change right after another
        #: (an address added, then the old one removed) was never seen.
        self._query: Any = None
        #: The links, addresses and routes, kept from the notices once read whole.
        self._tables = KernelTables()
        #: The notices' socket's receive buffer: a burst past it is lost (``ENOBUFS``), and
        #: all is read whole again.
        self._rcvbuf = 1 << 20
        self._reread_s = REREAD_S
        #: Where routes lead through links that are up (the main table), for ``local_failure``:
        #: out, to this computer's containers and VMs, through a tunnel while online.
        self._reachable: list[Net] = []
        #: Link-local networks on links that are up, and the link each is on.
        self._near: list[tuple[Net, str]] = []
        #: The routes the kernel takes, as (destination, metric, the link without carrier
        #: where that is where they lead, else ""), for ``local_failure``.
        self._taken: list[tuple[Net, int, str]] = []
        #: True or False once known; None where the kernel cannot be asked (not Linux).
        self.online: bool | None = None
        self.reason = ""

    def start(self, *, wait: bool = True) -> LocalNetwork:
        """Read the state and watch it, from a thread of its own (pyroute2's sockets cannot be
        used from a thread that runs an asyncio loop); returns once the state is known.

        ``wait=False`` returns at once (the window's first frame must not wait for pyroute2's
        import and the kernel's answer): ``when_known`` then says when the state is known,
        and starting offline is told through ``on_change`` like any later change."""
        if self._thread is not None:
            return self
        if not sys.platform.startswith("linux"):
            self._known()  # nothing to learn: unknown for good
            return self
        self._tell_start = not wait
        self._stop_r, self._stop_w = os.pipe()
        self._thread = threading.Thread(target=self._watch, name="tcpmonitor-localnet", daemon=True)
        self._thread.start()
        if wait:
            self._ready.wait(5)
        return self

    def when_known(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` once the state is known, or known not to be learnable: at once
        (in this thread) if it is, else from the watcher's thread. Any thread."""
        with self._lock:
            if not self._ready.is_set():
                self._waiting.append(callback)
                return
        self._tell(callback)

    def _known(self) -> None:
        with self._lock:
            self._ready.set()
            waiting, self._waiting = self._waiting, []
        for callback in waiting:
            self._tell(callback)

    def close(self) -> None:
        self._closed = True
        if self._thread is None:
            return
        with contextlib.suppress(OSError):
            os.write(self._stop_w, b"x")  # wakes the watcher's select()
        if self._thread is not threading.current_thread():
            self._thread.join(2)
        if not self._thread.is_alive():  # else it would select() on a closed, reused fd
            for fd in (self._stop_r, self._stop_w):
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._stop_r = self._stop_w = -1

    def local_failure(self, address: str | None) -> str | None:
        """Why a failed check is this computer's network, or None when it is not known to be.

        ``address``: the IP the check used, if it got that far. Any thread; no I/O. A check
        of this computer itself (loopback) is never the network's."""
        if address and loopback(address):
            return None
        ip = None
        if address:
            with contextlib.suppress(ValueError):
                ip = ipaddress.ip_address(address.split("%", 1)[0])
        if self.online is False:
            scope = address.partition("%")[2] if address else ""
            if ip is not None and any(  # on a link that is up: a device on a cable of its own
                ip in net and scope in ("", link) for net, link in self._near
            ):
                return None
            if ip is not None and any(
                ip in net for net in self._reachable if net.version == ip.version
            ):
                return None  # a container's or VM's on this computer, whose network is its own
            return self.reason
        if self.online is None or ip is None or ip.is_link_local:
            return None
        taken = [(n.prefixlen, -m, dead) for n, m, dead in self._taken if ip in n]
        if taken and (dead := max(taken)[2]):  # the most specific, of the lowest metric
            return f"this computer's route to {ip} goes through {dead}, which has no carrier"
        if any(ip in net for net in self._reachable if net.version == ip.version):
            return None
        return f"this computer has no route to {ip}"

    def address_gone(self, address: str, to: str | None = None) -> str | None:
        """Why a connection held from ``address`` (to ``to``) is dead, if this computer no
        longer has that address on a link that is up (gone, or on one that is down: said
        which); None when it has, or when that is not known. One to that
        same address never leaves this computer, and lives while the address is on a link,
        one without carrier too (a service on docker0's address, no container running).
        Any thread; no I/O."""
        with contextlib.suppress(ValueError):
            ip = _plain_ip(address)
            if not self.online or ip.is_loopback or ip.is_link_local:
                return None  # offline: its addresses may come back with the link
            if str(ip) in self._on_loopback or str(ip) in self._here:
                return None
            on = self._anywhere.get(str(ip))
            if to is not None and _plain_ip(to) == ip and on is not None:
                return None
            change = self.recent_change()
            after = f", right after {change}" if change else ""
            where = f"is on {on}, which is down" if on else "is gone"  # still there, unused
            return f"cut: this computer's address {ip} {where}{after}"
        return None

    # -- the watcher -----------------------------------------------------------------------

    def _watch(self) -> None:
        try:
            from pyroute2 import IPRoute  # noqa: PLC0415 - Linux only

            self._socket = Notices(self._rcvbuf)
            self._query = IPRoute()
            self._update()
        except Exception as exc:  # no netlink here (a sandbox): unknown, never local
            log.warning("this computer's links and routes cannot be watched: %s", exc)
            self._close_sockets()
            return
        finally:
            self._known()
        if self._tell_start and self.online is False:
            self._tell(self._on_change, False, self.reason)
        settled_at: float | None = None  # routes changed: told once they settle
        before = self._routes
        told, told_at = self.online, -math.inf  # the last offline or online told, and when
        flapping_until: float | None = None  # flips too soon after one told: told settled
        flips = downs = 0  # since the last one told
        coming_back: float | None = None  # "online" waits for its routes (DHCP) until this
        reread_at = time.monotonic() + self._reread_s
        while not self._closed:
            deadlines = [t for t in (settled_at, flapping_until) if t is not None]
            wait = max(0.0, min([*deadlines, reread_at]) - time.monotonic())
            try:
                readable, _, _ = select.select([self._socket, self._stop_r], [], [], wait)
                if self._stop_r in readable:
                    break
                # None: some were lost (a burst past the buffer), all is read whole again
                messages = self._socket.read() if readable else []
            except Exception:  # closed under us, at stop
                break
            if messages == [] and time.monotonic() >= reread_at:
                messages = None  # as if some were lost
            if messages is None:
                reread_at = time.monotonic() + self._reread_s
            if messages and not any(str(m.get("event", "")).startswith(_WATCHED) for m in messages):
                continue
            now = time.monotonic()
            flipped = False
            if messages is None or messages:
                try:
                    flipped = self._update(messages)
                except Exception:
                    log.exception("this computer's links and routes could not be read")
                    continue
                if flipped:
                    settled_at, flips, downs = None, flips + 1, downs + (not self.online)
                    coming_back = None
                    if flapping_until is not None or now - told_at < FLAP_S:
                        flapping_until = now + FLAP_S  # a flapping link: told once it holds
                    elif self.online:  # told with the routes that come with it, settled
                        flapping_until, coming_back = now + SETTLE_S, now + ONLINE_SETTLE_S
                elif coming_back is not None and flapping_until is not None:
                    flapping_until = min(max(flapping_until, now + SETTLE_S), coming_back)
                elif flapping_until is None and now - self.changed_at < FLAP_S:
                    settled_at = now + FLAP_S  # again right after one told: once they hold
                elif self._routes != before and settled_at is None and flapping_until is None:
                    settled_at = now + SETTLE_S  # a VPN adds routes in a burst
            if flapping_until is not None and now >= flapping_until:
                with contextlib.suppress(Exception):  # as it is now: a link's carrier frees
                    self._update()  # its routes (RTNH_F_LINKDOWN) with no message of them
                flapping_until, flipped, coming_back = None, self.online != told, None
                if not flipped and self._routes != before:
                    settled_at = now + SETTLE_S  # what the flapping left of the routes
            if flipped and flapping_until is None:  # offline or back: it says all there is
                settled_at, before = None, self._routes  # what comes later is a change
                self.change = ""  # offline and back are told as what they are
                reason = self.reason
                if flips > 1:  # the period began with the one told, maybe a down
                    reason = _flapped(reason, downs + (told is False), now - told_at)
                told, told_at, flips, downs = self.online, now, 0, 0
                log.warning("this computer's network is %s", "up" if self.online else "down")
                self._tell(self._on_change, bool(self.online), reason)
                continue
            if settled_at is None or now < settled_at:
                continue
            settled_at = None
            if self._routes != before and self.online:
                detail = describe_change(before, self._routes)
                if detail:  # else only an address came: it cuts nothing, and is said with
                    before = self._routes  # the change it comes before ("gone (now ...)")
                    self.changed_at, self.change = now, detail
                    log.warning("%s", detail)
                    self._tell(self._on_routes, detail)
        self._close_sockets()  # in this thread, the only one that used them

    def _close_sockets(self) -> None:
        for sock in (self._socket, self._query):
            if sock is not None:
                with contextlib.suppress(Exception):
                    sock.close()
        self._tables.close()

    def _tell(self, callback: Callable[..., object] | None, *args: object) -> None:
        if callback is not None:
            try:
                callback(*args)
            except Exception:
                log.exception("a network change could not be told")

    def recent_change(
        self, within_s: float = CHANGE_GRACE_S, *, to: str | None = None
    ) -> str | None:
        """What changed in this computer's routes, if that was less than ``within_s`` ago
        (a held connection dropping then was likely cut by it). ``to``: the IP the dropped
        connection went to; none to this computer itself (loopback) goes by any route that
        changed, and nothing is said of it. Any thread."""
        if to is not None and loopback(to):
            return None
        if self.change and time.monotonic() - self.changed_at < within_s:
            return self.change
        return None

    def _update(self, messages: list[Any] | None = None) -> bool:
        """Read links, addresses and routes whole (``messages`` None), or take in what
        ``messages`` (the kernel's notices) say changed; True if online or offline changed."""
        if messages is not None:
            try:
                self._tables.apply(messages)
            except Exception:  # what they left half taken in is read whole
                log.exception("this computer's network changes could not be followed")
                messages = None
        if messages is None:
            self._tables.read_whole(self._query)
        verdict = judge(self._tables)
        self._reachable, self._taken, self._routes = (
            verdict.reachable,
            verdict.taken,
            verdict.routes,
        )
        self._near, self._on_loopback = verdict.near, verdict.on_loopback
        self._anywhere, self._here = verdict.anywhere, verdict.here
        changed = verdict.online != self.online
        self.online, self.reason = verdict.online, verdict.reason
        return changed


def loopback(address: str) -> bool:
    """Whether the IP ``address`` (IPv6 with a scope, or IPv4-mapped) is this computer's
    loopback: what goes there never leaves it, whatever the network does."""
    with contextlib.suppress(ValueError):
        return _plain_ip(address).is_loopback
    return False


def _plain_ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The IP ``address`` names, without an IPv6 scope, IPv4 where it is IPv4-mapped
    (``ValueError``: none)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def _flapped(reason: str, downs: int, seconds: float) -> str:
    """``reason``, saying that the link went down ``downs`` times in ``seconds`` (at least:
    a down and up between two reads of the kernel's state is not seen)."""
    flapped = f"it went down at least {downs} times in {seconds:.1f} s"
    return f"{reason} ({flapped})" if reason else f"this computer's network is up ({flapped})"
