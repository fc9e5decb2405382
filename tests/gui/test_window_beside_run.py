"""The window and ``tcpmonitor run`` on the same profiles and data (README: the user service
beside the window): one records each profile and runs its actions, the other only watches,
until the first stops."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tcpmonitor_gui.core.claims import TAKEN_OVER
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Event, Kind, State
from tests.unit._cli_process import Home, Running, tcpmonitor

GUI = Path(sys.executable).parent / "tcpmonitor-gui"
APPEND = "import sys; open(sys.argv[1], 'a').write('ran\\n')"


def changes(path: Path) -> list[Event]:
    return [e for e in EventLog(path).events(profile="db") if e.kind is Kind.STATE]


def poll(what: str, done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20
    while not done():
        assert time.monotonic() < deadline, f"no {what} in time"
        time.sleep(0.05)  # ok-sleep: polling another process's database, with a deadline


def test_a_run_beside_the_window_runs_no_action_twice_and_goes_on_when_it_quits(
    tmp_path: Path,
) -> None:
    home = Home(tmp_path / "c", tmp_path / "d")
    log, ran = home.data / "events.sqlite3", tmp_path / "ran"
    home.config.mkdir()
    action = {"on": "down", "run": [sys.executable, "-c", APPEND, str(ran)]}
    profile = {"id": "db", "name": "db", "host": "127.0.0.1", "port": 1, "fail_after": 1,
               "detector": {"kind": "probe", "interval_s": 0.2}, "actions": [action]}  # fmt: skip
    (home.config / "profiles.json").write_text(json.dumps({"version": 1, "profiles": [profile]}))
    env = {**home.env, "QT_QPA_PLATFORM": "offscreen"}
    window = subprocess.Popen(
        [str(GUI), *home.options, "--quit-after", "60"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        poll("action of the window's", ran.exists)  # port 1: refused, down
        with Running(home, "run", "--json") as run:
            run.read_until(lambda line: json.loads(line).get("state") == "down")  # it watches
            window.send_signal(signal.SIGTERM)  # the window quits while db is down
            assert window.wait(30) == 0
            poll("take-over", lambda: TAKEN_OVER in changes(log)[-1].detail)
            run.send_signal(signal.SIGTERM)
            assert run.wait() == 0, run.stderr
    finally:
        if window.poll() is None:
            window.kill()
        _, err = window.communicate(timeout=30)
    assert "Traceback" not in err, err
    assert ran.read_text() == "ran\n"  # the window's; the run's drop was the same one
    assert [(e.previous, e.state) for e in changes(log)] == [
        (State.UNKNOWN, State.DOWN),
        (State.DOWN, State.DOWN),  # the window quit; the run goes on with the outage
        (State.DOWN, State.UNKNOWN),
    ]
    listed = tcpmonitor(home, "outages", "--format", "json")
    ended = [json.loads(line)["ended_by"] for line in listed.stdout.splitlines()]
    assert ended == ["monitoring stopped"]  # not four, nor two: the window's quit is none
