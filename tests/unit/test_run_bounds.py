"""``tcpmonitor run`` within its resources: open files, as profiles come and go.

The command runs as a real process with the open-file limits a test gives it (``ulimit -n``),
against real servers on loopback.
"""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Event
from tcpmonitor_gui.lab import LineEchoServer
from tests.helpers import make_profile
from tests.unit._cli_process import DEADLINE_S, Home, Running


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "config", tmp_path / "data")


def stored(home: Home) -> list[Event]:
    return EventLog(home.data / "events.sqlite3").events()


def write_profiles(path: Path, profiles: list[object]) -> None:
    path.write_text(json.dumps({"version": 1, "profiles": [p.to_dict() for p in profiles]}))  # type: ignore[attr-defined]


def test_profiles_added_by_a_reload_get_the_open_files_they_need(
    home: Home, tmp_path: Path
) -> None:
    """The soft open-file limit was raised for the profiles found at the start only: a
    `run` started with one profile under the usual soft limit (1,024, low here) and then given
    hundreds held them until its files ran out, and told the rest down, "Too many open
    files", though the hard limit had room for all."""
    with LineEchoServer() as echo:
        first = make_profile(*echo.address, "watch", name="first")
        file = tmp_path / "watch.json"
        write_profiles(file, [first])
        with Running(home, "run", "--json", "--profiles", str(file), open_files=(64, 4096)) as run:
            run.read_until(lambda line: first.id in line and '"state":"up"' in line)
            more = [make_profile(*echo.address, "watch", name=f"more {i}") for i in range(400)]
            write_profiles(file, [first, *more])
            run.send_signal(signal.SIGHUP)
            run.wait_stderr(lambda text: "400 added" in text)
            waiting = {p.id for p in more}

            def told(line: str) -> bool:
                event = json.loads(line)
                if event["kind"] == "state" and event["state"] in ("up", "down"):
                    assert event["state"] == "up", event["detail"]
                    waiting.discard(event["profile_id"])
                return not waiting

            run.read_until(told, DEADLINE_S * 3)
            run.send_signal(signal.SIGTERM)
            assert run.wait(DEADLINE_S) == 0


def test_a_hard_open_file_limit_is_said_and_the_profiles_that_fit_are_watched(
    home: Home, tmp_path: Path
) -> None:
    """Under a hard limit of 64 files, 100 held connections cannot all be made: the warning
    counts the connections, the rest are watched, and every change is stored. Each one left
    out was told "down" (``local_error``), its server claimed dead for want of a file here:
    its down actions ran and an outage was stored against it. It is "unknown" now, saying
    that it could not be checked and why, naming the limit."""
    with LineEchoServer() as echo:
        profiles = [make_profile(*echo.address, "watch", name=f"w{i}") for i in range(100)]
        file = tmp_path / "watch.json"
        write_profiles(file, profiles)
        with Running(home, "run", "--json", "--profiles", str(file), open_files=(64, 64)) as run:
            warning = run.wait_stderr(lambda text: "open-file limit is 64" in text)
            assert "100 connections" in warning, warning
            waiting = {p.id for p in profiles}
            told: dict[str, dict[str, object]] = {}

            def all_told(line: str) -> bool:
                event = json.loads(line)
                if event["kind"] == "state" and event["state"] in ("up", "down", "unknown"):
                    told.setdefault(event["profile_id"], event)
                    waiting.discard(event["profile_id"])
                return not waiting

            run.read_until(all_told)
            run.send_signal(signal.SIGTERM)
            assert run.wait(DEADLINE_S) == 0
    unchecked = [e for e in told.values() if e["state"] != "up"]
    assert 0 < len(unchecked) < 100, "some fit, some do not"
    assert {(e["state"], e["cause"], e["detail"]) for e in unchecked} == {
        (
            "unknown",
            "local_error",
            "could not check: this program is out of open files (its limit, ulimit -n: 64)",
        )
    }
    printed = [json.loads(line) for line in run.lines]
    changes = [e for e in printed if e["kind"] == "state"]
    assert not [e for e in changes if e["state"] == "down"], "no server was down"
    # connecting, then up and at the end unknown, or unknown ("could not check") for good
    assert len(stored(home)) == len(changes) == 200 + (100 - len(unchecked))


def test_a_scrape_with_no_file_left_is_answered_and_costs_no_core(home: Home) -> None:
    """With every file taken by held connections, a scrape of ``--metrics-listen`` was never
    answered, and the metrics thread took a whole core for as long as that lasted: the
    connection stayed queued, the listening socket readable, and every accept failed at
    once. A spare file now answers it, 503, naming the limit."""
    with LineEchoServer() as echo:
        file = home.config.parent / "watch.json"
        write_profiles(
            file, [make_profile(*echo.address, "watch", name=f"w{i}") for i in range(100)]
        )
        with Running(
            home, "run", "--profiles", str(file), "--metrics-listen", "0", open_files=(64, 64)
        ) as run:
            url = run.wait_stderr(lambda text: text.startswith("metrics on ")).split()[-1]
            run.read_until(lambda line: "out of open files" in line)  # every file taken
            for _ in range(2):  # and again: the spare file is kept for the next one
                with pytest.raises(urllib.error.HTTPError) as refused:
                    urllib.request.urlopen(url, timeout=DEADLINE_S)
                assert refused.value.code == 503
                said = refused.value.read().decode()
                assert said == "tcpmonitor: no file left to serve this scrape with" + (
                    " (this program's limit, ulimit -n: 64)\n"
                )
            before = cpu_s(run.pid)
            time.sleep(2.0)  # ok-sleep: the window over which its CPU is counted
            assert cpu_s(run.pid) - before < 1.0, "a core spent on nothing"
            run.send_signal(signal.SIGTERM)
            assert run.wait(DEADLINE_S) == 0


def cpu_s(pid: int) -> float:
    """The process's CPU time (user and system, every thread) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
