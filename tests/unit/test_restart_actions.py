"""A connection down when ``tcpmonitor run`` stopped and down again at its next start (systemd
restarting it, a reboot) is no new drop: its down actions are not run a second time."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.lab import FaultProxy

from ._cli_process import Home, Running

#: Appends a line to the file named by its argument: one line per run of the action.
TOUCH = "import sys; open(sys.argv[1], 'a').write('ran\\n')"


def action_line(run: Running) -> str:
    line = run.read_until(lambda line: json.loads(line).get("kind") == "action")
    return str(json.loads(line)["detail"])


def test_a_drop_found_again_at_the_next_start_runs_its_down_actions_once(
    tmp_path: Path, proxy: FaultProxy
) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    ran = tmp_path / "ran"
    proxy.set_mode("refuse")
    host, port = proxy.address
    touch = [sys.executable, "-c", TOUCH, str(ran)]
    profile = {"name": "db", "host": host, "port": port,
               "detector": {"kind": "probe", "interval_s": 0.2},
               "actions": [{"on": "down", "run": touch}]}  # fmt: skip
    ProfileStore(home.config).save([Profile.from_dict(profile)])
    with Running(home, "run", "--json") as run:
        run.read_until(lambda line: json.loads(line).get("state") == "down")
        assert "exit 0" in action_line(run)
        run.send_signal(signal.SIGTERM)
        assert run.wait() == 0
    assert ran.read_text() == "ran\n"
    with Running(home, "run", "--json") as run:  # restarted: down before, down now
        run.read_until(lambda line: json.loads(line).get("state") == "down")
        assert "not run: down when last watched too" in action_line(run)
        run.send_signal(signal.SIGTERM)
        assert run.wait() == 0
    assert ran.read_text() == "ran\n"  # not run again
