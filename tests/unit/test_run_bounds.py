"""``tcpmonitor run`` within its resources: open files, as profiles come and go.

The command runs as a real process with the open-file limits a test gives it (``ulimit -n``),
against real servers on loopback.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from tcpmonitor_gui.lab import LineEchoServer
from tests.helpers import make_profile
from tests.unit._cli_process import DEADLINE_S, Home, Running


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "config", tmp_path / "data")


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
