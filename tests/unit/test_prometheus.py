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
    assert "SUCCESS: 4 rules found" in result.stdout


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
