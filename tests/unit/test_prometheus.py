"""A real Prometheus scrapes a real ``tcpmonitor run``: the shipped alert rule fires when a
target dies and resolves when it returns; the shipped rules pass ``promtool``. Debian's
``prometheus`` package is a peer like redis-server: CI installs it, and there it must be."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tcpmonitor_gui.core.metrics import FAMILIES
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.lab import FaultProxy
from tests.unit._cli_process import Home, Running

RULES = Path(__file__).parents[2] / "packaging" / "prometheus" / "tcpmonitor-rules.yml"
#: The rule's ``for`` is 30 s; scrapes and evaluations every second leave the rest.
FIRES_WITHIN_S = 45.0


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("TCPMONITOR_REQUIRE_PEERS") == "1":
            pytest.fail(f"{tool} is not installed (TCPMONITOR_REQUIRE_PEERS=1)")
        pytest.skip(f"{tool} is not installed (Debian: prometheus)")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api(base: str, path: str) -> Any:
    with urllib.request.urlopen(f"{base}{path}", timeout=5) as response:
        return json.load(response)["data"]


def poll(what: str, condition: Callable[[], bool], timeout: float) -> float:
    """Ask again every half second until ``condition`` holds; the seconds it took."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, f"{what}: not within {timeout} s"
        time.sleep(0.5)  # ok-sleep: Prometheus is asked over HTTP, it cannot tell us
    return time.monotonic() - start


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Starts Prometheus scraping a target (``host:port``) every second; its API's base."""
    binary = need("prometheus")
    procs: list[subprocess.Popen[bytes]] = []

    def start(target: str) -> str:
        port = free_port()
        config = tmp_path / "prometheus.yml"
        config.write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            f"rule_files: [{json.dumps(str(RULES))}]\n"
            "scrape_configs:\n"
            f"  - {{job_name: tcpmonitor, static_configs: [{{targets: [{json.dumps(target)}]}}]}}\n"
        )
        log = (tmp_path / "prometheus.log").open("wb")
        procs.append(
            subprocess.Popen(
                [
                    binary,
                    f"--config.file={config}",
                    f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        log.close()
        return f"http://127.0.0.1:{port}"

    try:
        yield start
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(30)


def test_the_shipped_rules_pass_promtool() -> None:
    promtool = need("promtool")
    result = subprocess.run(
        [promtool, "check", "rules", str(RULES)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 6 rules found" in result.stdout


def test_a_dead_target_fires_the_shipped_alert_and_its_return_resolves_it(
    tmp_path: Path, proxy: FaultProxy, prometheus: Callable[[str], str]
) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    host, port = proxy.address
    detector = {"kind": "heartbeat", "interval_s": 0.5, "max_backoff_s": 2}  # back soon
    ProfileStore(home.config).save(
        [Profile.from_dict({"name": "Orders DB", "host": host, "port": port, "detector": detector})]
    )
    with Running(home, "run", "--metrics-listen", "0") as run:
        line = run.wait_stderr(lambda text: text.startswith("metrics on http://"))
        target = line.removeprefix("metrics on http://").removesuffix("/metrics")
        run.read_until(lambda text: "-> up" in text)
        base = prometheus(target)

        def scraped() -> bool:
            try:
                targets = api(base, "/api/v1/targets")["activeTargets"]
            except OSError:
                return False  # not listening yet
            return bool(targets) and targets[0]["health"] == "up"

        poll("Prometheus scrapes tcpmonitor", scraped, 30)

        def alerts() -> list[dict[str, Any]]:
            return [a for a in api(base, "/api/v1/alerts")["alerts"]
                    if a["labels"]["alertname"] == "TcpMonitorTargetDown"]  # fmt: skip

        assert alerts() == []
        proxy.set_mode("refuse")  # the target dies: reconnects refused,
        proxy.cut()  # and the held connection reset
        run.read_until(lambda text: "-> down" in text)
        took = poll(
            "TcpMonitorTargetDown fires",
            lambda: [a["state"] for a in alerts()] == ["firing"],
            FIRES_WITHIN_S,
        )
        [alert] = alerts()
        assert alert["labels"]["profile"] == "Orders DB"
        assert alert["labels"]["target"] == f"{host}:{port}"
        assert alert["annotations"]["summary"] == f"Orders DB ({host}:{port}) is down"
        assert 25 < took < FIRES_WITHIN_S  # its "for: 30s" held it back, then it fired

        proxy.set_mode("pass")
        run.read_until(lambda text: "-> up" in text)
        poll("the alert resolves", lambda: alerts() == [], 30)


DASHBOARD = Path(__file__).parents[2] / "packaging" / "grafana" / "tcpmonitor-dashboard.json"
#: Names a query may use beside ours: Prometheus's own.
PROMQL_WORDS = {"up", "vector", "count", "sum", "by", "increase", "rate", "histogram_quantile",
                "avg_over_time", "or", "and", "unless", "on", "le"}  # fmt: skip


def test_the_dashboard_queries_only_what_we_export_and_parse_as_promql(tmp_path: Path) -> None:
    """Every panel's query names only metrics we serve (or their histogram parts), and each
    one is valid PromQL: promtool checks them as recording rules (the dashboard's variables
    filled in as Grafana would)."""
    dashboard = json.loads(DASHBOARD.read_text())
    queries = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    assert len(queries) == len(dashboard["panels"]) >= 8
    # A machine offline, and the drops it causes, are seen apart from the targets' own.
    assert any("tcpmonitor_network_online" in q for q in queries)
    assert any("tcpmonitor_down_local_network" in q for q in queries)
    ours = {f"{name}{part}" for name in FAMILIES for part in ("", "_bucket", "_sum", "_count")}
    for query in queries:
        # no strings, ranges, label matchers or grouping labels: metric and function names
        bare = re.sub(r'"[^"]*"|\[[^]]*\]|\{[^}]*\}|\bby\s*\([^)]*\)', " ", query)
        names = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", bare)) - PROMQL_WORDS
        assert names <= ours, (query, names - ours)
        assert any(name in ours for name in names), query
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query{i}", "expr": q.replace("$instance", ".*").replace(
            "$profile", ".*")} for i, q in enumerate(queries)]}]}  # fmt: skip
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(json.dumps(rules))  # JSON is YAML
    result = subprocess.run([need("promtool"), "check", "rules", str(path)],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


# -- this computer offline: the rules, with promtool's own evaluation of synthetic series --

LAPTOP = {"instance": "laptop:9464", "job": "tcpmonitor"}
ORDERS = {**LAPTOP, "profile": "Orders DB", "target": "db.internal:5432", "detector": "probe"}
OFFLINE_SUMMARY = "TCP Monitor on laptop:9464 is offline"
OFFLINE_DESCRIPTION = (
    "The network of the computer that runs TCP Monitor (laptop:9464) is down: no route leaves"
    " it. Its connections cannot be checked from there meanwhile, and their alerts are held"
    " back until it is back."
)


def series(name: str, labels: dict[str, str], values: str) -> dict[str, str]:
    inside = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return {"series": f"{name}{{{inside}}}", "values": values}


def down_for_10m(online: str | None) -> list[dict[str, str]]:
    """Orders DB down from the start, scraped every 15 s for 10 minutes; this computer's
    network as ``online`` says (None: no sample, as where it cannot be known)."""
    found = [series("tcpmonitor_state", {**ORDERS, "state": "down"}, "1x40"),
             series("tcpmonitor_maintenance", ORDERS, "0x40"),
             series("tcpmonitor_asleep", LAPTOP, "0x40")]  # fmt: skip
    if online is not None:
        found.append(series("tcpmonitor_network_online", LAPTOP, online))
    return found


def promtool_test(tmp_path: Path, tests: list[dict[str, Any]]) -> None:
    """Run promtool's own evaluation of the shipped rules on these tests (JSON is YAML)."""
    path = tmp_path / "rules-test.yml"
    path.write_text(json.dumps({"rule_files": [str(RULES)], "evaluation_interval": "15s",
                                "tests": tests}))  # fmt: skip
    result = subprocess.run([need("promtool"), "test", "rules", str(path)],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def alerts_at(minutes: int, name: str, *fired: dict[str, Any]) -> dict[str, Any]:
    return {"eval_time": f"{minutes}m", "alertname": name, "exp_alerts": list(fired)}


def target_down() -> dict[str, Any]:
    return {"exp_labels": {**ORDERS, "state": "down", "severity": "critical"},
            "exp_annotations": {
                "summary": "Orders DB (db.internal:5432) is down",
                "description": "TCP Monitor on laptop:9464 has seen Orders DB (db.internal:5432,"
                               " probe) down for more than 30 seconds."}}  # fmt: skip


def test_no_target_alert_fires_while_this_computer_is_offline_and_one_alert_says_so(
    tmp_path: Path,
) -> None:
    """A laptop lost its Wi-Fi: every profile down (cause local_network), and the shipped
    rule paged for each, though the program counts none of it against the targets. While
    its network is down they are held back, and TcpMonitorOffline says what is wrong; once
    back, a target still down is paged for after its 30 s, as any."""
    offline = {"exp_labels": {**LAPTOP, "severity": "warning"},
               "exp_annotations": {"summary": OFFLINE_SUMMARY,
                                   "description": OFFLINE_DESCRIPTION}}  # fmt: skip
    promtool_test(tmp_path, [
        {"interval": "15s", "input_series": down_for_10m("0x20 1x20"),
         "alert_rule_test": [alerts_at(4, "TcpMonitorTargetDown"),
                             alerts_at(4, "TcpMonitorOffline", offline),
                             alerts_at(5, "TcpMonitorTargetDown"),  # back: 30 s first
                             alerts_at(6, "TcpMonitorTargetDown", target_down()),
                             alerts_at(6, "TcpMonitorOffline")]},
        {"interval": "15s", "input_series": down_for_10m("1x40"),  # online: the target's
         "alert_rule_test": [alerts_at(4, "TcpMonitorTargetDown", target_down()),
                             alerts_at(4, "TcpMonitorOffline")]},
        {"interval": "15s", "input_series": down_for_10m(None),  # not known: as before
         "alert_rule_test": [alerts_at(4, "TcpMonitorTargetDown", target_down())]},
    ])  # fmt: skip


def test_a_laptop_whose_network_comes_and_goes_is_not_its_targets_flapping(
    tmp_path: Path,
) -> None:
    """Wi-Fi lost and found every 30 s: each profile went down (local_network) and up again
    each time, and TcpMonitorFlapping fired for every one of them."""
    changes = "tcpmonitor_state_changes_total"
    wifi = [series(changes, {**ORDERS, "cause": "local_network"}, "0+1x80"),
            series(changes, {**ORDERS, "cause": "none"}, "0+1x80"),
            series("tcpmonitor_network_online", LAPTOP, "1 0 " * 40)]  # fmt: skip
    flapping = {"exp_labels": {**{k: ORDERS[k] for k in ("instance", "job", "profile",
                                                         "target")}, "severity": "warning"},
                "exp_annotations": {
                    "summary": "Orders DB (db.internal:5432) keeps dropping",
                    "description": "Orders DB changed state 120 times in 15 minutes, as seen"
                                   " from laptop:9464."}}  # fmt: skip
    target = [series(changes, {**ORDERS, "cause": "refused"}, "0+1x80"),
              series(changes, {**ORDERS, "cause": "none"}, "0+1x80"),
              series("tcpmonitor_network_online", LAPTOP, "1x80")]  # fmt: skip
    promtool_test(tmp_path, [
        {"interval": "15s", "input_series": wifi,
         "alert_rule_test": [alerts_at(20, "TcpMonitorFlapping")]},
        {"interval": "15s", "input_series": target,  # the target's own: said
         "alert_rule_test": [alerts_at(20, "TcpMonitorFlapping", flapping)]},
    ])  # fmt: skip


def test_a_target_this_computer_has_no_route_to_is_not_paged_for_but_the_computer_is(
    tmp_path: Path,
) -> None:
    """The VPN that carried a target is gone, the rest of the network up: the target is down
    for this computer's routes (local_network), and TcpMonitorTargetDown paged for it as if
    the server were dead. Held back, and TcpMonitorLocalNetwork says what is wrong, once."""
    down = series("tcpmonitor_state", {**ORDERS, "state": "down"}, "1x40")
    local = series("tcpmonitor_down_local_network", ORDERS, "1x20 0x20")  # then refused
    online = series("tcpmonitor_network_online", LAPTOP, "1x40")
    said = {"exp_labels": {**LAPTOP, "severity": "warning"},
            "exp_annotations": {
                "summary": "TCP Monitor on laptop:9464 cannot reach 1 of its targets",
                "description": "From laptop:9464, TCP Monitor finds no route to some of"
                               " its targets (1 now: a VPN down?): they are down for that"
                               " computer's own network, not for theirs, and their alerts"
                               " are held back meanwhile."}}  # fmt: skip
    promtool_test(tmp_path, [
        {"interval": "15s", "input_series": [down, local, online],
         "alert_rule_test": [alerts_at(4, "TcpMonitorTargetDown"),
                             alerts_at(4, "TcpMonitorLocalNetwork", said),
                             alerts_at(6, "TcpMonitorTargetDown", target_down()),
                             alerts_at(6, "TcpMonitorLocalNetwork")]},
    ])  # fmt: skip
