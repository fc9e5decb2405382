"""What ``localnet`` makes of this computer's links, addresses and routes (``KernelTables``):
online or not and why, where routes lead, and this computer's addresses. No I/O but the
``ignore_routes_with_linkdown`` setting of a link without carrier."""

from __future__ import annotations

from typing import NamedTuple

from .kernel_tables import KernelTables, Net
from .local_routes import IFF_LOOPBACK, Address, Route, main_routes, name, ways_out

#: ``IFF_UP`` and ``IFF_RUNNING`` (a carrier) in ``ifinfomsg.flags``.
_IFF_UP, _IFF_RUNNING = 0x1, 0x40


class Verdict(NamedTuple):
    online: bool
    #: Why offline ("" online).
    reason: str
    #: The routes out and this computer's addresses on the links that are up, but those of
    #: its containers' and VMs' bridges (one starting is no change of the network).
    routes: frozenset[Route | Address]
    #: Where routes lead through links that are up (the main table): out, to this
    #: computer's containers and VMs, through a tunnel while online.
    reachable: list[Net]
    #: The routes the kernel takes, as (destination, metric, the link without carrier
    #: where that is where they lead, else "").
    taken: list[tuple[Net, int, str]]
    #: Link-local networks on links that are up, and the link each is on.
    near: list[tuple[Net, str]]
    #: This computer's addresses on the links that are up.
    here: frozenset[str]
    #: Addresses on loopback links (a service's 10.99.0.1/32 on lo): never gone.
    on_loopback: frozenset[str]
    #: Addresses on any link, up or not, and the link each is on.
    anywhere: dict[str, str]


def judge(tables: KernelTables) -> Verdict:
    links = tables.links
    running = _IFF_UP | _IFF_RUNNING
    up = {
        i
        for i, link in links.items()
        if link.flags & running == running and not link.flags & IFF_LOOPBACK
    }
    read = main_routes(tables.routes, links, up)
    ways = ways_out(
        links,
        up,
        {oif for net, _, hops in read.live if not net.prefixlen for oif, _ in hops},
        {oif for r in tables.routes if not r.net.prefixlen for oif, _, _ in r.nexthops if oif},
    )
    online = any(oif in ways.uplinks for _, _, hops in read.live for oif, _ in hops)
    usable = ways.uplinks | ways.guests | (ways.tunnels if online else frozenset())
    reachable: list[Net] = []
    taken: list[tuple[Net, int, str]] = list(read.dead)
    routes: set[Route | Address] = set()
    for net, metric, hops in read.live:
        if any(oif in usable for oif, _ in hops):
            reachable.append(net)
            taken.append((net, metric, ""))
        for oif, via in hops:
            if oif in usable and oif not in ways.guests:
                routes.add(Route(str(net), via, name(links, oif)))
    on_loopback, anywhere, here = set(), {}, set()
    for index, local, routable in tables.addresses.values():
        link = links.get(index)
        if local:
            anywhere[str(local)] = name(links, index)
        if local and link is not None and link.flags & IFF_LOOPBACK:
            on_loopback.add(str(local))
        if index in up and routable:
            here.add(routable)
            if index not in ways.guests:
                routes.add(Address(routable, name(links, index)))
    tunnels = sorted(
        {name(links, i) for _, _, hops in read.live for i, _ in hops if i in ways.tunnels}
    )
    if online:
        reason = ""
    elif tunnels:  # a VPN whose transport is gone keeps its device and routes
        reason = (
            f"this computer's network is down (only the tunnel {', '.join(tunnels)} is up,"
            " with no link out under it)"
        )
    elif not ways.uplinks:
        reason = "this computer's network is down (no link is up)"
    else:
        reason = "this computer's network is down (no route leaves it)"
    return Verdict(
        online, reason, frozenset(routes), reachable, taken, read.near, frozenset(here),
        frozenset(on_loopback), anywhere,
    )  # fmt: skip
