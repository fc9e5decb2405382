"""A connection down when ``tcpmonitor run`` stopped and down again at its next start (systemd
restarting it, a reboot) is no new drop: its down actions are not run a second time."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tcpmonitor_gui.core import action_runner, eventqueries
from tcpmonitor_gui.core.action_runner import ActionRunner
from tcpmonitor_gui.core.actions import parse
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Cause, Event, State
from tcpmonitor_gui.core.last_seen import states_before
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.lab import FaultProxy, LineEchoServer
from tests.helpers import make_profile, stored_event

from ._cli_process import DEADLINE_S, Home, Running

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


#: Appends the change it ran for (``TCPMONITOR_PREVIOUS -> TCPMONITOR_STATE``) to a file.
CHANGE = (
    "import os, sys; open(sys.argv[1], 'a').write("
    "os.environ['TCPMONITOR_PREVIOUS'] + ' -> ' + os.environ['TCPMONITOR_STATE'] + '\\n')"
)


def test_a_recovery_across_a_restart_runs_up_actions_and_the_same_state_runs_no_change(
    tmp_path: Path, proxy: FaultProxy
) -> None:
    """Down when ``tcpmonitor run`` stopped and up at its next start: the connection came
    back meanwhile, and its ``up`` action (closing what the down action opened) never ran.
    Up before and up again at the next start is no change, yet every start ran its ``change``
    actions ("db is up" posted at every restart, for every profile)."""
    home = Home(tmp_path / "config", tmp_path / "data")
    ups, changes = tmp_path / "ups", tmp_path / "changes"
    proxy.set_mode("refuse")
    host, port = proxy.address
    actions = [{"on": on, "run": [sys.executable, "-c", CHANGE, str(file)]}
               for on, file in (("up", ups), ("change", changes))]  # fmt: skip
    profile = {"name": "db", "host": host, "port": port,
               "detector": {"kind": "probe", "interval_s": 0.2}, "actions": actions}  # fmt: skip
    ProfileStore(home.config).save([Profile.from_dict(profile)])

    def start_until_found(state: str, said_by: int) -> list[str]:
        """Run until ``state`` is found and ``said_by`` actions have said how they went."""
        with Running(home, "run", "--json") as run:
            run.read_until(lambda line: json.loads(line).get("state") == state)
            said = [action_line(run) for _ in range(said_by)]
            run.send_signal(signal.SIGTERM)
            assert run.wait() == 0
        return said

    start_until_found("down", 1)  # its first sight: a change
    assert changes.read_text() == "connecting -> down\n"
    proxy.set_mode("pass")  # back while nothing watched
    said = start_until_found("up", 2)
    assert ups.read_text() == "down -> up\n"  # back after being down, as far as anyone knows
    assert changes.read_text() == "connecting -> down\ndown -> up\n"
    assert all("exit 0" in line for line in said)
    said = start_until_found("up", 1)  # up before, up again: nothing changed
    [line] = said
    assert line.startswith("change action ")
    assert line.endswith(
        ": not run: up when last watched too (before the restart or a pause), not a change"
    )
    assert ups.read_text() == "down -> up\n"
    assert changes.read_text() == "connecting -> down\ndown -> up\n"


def test_a_change_right_after_a_state_found_again_runs_its_actions_after_that_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A state found again waits for the event log's answer (what the target was before) on
    the actions' thread; a change that came meanwhile (up at the start, down a moment later:
    a flapping target, or a log slow to answer while a thousand profiles start) ran its
    actions at once, ahead of the first's: the down command ran before the up one, and the
    team's notice said 'down' then 'back up' of a connection that was down. A profile's
    actions run in the order of its changes."""
    monkeypatch.setattr(action_runner, "MAX_RUNNING_PER_PROFILE", 1)  # one at a time, in turn
    asked, answer = threading.Event(), threading.Event()

    def slow_log(events: Sequence[Event]) -> list[State | None]:  # down when last watched
        asked.set()
        answer.wait(DEADLINE_S)
        return [State.DOWN for _event in events]

    ran = tmp_path / "ran"
    actions = parse("actions", [
        {"on": on, "run": [sys.executable, "-c", f"open({str(ran)!r}, 'a').write('{on}\\n')"]}
        for on in ("up", "down")])  # fmt: skip
    done: list[Event] = []
    runner = ActionRunner(done.append, slow_log)
    try:
        p = make_profile("127.0.0.1", 1, "watch", name="db")
        at = dt.datetime.now(dt.UTC)
        up = dataclasses.replace(stored_event(p, at, State.UP), previous=State.CONNECTING)
        down = dataclasses.replace(
            stored_event(p, at + dt.timedelta(seconds=1), State.DOWN, cause=Cause.RESET),
            previous=State.UP,
        )
        runner.submit(up, actions, p.target)
        assert asked.wait(DEADLINE_S)
        runner.submit(down, actions, p.target)
        answer.set()
        deadline = time.monotonic() + DEADLINE_S
        while len(done) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # ok-sleep: polling the runner's records, with a deadline
    finally:
        runner.close()
    assert [e.detail.split(" ")[0] for e in done] == ["up", "down"], done
    assert ran.read_text().split() == ["up", "down"]


def test_states_found_again_together_are_asked_of_the_log_in_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A start finds every profile's state again at once: with actions everywhere, each was
    asked of the log on a connection of its own, one after another on the actions' loop (a
    thousand opens before a real drop's command could start). They are asked together, and
    each is still answered from its own profile's history."""
    log = EventLog(tmp_path / "events.sqlite3").start()
    profiles = [make_profile("127.0.0.1", 1, "probe", name=f"db{i}") for i in range(200)]
    at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    log.submit(
        stored_event(p, at, State.DOWN if i % 2 else State.UP) for i, p in enumerate(profiles)
    )
    assert log.flush()
    log.close()
    opened: list[Path] = []
    snapshot = eventqueries._snapshot

    def counted(path: Path, *rest: Any) -> sqlite3.Connection | None:
        opened.append(path)
        return snapshot(path, *rest)

    monkeypatch.setattr(eventqueries, "_snapshot", counted)
    ran = tmp_path / "ran"
    touch = [sys.executable, "-c", TOUCH, str(ran)]
    actions = parse("actions", [{"on": "down", "run": touch}])
    done: list[Event] = []
    runner = ActionRunner(done.append, functools.partial(states_before, log.path))
    try:
        now = dt.datetime.now(dt.UTC)
        for p in profiles:  # all found down again
            found = stored_event(p, now, State.DOWN, cause=Cause.REFUSED)
            runner.submit(dataclasses.replace(found, previous=State.CONNECTING), actions, p.target)
        deadline = time.monotonic() + DEADLINE_S
        while len(done) < len(profiles) and time.monotonic() < deadline:
            time.sleep(0.05)  # ok-sleep: polling the runner's records, with a deadline
    finally:
        runner.close()
    by_name = {e.profile_name: e.detail for e in done}
    assert len(by_name) == len(profiles)
    for i, p in enumerate(profiles):  # down before: not run again; up before: a new drop
        assert ("not run" in by_name[p.name]) is bool(i % 2), (p.name, by_name[p.name])
    assert len(ran.read_text().splitlines()) == len(profiles) // 2
    assert len(opened) < 10, f"{len(opened)} connections to the log for {len(profiles)} states"


def test_a_new_target_up_runs_no_up_action_for_the_old_targets_drop(
    tmp_path: Path, proxy: FaultProxy, echo_server: LineEchoServer
) -> None:
    """db refused, then given (SIGHUP) a port that answers: its first check of the new target,
    a state found afresh, was taken as a change from the old target's "down", the last state
    the log knew: the ``up`` action ran ("down -> up", the team told it came back) and the
    ``change`` action said "down -> up" of a target that was never down. The new target's
    first state is a first sight."""
    home = Home(tmp_path / "config", tmp_path / "data")
    ups, changes = tmp_path / "ups", tmp_path / "changes"
    proxy.set_mode("refuse")
    actions = [{"on": on, "run": [sys.executable, "-c", CHANGE, str(file)]}
               for on, file in (("up", ups), ("change", changes))]  # fmt: skip
    db = make_profile(*proxy.address, interval_s=0.2, name="db")
    ProfileStore(home.config).save([dataclasses.replace(db, actions=parse("actions", actions))])
    with FaultProxy(echo_server.address) as other, Running(home, "run", "--json") as run:
        run.read_until(lambda line: json.loads(line).get("state") == "down")
        assert "exit 0" in action_line(run)  # the change action, for the drop
        moved = dataclasses.replace(db, port=other.address[1], actions=parse("actions", actions))
        ProfileStore(home.config).save([moved])
        run.send_signal(signal.SIGHUP)
        run.read_until(lambda line: json.loads(line).get("state") == "up")
        assert "exit 0" in action_line(run)  # the change action, for the new target's up
        run.send_signal(signal.SIGTERM)
        assert run.wait() == 0  # every action done
    assert not ups.exists(), ups.read_text()
    assert changes.read_text().splitlines()[-1] in ("unknown -> up", "connecting -> up")
