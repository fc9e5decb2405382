"""``LocalNetwork`` follows this computer's links, addresses and routes from the kernel's
notices of each change, read for real in a namespace of its own (``unshare -n``): what it
makes of them must be what a whole reading makes of the kernel's state, after any burst of
changes, and after notices were lost.

Each case runs a script in a fresh namespace: an uplink (a veth pair, default route through
it), a bridge of containers' veths (no way out), ``LocalNetwork`` watching; then changes, then
a marker (an address on lo) the watcher must see, so that every notice before it was taken
in; then what it says is compared with what a fresh ``LocalNetwork`` (a whole reading) says.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.netns

_PRELUDE = """
import queue, subprocess, threading, time
from tcpmonitor_gui.core.localnet import LocalNetwork

def run(*commands):
    subprocess.run(["ip", "-batch", "-"], input="\\n".join(commands), text=True, check=True)

MARKERS = iter(f"127.0.{i // 250 + 1}.{i % 250 + 1}" for i in range(10000))

def state(local):  # what it makes of the kernel's state, but the markers
    ours = lambda ip: ip.startswith("127.0.") and not ip.startswith("127.0.0.")
    return (local.online, local.reason, sorted(map(str, local._routes)),
            sorted(map(str, local._reachable)), sorted(map(str, local._taken)),
            sorted(map(str, local._near)), sorted(local._here),
            sorted(ip for ip in local._on_loopback if not ours(ip)),
            sorted(item for item in local._anywhere.items() if not ours(item[0])))

def seen(local):  # every notice before a marker's taken in
    marker = next(MARKERS)
    run(f"addr add {marker}/32 dev lo")
    deadline = time.monotonic() + 60
    while marker not in local._anywhere:
        assert time.monotonic() < deadline, f"the watcher never saw {marker}"
        time.sleep(0.02)  # ok-sleep: polling the watcher's state, with a deadline

def fresh():
    whole = LocalNetwork().start()
    try:
        return state(whole)
    finally:
        whole.close()

def agrees(local):  # waits until what it follows is what a whole reading says: the kernel
    # goes on for a while after a command (a link's carrier comes a moment later, then fe80::)
    deadline = time.monotonic() + 30
    while True:
        whole = fresh()
        seen(local)  # every notice of what the whole reading saw
        followed = state(local)
        if followed == whole:
            return
        assert time.monotonic() < deadline, [
            (sorted(set(a) - set(b)), sorted(set(b) - set(a))) if isinstance(a, list) else (a, b)
            for a, b in zip(followed, whole) if a != b]

def containers(first, count):  # veths of containers, ports of tmbr0, up
    return [c for i in range(first, first + count) for c in (
        f"link add tmc{i}a type veth peer name tmc{i}b", f"link set tmc{i}a master tmbr0",
        f"link set tmc{i}b up", f"link set tmc{i}a up")]

run("link set lo up", "link add tmx0 type veth peer name tmx1", "link set tmx1 up",
    "link set tmx0 up", "addr add 192.0.2.2/24 dev tmx0", "route add default via 192.0.2.1",
    "link add tmbr0 type bridge", "addr add 172.31.0.1/16 dev tmbr0", "link set tmbr0 up",
    *containers(0, 2))
told = queue.Queue()
"""


def _run(script: str) -> list[str]:
    argv = ["unshare", "-n", sys.executable, "-c", _PRELUDE + script]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0 and "unshare" in done.stderr:
        pytest.skip(f"no network namespace: {done.stderr.strip()}")
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.splitlines()


def test_after_a_burst_of_changes_what_it_follows_is_what_a_whole_reading_says() -> None:
    """Containers come and go, a second uplink comes, loses its carrier (its routes marked
    linkdown, with no notice of them) and comes back, addresses and routes (a multipath
    one, IPv6 ones) come and go, a link goes down (its IPv4 routes dropped, with no notice
    of them): at each step, what the watcher made of the notices is what a whole reading
    of the kernel says."""
    script = """
local = LocalNetwork(lambda online, why: told.put(why), told.put).start()
steps = [
    containers(2, 30) + [f"link del tmc{i}a" for i in range(0, 20, 2)],
    ["link add tmy0 type veth peer name tmy1", "link set tmy1 up", "link set tmy0 up",
     "addr add 198.18.5.2/24 dev tmy0", "addr add 2001:db8:5::2/64 dev tmy0",
     "route add 203.0.113.0/24 nexthop via 192.0.2.1 dev tmx0 nexthop via 198.18.5.1 dev tmy0",
     "route add 2001:db8:77::/48 via 2001:db8:5::1 dev tmy0"],
    ["link set tmy1 down"],  # tmy0 without carrier
    ["link set tmy1 up", "addr del 198.18.5.2/24 dev tmy0", "addr add 198.18.5.3/24 dev tmy0",
     "route add 198.51.100.0/24 via 198.18.5.1 dev tmy0"],
    ["route del 2001:db8:77::/48", "link set tmy0 down"],
    ["link set tmy0 up", "route add default via 198.18.5.1 dev tmy0 metric 700"],
    ["link del tmy0"] + [f"link del tmc{i}a" for i in range(1, 32, 2)],
    ["link set tmx1 down"],  # the cable out: offline
]
for number, step in enumerate(steps):
    run(*step)
    agrees(local)
print(local.online, local._tables.whole_reads)
local.close()
"""
    assert _run(script) == ["False 1"]  # followed from the notices: read whole once


def test_notices_lost_in_a_burst_are_read_whole_again_and_a_cable_out_then_is_told() -> None:
    """The watcher busy (here, held in the callback of a change), a burst of 300 containers
    starting overflows its socket's buffer, and the cable goes out after: notices are lost,
    the cable's among them. ``pyroute2``'s socket then failed for good, which ended the
    watcher: this computer offline was never said, then or after. It is said, and what the
    watcher makes of the kernel is again what a whole reading says."""
    script = """
held, holding = threading.Event(), threading.Event()

def routes(detail):
    told.put(detail)
    holding.set()
    held.wait(60)

local = LocalNetwork(lambda online, why: told.put(online), routes)
local._rcvbuf = 65536
local.start()
run("route add 198.51.100.0/24 via 192.0.2.1")  # a change: the watcher is held telling it
assert holding.wait(10), "the change was never told"
run(*containers(2, 300))
run("link set tmx1 down")  # the cable out, its notice lost with the others
held.set()
while (news := told.get(timeout=30)) is not False:
    pass
agrees(local)
print(local.online, local._tables.whole_reads > 1)
local.close()
"""
    assert _run(script) == ["False True"]


def test_containers_coming_and_going_under_a_bridge_with_no_way_out_change_nothing() -> None:
    """A churn of containers (veths added to, then removed from, a bridge that leads to them
    only): the watcher follows their notices, tells no change of this computer's network,
    and reads nothing whole again (each reading whole cost over a second of CPU on a host of
    300 containers)."""
    script = """
local = LocalNetwork(lambda online, why: told.put(why), told.put).start()
before = state(local)
for round in range(3):
    run(*containers(2, 40))
    run(*[f"link del tmc{i}a" for i in range(2, 42)])
agrees(local)
after = state(local)
assert told.empty(), told.get()
assert after[:3] == before[:3], (before, after)
print(local._tables.whole_reads)
local.close()
"""
    assert _run(script) == ["1"]


def test_what_changes_with_no_notice_is_seen_at_the_next_reading_whole() -> None:
    """The cable out beside a Wi-Fi, the kernel still takes the ethernet's routes (no
    carrier): a failure out is this computer's. Told to pass over such routes
    (``ignore_routes_with_linkdown``, a setting: no notice of links, addresses or routes),
    the Wi-Fi carries them, and a failure is the server's again: that was never seen, the
    watcher following notices only. It is, at the next reading whole (every ``REREAD_S``;
    here half a second)."""
    script = """
def until(ok):
    deadline = time.monotonic() + 10
    while not ok():
        assert time.monotonic() < deadline, local.local_failure("203.0.113.7")
        time.sleep(0.02)  # ok-sleep: polling the watcher's state, with a deadline

# Nothing whose notices come a while later (a bridge's carrier, IPv6 addresses), no other
run("link del tmbr0", "link del tmc0a", "link del tmc1a")
for conf in ("all", "default"):
    subprocess.run(f"sysctl -qw net.ipv6.conf.{conf}.disable_ipv6=1".split(), check=True)
run("link add tmy0 type veth peer name tmy1", "link set tmy1 up", "link set tmy0 up",
    "addr add 198.18.0.2/24 dev tmy0", "route add default via 198.18.0.1 dev tmy0 metric 600")
local = LocalNetwork()
local._reread_s = 0.5
local.start()
run("link set tmx1 down")  # the cable out: the kernel keeps tmx0's routes, and takes them
until(lambda: local.local_failure("203.0.113.7") is not None)
print(local.local_failure("203.0.113.7"))
subprocess.run("sysctl -qw net.ipv4.conf.tmx0.ignore_routes_with_linkdown=1".split(), check=True)
until(lambda: local.local_failure("203.0.113.7") is None)
print("passed over")
local.close()
"""
    assert _run(script) == [
        "this computer's route to 203.0.113.7 goes through tmx0, which has no carrier",
        "passed over",
    ]
