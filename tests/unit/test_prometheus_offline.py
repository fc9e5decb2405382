"""A real Prometheus scrapes a real ``tcpmonitor run`` on the same computer, inside a network
namespace made by the test whose only route out is its default route; removing that route is
this computer going offline. Every target is then down from there (``local_network``), and
the shipped rules must not page for each of them: TcpMonitorOffline says what is wrong."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tcpmonitor_gui.lab import LineEchoServer
from tests.helpers import make_profile
from tests.netns import CommandFailed, Namespace, namespace
from tests.netns_process import JsonLines, back_from_down, state_of
from tests.unit._cli_process import TCPMONITOR, Home
from tests.unit.test_prometheus import RULES, need

pytestmark = pytest.mark.netns

METRICS = "127.0.0.1:9464"  # the namespace is the test's own: no port is taken there
PROMETHEUS = "http://127.0.0.1:9090"
#: Down for this long (Prometheus's own view) is past TcpMonitorTargetDown's ``for: 30s``.
PAST_ITS_FOR_S = 40.0
#: Prometheus is asked from inside the namespace (it listens there on loopback).
_ASK = (
    "import sys, urllib.request;"
    " print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())"
)


def ask(ns: Namespace, path: str) -> Any:
    """The ``data`` of an answer of Prometheus's API, or None while it does not answer."""
    try:
        return json.loads(ns.run(sys.executable, "-c", _ASK, PROMETHEUS + path))["data"]
    except (CommandFailed, ValueError):
        return None


def query(ns: Namespace, promql: str) -> list[tuple[dict[str, str], float]]:
    data = ask(ns, "/api/v1/query?query=" + urllib.parse.quote(promql))
    if data is None:
        return []
    return [(r["metric"], float(r["value"][1])) for r in data["result"]]


def alerts(ns: Namespace, name: str) -> list[str]:
    """The states (pending, firing) of the alerts of rule ``name``."""
    data = ask(ns, "/api/v1/alerts")
    found = [] if data is None else data["alerts"]
    return [a["state"] for a in found if a["labels"]["alertname"] == name]


def poll(what: str, condition: Callable[[], bool], timeout: float, *,
         meanwhile: Callable[[], None] = lambda: None) -> None:  # fmt: skip
    """Ask again every second until ``condition`` holds, checking ``meanwhile`` each time."""
    deadline = time.monotonic() + timeout
    while True:
        meanwhile()
        if condition():
            return
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(1.0)  # ok-sleep: Prometheus is asked over HTTP, it cannot tell us


@contextlib.contextmanager
def prometheus(made: Namespace, tmp_path: Path) -> Iterator[None]:
    """Prometheus inside the namespace, scraping the run every second, with our rules."""
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        f"rule_files: [{json.dumps(str(RULES))}]\n"
        "scrape_configs: [{job_name: tcpmonitor,"
        f" static_configs: [{{targets: ['{METRICS}']}}]}}]\n"
    )
    with (tmp_path / "prometheus.log").open("wb") as log:
        proc = subprocess.Popen(
            [made.ip, "netns", "exec", made.name, need("prometheus"), f"--config.file={config}",
             f"--storage.tsdb.path={tmp_path / 'tsdb'}", "--web.listen-address=127.0.0.1:9090"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        yield
    finally:
        proc.terminate()  # before the namespace goes: it lives on while a process is in it
        proc.wait(30)


@dataclasses.dataclass(frozen=True)
class Way:
    """How the namespace's computer reaches the target: ``routes`` (after ``ip route add``)
    set up at the start, the one of them whose removal is the cut (``cut``), and the rule
    that must say so instead of a page per target, with the network as it says then."""

    routes: tuple[tuple[str, ...], ...]
    cut: tuple[str, ...]
    alert: str
    online_meanwhile: float


@pytest.fixture
def made() -> Iterator[tuple[Namespace, str]]:
    """The namespace and its link, with no route of its subnet (any route out is a network
    that is up): each test lays the routes it needs."""
    with namespace() as ns:
        kernel = ns.run(ns.ip, "-4", "-o", "route", "show", "proto", "kernel").split()
        subnet, dev = kernel[0], kernel[kernel.index("dev") + 1]
        ns.run(ns.ip, "route", "del", subnet, "dev", dev)
        yield ns, dev


def test_a_computer_offline_pages_once_for_itself_not_once_per_target(
    made: tuple[Namespace, str], tmp_path: Path
) -> None:
    """The default route is the only way out, and it goes (Wi-Fi lost)."""
    ns, dev = made
    way = Way(routes=(("default", "via", ns.host_ip, "dev", dev, "onlink"),),
              cut=("default",), alert="TcpMonitorOffline", online_meanwhile=0.0)  # fmt: skip
    watched_through_a_cut(ns, way, tmp_path, network_told=["offline", "online"])


def test_a_target_with_no_route_left_pages_once_for_this_computer_not_for_the_target(
    made: tuple[Namespace, str], tmp_path: Path
) -> None:
    """The target's own route goes (the VPN that carried it is down), another stays: this
    computer is online, and has no route to that target."""
    ns, dev = made
    way = Way(routes=((f"{ns.host_ip}/32", "dev", dev),  # the VPN's
                      ("203.0.113.0/24", "via", ns.host_ip, "dev", dev, "onlink")),
              cut=(f"{ns.host_ip}/32",), alert="TcpMonitorLocalNetwork",
              online_meanwhile=1.0)  # fmt: skip
    watched_through_a_cut(ns, way, tmp_path, network_told=["changed", "changed"])


def watched_through_a_cut(
    made: Namespace, way: Way, tmp_path: Path, *, network_told: list[str]
) -> None:
    """Two targets on this host, watched from the namespace by ``tcpmonitor run``, scraped
    by Prometheus there; ``way.cut`` leaves them down for this computer's network (cause
    local_network) for longer than TcpMonitorTargetDown's ``for``, which never pages for
    them (it did, for each), while ``way.alert`` is raised; then the route comes back."""
    need("prometheus")
    for route in way.routes:
        made.run(made.ip, "route", "add", *route)
    home = Home(tmp_path / "config", tmp_path / "data")
    with LineEchoServer(listen_host=made.host_ip) as server:
        profiles = [make_profile(*server.address, kind, name=f"{kind} target", id=kind,
                                 interval_s=0.5, timeout_s=0.5, fail_after=1)
                    for kind in ("probe", "heartbeat")]  # fmt: skip
        file = tmp_path / "profiles.json"
        file.write_text(json.dumps({"version": 1, "profiles": [p.to_dict() for p in profiles]}))
        argv = [str(TCPMONITOR), "run", "--json", "--metrics-listen", METRICS,
                "--profiles", str(file), *home.options]  # fmt: skip
        run = JsonLines(made, argv, home.env, tmp_path / "stderr.txt")
        try:
            for p in profiles:
                run.until(state_of(p.id, "up"), 20)
            with prometheus(made, tmp_path):
                online = "tcpmonitor_network_online"
                # Known from the start: no change of the network has been told.
                poll("Prometheus reads that this computer is online",
                     lambda: [v for _, v in query(made, online)] == [1.0], 60)  # fmt: skip
                assert [e for _, e in run.seen if e["kind"] == "network"] == []

                made.run(made.ip, "route", "del", *way.cut)
                _, told = run.until(lambda e: e["kind"] == "network", 10)
                assert told["state"] == network_told[0], told
                for p in profiles:
                    _, down = run.until(state_of(p.id, "down"), 15)
                    assert down["cause"] == "local_network", down

                def target_down_never() -> None:
                    assert alerts(made, "TcpMonitorTargetDown") == []

                # Every target down, as Prometheus sees it, for longer than the rule's "for":
                # the old rule paged for each by now.
                past = f"[{PAST_ITS_FOR_S:.0f}s]"
                downs = f'min_over_time(tcpmonitor_state{{state="down"}}{past}) == 1'
                network = f"{online}{past}"
                poll("every target down past the rule's 30 s, the network as it was cut",
                     lambda: [v for _, v in query(made, downs)] == [1.0, 1.0]
                     and [v for _, v in query(made, f"max_over_time({network})")]
                     == [v for _, v in query(made, f"min_over_time({network})")]
                     == [way.online_meanwhile], 90, meanwhile=target_down_never)  # fmt: skip
                assert alerts(made, way.alert) in (["pending"], ["firing"])
                target_down_never()

                made.run(
                    made.ip, "route", "add", *next(r for r in way.routes if r[0] == way.cut[0])
                )
                for p in profiles:
                    run.until(back_from_down(p.id), 15)
                poll("this computer reaches its targets again, and said so",
                     lambda: [v for _, v in query(made, online)] == [1.0]
                     and alerts(made, way.alert) == [], 30,
                     meanwhile=target_down_never)  # fmt: skip
                run.until(lambda e: e["kind"] == "network" and e is not told, 10)
                told_all = [e["state"] for _, e in run.seen if e["kind"] == "network"]
                assert told_all == network_told
        finally:
            run.stop()
