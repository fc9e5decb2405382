"""A real Prometheus scrapes a real ``tcpmonitor run`` on the same computer, inside a network
namespace made by the test whose only route out is its default route; removing that route is
this computer going offline. Every target is then down from there (``local_network``), and
the shipped rules must not page for each of them: TcpMonitorOffline says what is wrong."""

from __future__ import annotations

import contextlib
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


@pytest.fixture
def ns() -> Iterator[tuple[Namespace, str]]:
    """The namespace, and its way out: a default route through the veth pair, and no route
    of its subnet (any route out counts as a network that is up)."""
    with namespace() as made:
        kernel = made.run(made.ip, "-4", "-o", "route", "show", "proto", "kernel").split()
        subnet, dev = kernel[0], kernel[kernel.index("dev") + 1]
        made.run(made.ip, "route", "del", subnet, "dev", dev)
        made.run(made.ip, "route", "add", "default", "via", made.host_ip, "dev", dev, "onlink")
        yield made, dev


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


def test_a_computer_offline_pages_once_for_itself_not_once_per_target(
    ns: tuple[Namespace, str], tmp_path: Path
) -> None:
    made, dev = ns
    need("prometheus")
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

                made.run(made.ip, "route", "del", "default")  # this computer goes offline
                _, offline = run.until(lambda e: e["kind"] == "network", 10)
                assert offline["state"] == "offline", offline
                for p in profiles:
                    _, down = run.until(state_of(p.id, "down"), 15)
                    assert down["cause"] == "local_network", down

                def target_down_never() -> None:
                    assert alerts(made, "TcpMonitorTargetDown") == []

                # Every target down, as Prometheus sees it, for longer than the rule's "for":
                # the old rule paged for each by now.
                downs = f'min_over_time(tcpmonitor_state{{state="down"}}[{PAST_ITS_FOR_S:.0f}s])'
                poll("every target down past the rule's 30 s, offline all along",
                     lambda: [v for _, v in query(made, f"{downs} == 1")] == [1.0, 1.0]
                     and [v for _, v in query(made, f"max_over_time({online}[40s])")] == [0.0],
                     90, meanwhile=target_down_never)  # fmt: skip
                assert alerts(made, "TcpMonitorOffline") in (["pending"], ["firing"])
                target_down_never()

                made.run(made.ip, "route", "add", "default", "via", made.host_ip, "dev", dev,
                         "onlink")  # fmt: skip
                for p in profiles:
                    run.until(back_from_down(p.id), 15)
                poll("this computer is online again, and said so",
                     lambda: [v for _, v in query(made, online)] == [1.0]
                     and alerts(made, "TcpMonitorOffline") == [], 30,
                     meanwhile=target_down_never)  # fmt: skip
        finally:
            run.stop()
