"""What this computer's links and routes say, as ``localnet`` reads them from the kernel: the
ways out of a route, the links that lead nowhere, and a change of routes in words."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from .events import Cause, Event
from .kernel_tables import Link, MainRoute, Net

#: A route's way out through a link that is up, with a carrier: (link, gateway).
Hop = tuple[int, str | None]

#: ``IFF_LOOPBACK`` in ``ifinfomsg.flags``.
IFF_LOOPBACK = 0x8


class Routes(NamedTuple):
    """The main table's routes, as the kernel would take them."""

    #: (destination, metric, ways out through links that are up, with a carrier).
    live: list[tuple[Net, int, list[Hop]]]
    #: (destination, metric, link): routes whose every link has no carrier, which the kernel
    #: still takes (unless told to ignore them: ``ignore_routes_with_linkdown``).
    dead: list[tuple[Net, int, str]]
    #: (link-local network, link): the links that are up, with a carrier, where a device
    #: on a cable of its own answers at fe80::/64 or 169.254.0.0/16.
    near: list[tuple[Net, str]]


def main_routes(main: Iterable[MainRoute], links: dict[int, Link], up: set[int]) -> Routes:
    """The main table's routes (IPv4 and IPv6) by where they lead. A multipath route
    (``default nexthop via A nexthop via B``) has no link of its own, its nexthops have: it
    was taken for no route, a server's timeout put down to "no route", and one alone for
    this computer offline."""
    routes = Routes([], [], [])
    ports = _ports(links)
    for net, metric, every, near in main:
        hops: list[Hop] = [
            (oif, via) for oif, via, flags in every if oif is not None and oif in up and not flags
        ]
        dead = [oif for oif, _, flags in every if flags and oif in links]
        if near:
            routes.near.extend((net, name(links, oif)) for oif, _ in hops)
            continue
        if hops:
            routes.live.append((net, metric, hops))
        elif len(dead) == len(every) and not any(
            _guests_only(links, ports, i) or _ignores_linkdown(net.version, name(links, i))
            for i in dead
        ):
            routes.dead.append((net, metric, ", ".join(sorted({name(links, i) for i in dead}))))
    return routes


def name(links: dict[int, Link], index: int | None) -> str:
    """A link's name (``#7`` for one not known)."""
    link = links.get(index) if index is not None else None
    return link.name if link is not None else f"#{index}"


def _ignores_linkdown(version: int, device: str) -> bool:
    """Whether the kernel passes over routes through ``device`` while it has no carrier
    (``ignore_routes_with_linkdown``, its own or all's). By default it does not: a cable
    pulled, traffic still goes where that link's routes say, and nowhere, until something
    (NetworkManager, a few seconds on) removes them."""
    for conf in ("all", device):
        with contextlib.suppress(OSError, ValueError):
            path = Path(f"/proc/sys/net/ipv{version}/conf/{conf}/ignore_routes_with_linkdown")
            if int(path.read_text()):
                return True
    return False


#: Kinds of link that are tunnels (OpenVPN's tun or tap, WireGuard, IP-in-IP, GRE, IPsec):
#: what they carry leaves through another link, so a route through one leads out only while
#: a link under it does. A VPN keeps its device and routes while its transport is gone.
TUNNELS = frozenset(
    {"tun", "wireguard", "ipip", "ip6tnl", "sit", "gre", "ip6gre", "vti", "vti6", "xfrm"}
)
#: Bridge ports of this computer's own containers and VMs (a veth's other end is a
#: container's eth0, a tap's a VM's network card), and dummies (one keeps a bridge up): a
#: bridge of only these is their network.
_GUEST_PORTS = frozenset({"veth", "tun", "dummy"})
#: Host-only adapters of VirtualBox (vboxnet0...) and VMware (vmnet1, vmnet8): to this
#: computer's VMs only. Their drivers give them no kind of link: their names tell them.
_HOST_ONLY = ("vboxnet", "vmnet")


def _inward(link: Link) -> bool:
    """Whether ``link`` leads nowhere out of this computer: a dummy (it drops what it is
    given: a service's address sits on it) or a host-only adapter; its routes were taken for
    a way out, and a cable pulled was "no route to" each server, never offline."""
    return link.kind == "dummy" or link.name.startswith(_HOST_ONLY)


class Ways(NamedTuple):
    """The links that are up (with a carrier), by where their routes lead."""

    #: Out of this computer: a network card, a bridge that carries one.
    uplinks: frozenset[int]
    #: Into a tunnel, out only while an uplink carries it.
    tunnels: frozenset[int]
    #: To this computer's own containers or VMs (docker0, virbr0 with some running, a
    #: host-only adapter), or nowhere (a dummy).
    guests: frozenset[int]


def ways_out(
    links: dict[int, Link], up: set[int], defaults: set[int], any_default: set[int]
) -> Ways:
    """The links ``up`` (not loopback) by where they lead; ``defaults``: those a default
    route goes through; ``any_default``: those one goes through, with a carrier or not.

    A bridge of containers or VMs (docker0 with its veths, virbr0 with its taps) has a
    carrier while one runs, and its subnet's route was taken for a way out: a cable pulled
    was never "offline" but "no route to" each server (a dummy link, a host-only adapter
    lead nowhere out either: ``_inward``). It leads out only through a port
    that is neither (eth0 in br0), while that port is up; a bridge of only such ports does
    when a default route goes through it (a router container, a namespace's veth uplink).
    An empty bridge (docker0 with nothing running) leads nowhere. A veth of no bridge leads
    to a container routed to (a pod's veth with its /32 route), unless a default route goes
    through it or no other link leads out (this computer is itself such a container).

    Where no link but tunnels is here at all (a rootless container's namespace, its tap
    carried by slirp4netns or pasta outside it), what is under them is not ours to see:
    they are the way out."""
    alone = not any(
        link.kind not in TUNNELS and not link.flags & IFF_LOOPBACK and not _inward(link)
        for link in links.values()
    )
    ports = _ports(links)
    uplinks: set[int] = set()
    tunnels: set[int] = set()
    guests: set[int] = set()
    routed: set[int] = set()  # veths of no bridge, no default route through them
    for i in up:
        kind = links[i].kind
        if kind in TUNNELS:
            (uplinks if alone else tunnels).add(i)
        elif _inward(links[i]):
            guests.add(i)
        elif kind == "veth" and links[i].master is None and i not in defaults:
            routed.add(i)
        elif kind != "bridge":
            uplinks.add(i)
        else:
            mine = ports.get(i, [])
            outward = [p for p in mine if p.kind not in _GUEST_PORTS]
            if any(p.ifindex in up for p in outward):
                uplinks.add(i)
            elif any(p.ifindex in up for p in mine):  # its guests': eth0 in it is down
                (uplinks if not outward and i in defaults else guests).add(i)
    # A veth's other end is in another namespace of this computer: a container routed to
    # (Calico's pods, LXC's routed mode, ``ip netns``), unless it is the only way there is
    # (this computer is itself such a container, with no default route: no other link).
    elsewhere = (any_default | defaults) - routed or any(
        link.kind not in TUNNELS | {"veth", "bridge"}
        and not link.flags & IFF_LOOPBACK
        and not _inward(link)
        for link in links.values()
    )
    (guests if elsewhere else uplinks).update(routed)
    return Ways(frozenset(uplinks), frozenset(tunnels), frozenset(guests))


def _ports(links: dict[int, Link]) -> dict[int, list[Link]]:
    """Each bridge's ports."""
    ports: dict[int, list[Link]] = {}
    for link in links.values():
        if link.master is not None:
            ports.setdefault(link.master, []).append(link)
    return ports


def _guests_only(links: dict[int, Link], ports: dict[int, list[Link]], i: int) -> bool:
    """Whether link ``i`` is a bridge of containers' or VMs' ports only, or of none (docker0
    with nothing running has no carrier: what it led to is not there, not cut off)."""
    return links[i].kind == "bridge" and all(p.kind in _GUEST_PORTS for p in ports.get(i, []))


class Route(NamedTuple):
    """A route that leaves this computer through a link that is up."""

    destination: str
    gateway: str | None
    device: str

    def __str__(self) -> str:
        via = f" via {self.gateway}" if self.gateway else ""
        return f"{self.destination}{via} dev {self.device}"


class Address(NamedTuple):
    """One of this computer's addresses, on a link that is up."""

    address: str
    device: str

    def __str__(self) -> str:
        return f"{self.address} dev {self.device}"


#: How every change's detail begins (``describe_change``); the engine adds it to the detail
#: of a drop it finds cut by the change (``monitor``, ``localnet.local_failure``).
CHANGED = "this computer's network changed"


def describe_change(before: frozenset[Route | Address], after: frozenset[Route | Address]) -> str:
    """``this computer's network changed: default route now via 10.0.0.1 dev wlan0``, or
    ``...: address 10.0.0.7 dev wlan0 gone (now 10.0.0.9 dev wlan0)`` (what it held is cut),
    or the routes that came and went, a few of them; "" when only addresses came."""
    defaults = {"0.0.0.0/0", "::/0"}
    old = sorted(r for r in before if isinstance(r, Route) and r.destination in defaults)
    new = sorted(r for r in after if isinstance(r, Route) and r.destination in defaults)
    if old != new:  # the defaults that came, else those that went (IPv4 and IPv6 apart)
        came = [str(r) for r in new if r not in old]
        went = [str(r) for r in old if r not in new]
        if came:
            return f"{CHANGED}: default route now {_few(came)}"
        if new:
            return f"{CHANGED}: default route {_few(went)} gone"
        return f"{CHANGED}: no default route now"
    parts = []
    lost = sorted(str(a) for a in before - after if isinstance(a, Address))
    if lost:  # what was held from it is cut
        came = sorted(str(a) for a in after - before if isinstance(a, Address))
        now = f" (now {_few(came)})" if came else ""
        parts.append(("address " if len(lost) == 1 else "addresses ") + _few(lost) + " gone" + now)
    added = sorted(str(r) for r in after - before if isinstance(r, Route))
    gone = sorted(str(r) for r in before - after if isinstance(r, Route))
    if added:
        parts.append("new route " + _few(added))
    if gone:
        parts.append("route gone " + _few(gone))
    return f"{CHANGED}: " + "; ".join(parts) if parts else ""


def cut_by_change(event: Event) -> bool:
    """Whether the engine tied this drop to a change of this computer's network: the change
    in its detail, or this computer's network as its cause."""
    return event.cause is Cause.LOCAL_NETWORK or f"right after {CHANGED}" in (event.detail or "")


def _few(items: list[str]) -> str:
    return ", ".join(items[:3]) + (" …" if len(items) > 3 else "")
