"""Which failures ``LocalNetwork`` takes for this computer's, given what the kernel said.

The state is set as the watcher would set it from netlink (that the watcher reads it right is
tested for real in ``test_local_network.py``, in a namespace); here, only the rules.
"""

from __future__ import annotations

import ipaddress
import threading

from tcpmonitor_gui.core.localnet import LocalNetwork, Route, describe_change

DOWN = "this computer's network is down (no link is up)"


def offline() -> LocalNetwork:
    local = LocalNetwork()
    local.online, local.reason = False, DOWN
    return local


def routed(*nets: str) -> LocalNetwork:
    local = LocalNetwork()
    local.online = True
    local._reachable = [ipaddress.ip_network(n) for n in nets]
    return local


def test_offline_blames_every_failure_but_one_on_this_computer() -> None:
    local = offline()
    assert local.local_failure("192.0.2.7") == DOWN
    assert local.local_failure("2001:db8::7") == DOWN
    assert local.local_failure(None) == DOWN  # a name that could not be resolved
    # A server on this computer does not need the network: its failure is its own.
    assert local.local_failure("127.0.0.1") is None
    assert local.local_failure("::1") is None


def test_online_blames_only_destinations_no_route_covers() -> None:
    local = routed("10.8.0.0/16", "192.0.2.0/24")  # a VPN's routes and a LAN, no default
    assert local.local_failure("10.8.3.4") is None
    assert local.local_failure("192.0.2.9") is None
    assert local.local_failure("198.51.100.1") == "this computer has no route to 198.51.100.1"
    assert local.local_failure("2001:db8::1") == "this computer has no route to 2001:db8::1"
    assert local.local_failure("fe80::1%eth0") is None  # link-local: on the link, unrouted
    assert local.local_failure(None) is None  # no address: nothing to say
    assert routed("0.0.0.0/0").local_failure("203.0.113.5") is None


def test_unknown_blames_nothing() -> None:
    local = LocalNetwork()  # not started, or not Linux
    assert local.online is None
    assert local.local_failure("192.0.2.7") is None
    assert local.local_failure(None) is None


def test_a_start_that_does_not_wait_says_when_the_state_is_known() -> None:
    """``start(wait=False)`` returns before the watcher has read the kernel (the window's
    first frame does not wait for it); ``when_known`` calls back once it has, from the
    watcher's thread, and at once in the caller's thread when asked after that."""
    local = LocalNetwork()
    known = threading.Event()
    where: list[str] = []

    def first() -> None:
        where.append(threading.current_thread().name)
        known.set()

    try:
        local.start(wait=False)
        local.when_known(first)
        assert known.wait(10), "the watcher never said the state is known"
        assert local.online is not None  # this host has netlink, and loopback at least
        assert len(where) == 1  # once, whichever thread got there first
        later: list[str] = []
        local.when_known(lambda: later.append(threading.current_thread().name))
        assert later == [threading.current_thread().name]
    finally:
        local.close()


def test_a_change_of_the_ipv6_default_route_names_that_route() -> None:
    """With an IPv4 and an IPv6 default route, a new IPv6 gateway was told as "default route
    now 0.0.0.0/0 via 10.0.0.1", the IPv4 route that had not changed (the first of the new
    defaults, sorted); and one default of two going away as a new default route."""
    v4 = Route("0.0.0.0/0", "10.0.0.1", "eth0")
    v6_old, v6_new = Route("::/0", "fe80::1", "eth0"), Route("::/0", "fe80::2", "wlan0")
    changed = describe_change(frozenset({v4, v6_old}), frozenset({v4, v6_new}))
    assert (
        changed == "this computer's network changed: default route now ::/0 via fe80::2 dev wlan0"
    )
    gone = describe_change(frozenset({v4, v6_old}), frozenset({v6_old}))
    assert gone == (
        "this computer's network changed: default route 0.0.0.0/0 via 10.0.0.1 dev eth0 gone"
    )
    none = describe_change(frozenset({v4}), frozenset())
    assert none == "this computer's network changed: no default route now"
    first = describe_change(frozenset(), frozenset({v4}))
    assert (
        first
        == "this computer's network changed: default route now 0.0.0.0/0 via 10.0.0.1 dev eth0"
    )
