"""Is it me or them: this computer's own network going down, for real, in a namespace.

``tcpmonitor run`` runs inside a network namespace made by the test, whose only way out is a
veth pair to this host, where real servers listen. Taking that link down is a cable pulled:
the program must say once that this computer is offline, and blame every drop on it
(``local_network``), not on the targets; bringing it back must bring every profile back at
once, held connections with the probes.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.lab import FaultProxy, LineEchoServer
from tests.helpers import make_profile
from tests.netns import Namespace, echo_server
from tests.netns_process import (
    JsonLines,
    back_from_down,
    cable,
    mixed_profiles,
    routed_namespace,
    state_of,
    two_namespaces,
)
from tests.unit._cli_process import TCPMONITOR, Home

pytestmark = pytest.mark.netns

INTERVAL_S = 1.0


@pytest.fixture
def ns() -> Iterator[Namespace]:
    with routed_namespace() as made:
        yield made


def test_a_pulled_cable_is_this_computers_offline_said_once_and_back_at_once(
    ns: Namespace, tmp_path: Path
) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    with LineEchoServer(listen_host=ns.host_ip) as server:
        file = tmp_path / "profiles.json"
        profiles = mixed_profiles(*server.address, INTERVAL_S, file)
        argv = [str(TCPMONITOR), "run", "--json", "--profiles", str(file), *home.options]
        run = JsonLines(ns, argv, home.env, tmp_path / "stderr.txt")
        try:
            for p in profiles:
                run.until(state_of(p.id, "up"), 15)

            pulled = cable(ns, plugged=False)
            offline_at, offline = run.until(lambda e: e["kind"] == "network", 10)
            assert offline["state"] == "offline", offline
            assert offline_at - pulled < 2.0, f"offline said after {offline_at - pulled:.1f} s"
            for p in profiles:
                _, down = run.until(state_of(p.id, "down"), 15)
                assert down["cause"] == "local_network", down

            plugged = cable(ns, plugged=True)
            _, online = run.until(lambda e: e["kind"] == "network" and e is not offline, 10)
            assert online["state"] == "online"
            for p in profiles:
                back_at, _ = run.until(back_from_down(p.id), 10)
                assert back_at - plugged < INTERVAL_S + 1.5, f"{p.name} back late"
            networks = [e["state"] for _, e in run.seen if e["kind"] == "network"]
            assert networks == ["offline", "online"], networks  # once each, no flapping
        finally:
            run.stop()


def test_a_refusing_server_is_never_this_computers_network(tmp_path: Path) -> None:
    """Refusals prove the network works: 200 profiles on one stopped server are 200 refusals,
    and no offline event, whatever the count."""
    home = Home(tmp_path / "config", tmp_path / "data")
    with LineEchoServer() as server:
        host, port = server.address
    profiles = [make_profile(host, port, "probe", name=f"p{i}", id=f"p{i}", fail_after=1)
                for i in range(200)]  # fmt: skip
    file = tmp_path / "profiles.json"
    file.write_text(json.dumps({"version": 1, "profiles": [p.to_dict() for p in profiles]}))
    with subprocess.Popen(
        [str(TCPMONITOR), "run", "--json", "--profiles", str(file), *home.options],
        env=home.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    ) as proc:  # fmt: skip
        assert proc.stdout is not None
        downs: dict[str, str] = {}
        for line in proc.stdout:
            event = json.loads(line)
            assert event["kind"] != "network", event
            if event["kind"] == "state" and event["state"] == "down":
                downs[event["profile_id"]] = event["cause"]
                if len(downs) == len(profiles):
                    break
        proc.terminate()
        proc.wait(10)
    assert set(downs.values()) == {"refused"}
    assert "offline" not in json.dumps(downs)


def test_a_network_change_is_said_and_what_it_cuts_reconnects_at_once(
    ns: Namespace, tmp_path: Path
) -> None:
    """A VPN coming up (a new route) while held connections run; a firewall losing its state
    then cuts them (the proxy's RSTs). The change is an event; the drops say they came right
    after it and reconnect at once, not after a backoff of about an interval (3 s here)."""
    home = Home(tmp_path / "config", tmp_path / "data")
    with LineEchoServer() as server, FaultProxy(server.address, listen_host=ns.host_ip) as proxy:
        host, port = proxy.address
        profiles = [
            make_profile(host, port, kind, name=f"{kind}-{i}", id=f"p{i}", interval_s=3.0)
            for i, kind in enumerate(["heartbeat"] * 3 + ["watch"] * 3)
        ]
        run = run_until_up(ns, home, tmp_path, profiles)
        try:
            ns.run(ns.ip, "route", "add", "198.51.100.0/24", "via", ns.host_ip)
            _, changed = run.until(lambda e: e["kind"] == "network", 10)
            assert changed["state"] == "changed", changed
            assert "new route 198.51.100.0/24 via" in changed["detail"], changed
            cut = proxy.cut()
            for p in profiles:
                _, down = run.until(state_of(p.id, "down"), 10)
                assert down["cause"] == "reset", down
                assert "right after this computer's network changed" in down["detail"], down
                back_at, _ = run.until(state_of(p.id, "up", "down"), 10)
                assert back_at - cut < 1.5, f"{p.name} waited out its backoff"
            networks = [e["state"] for _, e in run.seen if e["kind"] == "network"]
            assert networks == ["changed"], networks  # one change, told once
        finally:
            run.stop()


def test_a_flapping_link_is_told_once_down_and_once_back(ns: Namespace, tmp_path: Path) -> None:
    """A loose cable: the link goes down and up ten times within a second or two. That is one
    "offline" (at once) and one "online" (once the link holds), saying that it flapped, not
    twenty events, each a notice in the window; every profile is up again after."""
    home = Home(tmp_path / "config", tmp_path / "data")
    with LineEchoServer(listen_host=ns.host_ip) as server:
        file = tmp_path / "profiles.json"
        profiles = mixed_profiles(*server.address, INTERVAL_S, file)[::4]
        argv = [str(TCPMONITOR), "run", "--json", "--profiles", str(file), *home.options]
        run = JsonLines(ns, argv, home.env, tmp_path / "stderr.txt")
        try:
            for p in profiles:
                run.until(state_of(p.id, "up"), 15)
            began = time.monotonic()
            for _ in range(10):
                cable(ns, plugged=False)
                cable(ns, plugged=True)
            flapped_s = time.monotonic() - began
            assert flapped_s < 2.0, f"the flapping took {flapped_s:.1f} s"
            _, online = run.until(lambda e: e["kind"] == "network" and e["state"] == "online", 10)
            downs = re.search(r"it went down at least (\d+) times in", online["detail"])
            assert downs and 2 <= int(downs[1]) <= 10, online
            after = next(i for i, (_, e) in enumerate(run.seen) if e is online)
            for p in profiles:  # a good check after it, and the profile is up
                run.until(lambda e, p=p: e["kind"] == "sample" and e["profile_id"] == p.id
                          and e["cause"] is None, 10, start=after)  # fmt: skip
                states = [e["state"] for _, e in run.seen
                          if e["kind"] == "state" and e["profile_id"] == p.id]  # fmt: skip
                assert states[-1] == "up", (p.name, states)
            networks = [e["state"] for _, e in run.seen if e["kind"] == "network"]
            assert networks == ["offline", "online"], networks
        finally:
            run.stop()


@pytest.mark.parametrize(
    ("gap", "apart_s"),
    [(False, 0.0), (False, 1.0), (True, 0.0)],
    ids=["replaced", "replaced-a-second-later", "after-a-gap"],
)
def test_a_new_address_is_a_change_and_the_connections_it_orphaned_are_cut(
    gap: bool, apart_s: float, tmp_path: Path
) -> None:
    """This computer's address changes (a DHCP renewal hands out another; the route out stays
    as it was): every held connection from the old address is dead, but nothing tells its
    socket (a watch's keepalive takes 25 s by default). That is said as a change, and the
    connections from the old address are cut at once as this computer's (``local_network``),
    and reconnect at once, rather than being "up" while dead and then each server's fault.
    ``gap``: the old address goes first (offline), then the new one comes with its route
    (online): the same connections are as dead, and cut as the network comes back.
    ``apart_s``: the old address goes that long after the new one came (told on its own, the
    new one was forgotten: the change then said only "address ... gone")."""
    home = Home(tmp_path / "config", tmp_path / "data")
    with two_namespaces() as (client, server_ns), echo_server(server_ns) as server:
        profiles = [
            make_profile(server_ns.peer_ip, server.port, kind, name=f"{kind}-{i}", id=f"p{i}",
                         interval_s=3.0, timeout_s=0.5)
            for i, kind in enumerate(["heartbeat"] * 2 + ["watch"] * 2)
        ]  # fmt: skip
        run = run_until_up(client, home, tmp_path, profiles)
        try:
            if gap:
                client.run(client.ip, "addr", "del", f"{client.peer_ip}/24", "dev", "tmc")
                run.until(lambda e: e["kind"] == "network" and e["state"] == "offline", 10)
                client.run(client.ip, "addr", "add", "10.50.0.7/24", "dev", "tmc")
                client.run(client.ip, "route", "add", "default", "via", server_ns.peer_ip)
                renumbered, _ = run.until(
                    lambda e: e["kind"] == "network" and e["state"] == "online", 10
                )
            else:
                client.run(client.ip, "addr", "add", "10.50.0.7/24", "dev", "tmc")
                renumbered = time.monotonic()
                if apart_s:  # the scenario: a renewal's two steps that far apart
                    time.sleep(apart_s)  # ok-sleep: makes the scenario, waits for nothing
                    renumbered = time.monotonic()
                client.run(client.ip, "addr", "del", f"{client.peer_ip}/24", "dev", "tmc")
                _, changed = run.until(lambda e: e["kind"] == "network", 10)
                assert changed["state"] == "changed", changed
                detail = changed["detail"]
                assert f"address {client.peer_ip} dev tmc gone (now 10.50.0.7" in detail
            for p in profiles:
                down_at, down = run.until(state_of(p.id, "down"), 15)
                assert _blames_this_computer(down, client.peer_ip, gap), down
                assert down_at - renumbered < 2.5, f"{p.name} cut late"  # keepalive: 25 s
                back_at, _ = run.until(state_of(p.id, "up", "down"), 10)
                # (its backoff is 2.7 s at least: the interval, 3 s, less its jitter)
                assert back_at - down_at < 2.0, f"{p.name} waited out its backoff"
            networks = [e["state"] for _, e in run.seen if e["kind"] == "network"]
            assert networks == (["offline", "online"] if gap else ["changed"]), networks
        finally:
            run.stop()


def _blames_this_computer(down: dict[str, object], old_ip: str, gap: bool) -> bool:
    """The drop is cut for the address gone; or (a heartbeat asked on the old address in the
    moment before the change was told) it timed out and says it came right after the change,
    or while the network was down."""
    detail = str(down["detail"])
    if down["cause"] == "local_network":
        return f"this computer's address {old_ip} is gone" in detail or (
            gap and "this computer's network is down" in detail
        )
    return not gap and f"right after this computer's network changed: address {old_ip}" in detail


def test_a_default_route_that_comes_after_the_link_brings_back_what_is_beyond_it_at_once(
    tmp_path: Path,
) -> None:
    """The cable is plugged back and DHCP hands out the default route a moment later: at
    "online" only the local network is reachable, and checks of the servers beyond the router
    fail again. The route's coming is told, and they are checked again at once, not at their
    next check (10 s here), during which the window said they were still down."""
    home = Home(tmp_path / "config", tmp_path / "data")
    with two_namespaces() as (client, server_ns):
        server_ns.run(server_ns.ip, "addr", "add", "10.99.0.1/32", "dev", "lo")
        beyond = dataclasses.replace(server_ns, peer_ip="10.99.0.1")
        with echo_server(beyond) as server:
            profiles = [
                make_profile(beyond.peer_ip, server.port, kind, name=kind, id=f"p{i}",
                             interval_s=10.0, timeout_s=0.5, fail_after=1)
                for i, kind in enumerate(["probe", "heartbeat"])
            ]  # fmt: skip
            run = run_until_up(client, home, tmp_path, profiles)
            try:
                client.run(client.ip, "link", "set", "tmc", "down")
                for p in profiles:
                    run.until(state_of(p.id, "down"), 15)
                client.run(client.ip, "link", "set", "tmc", "up")  # no default route yet
                run.until(lambda e: e["kind"] == "network" and e["state"] == "online", 10)
                after = len(run.seen) - 1
                for p in profiles:  # checked again at "online", and failed: no route yet
                    run.until(lambda e, p=p: e["kind"] == "sample" and e["profile_id"] == p.id,
                              10, start=after)  # fmt: skip
                routed = time.monotonic()
                client.run(client.ip, "route", "add", "default", "via", server_ns.peer_ip)
                for p in profiles:
                    back_at, _ = run.until(state_of(p.id, "up", "down"), 15)
                    assert back_at - routed < 1.0, f"{p.name} back {back_at - routed:.1f} s late"
                networks = [e["state"] for _, e in run.seen if e["kind"] == "network"]
                assert networks == ["offline", "online", "changed"], networks
            finally:
                run.stop()


#: Run in a namespace of its own: an address on loopback beside a link that is up.
_ON_LOOPBACK = """
import subprocess
import sys
from tcpmonitor_gui.core.localnet import LocalNetwork
for command in ("ip link set lo up", "ip addr add 10.99.0.1/32 dev lo",
                "ip link add tmx0 type veth peer name tmx1", "ip link set tmx1 up",
                "ip link set tmx0 up", "ip addr add 192.0.2.2/24 dev tmx0"):
    subprocess.run(command.split(), check=True)
local = LocalNetwork().start()
print(local.online, local.address_gone("10.99.0.1"), local.address_gone("127.0.0.1"))
local.close()
"""


def test_an_address_on_loopback_is_never_gone(tmp_path: Path) -> None:
    """A service address on ``lo`` (an anycast or load balancer's, 10.99.0.1/32): the
    connections held from it were cut as "this computer's address 10.99.0.1 is gone" at each
    change of the network, though it never went."""
    argv = ["unshare", "-n", sys.executable, "-c", _ON_LOOPBACK]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    if done.returncode != 0 and "unshare" in done.stderr:
        pytest.skip(f"no network namespace: {done.stderr.strip()}")
    assert done.stdout.split() == ["True", "None", "None"], done.stderr


def run_until_up(ns: Namespace, home: Home, tmp_path: Path, profiles: list[Profile]) -> JsonLines:
    """``tcpmonitor run --json`` of ``profiles`` inside the namespace ``ns``, once each of
    them is up (stop it when done)."""
    file = tmp_path / "profiles.json"
    file.write_text(json.dumps({"version": 1, "profiles": [p.to_dict() for p in profiles]}))
    argv = [str(TCPMONITOR), "run", "--json", "--profiles", str(file), *home.options]
    run = JsonLines(ns, argv, home.env, tmp_path / "stderr.txt")
    try:
        for p in profiles:
            run.until(state_of(p.id, "up"), 15)
    except BaseException:
        run.stop()
        raise
    return run


def test_a_drop_on_this_computer_itself_is_never_put_down_to_a_network_change(
    ns: Namespace, tmp_path: Path
) -> None:
    """A database on this computer (127.0.0.1) restarts a moment after a change of the
    network (a container's veth, a VPN coming up; here a new route): the drop said "right
    after this computer's network changed: new route ...", though nothing that leaves this
    computer carries a connection to itself. It says what the server did, and no more."""
    home = Home(tmp_path / "config", tmp_path / "data")
    serve = [ns.ip, "netns", "exec", ns.name, sys.executable, "-m", "tcpmonitor_gui.lab"]
    with subprocess.Popen(
        [*serve, "serve", "echo"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as server:
        assert server.stdin is not None and server.stdout is not None
        _, host, port = server.stdout.readline().split()
        local = make_profile(host, int(port), "watch", name="local db", id="db", interval_s=1)
        run = run_until_up(ns, home, tmp_path, [local])
        try:
            ns.run(ns.ip, "route", "add", "198.51.100.0/24", "via", ns.host_ip)
            run.until(lambda e: e["kind"] == "network", 10)
            server.stdin.close()  # the server ends, and its connections with it (FIN)
            server.wait(10)
            _, down = run.until(state_of("db", "down"), 10)
            assert down["cause"] == "closed_by_peer", down
            assert "network" not in down["detail"], down
        finally:
            run.stop()
