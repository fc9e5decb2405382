"""Bridges, tunnels and this computer's network, for real, in a namespace the test makes.

A bridge with an address and no port up (docker0 or virbr0 with nothing attached, a Linux
bridge made for VMs not running) leads nowhere, though the kernel may call it up with a
carrier (an empty bridge is "state UNKNOWN, LOWER_UP"). A bridge that carries the uplink (a
host whose eth0 is a port of br0) is the way out.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcpmonitor_gui.lab import LineEchoServer
from tests.helpers import make_profile
from tests.netns import Namespace
from tests.netns_process import JsonLines, back_from_down, cable, routed_namespace, state_of
from tests.unit._cli_process import Home
from tests.unit.test_local_network import run_until_up

pytestmark = pytest.mark.netns


@pytest.fixture
def ns() -> Iterator[Namespace]:
    with routed_namespace() as made:
        yield made


def _uplink(ns: Namespace) -> str:
    """The name of the namespace's end of its veth pair (its uplink)."""
    links = ns.run(ns.ip, "-o", "link", "show").split("\n")
    return next(line.split(": ")[1].split("@")[0] for line in links if "tmp" in line)


def _wait_for_carrier(ns: Namespace, link: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while "NO-CARRIER" in (shown := ns.run(ns.ip, "link", "show", link)):
        assert time.monotonic() < deadline, shown
        time.sleep(0.05)  # ok-sleep: polling the kernel's link state, with a deadline


def _offline_while_the_cable_is_out(ns: Namespace, tmp_path: Path) -> None:
    """A probe of a server beyond the uplink, up; the cable pulled: "offline" is said, at
    once, and the probe's drop is this computer's; the cable back: "online", and up again."""
    home = Home(tmp_path / "config", tmp_path / "data")
    with LineEchoServer(listen_host=ns.host_ip) as server:
        profile = make_profile(
            *server.address, "probe", id="p", interval_s=1.0, timeout_s=0.5, fail_after=1
        )
        run = run_until_up(ns, home, tmp_path, [profile])
        try:
            assert not [e for _, e in run.seen if e["kind"] == "network"], run.seen
            pulled = cable(ns, plugged=False)
            offline_at, offline = run.until(lambda e: e["kind"] == "network", 10)
            assert offline["state"] == "offline", offline
            assert offline_at - pulled < 3.0, f"offline said after {offline_at - pulled:.1f} s"
            _, down = run.until(state_of("p", "down"), 15)
            assert down["cause"] == "local_network", down
            cable(ns, plugged=True)
            _, online = run.until(lambda e: e["kind"] == "network" and e is not offline, 10)
            assert online["state"] == "online", online
            run.until(back_from_down("p"), 15)
        finally:
            run.stop()


def test_an_empty_bridge_keeps_nothing_from_saying_this_computer_is_offline(
    ns: Namespace, tmp_path: Path
) -> None:
    """The uplink goes (a cable pulled) while a bridge with an address and no port is up:
    its own subnet's route was taken for a way out, so "this computer is offline" was never
    said (only "changed: no default route now"), and no offline was counted or shown."""
    ns.run(ns.ip, "link", "add", "tmbr0", "type", "bridge")
    ns.run(ns.ip, "addr", "add", "172.31.250.1/24", "dev", "tmbr0")
    ns.run(ns.ip, "link", "set", "tmbr0", "up")
    _offline_while_the_cable_is_out(ns, tmp_path)


def test_a_bridge_that_carries_the_uplink_is_the_way_out(ns: Namespace, tmp_path: Path) -> None:
    """The uplink is a port of a bridge that holds the address and the default route: this
    computer is online through it, offline when the uplink goes, and back when it returns."""
    uplink = _uplink(ns)
    address = next(
        word for line in ns.run(ns.ip, "-4", "-o", "addr", "show", "dev", uplink).splitlines()
        for word in line.split() if "/" in word
    )  # fmt: skip
    ns.run(ns.ip, "link", "add", "tmbr0", "type", "bridge")
    ns.run(ns.ip, "link", "set", uplink, "master", "tmbr0")
    ns.run(ns.ip, "addr", "del", address, "dev", uplink)
    ns.run(ns.ip, "addr", "add", address, "dev", "tmbr0")
    ns.run(ns.ip, "link", "set", "tmbr0", "up")
    ns.run(ns.ip, "route", "replace", "default", "via", ns.host_ip)
    _wait_for_carrier(ns, "tmbr0")  # a bridge has one once its port forwards, a moment on
    _offline_while_the_cable_is_out(ns, tmp_path)


def test_a_bridge_of_running_containers_keeps_nothing_from_saying_this_computer_is_offline(
    ns: Namespace, tmp_path: Path
) -> None:
    """docker0 with a container running: a veth of it is a port of the bridge, up, so the
    bridge has a carrier, and its subnet's route was taken for a way out. The cable pulled,
    "this computer is offline" was never said, and the probe's drop was "this computer has
    no route to" the server, as if only that server's route were missing."""
    ns.run(ns.ip, "link", "add", "tmbr0", "type", "bridge")
    ns.run(ns.ip, "link", "add", "tmct0", "type", "veth", "peer", "name", "tmct1")
    ns.run(ns.ip, "link", "set", "tmct0", "master", "tmbr0")
    ns.run(ns.ip, "addr", "add", "172.31.250.1/24", "dev", "tmbr0")
    for link in ("tmct1", "tmct0", "tmbr0"):
        ns.run(ns.ip, "link", "set", link, "up")
    _wait_for_carrier(ns, "tmbr0")
    _offline_while_the_cable_is_out(ns, tmp_path)


#: Holds a tun device open in the namespace, as a VPN's program does (it has a carrier while
#: held); says "held", and lets go at the end of its stdin.
_HOLD_TUN = """
import fcntl, os, struct, sys
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454CA, struct.pack("16sH", b"tmtun0", 0x0001 | 0x1000))  # TUNSETIFF
print("held", flush=True)
sys.stdin.read()
"""


def test_a_vpn_whose_uplink_is_gone_keeps_nothing_from_saying_this_computer_is_offline(
    ns: Namespace, tmp_path: Path
) -> None:
    """A VPN routes everything through its tunnel (0/1 and 128/1, its server through the
    uplink) and keeps its device and routes while its program retries. The cable pulled,
    this computer stayed online through the tunnel's routes, and the probe's drop was the
    server's own timeout; it is offline, and the drop this computer's."""
    hold = [ns.ip, "netns", "exec", ns.name, sys.executable, "-c", _HOLD_TUN]
    with subprocess.Popen(hold, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as vpn:
        assert vpn.stdin is not None and vpn.stdout is not None
        try:
            assert vpn.stdout.readline().strip() == "held"
            ns.run(ns.ip, "addr", "add", "10.8.0.2/24", "dev", "tmtun0")
            ns.run(ns.ip, "link", "set", "tmtun0", "up")
            ns.run(ns.ip, "route", "add", "203.0.113.1/32", "via", ns.host_ip)
            for half in ("0.0.0.0/1", "128.0.0.0/1"):
                ns.run(ns.ip, "route", "add", half, "dev", "tmtun0")
            _wait_for_carrier(ns, "tmtun0")
            _offline_while_the_cable_is_out(ns, tmp_path)
        finally:
            vpn.stdin.close()


@contextlib.contextmanager
def _watched_there(ns: Namespace, tmp_path: Path, address: str) -> Iterator[JsonLines]:
    """An echo server of this computer (the namespace) on its ``address``, and ``tcpmonitor
    run`` there with a watch (id "db") held to it, up."""
    home = Home(tmp_path / "config", tmp_path / "data")
    serve = [ns.ip, "netns", "exec", ns.name, sys.executable, "-m", "tcpmonitor_gui.lab"]
    with subprocess.Popen(
        [*serve, "serve", "echo", "--host", address],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    ) as server:  # fmt: skip
        assert server.stdin is not None and server.stdout is not None
        _, host, port = server.stdout.readline().split()
        profile = make_profile(host, int(port), "watch", id="db", interval_s=1.0)
        run = run_until_up(ns, home, tmp_path, [profile])
        try:
            yield run
        finally:
            run.stop()
            server.stdin.close()


def test_a_connection_to_an_address_of_this_computer_on_a_bridge_without_carrier_is_kept(
    ns: Namespace, tmp_path: Path
) -> None:
    """docker0 with no container running (NO-CARRIER) keeps its address, where a service of
    this computer listens for the containers. A connection held to it from this computer
    never leaves it, yet at each change of the network (a VPN, a new route) it was cut as
    "this computer's address ... is gone": a drop told, and counted, that never happened."""
    ns.run(ns.ip, "link", "add", "tmbr0", "type", "bridge")
    ns.run(ns.ip, "link", "add", "tmport0", "type", "veth", "peer", "name", "tmport1")
    ns.run(ns.ip, "link", "set", "tmport0", "master", "tmbr0")  # a port, down: no carrier
    ns.run(ns.ip, "addr", "add", "172.31.250.1/24", "dev", "tmbr0")
    ns.run(ns.ip, "link", "set", "tmbr0", "up")
    assert "NO-CARRIER" in ns.run(ns.ip, "link", "show", "tmbr0")
    with _watched_there(ns, tmp_path, "172.31.250.1") as run:
        for subnet in ("198.51.100.0/24", "203.0.113.0/24"):  # the second: the first's
            ns.run(ns.ip, "route", "add", subnet, "via", ns.host_ip)  # retry is done
            run.until(lambda e, s=subnet: e["kind"] == "network" and s in e["detail"], 10)
        assert not [e for _, e in run.seen if e.get("state") == "down"], run.seen


def test_a_connection_to_an_address_of_this_computer_that_is_gone_is_cut_at_once(
    ns: Namespace, tmp_path: Path
) -> None:
    """A service on this computer watched at its own address on a link that is up (a LAN
    address), and that address goes while the computer stays online (a new lease, a move to
    another network): nothing of this computer answers there any more. Kept as a connection
    "to itself" (fe0e636), it was told only when its keepalive gave up, 19 s on, as the
    peer's silence; it is cut at once, as any other held from an address that is gone."""
    # The LAN's card: a macvlan on a veth (a veth of no bridge, with an address, is a
    # container routed to: ``local_routes.ways_out``).
    ns.run(ns.ip, "link", "add", "tmlan0", "type", "veth", "peer", "name", "tmlan1")
    ns.run(ns.ip, "link", "add", "link", "tmlan0", "name", "tmlanm", "type", "macvlan")
    ns.run(ns.ip, "addr", "add", "172.31.251.1/24", "dev", "tmlanm")
    for link in ("tmlan1", "tmlan0", "tmlanm"):
        ns.run(ns.ip, "link", "set", link, "up")
    _wait_for_carrier(ns, "tmlanm")
    with _watched_there(ns, tmp_path, "172.31.251.1") as run:
        gone = time.monotonic()
        ns.run(ns.ip, "addr", "del", "172.31.251.1/24", "dev", "tmlanm")
        down_at, down = run.until(state_of("db", "down"), 30)
        assert down["cause"] == "local_network", down
        assert "172.31.251.1 is gone" in down["detail"], down
        assert down_at - gone < 5.0, f"told {down_at - gone:.1f} s after the address went"
