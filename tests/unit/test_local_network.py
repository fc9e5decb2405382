"""Is it me or them: this computer's own network going down, for real, in a namespace.

``tcpmonitor run`` runs inside a network namespace made by the test, whose only way out is a
veth pair to this host, where real servers listen. Taking that link down is a cable pulled:
the program must say once that this computer is offline, and blame every drop on it
(``local_network``), not on the targets; bringing it back must bring every profile back at
once, held connections with the probes.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tcpmonitor_gui.lab import LineEchoServer
from tests.helpers import make_profile
from tests.netns import Namespace, namespace
from tests.unit._cli_process import TCPMONITOR, Home

pytestmark = pytest.mark.netns

INTERVAL_S = 1.0
KINDS = ["probe"] * 7 + ["heartbeat"] * 7 + ["watch"] * 6


class Run:
    """``tcpmonitor run --json`` inside the namespace, its events read as they come."""

    def __init__(self, ns: Namespace, home: Home, file: Path) -> None:
        argv = [ns.ip, "netns", "exec", ns.name, str(TCPMONITOR), "run", "--json",
                "--profiles", str(file), *home.options]  # fmt: skip
        self.proc = subprocess.Popen(
            argv, env=home.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[tuple[float, dict[str, Any]]] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.events.put(json.loads(line))

    def until(self, match: Any, timeout: float) -> tuple[float, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        for at, event in self.seen:
            if match(event):
                return at, event
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                seen = [
                    (e["kind"], e["profile_name"], e["state"], e["cause"]) for _, e in self.seen
                ]
                raise AssertionError(f"no matching event within {timeout} s; seen: {seen[-30:]}")
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            at = time.monotonic()
            self.seen.append((at, event))
            if match(event):
                return at, event

    def states(self, profile_id: str) -> list[dict[str, Any]]:
        return [e for _, e in self.seen if e["profile_id"] == profile_id and e["kind"] == "state"]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        finally:
            for pipe in (self.proc.stdout, self.proc.stderr):
                if pipe is not None:
                    pipe.close()


@pytest.fixture
def ns() -> Iterator[Namespace]:
    with namespace() as made:
        made.run(made.ip, "route", "add", "default", "via", made.host_ip)
        yield made


def link(ns: Namespace, up: bool) -> float:
    at = time.monotonic()
    veth = ns.run(ns.ip, "-o", "link", "show").split("\n")
    name = next(line.split(": ")[1].split("@")[0] for line in veth if "tmp" in line)
    ns.run(ns.ip, "link", "set", name, "up" if up else "down")
    if up:
        ns.run(ns.ip, "route", "replace", "default", "via", ns.host_ip)
    return at


def test_a_pulled_cable_is_this_computers_offline_said_once_and_back_at_once(
    ns: Namespace, tmp_path: Path
) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    with LineEchoServer(listen_host=ns.host_ip) as server:
        host, port = server.address
        profiles = [
            make_profile(host, port, kind, name=f"{kind}-{i}", id=f"p{i}", interval_s=INTERVAL_S,
                         timeout_s=0.5, keepalive={"idle_s": 1, "interval_s": 1, "count": 1})
            if kind == "watch"
            else make_profile(host, port, kind, name=f"{kind}-{i}", id=f"p{i}",
                              interval_s=INTERVAL_S, timeout_s=0.5)
            for i, kind in enumerate(KINDS)
        ]  # fmt: skip
        file = tmp_path / "profiles.json"
        file.write_text(json.dumps({"version": 1, "profiles": [p.to_dict() for p in profiles]}))
        run = Run(ns, home, file)
        try:
            for p in profiles:
                run.until(lambda e, p=p: e["profile_id"] == p.id and e["state"] == "up", 15)

            pulled = link(ns, up=False)
            offline_at, offline = run.until(lambda e: e["kind"] == "network", 10)
            assert offline["state"] == "offline", offline
            assert offline_at - pulled < 2.0, f"offline said after {offline_at - pulled:.1f} s"
            for p in profiles:
                _, down = run.until(
                    lambda e, p=p: e["profile_id"] == p.id and e["state"] == "down", 15
                )
                assert down["cause"] == "local_network", down

            plugged = link(ns, up=True)
            _, online = run.until(lambda e: e["kind"] == "network" and e is not offline, 10)
            assert online["state"] == "online"
            for p in profiles:
                back_at, _ = run.until(
                    lambda e, p=p: e["profile_id"] == p.id and e["state"] == "up"
                    and e["previous"] == "down", 10,
                )  # fmt: skip
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
