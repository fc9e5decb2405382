"""``tcpmonitor run`` within its resources: open files, as profiles come and go.

The command runs as a real process with the open-file limits a test gives it (``ulimit -n``),
against real servers on loopback.
"""

from __future__ import annotations

import json
import signal
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
    """Under a hard limit of 64 files, 100 held connections cannot all be made. What was
    said: "open-file limit is 64; 356 connections want more" (the count had the program's
    own files in it) and, for each one left out, "Too many open files", naming no limit.
    Now the warning counts the connections, each one left out names the limit, the rest are
    watched, and every change is stored."""
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
                if event["kind"] == "state" and event["state"] in ("up", "down"):
                    told.setdefault(event["profile_id"], event)
                    waiting.discard(event["profile_id"])
                return not waiting

            run.read_until(all_told)
            run.send_signal(signal.SIGTERM)
            assert run.wait(DEADLINE_S) == 0
    down = [e for e in told.values() if e["state"] == "down"]
    assert 0 < len(down) < 100, "some fit, some do not"
    assert {(e["cause"], e["detail"]) for e in down} == {
        ("local_error", "Too many open files (this program's limit, ulimit -n: 64)")
    }
    printed = [json.loads(line) for line in run.lines]
    changes = [e for e in printed if e["kind"] == "state"]
    assert len(stored(home)) == len(changes) == 300  # connecting, up or down, unknown
