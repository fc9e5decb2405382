"""Prometheus metrics: what is rendered is what prometheus_client's own parser reads back, label
values survive any name, the values follow the events, and ``run --metrics-listen`` serves
them from a thread of its own."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tcpmonitor_gui.core import metrics_server as metrics_module
from tcpmonitor_gui.core.events import Cause, Event, Kind, State
from tcpmonitor_gui.core.metrics import FAMILIES, Metrics
from tcpmonitor_gui.core.metrics_server import (
    CONTENT_TYPE,
    MAX_CLIENTS,
    MetricsServer,
    ServedWhenFree,
)
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.lab import LineEchoServer
from tests.helpers import make_profile
from tests.unit._cli_process import DEADLINE_S, Home, Running, tcpmonitor

HOSTILE = 'we"ird \\ name, } {x="y"} 名前 🚀'
TS = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


def profile(name: str = "Orders DB", pid: str = "p1", **extra: object) -> Profile:
    return Profile.from_dict(
        {"id": pid, "name": name, "host": "127.0.0.1", "port": 5432, "group": "prod", **extra}
    )


def event(pid: str, kind: Kind, state: State, **extra: object) -> Event:
    fields: dict[str, object] = {
        "ts": TS, "profile_id": pid, "profile_name": "x", "kind": kind, "state": state,
        "previous": None, "cause": None, "detector": "probe", "latency_ms": None,
    }  # fmt: skip
    fields.update(extra)
    return Event(**fields)  # type: ignore[arg-type]


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample the official parser reads, by name and labels."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    found = [v for (n, ls), v in samples(text).items() if n == name and set(labels.items()) <= ls]
    assert len(found) == 1, (name, labels, found)
    return found[0]


def test_any_name_survives_as_a_label_value() -> None:
    metrics = Metrics([profile(HOSTILE)])
    metrics.feed(event("p1", Kind.STATE, State.UP))
    text = metrics.render().decode()
    labels = {
        "profile": HOSTILE, "group": "prod", "target": "127.0.0.1:5432", "detector": "probe"
    }  # fmt: skip
    assert value(text, "tcpmonitor_up", **labels) == 1


def test_the_values_follow_the_events() -> None:
    metrics = Metrics([profile(), profile("Cache", "p2")])
    for latency in (0.3, 0.8, 40.0):
        metrics.feed(event("p1", Kind.SAMPLE, State.UP, latency_ms=latency))
    metrics.feed(event("p1", Kind.STATE, State.UP))
    text = metrics.render().decode()
    assert value(text, "tcpmonitor_up", profile="Orders DB") == 1
    assert value(text, "tcpmonitor_state", profile="Orders DB", state="up") == 1
    assert value(text, "tcpmonitor_state", profile="Orders DB", state="down") == 0
    assert value(text, "tcpmonitor_latency_seconds", profile="Orders DB") == 0.04
    assert value(text, "tcpmonitor_check_latency_seconds_count", profile="Orders DB") == 3
    assert value(text, "tcpmonitor_check_latency_seconds_bucket", profile="Orders DB",
                 le="0.001") == 2  # fmt: skip
    assert value(text, "tcpmonitor_check_latency_seconds_sum", profile="Orders DB") == (
        pytest.approx(0.0411)
    )
    assert value(text, "probe_success", profile="Orders DB") == 1
    assert value(text, "probe_duration_seconds", profile="Orders DB") == 0.04
    assert value(text, "tcpmonitor_last_change_timestamp_seconds", profile="Orders DB") == (
        TS.timestamp()
    )
    assert ("probe_success", "Cache") not in {
        (n, dict(ls).get("profile")) for n, ls in samples(text)
    }

    metrics.feed(event("p1", Kind.SAMPLE, State.DOWN, cause=Cause.REFUSED))
    metrics.feed(event("p1", Kind.STATE, State.DOWN, cause=Cause.REFUSED, detection_ms=2300.0))
    text = metrics.render().decode()
    assert value(text, "tcpmonitor_up", profile="Orders DB") == 0
    assert value(text, "probe_success", profile="Orders DB") == 0
    assert value(text, "tcpmonitor_latency_seconds", profile="Orders DB") == 0.04  # last good
    assert value(text, "tcpmonitor_state_changes_total", profile="Orders DB",
                 cause="refused") == 1  # fmt: skip
    assert value(text, "tcpmonitor_state_changes_total", profile="Orders DB", cause="none") == 1
    assert value(text, "tcpmonitor_detection_delay_seconds_bucket", profile="Orders DB",
                 le="5") == 1  # fmt: skip
    assert value(text, "tcpmonitor_detection_delay_seconds_bucket", profile="Orders DB",
                 le="1") == 0  # fmt: skip
    families = [f.name for f in text_string_to_metric_families(text)]
    assert [f.removesuffix("_total") for f in FAMILIES] == families


def test_only_changes_of_the_targets_state_are_counted() -> None:
    """Connecting at start, paused and unknown are the monitoring's own: the first failure
    while connecting was counted as a change, so a fresh refused target had 2 after one drop,
    and a restart of the checks (a reload, a resume) counted again what had not changed."""
    metrics = Metrics([profile()])
    told = [(State.CONNECTING, Cause.REFUSED), (State.DOWN, Cause.REFUSED),
            (State.DOWN, Cause.REFUSED),  # still down, told again after a maintenance window
            (State.PAUSED, None), (State.UNKNOWN, None), (State.CONNECTING, Cause.REFUSED),
            (State.DOWN, Cause.REFUSED), (State.UP, None), (State.UNKNOWN, None)]  # fmt: skip
    for state, cause in told:
        metrics.feed(event("p1", Kind.STATE, state, cause=cause))
    text = metrics.render().decode()
    assert value(text, "tcpmonitor_state_changes_total", cause="refused") == 1
    assert value(text, "tcpmonitor_state_changes_total", cause="none") == 1  # the recovery
    assert value(text, "tcpmonitor_state", state="unknown") == 1


def test_a_paused_or_stopped_profile_has_no_last_check() -> None:
    """Paused while down, its probe_success stayed 0: an alert written for blackbox_exporter
    (``probe_success == 0``) fired for as long as the user kept it paused, though nothing
    was checked. Like a target blackbox_exporter no longer probes, it has no last check."""
    metrics = Metrics([profile()])
    metrics.feed(event("p1", Kind.SAMPLE, State.DOWN, cause=Cause.REFUSED))
    metrics.feed(event("p1", Kind.STATE, State.DOWN, cause=Cause.REFUSED))
    assert value(metrics.render().decode(), "probe_success") == 0
    for state in (State.PAUSED, State.UNKNOWN):
        metrics.feed(event("p1", Kind.SAMPLE, State.UP, latency_ms=0.5))
        metrics.feed(event("p1", Kind.STATE, state))
        text = metrics.render().decode()
        assert "probe_success{" not in text and "probe_duration_seconds{" not in text
        assert value(text, "tcpmonitor_state", state=str(state)) == 1
    metrics.feed(event("p1", Kind.STATE, State.CONNECTING))  # resumed: checks again
    metrics.feed(event("p1", Kind.SAMPLE, State.UP, latency_ms=0.5))
    assert value(metrics.render().decode(), "probe_success") == 1


def test_a_renamed_profile_keeps_its_counts_and_a_removed_one_leaves() -> None:
    first = profile()
    metrics = Metrics([first, profile("Cache", "p2")])
    metrics.feed(event("p1", Kind.STATE, State.DOWN, cause=Cause.RESET))
    metrics.set_profiles([dataclasses.replace(first, name="Orders")])
    text = metrics.render().decode()
    assert value(text, "tcpmonitor_state_changes_total", profile="Orders", cause="reset") == 1
    assert "Orders DB" not in text and "Cache" not in text


def test_a_profile_in_maintenance_says_so() -> None:
    now = dt.datetime.now(dt.UTC)
    begin, end = now - dt.timedelta(minutes=5), now + dt.timedelta(hours=1)
    window = f"{begin:%Y-%m-%d %H:%M} - {end:%Y-%m-%d %H:%M} UTC"
    metrics = Metrics([profile(maintenance=[window]), profile("Cache", "p2")])
    text = metrics.render().decode()
    assert value(text, "tcpmonitor_maintenance", profile="Orders DB") == 1
    assert value(text, "tcpmonitor_maintenance", profile="Cache") == 0


# -- the command ------------------------------------------------------------------------------


def fetch(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=DEADLINE_S) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, "", ""


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "config", tmp_path / "data")


def test_run_serves_metrics_from_a_thread_that_a_silent_client_cannot_hold(
    home: Home, echo_server: LineEchoServer
) -> None:
    host, port = echo_server.address
    assert tcpmonitor(home, "profiles", "add", HOSTILE, f"{host}:{port}",
                      "--detector", "heartbeat", "--interval", "0.2").returncode == 0  # fmt: skip
    with Running(home, "run", "--metrics-listen", "0") as run:
        line = run.wait_stderr(lambda text: text.startswith("metrics on http://"))
        url = line.split("metrics on ", 1)[1].strip()
        assert url.startswith("http://127.0.0.1:")
        port = int(url.removeprefix("http://127.0.0.1:").split("/")[0])
        silent = socket.create_connection(("127.0.0.1", port))  # connects, says nothing
        try:
            status, kind, text = fetch(url)
            assert status == 200 and kind.startswith("text/plain; version=0.0.4")
            assert "process_cpu_seconds_total" in text  # prometheus_client's own
            run.read_until(lambda line: "-> up" in line)  # monitoring goes on, and says so
            _, _, text = fetch(url)
            assert value(text, "tcpmonitor_up", profile=HOSTILE) == 1
            assert fetch(url.replace("/metrics", "/other"))[0] == 404
        finally:
            silent.close()


def raw(address: tuple[str, int], method: str, path: str) -> tuple[str, dict[str, str], bytes]:
    """The status line, headers and body bytes of one HTTP/1.0 request, as sent."""
    with socket.create_connection(address, timeout=DEADLINE_S) as sock:
        sock.sendall(f"{method} {path} HTTP/1.0\r\nHost: {address[0]}\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    return status, dict(line.split(": ", 1) for line in lines), body


def test_head_gets_the_status_and_headers_of_get_without_a_body(home: Home) -> None:
    """Health checkers and ``curl -I`` ask with HEAD: it was answered 501."""
    assert tcpmonitor(home, "profiles", "add", "db", "127.0.0.1:1").returncode == 0
    with Running(home, "run", "--metrics-listen", "0") as run:
        line = run.wait_stderr(lambda text: text.startswith("metrics on http://"))
        port = int(line.rsplit(":", 1)[1].split("/")[0])
        got, got_headers, got_body = raw(("127.0.0.1", port), "GET", "/metrics")
        status, headers, body = raw(("127.0.0.1", port), "HEAD", "/metrics")
        assert (status, body) == (got, b"") and got.endswith(" 200 OK")
        assert headers["Content-Type"] == got_headers["Content-Type"] == CONTENT_TYPE
        assert int(headers["Content-Length"]) > 1000 and len(got_body) > 1000
        status, _, body = raw(("127.0.0.1", port), "HEAD", "/other")
        assert status.split()[1] == "404" and body == b""


def test_a_refused_target_counts_one_change_per_drop_across_a_reload(
    home: Home, tmp_path: Path
) -> None:
    with socket.socket() as closed:  # a port nothing listens on: refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    db = make_profile("127.0.0.1", port, name="db", interval_s=0.2, fail_after=2)
    file = tmp_path / "watch.json"
    file.write_text(json.dumps({"version": 1, "profiles": [db.to_dict()]}))
    with Running(home, "run", "--json", "--metrics-listen", "0", "--profiles", str(file)) as run:
        line = run.wait_stderr(lambda text: text.startswith("metrics on http://"))
        url = line.split("metrics on ", 1)[1].strip()
        run.read_until(lambda line: '"state":"down"' in line)
        text = fetch(url)[2]
        assert value(text, "tcpmonitor_state_changes_total", profile="db", cause="refused") == 1
        assert 'cause="none"' not in text  # starting to connect is no change of the target
        # A reload that restarts its checks: the target stayed down all along, and stays so
        # (no change is said), so nothing more is counted (and nothing counted is lost).
        edited = dataclasses.replace(db, fail_after=3)
        file.write_text(json.dumps({"version": 1, "profiles": [edited.to_dict()]}))
        run.send_signal(signal.SIGHUP)
        line = run.wait_stderr(lambda text: "read again (SIGHUP)" in text)
        assert line.endswith("0 added, 1 changed, 0 removed")
        read = len(run.lines)
        run.read_until(lambda _: sum('"kind":"sample"' in x for x in run.lines[read:]) >= 5)
        assert not [x for x in run.lines[read:] if '"kind":"state"' in x]
        text = fetch(url)[2]
        assert value(text, "tcpmonitor_state_changes_total", profile="db", cause="refused") == 1


def test_a_restart_that_finds_the_state_it_left_changes_nothing_in_the_metrics(
    home: Home, echo_server: LineEchoServer
) -> None:
    """Up when ``tcpmonitor run`` stopped and up at its next start: the window says "up" for
    as long as before (the event log's time), but the metrics said the state changed at the
    restart (and at every pause and resume), and counted one more change each time."""
    host, port = echo_server.address
    assert tcpmonitor(home, "profiles", "add", "db", f"{host}:{port}",
                      "--interval", "0.2").returncode == 0  # fmt: skip

    def scraped_once_up() -> str:
        with Running(home, "run", "--json", "--metrics-listen", "0") as run:
            line = run.wait_stderr(lambda text: text.startswith("metrics on http://"))
            run.read_until(lambda line: '"state":"up"' in line and '"kind":"state"' in line)
            text = fetch(line.split("metrics on ", 1)[1].strip())[2]
            run.send_signal(signal.SIGTERM)
            assert run.wait() == 0
        return text

    first = scraped_once_up()
    changed = value(first, "tcpmonitor_last_change_timestamp_seconds", profile="db")
    assert value(first, "tcpmonitor_state_changes_total", profile="db", cause="none") == 1
    again = scraped_once_up()
    assert value(again, "tcpmonitor_state", profile="db", state="up") == 1
    assert value(again, "tcpmonitor_last_change_timestamp_seconds", profile="db") == (
        pytest.approx(changed, abs=0.001)  # the log keeps milliseconds
    )
    assert "tcpmonitor_state_changes_total{" not in again  # none since this start


@pytest.mark.parametrize(
    ("listen", "problem"),
    [
        ("http://x", "is not a port"),
        (":9464", "is not [HOST:]PORT"),
        ("::1:9464", "has an IPv6 address without brackets"),
        ("[::1]", "'[::1]' is not [ADDR]:PORT (the port is missing"),
        ("[::1", "']' is missing"),
        ("127.0.0.1:80:80", "has more than one ':'"),
        ("127.0.0.1:99999", "out of range"),
        ("127.0.0.1:" + "9" * 5000, "is not [HOST:]PORT"),
        ("127.0.0.1:123456", "is not a port"),
        ("bad host!:80", "is not a valid host name"),
    ],
)
def test_a_bad_listen_address_is_named(home: Home, listen: str, problem: str) -> None:
    assert tcpmonitor(home, "profiles", "add", "db", "127.0.0.1:1").returncode == 0
    result = tcpmonitor(home, "run", f"--metrics-listen={listen}")
    assert result.returncode == 2
    assert "--metrics-listen" in result.stderr and problem in result.stderr
    assert len(result.stderr) < 500


def test_a_port_in_use_is_named_and_monitoring_goes_on(home: Home) -> None:
    """The port taken (another program's, or this service's address not up yet at boot):
    ``run`` exited 2 and monitored nothing, its alerts (actions) with it, for a metric. Now
    it monitors, says on stderr that metrics are not served and why, and tries the port
    again (``ServedWhenFree``)."""
    with LineEchoServer() as echo, socket.socket() as taken:
        assert (
            tcpmonitor(home, "profiles", "add", "db", "{}:{}".format(*echo.address)).returncode == 0
        )
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with Running(home, "run", "--json", "--metrics-listen", f"127.0.0.1:{port}") as run:
            said = (
                f"tcpmonitor: --metrics-listen: 127.0.0.1:{port} cannot be used (Address "
                "already in use); monitoring goes on without metrics, and the port is tried "
                "again every 10 s"
            )
            run.wait_stderr(lambda text: said in text)
            run.read_until(lambda line: '"state":"up"' in line)
            run.send_signal(signal.SIGTERM)
            assert run.wait(DEADLINE_S) == 0


def test_metrics_are_served_once_the_port_is_free() -> None:
    """Tried again until the port is free: served then, and said once each way."""
    said: list[str] = []
    served = threading.Event()

    def failed(where: str, why: str) -> None:
        said.append(f"{where}: {why}")

    def serving(where: str) -> None:
        said.append(f"served at {where}")
        served.set()

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        free = ServedWhenFree(
            Metrics([profile()]), "127.0.0.1", port, failed=failed, served=serving, every_s=0.01
        )
        try:
            assert free.server is None
            assert said == [f"127.0.0.1:{port}: Address already in use"]  # once
            taken.close()
            assert served.wait(DEADLINE_S), said
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
                assert answer.status == 200
            assert said[1:] == [f"served at 127.0.0.1:{port}"]
        finally:
            free.close()
    with socket.socket() as again:  # closed: nothing listens there (a scrape's TIME_WAIT may)
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
        again.listen()


def test_silent_clients_cannot_make_the_server_start_threads_without_bound() -> None:
    server = MetricsServer(Metrics([profile()]), "127.0.0.1", 0)
    before = threading.active_count()
    silent = []
    try:
        for _ in range(MAX_CLIENTS * 3):
            silent.append(socket.create_connection(server.address, timeout=5))
        deadline = time.monotonic() + 5
        while threading.active_count() < before + MAX_CLIENTS and time.monotonic() < deadline:
            time.sleep(0.01)  # ok-sleep: the server's threads start as it accepts
        assert threading.active_count() <= before + MAX_CLIENTS
    finally:
        for sock in silent:
            sock.close()
    url = f"http://127.0.0.1:{server.address[1]}/metrics"
    deadline = time.monotonic() + 15  # the slots come back as their clients go
    status = 0
    while status != 200 and time.monotonic() < deadline:
        try:
            status = fetch(url)[0]
        except OSError:  # turned away while the slots are still taken
            time.sleep(0.05)  # ok-sleep: polling a server, with a deadline
    server.close()
    assert status == 200


def test_clients_that_trickle_or_sit_idle_cannot_keep_a_scrape_out(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """Sixteen peers each sending a byte of their request every 0.3 s never trip the 10 s
    quiet timeout, and held every slot for ever: scrapes were turned away. Then, cut at the
    connection's deadline, they held them that long, and a peer that kept opening them kept
    Prometheus out for good. A scrape now takes the slot of the oldest that has not asked
    yet, at once (the deadline here is a minute, to show it is not what frees the slot)."""
    monkeypatch.setattr(metrics_module, "CONNECTION_DEADLINE_S", 60.0)
    server = MetricsServer(Metrics([profile()]), "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.address[1]}/metrics"
    stop = threading.Event()
    connected = threading.Barrier(MAX_CLIENTS + 1, timeout=10)

    def trickle() -> None:
        with socket.create_connection(server.address, timeout=10) as sock:
            connected.wait()
            with contextlib.suppress(OSError):  # cut by the server
                for byte in itertools.cycle(b"GET /metrics HTTP/1.0\r\nX-A: "):
                    sock.sendall(bytes([byte]))
                    if stop.wait(0.3):
                        return

    peers = [threading.Thread(target=trickle) for _ in range(MAX_CLIENTS)]
    for peer in peers:
        peer.start()
    try:
        connected.wait()
        held = server._server._deadlines  # every slot taken, then the scrape
        deadline = time.monotonic() + 5
        while len(held) < MAX_CLIENTS and time.monotonic() < deadline:
            time.sleep(0.01)  # ok-sleep: the server's thread accepts them, with a deadline
        assert len(held) == MAX_CLIENTS
        assert poll(url, until_served=True, within_s=5.0), "a peer that trickles kept its slot"
        assert poll(url, until_served=True, within_s=5.0), "it took one slot only once"
        assert "Traceback" not in capfd.readouterr().err  # a cut client is not our error
    finally:
        stop.set()
        for peer in peers:
            peer.join(10)
        server.close()


def poll(url: str, *, until_served: bool, within_s: float = 10.0) -> bool:
    """Scrape ``url`` until one is served (or, ``until_served`` false, turned away)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            served = fetch(url)[0] == 200
        except OSError:  # turned away: every slot is taken
            served = False
        if served == until_served:
            return True
        time.sleep(0.05)  # ok-sleep: polling a server, with a deadline
    return False


def test_clients_that_ask_and_never_read_cannot_keep_a_scrape_out(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """Sixteen peers that each asked for a large page (2,500 profiles: megabytes) and never
    read it held every slot until the 10 s send timeout, again and again: a scrape was
    turned away. One served for over ``SERVED_S`` gives its slot up to a new one."""
    many = [profile(f"p{i}", f"id{i}") for i in range(2500)]
    server = MetricsServer(Metrics(many), "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.address[1]}/metrics"
    stalled = []
    try:
        for _ in range(MAX_CLIENTS):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(server.address)
            sock.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")  # and never reads
            stalled.append(sock)
        asked = server._server._asked  # every slot serving a scrape that is not read
        deadline = time.monotonic() + 10
        while len(asked) < MAX_CLIENTS and time.monotonic() < deadline:
            time.sleep(0.01)  # ok-sleep: the server's threads take the requests, with a deadline
        assert len(asked) == MAX_CLIENTS
        started = time.monotonic()
        assert poll(url, until_served=True, within_s=8.0), "every slot stayed with a stalled peer"
        assert time.monotonic() - started < metrics_module.REQUEST_TIMEOUT_S
        assert "Traceback" not in capfd.readouterr().err
    finally:
        for sock in stalled:
            sock.close()
        server.close()


#: Scrapes ``argv[1]`` from ``argv[2]`` threads, each again as soon as one ends, until stdin
#: closes: in a process of its own, as clients elsewhere would (not taking turns at our GIL).
HAMMER = """import sys, threading, urllib.request
done = threading.Event()
def scrape():
    while not done.is_set():
        try:
            urllib.request.urlopen(sys.argv[1], timeout=10).read()
        except OSError:
            pass
for _ in range(int(sys.argv[2])):
    threading.Thread(target=scrape, daemon=True).start()
sys.stdin.read()
done.set()
"""


def test_clients_that_scrape_as_fast_as_they_can_cannot_keep_a_scrape_out() -> None:
    """24 clients each scraping again as soon as a scrape ended kept Prometheus out (4 of
    its 25 scrapes served): with every slot serving, a new connection was turned away at
    once, or it took the slot of one a moment old that had not had the time to ask, and
    was cut the same way in turn. Each now waits its turn."""
    many = [profile(f"p{i}", f"id{i}") for i in range(2500)]
    server = MetricsServer(Metrics(many), "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.address[1]}/metrics"
    hammer = subprocess.Popen(
        [sys.executable, "-c", HAMMER, url, str(MAX_CLIENTS + 8)], stdin=subprocess.PIPE
    )
    try:
        failed = []
        for _ in range(10):
            try:
                assert fetch(url)[0] == 200
            except OSError as exc:
                failed.append(exc)
        assert not failed, f"{len(failed)} of 10 scrapes failed: {failed[:3]}"
    finally:
        hammer.communicate(timeout=DEADLINE_S)
        server.close()


def _ask(address: tuple[str, int], host: str | None) -> tuple[int, bytes]:
    """GET /metrics with ``host`` as its Host header (none at all: None)."""
    with socket.create_connection(address, timeout=DEADLINE_S) as sock:
        header = b"" if host is None else b"Host: %s\r\n" % host.encode()
        sock.sendall(b"GET /metrics HTTP/1.1\r\n%sConnection: close\r\n\r\n" % header)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.mark.parametrize("listen", ["127.0.0.1", "::1"])
def test_a_web_page_cannot_read_the_metrics_of_a_loopback_port_by_dns_rebinding(
    listen: str,
) -> None:
    """A page in the user's browser whose name is made to resolve to 127.0.0.1 (DNS
    rebinding) asked the loopback port as its own origin and read every profile's name and
    target. On a loopback address only loopback names are served; a browser always sends the
    name it asked for."""
    if listen == "::1" and not socket.has_ipv6:
        pytest.skip("no IPv6 here")
    try:
        server = MetricsServer(Metrics([profile("Payroll DB")]), listen, 0)
    except OSError as exc:
        pytest.skip(f"{listen} cannot be listened on here: {exc}")
    port = server.address[1]
    try:
        status, body = _ask(server.address, f"attacker.example:{port}")
        assert status == 421
        assert b"Payroll" not in body and b"attacker.example" in body
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "127.0.0.2"):
            assert _ask(server.address, host)[0] == 200, host
        assert _ask(server.address, None)[0] == 200  # HTTP/1.0 tools send none
    finally:
        server.close()


@pytest.mark.parametrize(
    ("bound", "host", "served"),
    [
        ("0.0.0.0", "monitor.example.org:9464", True),  # bound beyond loopback: any name
        ("192.0.2.7", "monitor.example.org", True),
        ("::", "attacker.example", True),
        ("127.0.0.1", "LOCALHOST.:9464", True),
        ("127.0.0.1", "prometheus.localhost", True),
        ("127.0.0.1", "127.0.0.1", True),
        ("127.0.0.1", "127.0.0.1.attacker.example:9464", False),
        ("127.0.0.1", "localhost.attacker.example", False),
        ("::1", "[::1]:9464", True),
        ("::1", "[fe80::1]:9464", False),
        ("127.0.0.1", "", False),
    ],
)
def test_which_names_a_port_answers_to(bound: str, host: str, served: bool) -> None:
    assert metrics_module.host_served(bound, host) is served
