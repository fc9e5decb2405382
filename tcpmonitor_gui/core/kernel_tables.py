"""This computer's links, addresses and main routes, as ``localnet`` keeps them: read whole
once, then kept from the kernel's own notices of what changed.

Reading them whole again at each notice cost, on a host of 300 containers (600 veths, each
with its fe80:: address and route), over a second of CPU, almost all ``pyroute2`` decoding;
a container starting is a dozen notices. A link's notice carries the link, an address's
the address: they are taken as they come. Routes are asked again of the kernel, only those
through the links a notice names (``rtnl``): the kernel drops or marks IPv4 routes with
no notice of them (a link down or without carrier, an address gone), and a route's notice of
a multipath one may carry one nexthop.

Kept compact (``Link``, ``MainRoute``, an address's link and IP): what ``local_routes``
judges by, the same from a whole reading as from notices.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Iterable
from typing import Any, NamedTuple

from .rtnl import MAIN_TABLE, RouteDumper, oifs_of, table_of

Net = ipaddress.IPv4Network | ipaddress.IPv6Network
#: A route's way out: (link, gateway, ``RTNH_F_LINKDOWN`` set).
Nexthop = tuple[int | None, str | None, int]
#: ``RTNH_F_LINKDOWN``: the nexthop's link has no carrier (an empty bridge, a cable out).
_RTNH_F_LINKDOWN = 0x10
#: ``IFF_UP``, ``IFF_RUNNING``, ``IFF_LOWER_UP``: a change of these may drop or mark the
#: link's routes with no notice of them.
_STATE_FLAGS = 0x1 | 0x40 | 0x10000
_AF_INET, _AF_INET6 = 2, 10


class Link(NamedTuple):
    ifindex: int
    name: str
    flags: int
    #: ``IFLA_INFO_KIND`` (veth, bridge, tun, dummy...), None for a network card.
    kind: str | None
    #: The bridge it is a port of.
    master: int | None


class MainRoute(NamedTuple):
    """A route of the main table."""

    net: Net
    metric: int
    nexthops: tuple[Nexthop, ...]
    #: To a link-local network (fe80::/64 on each link): worked out once, not at each change.
    near: bool


class HostAddress(NamedTuple):
    """An address on a link."""

    link: int
    #: As the kernel says it (``IFA_LOCAL``, else ``IFA_ADDRESS``).
    local: str | None
    #: The same, but None where it is link-local or not an IP: worked out once.
    routable: str | None


def link_of(message: Any) -> Link:
    info = message.get_attr("IFLA_LINKINFO")
    return Link(
        message["index"],
        message.get_attr("IFLA_IFNAME") or f"#{message['index']}",
        message["flags"],
        info.get_attr("IFLA_INFO_KIND") if info is not None else None,
        message.get_attr("IFLA_MASTER"),
    )


def route_of(message: Any) -> MainRoute | None:
    """None for a route whose destination cannot be read."""
    family = message["family"]
    dst = message.get_attr("RTA_DST") or ("0.0.0.0" if family == _AF_INET else "::")
    try:
        net = ipaddress.ip_network(f"{dst}/{message['dst_len']}", strict=False)
    except ValueError:
        return None
    hops = message.get_attr("RTA_MULTIPATH") or [message]
    nexthops = tuple(
        (h["oif"] if h is not message else message.get_attr("RTA_OIF"), h.get_attr("RTA_GATEWAY"),
         h["flags"] & _RTNH_F_LINKDOWN)
        for h in hops
    )  # fmt: skip
    return MainRoute(net, message.get_attr("RTA_PRIORITY") or 0, nexthops, net.is_link_local)


def _address_of(message: Any) -> tuple[tuple[object, ...], HostAddress]:
    """An address's key (as the kernel tells one from another) and the address."""
    local = message.get_attr("IFA_LOCAL")
    address = message.get_attr("IFA_ADDRESS")
    key = (message["family"], message["index"], local, address, message["prefixlen"])
    routable = None
    with contextlib.suppress(ValueError):
        ip = ipaddress.ip_address(local or address)
        routable = None if ip.is_link_local else str(ip)
    return key, HostAddress(message["index"], local or address, routable)


class KernelTables:
    """Read by one thread (the watcher's)."""

    def __init__(self) -> None:
        self.links: dict[int, Link] = {}
        #: The addresses on every link, by the kernel's key of each.
        self.addresses: dict[tuple[object, ...], HostAddress] = {}
        self.routes: set[MainRoute] = set()
        #: How many times all was read whole (at start, after notices were lost).
        self.whole_reads = 0
        self._dumper: RouteDumper | None = None

    def close(self) -> None:
        if self._dumper is not None:
            with contextlib.suppress(OSError):
                self._dumper.close()

    def read_whole(self, sock: Any) -> None:
        """Read everything again on ``pyroute2``'s ``sock``."""
        self.links = {link["index"]: link_of(link) for link in sock.get_links()}
        self.addresses = dict(_address_of(a) for a in sock.get_addr())
        self.routes = set(
            self._main(r for family in (_AF_INET, _AF_INET6) for r in sock.get_routes(
                family=family, table=MAIN_TABLE))
        )  # fmt: skip
        self.whole_reads += 1

    def apply(self, messages: Iterable[Any]) -> None:
        """Take in the kernel's notices (``RTM_NEWLINK``..., as ``pyroute2`` decodes them),
        asking again for the routes of the links they name."""
        stale: set[int] = set()  # links whose routes are asked again
        families: set[int] = set()  # families whose routes are all asked again
        for message in messages:
            event = str(message.get("event", ""))
            if event in ("RTM_NEWLINK", "RTM_DELLINK"):
                if message["family"] != 0:
                    continue  # a bridge's notice of its port (AF_BRIDGE), not of a link
                index = message["index"]
                old = self.links.pop(index, None)
                if event == "RTM_NEWLINK":
                    self.links[index] = new = link_of(message)
                    if old is not None and not (old.flags ^ new.flags) & _STATE_FLAGS:
                        continue
                else:
                    self.addresses = {k: a for k, a in self.addresses.items() if a.link != index}
                stale.add(index)
            elif event in ("RTM_NEWADDR", "RTM_DELADDR"):
                key, address = _address_of(message)
                if event == "RTM_NEWADDR":
                    self.addresses[key] = address
                else:
                    self.addresses.pop(key, None)
                    if message["family"] == _AF_INET:  # its routes (prefsrc) go untold
                        families.add(_AF_INET)
            elif event in ("RTM_NEWROUTE", "RTM_DELROUTE") and table_of(message) == MAIN_TABLE:
                stale.update(oifs_of(message))  # one with no link (blackhole) leads nowhere
        if stale or families:
            self._ask_again(stale, families)

    def _ask_again(self, stale: set[int], families: set[int]) -> None:
        if self._dumper is None:
            self._dumper = RouteDumper()
        for route in self.routes:  # a multipath route's other links: asked again with it
            links = {oif for oif, _, _ in route.nexthops if oif is not None}
            if links & stale:
                stale |= links
        versions = {4 if family == _AF_INET else 6 for family in families}
        self.routes = {
            r
            for r in self.routes
            if not any(oif in stale for oif, _, _ in r.nexthops) and r.net.version not in versions
        }
        for family in families:
            self.routes.update(self._main(self._dumper.routes(family)))
        for oif in stale:
            if oif in self.links:
                for family in (_AF_INET, _AF_INET6):
                    self.routes.update(self._main(self._dumper.routes(family, oif)))

    @staticmethod
    def _main(messages: Iterable[Any]) -> Iterable[MainRoute]:
        return (route for m in messages if (route := route_of(m)) is not None)
