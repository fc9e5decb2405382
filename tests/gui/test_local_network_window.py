"""A pulled cable, window and all: one "This computer is offline", one "Back online".

The real window (``composition.compose``) runs in a network namespace whose only way out is a veth
pair to this host, where a real server listens; 20 profiles mix every detector. The test
pulls the cable and plugs it back, and reads what the window was given to show
(``_window_in_netns.py``); "everything said" is known by asking the policy to tell what it
holds, not by waiting a while.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.lab import LineEchoServer
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

HARNESS = Path(__file__).with_name("_window_in_netns.py")
INTERVAL_S = 1.0


@pytest.fixture
def ns() -> Iterator[Namespace]:
    with routed_namespace() as made:
        yield made


def notices(run: JsonLines) -> tuple[list[dict[str, object]], str]:
    """Everything the window was given to show, once the policy has told what it held, and
    the window's status line then."""
    said, status, _ = told(run)
    return said, status


def told(run: JsonLines) -> tuple[list[dict[str, object]], str, str]:
    """``notices``, and the tray's tooltip then."""
    start = len(run.seen)
    run.send("flush")
    _, flushed = run.until(lambda e: e["kind"] == "flushed", 10, start=start)
    said = [e for _, e in run.seen if e["kind"] == "notice"]
    return said, str(flushed["status"]), str(flushed["tooltip"])


def offline_told_once(run: JsonLines, profiles: list[Profile]) -> None:
    """The one notice "This computer is offline" was said, and every profile went down for it."""
    run.until(lambda e: e["kind"] == "network" and e["state"] == "offline", 10)
    for p in profiles:
        _, down = run.until(state_of(p.id, "down"), 15)
        assert down["cause"] == "local_network", down
    said, status, tooltip = told(run)
    assert [n["title"] for n in said] == ["This computer is offline"], said
    assert status.startswith("This computer is offline"), status
    assert tooltip.startswith("TCP Monitor — This computer is offline; 20 down"), tooltip


def test_a_pulled_cable_is_one_notice_and_its_return_one_more(
    ns: Namespace, tmp_path: Path
) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    home.config.mkdir()
    with LineEchoServer(listen_host=ns.host_ip) as server:
        profiles = mixed_profiles(*server.address, INTERVAL_S, home.config / "profiles.json")
        argv = [sys.executable, str(HARNESS), str(home.config), str(home.data)]
        run = JsonLines(ns, argv, home.env, tmp_path / "stderr.txt")
        try:
            for p in profiles:
                run.until(state_of(p.id, "up"), 20)
            assert notices(run)[0] == []

            cable(ns, plugged=False)
            offline_told_once(run, profiles)

            plugged = cable(ns, plugged=True)
            run.until(lambda e: e["kind"] == "network" and e["state"] == "online", 10)
            for p in profiles:
                back_at, _ = run.until(back_from_down(p.id), 10)
                assert back_at - plugged < INTERVAL_S + 1.5, f"{p.name} back late"
            _, back = run.until(lambda e: e["kind"] == "notice" and e["title"] == "Back online", 5)
            assert back["body"] == "20 of 20 connections are up.", back
            said, status, tooltip = told(run)
            assert [n["title"] for n in said] == ["This computer is offline", "Back online"]
            assert "offline" not in status, status
            assert tooltip == "TCP Monitor — 20 up", tooltip
        finally:
            run.stop(at_eof_s=15)
        assert run.proc.returncode == 0, run.stderr_file.read_text()

    # The event log kept both, as the program's own events, with every drop's cause.
    stored = subprocess.run(
        [str(TCPMONITOR), "events", "--format", "json", *home.options],
        env=home.env, capture_output=True, text=True, check=True, timeout=30,
    ).stdout  # fmt: skip
    events = [json.loads(line) for line in stored.splitlines()]
    assert [e["state"] for e in events if e["kind"] == "network"] == ["offline", "online"]
    downs = [e for e in events if e["kind"] == "state" and e["state"] == "down"]
    assert len(downs) == len(profiles)
    assert {e["cause"] for e in downs} == {"local_network"}


def test_a_window_started_without_a_cable_says_so_and_blames_no_server(
    ns: Namespace, tmp_path: Path
) -> None:
    """The window no longer waits for the network watcher before its first frame (pyroute2's
    import held it a quarter of a second): the watcher learns the state in its own thread, an
    offline start is told as news, and no monitor begins before it is known, so not one first
    failure is blamed on its server."""
    home = Home(tmp_path / "config", tmp_path / "data")
    home.config.mkdir()
    with LineEchoServer(listen_host=ns.host_ip) as server:
        profiles = mixed_profiles(*server.address, INTERVAL_S, home.config / "profiles.json")
        cable(ns, plugged=False)
        argv = [sys.executable, str(HARNESS), str(home.config), str(home.data)]
        run = JsonLines(ns, argv, home.env, tmp_path / "stderr.txt")
        try:
            offline_told_once(run, profiles)

            cable(ns, plugged=True)
            for p in profiles:
                run.until(state_of(p.id, "up"), 10)
        finally:
            run.stop(at_eof_s=15)
        assert run.proc.returncode == 0, run.stderr_file.read_text()
    failures = [e for _, e in run.seen if e.get("kind") == "state" and e.get("cause")]
    assert {e["cause"] for e in failures} == {"local_network"}, failures


def test_servers_with_no_route_left_to_them_are_blamed_on_this_computer_not_beyond_it(
    tmp_path: Path,
) -> None:
    """The default route goes and the LAN's route stays (a DHCP lease lost, a VPN down): this
    computer's network is up, but it has no route to the five servers beyond its router. Once
    their drops were told, "Most servers are not answering ... a router or link beyond it may
    be down" followed: it blamed a router for what the kernel said is this computer's."""
    home = Home(tmp_path / "config", tmp_path / "data")
    home.config.mkdir()
    with two_namespaces() as (client, server_ns), contextlib.ExitStack() as servers:
        beyond = []
        for i in range(1, 6):
            server_ns.run(server_ns.ip, "addr", "add", f"10.99.0.{i}/32", "dev", "lo")
            there = dataclasses.replace(server_ns, peer_ip=f"10.99.0.{i}")
            beyond.append((there.peer_ip, servers.enter_context(echo_server(there)).port))
        profiles = [
            make_profile(host, port, kind, name=f"S{i}", id=f"p{i}", interval_s=INTERVAL_S,
                         timeout_s=0.5)
            for i, (host, port) in enumerate(beyond)
            for kind in [("probe", "heartbeat")[i % 2]]
        ]  # fmt: skip
        (home.config / "profiles.json").write_text(
            json.dumps({"version": 1, "profiles": [p.to_dict() for p in profiles]})
        )
        argv = [sys.executable, str(HARNESS), str(home.config), str(home.data)]
        run = JsonLines(client, argv, home.env, tmp_path / "stderr.txt")
        try:
            for p in profiles:
                run.until(state_of(p.id, "up"), 20)
            client.run(client.ip, "route", "del", "default")
            for p in profiles:
                _, down = run.until(state_of(p.id, "down"), 15)
                assert down["cause"] == "local_network", down
            run.until(lambda e: e["kind"] == "notice", 15)  # the drops, held after the change
            said, _ = notices(run)
            assert not [n for n in said if "beyond" in str(n["body"])], said
            [guess] = [n for n in said if "most servers" in str(n["title"]).lower()]
            assert guess["title"] == "This computer has no route to most servers", said
        finally:
            run.stop(at_eof_s=15)
        assert run.proc.returncode == 0, run.stderr_file.read_text()
