"""What this computer's links and routes say, as ``localnet`` reads them from the kernel: the
ways out of a route, the links that lead nowhere, and a change of routes in words."""

from __future__ import annotations

from typing import Any, NamedTuple

#: A route's (or nexthop's) ``RTNH_F_LINKDOWN``: its link has no carrier (an empty bridge, a
#: cable out).
_RTNH_F_LINKDOWN = 0x10


def hops_of(route: Any) -> list[tuple[int | None, str | None, int]]:
    """A route's ways out: (link, gateway, ``RTNH_F_LINKDOWN`` set) each. A multipath route
    (``default nexthop via A nexthop via B``) has no link of its own, its nexthops have: it
    was taken for no route, a server's timeout put down to "no route", and one alone for
    this computer offline."""
    hops = route.get_attr("RTA_MULTIPATH") or [route]
    return [
        (h["oif"] if h is not route else route.get_attr("RTA_OIF"), h.get_attr("RTA_GATEWAY"),
         h["flags"] & _RTNH_F_LINKDOWN)
        for h in hops
    ]  # fmt: skip


def portless_bridges(links: dict[int, Any], up: set[int]) -> set[int]:
    """The bridges among the links ``up`` that no port that is up leads out of: an empty
    bridge (docker0, virbr0 or a VMs' br0 with nothing attached) has a carrier here, and its
    subnet's route was taken for a way out, so a cable pulled was never "offline". A bridge
    with a port up (the uplink enslaved to br0, a container's veth) is a network."""
    bridges = {i for i in up if _kind(links[i]) == "bridge"}
    return bridges - {links[i].get_attr("IFLA_MASTER") for i in up}


def _kind(link: Any) -> str | None:
    info = link.get_attr("IFLA_LINKINFO")
    return info.get_attr("IFLA_INFO_KIND") if info is not None else None


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
            return f"this computer's network changed: default route now {_few(came)}"
        if new:
            return f"this computer's network changed: default route {_few(went)} gone"
        return "this computer's network changed: no default route now"
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
    return "this computer's network changed: " + "; ".join(parts) if parts else ""


def _few(items: list[str]) -> str:
    return ", ".join(items[:3]) + (" …" if len(items) > 3 else "")
