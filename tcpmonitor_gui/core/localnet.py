"""Is it me or them? This computer's network, as the kernel sees it.

Most alerts a desktop monitor raises on a laptop are about the laptop: the cable came out, the
Wi-Fi dropped, the VPN went down. Whether that is so is not guessed from how many targets fail
(a refusal proves the network works, however many there are); it is read from the kernel's
links and routes (rtnetlink, through ``pyroute2``):

- **offline**: no route leaves this computer through a link that is up, other than loopback:
  every failure that could be the network (a timeout, unreachable, no DNS) is then this
  computer's (``Cause.LOCAL_NETWORK``);
- **no route to that destination**: the kernel cannot route to the address a check used (the
  VPN that carried it is gone), even while other routes work.

Linux only: elsewhere ``online`` stays None (unknown) and nothing is ever taken for local;
README says what the other systems would need.

The watcher is a thread that waits on netlink events (a link or a route came or went) and
tells ``on_change(online, reason)``; queries may come from any thread.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Change = Callable[[bool, str], None]
#: ``IFF_UP``, ``IFF_LOOPBACK`` and ``IFF_RUNNING`` (a carrier) in ``ifinfomsg.flags``; a
#: route's ``RTNH_F_LINKDOWN`` (its link has no carrier: an empty bridge, a cable out).
_IFF_UP, _IFF_LOOPBACK, _IFF_RUNNING = 0x1, 0x8, 0x40
_RTNH_F_LINKDOWN = 0x10
_WATCHED = ("RTM_NEWLINK", "RTM_DELLINK", "RTM_NEWROUTE", "RTM_DELROUTE")
_MAIN_TABLE = 254


class LocalNetwork:
    """See the module's docstring. ``start()`` reads the state and starts watching."""

    def __init__(self, on_change: Change | None = None) -> None:
        self._on_change = on_change
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._closed = False
        self._socket: Any = None
        #: Where routes lead through links that are up (the main table), for ``local_failure``.
        self._reachable: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        #: True or False once known; None where the kernel cannot be asked (not Linux).
        self.online: bool | None = None
        self.reason = ""

    def start(self) -> LocalNetwork:
        """Read the state and watch it, from a thread of its own (pyroute2's sockets cannot be
        used from a thread that runs an asyncio loop); returns once the state is known."""
        if sys.platform.startswith("linux"):
            self._thread = threading.Thread(
                target=self._watch, name="tcpmonitor-localnet", daemon=True
            )
            self._thread.start()
            self._ready.wait(5)
        return self

    def close(self) -> None:
        self._closed = True
        if self._socket is not None:
            with contextlib.suppress(Exception):
                self._socket.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(2)

    def local_failure(self, address: str | None) -> str | None:
        """Why a failed check is this computer's network, or None when it is not known to be.

        ``address``: the IP the check used, if it got that far. Any thread; no I/O. A check
        of this computer itself (loopback) is never the network's."""
        ip = None
        if address:
            with contextlib.suppress(ValueError):
                ip = ipaddress.ip_address(address.split("%", 1)[0])
        if ip is not None and ip.is_loopback:
            return None
        if self.online is False:
            return self.reason
        if self.online is None or ip is None or ip.is_link_local:
            return None
        if any(ip in net for net in self._reachable if net.version == ip.version):
            return None
        return f"this computer has no route to {ip}"

    # -- the watcher -----------------------------------------------------------------------

    def _watch(self) -> None:
        try:
            from pyroute2 import IPRoute  # noqa: PLC0415 - Linux only
            from pyroute2.netlink.rtnl import (  # noqa: PLC0415
                RTMGRP_IPV4_ROUTE,
                RTMGRP_IPV6_ROUTE,
                RTMGRP_LINK,
            )

            self._socket = IPRoute()
            self._socket.bind(groups=RTMGRP_LINK | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE)
            self._update()
        except Exception as exc:  # no netlink here (a sandbox): unknown, never local
            log.warning("this computer's links and routes cannot be watched: %s", exc)
            return
        finally:
            self._ready.set()
        while not self._closed:
            try:
                messages = self._socket.get()
            except Exception:  # closed under us, at stop
                return
            if not any(str(m.get("event", "")).startswith(_WATCHED) for m in messages):
                continue
            try:
                changed = self._update()
            except Exception:
                log.exception("this computer's links and routes could not be read")
                continue
            if changed:
                log.warning("this computer's network is %s", "up" if self.online else "down")
                if self._on_change is not None:
                    try:
                        self._on_change(bool(self.online), self.reason)
                    except Exception:
                        log.exception("a network change could not be told")

    def _update(self) -> bool:
        """Read links and routes again; True if online or offline changed."""
        sock = self._socket
        links = {link["index"]: link["flags"] for link in sock.get_links()}
        running = _IFF_UP | _IFF_RUNNING
        up = {i for i, f in links.items() if f & running == running and not f & _IFF_LOOPBACK}
        reachable = []
        for family in (2, 10):  # AF_INET, AF_INET6
            for route in sock.get_routes(family=family, table=_MAIN_TABLE):
                if route.get_attr("RTA_OIF") not in up or route["flags"] & _RTNH_F_LINKDOWN:
                    continue
                dst = route.get_attr("RTA_DST") or ("0.0.0.0" if family == 2 else "::")
                with contextlib.suppress(ValueError):
                    net = ipaddress.ip_network(f"{dst}/{route['dst_len']}", strict=False)
                    if not net.is_link_local:
                        reachable.append(net)
        self._reachable = reachable
        if reachable:
            online, reason = True, ""
        elif not up:
            online, reason = False, "this computer's network is down (no link is up)"
        else:
            online, reason = False, "this computer's network is down (no route leaves it)"
        changed = online != self.online
        self.online, self.reason = online, reason
        return changed
