"""Monitoring that ended without a word (a SIGKILL, a crash, a power cut): the states it left
open are ended at its last check by the next process to write the log, and only when no other
process writes it (``core/orphans.py``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import json
import os
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tcpmonitor_gui.core import claims, orphans
from tcpmonitor_gui.core.eventdb import create_v1
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Cause, Event, Kind, State, condition
from tcpmonitor_gui.core.orphans import DETAIL, WOKE_SEEN, end_orphans
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import ProfileStore

from ._cli_process import Home, Running, tcpmonitor
from .test_eventlog import at, sample, state_event, wait_until


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "events.sqlite3"


def stored(path: Path) -> list[Event]:
    return EventLog(path).events()


def test_a_state_left_open_is_ended_at_its_last_check_by_the_next_writer(db_path: Path) -> None:
    with EventLog(db_path) as log:
        log.submit([state_event(at(0), State.DOWN, cause=Cause.REFUSED)])
        log.submit([sample(at(0, s), None, Cause.REFUSED) for s in (1, 2, 3, 61, 62.5)])
        assert log.flush()
    # Closed without "monitoring stopped", as a killed process leaves it.
    assert stored(db_path)[-1].state is State.DOWN
    with EventLog(db_path) as log:
        assert log.flush()
        ended = log.events()[-1]
        assert (ended.state, ended.previous, ended.detail) == (State.UNKNOWN, State.DOWN, DETAIL)
        assert ended.ts == at(1, 2.5)  # its last check, not this start
        (outage,) = log.outages(since=at(-1))
        assert (outage.end, outage.ended_by) == (at(1, 2.5), "monitoring stopped")
    with EventLog(db_path) as log:  # ended once, not again
        assert log.flush()
        assert [e.state for e in log.events()] == [State.DOWN, State.UNKNOWN]


def test_what_another_writer_holds_open_is_its_own(db_path: Path) -> None:
    """Two writers of one log (the window and ``tcpmonitor run``): the second to start must
    not take the first's states for orphans. ``flock`` locks are per open file, so two logs
    in one process stand for two processes."""
    first = EventLog(db_path).start()
    try:
        first.submit([state_event(at(0), State.DOWN, cause=Cause.RESET)])
        assert first.flush()
        with EventLog(db_path) as second:
            second.submit([state_event(at(1), State.UP, pid="web", name="web")])
            assert second.flush()
            assert [e.state for e in second.events()] == [State.DOWN, State.UP]
    finally:
        first.close()  # the first ends without a word too
    with EventLog(db_path) as third:  # nobody writes now: both are ended
        assert third.flush()
        ends = {e.profile_id: (e.ts, e.previous) for e in third.events() if e.detail == DETAIL}
        assert ends == {"db": (at(0), State.DOWN), "web": (at(1), State.UP)}


def test_only_open_states_are_ended_each_at_its_own_evidence(db_path: Path) -> None:
    with EventLog(db_path) as log:
        log.submit([
            state_event(at(0), State.DOWN, pid="stopped"),
            state_event(at(1), State.UNKNOWN, pid="stopped", previous=State.DOWN),
            state_event(at(0), State.PAUSED, pid="paused"),
            state_event(at(0), State.DEGRADED, pid="acted"),
            # An action's row after it is no state: the degraded is still open.
            dataclasses.replace(state_event(at(2), State.DEGRADED, pid="acted"),
                                kind=Kind.ACTION, detail="ran notify-send"),
            state_event(at(0), State.UP, pid="old_minute"),
            sample(at(0, 30), 1.0, pid="old_minute"),
        ])  # fmt: skip
        assert log.flush()
    now = time.time()
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        # A minute written before its last check was kept (NULL), and one stamped by a clock
        # that ran ahead: the minute's start, and never later than now.
        conn.execute("UPDATE minutes SET last_ts = NULL WHERE profile_id = 'old_minute'")
        conn.execute(
            "INSERT INTO minutes VALUES ('acted', ?, 0, 1, NULL, NULL, 0, 0, ?)",
            (int(now // 60) + 100, now + 6000),
        )
        assert end_orphans(conn, now) == 2
        rows = conn.execute(
            "SELECT profile_id, ts, previous FROM events WHERE detail = ? ORDER BY profile_id",
            (DETAIL,),
        ).fetchall()
    finally:
        conn.close()
    assert rows == [("acted", now, "degraded"), ("old_minute", at(0).timestamp(), "up")]


def test_a_log_from_before_last_ts_is_upgraded_and_repaired(db_path: Path) -> None:
    db_path.parent.mkdir()
    conn = sqlite3.connect(db_path, isolation_level=None)
    create_v1(conn)
    conn.execute(
        "INSERT INTO events (ts, profile_id, profile_name, state, detector) VALUES (?, 'db',"
        " 'db', 'down', 'probe')",
        (at(0).timestamp(),),
    )
    minute = int(at(5).timestamp() // 60)
    conn.execute("INSERT INTO minutes VALUES ('db', ?, 0, 3, NULL, NULL, 0, 0)", (minute,))
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with EventLog(db_path) as log:
        assert log.flush()
        assert [(e.state, e.ts) for e in log.events()] == [
            (State.DOWN, at(0)),
            (State.UNKNOWN, at(5)),
        ]


@pytest.mark.parametrize("kind", ["fifo", "symlink", "directory"])
def test_a_lock_that_is_not_a_file_is_told_and_the_log_still_written(
    db_path: Path, kind: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with EventLog(db_path) as log:
        log.submit([state_event(at(0), State.DOWN)])
        assert log.flush()
    lock = db_path.with_name(".events.sqlite3.lock")
    lock.unlink()
    if kind == "fifo":
        os.mkfifo(lock)
    elif kind == "symlink":
        lock.symlink_to(tmp_path / "elsewhere")
    else:
        lock.mkdir()
    started = time.monotonic()
    with EventLog(db_path) as log:
        log.submit([state_event(at(1), State.UP)])
        assert log.flush()
        assert [e.state for e in log.events()] == [State.DOWN, State.UP]
    assert time.monotonic() - started < 5.0
    assert any("states left open are not ended" in r.getMessage() for r in caplog.records)
    assert not (tmp_path / "elsewhere").exists()


# -- the real thing: a ``tcpmonitor run`` killed, and the next one -------------------------


@pytest.fixture
def closed_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def outages(home: Home) -> list[dict[str, Any]]:
    result = tcpmonitor(home, "outages", "--since", "1h", "--json")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_an_outage_of_a_killed_run_ends_where_its_checks_ended(
    tmp_path: Path, closed_port: int
) -> None:
    """It stayed "ongoing" while nothing watched, then was ended by the next start as
    "monitoring restarted", its duration counting all the time nothing ran."""
    home = Home(tmp_path / "config", tmp_path / "data")
    profile = {"name": "db", "host": "127.0.0.1", "port": closed_port,
               "detector": {"kind": "probe", "interval_s": 0.2}}  # fmt: skip
    ProfileStore(home.config).save([Profile.from_dict(profile)])
    db = home.data / "events.sqlite3"

    def failed_checks() -> int:
        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        except sqlite3.Error:
            return 0
        try:
            return conn.execute("SELECT coalesce(sum(fail), 0) FROM minutes").fetchone()[0]
        except sqlite3.Error:
            return 0
        finally:
            conn.close()

    with Running(home, "run", "--json") as run:
        run.read_until(lambda line: json.loads(line).get("state") == "down")
        wait_until(lambda: failed_checks() >= 5, timeout=10)
        run.send_signal(signal.SIGKILL)
        run.wait()
    killed = dt.datetime.now(dt.UTC)
    (ongoing,) = outages(home)
    assert ongoing["ongoing"], ongoing
    with Running(home, "run", "--json") as run:
        run.read_until(lambda line: json.loads(line).get("state") == "down")
        run.send_signal(signal.SIGTERM)
        assert run.wait() == 0
    first, second = outages(home)
    assert first["ended_by"] == "monitoring stopped", first
    end = dt.datetime.fromisoformat(first["end"])
    start = dt.datetime.fromisoformat(first["start"])
    # At least the five failed checks it waited for (0.2 s apart), and before the kill.
    assert start + dt.timedelta(seconds=0.6) <= end <= killed, (start, end, killed)
    assert second["ended_by"] == "monitoring stopped" and second["start"] > first["end"]


def test_an_outage_of_a_killed_run_ends_at_its_last_check_though_another_run_writes_the_log(
    tmp_path: Path, closed_port: int
) -> None:
    """A ``run`` (the user service) writing the same log for other profiles: the window (or
    another ``run``) killed while its connection was down left the outage open, for no
    process to end while that service ran. The next start ended it as "monitoring restarted",
    every second nobody watched counted down; a probe's found down again went on as one
    outage across the gap ("ongoing" from before the kill, beside the table's "for 2 s (and
    before the restart)"). A state no live process records or watches is ended at its last
    check all the same."""
    home = Home(tmp_path / "config", tmp_path / "data")
    profile = {"name": "db", "host": "127.0.0.1", "port": closed_port, "fail_after": 1,
               "detector": {"kind": "probe", "interval_s": 0.2}}  # fmt: skip
    ProfileStore(home.config).save([Profile.from_dict(profile)])
    others = tmp_path / "others.json"
    beside = {"name": "other", "host": "127.0.0.1", "port": closed_port,
              "detector": {"kind": "probe", "interval_s": 0.5}}  # fmt: skip
    others.write_text(json.dumps({"version": 1, "profiles": [beside]}))

    def db_down(line: str) -> bool:
        event = json.loads(line)
        return event.get("profile_name") == "db" and event.get("state") == "down"

    with Running(home, "run", "--profiles", str(others), "--json") as service:
        service.read_until(lambda line: json.loads(line).get("state") == "down")
        with Running(home, "run", "--json") as run:
            run.read_until(db_down)
            run.read_until(lambda line: json.loads(line).get("kind") == "sample")
            run.send_signal(signal.SIGKILL)
            run.wait()
        killed = dt.datetime.now(dt.UTC)
        with Running(home, "run", "--json") as run:
            run.read_until(db_down)
            run.send_signal(signal.SIGTERM)
            assert run.wait() == 0, run.stderr()
        service.send_signal(signal.SIGTERM)
        assert service.wait() == 0, service.stderr()
    first, second = (o for o in outages(home) if o["profile_name"] == "db")
    assert first["ended_by"] == "monitoring stopped", first
    assert dt.datetime.fromisoformat(first["end"]) <= killed, (first, killed)
    assert second["start"] > first["end"] and second["ended_by"] == "monitoring stopped"


def test_many_writers_starting_at_once_end_each_orphan_once(db_path: Path) -> None:
    with EventLog(db_path) as log:
        log.submit([state_event(at(0), State.DOWN, pid=f"p{n}") for n in range(20)])
        assert log.flush()
    script = (
        "import sys; from tcpmonitor_gui.core.eventlog import EventLog\n"
        "log = EventLog(sys.argv[1]).start(); print('started', flush=True); sys.stdin.read()\n"
        "log.close()"
    )
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(db_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    try:
        for each in starters:
            assert each.stdout is not None and each.stdout.readline() == "started\n"
    finally:
        for each in starters:
            each.communicate("", timeout=30)
    ends = [e.profile_id for e in stored(db_path) if e.detail == DETAIL]
    assert sorted(ends) == sorted(f"p{n}" for n in range(20))


def test_a_sleep_never_woken_from_ends_at_this_boot(db_path: Path) -> None:
    """The battery died asleep: no wake was ever written, and every later hour was taken out
    of every profile's uptime (none was counted, for good, until the next sleep)."""
    with EventLog(db_path) as log:
        log.submit([
            dataclasses.replace(condition(State.SLEEP, "going to sleep"), ts=at(0)),
            state_event(at(60), State.UP),
            sample(at(90), 1.0),
        ])  # fmt: skip
        assert log.flush()
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        booted = at(30).timestamp()
        assert end_orphans(conn, time.time(), booted) == 2  # the sleep, and db's up
        assert end_orphans(conn, time.time(), booted) == 0
    finally:
        conn.close()
    power = [(e.state, e.ts, e.kind) for e in stored(db_path) if e.profile_id == ""]
    assert power == [(State.SLEEP, at(0), Kind.POWER), (State.WAKE, at(30), Kind.POWER)]
    uptime = EventLog(db_path).uptime("db", dt.timedelta(hours=24))
    assert uptime == 100.0


def test_a_sleep_left_open_ends_by_the_first_thing_written_after_it(db_path: Path) -> None:
    """A wake not heard (the signal lost), and monitoring went on: the sleep was ended at this
    boot's start, hours after the computer was evidently awake, and those hours were taken
    out of every profile's uptime. (The test after this one passed only on a computer that
    had booted before its sleep: it failed on a machine started within three hours.)"""
    with EventLog(db_path) as log:
        log.submit([
            dataclasses.replace(condition(State.SLEEP, "going to sleep"), ts=at(0)),
            state_event(at(0, seconds=2), State.DOWN),  # (a monitor's last moments before it)
            state_event(at(60), State.UP),
            sample(at(90), 1.0),
        ])  # fmt: skip
        assert log.flush()
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        assert end_orphans(conn, time.time(), booted=time.time() - 60) == 2
    finally:
        conn.close()
    power = [(e.state, e.ts, e.detail) for e in stored(db_path) if e.profile_id == ""]
    assert power == [(State.SLEEP, at(0), "going to sleep"), (State.WAKE, at(60), WOKE_SEEN)]
    assert EventLog(db_path).uptimes(["db"], dt.timedelta(hours=24))["db"].known_s > 0


def test_the_next_writer_wakes_a_sleep_left_open(db_path: Path) -> None:
    with EventLog(db_path) as log:
        log.submit([dataclasses.replace(condition(State.SLEEP, "going to sleep"), ts=at(0))])
        log.submit([state_event(at(60), State.UP), sample(at(61), 1.0)])
        assert log.flush()
    with EventLog(db_path) as log:
        assert log.flush()
        assert [e.state for e in log.events() if e.profile_id == ""] == [State.SLEEP, State.WAKE]
        assert (log.uptimes(["db"], dt.timedelta(hours=24))["db"].known_s) > 0


def test_a_writer_stuck_holding_the_lock_does_not_hang_the_next(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """One that stopped in the middle of ending orphans (SIGSTOP, a hung disk) keeps the lock
    exclusive: the next start does not wait for it, but writes nothing until it has the lock
    (its events wait, and it says so); then it ends what was left open, and writes."""
    with EventLog(db_path) as log:
        log.submit([state_event(at(0), State.DOWN)])
        assert log.flush()
    monkeypatch.setattr(orphans, "WAIT_S", 0.3)
    fd = os.open(db_path.with_name(".events.sqlite3.lock"), os.O_RDWR)
    told = threading.Event()
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        started = time.monotonic()
        log = EventLog(db_path).start()
        assert time.monotonic() - started < 5.0
        log.watch_health(lambda health: health.error is not None and told.set())
        log.submit([state_event(at(1), State.UP)])
        assert told.wait(10)
        assert "another program holds the writers' lock" in str(log.health().error)
        assert [e.state for e in log.events()] == [State.DOWN]
    finally:
        os.close(fd)
    try:
        assert log.flush(10)
        assert [(e.state, e.detail) for e in log.events()] == [
            (State.DOWN, ""), (State.UNKNOWN, DETAIL), (State.UP, "")
        ]  # fmt: skip
        assert log.health().ok
    finally:
        log.close()
    assert any("held it for 0.3 s" in r.getMessage() for r in caplog.records)


def test_a_run_beside_a_stopped_writer_that_holds_the_write_lock_monitors_all_the_same(
    tmp_path: Path, closed_port: int
) -> None:
    """A program writing the log (a window, another run) stopped while it held SQLite's write
    lock: a ``run`` started then said "cannot be used as the event log (database is locked)"
    after 10 s and monitored nothing (exit 2). It monitors, and stores what it saw once the
    lock is free."""
    home = Home(tmp_path / "config", tmp_path / "data")
    profile = {"name": "db", "host": "127.0.0.1", "port": closed_port,
               "detector": {"kind": "probe", "interval_s": 0.2}}  # fmt: skip
    ProfileStore(home.config).save([Profile.from_dict(profile)])
    db = home.data / "events.sqlite3"
    EventLog(db).start().close()  # the log as the stopped program left it
    writers = os.open(orphans.lock_path(db), os.O_RDWR)
    fcntl.flock(writers, fcntl.LOCK_SH)  # it writes the log, as every writer says
    stopped = sqlite3.connect(db, isolation_level=None)
    try:
        stopped.execute("BEGIN IMMEDIATE")  # and was stopped in the middle of a write
        with Running(home, "run", "--json") as run:
            run.read_until(lambda line: json.loads(line).get("cause") == "refused")  # checks
            stopped.execute("COMMIT")
            down = run.read_until(lambda line: json.loads(line).get("state") == "down")
            run.send_signal(signal.SIGTERM)
            assert run.wait() == 0, run.stderr()
    finally:
        stopped.close()
        os.close(writers)
    assert json.loads(down)["profile_name"] == "db"
    # (this computer's own events, a network changed by another test's namespace, aside)
    states = [e.state for e in stored(db) if e.profile_id]
    assert states == [State.CONNECTING, State.DOWN, State.UNKNOWN]


def claimed(db: Path, profile_id: str) -> bool:
    """Whether a program holds ``profile_id``'s claim (``core/claims.py``): it records it."""
    try:
        fd = os.open(claims.claims_path(db), os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        ask = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, claims._offset(profile_id), 1, 0)
        return struct.unpack("hhqqi4x", fcntl.fcntl(fd, fcntl.F_OFD_GETLK, ask))[0] != fcntl.F_UNLCK
    finally:
        os.close(fd)


def test_a_run_that_waited_out_a_stopped_writer_is_not_taken_for_dead_when_that_one_dies(
    tmp_path: Path, closed_port: int
) -> None:
    """A program stopped (SIGSTOP) while it held the writers' lock exclusively, ending what
    was left open: a ``run`` started then gave up waiting after 10 s and wrote without the
    lock. When the stopped one died, the next program to start found no lock held and ended
    the run's live outage as "monitoring ended unexpectedly", while the run still watched it.
    The run waits for the lock, its events kept, and writes them once it has it."""
    home = Home(tmp_path / "config", tmp_path / "data")
    profile = Profile.from_dict({"name": "db", "host": "127.0.0.1", "port": closed_port,
                                 "detector": {"kind": "probe", "interval_s": 0.2}})  # fmt: skip
    ProfileStore(home.config).save([profile])
    db = home.data / "events.sqlite3"
    EventLog(db).start().close()
    script = (
        "import fcntl, os, sys\n"
        "fd = os.open(sys.argv[1], os.O_RDWR); fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('locked', flush=True); sys.stdin.read()"
    )
    stopped = subprocess.Popen(
        [sys.executable, "-c", script, str(orphans.lock_path(db))],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert stopped.stdout is not None and stopped.stdout.readline() == "locked\n"
        stopped.send_signal(signal.SIGSTOP)  # in the middle of ending what was left open
        with Running(home, "run", "--json") as run:
            wait_until(lambda: claimed(db, profile.id), timeout=30)  # it monitors db
            stopped.kill()
            stopped.wait()
            with Running(home, "run", "--json") as third:  # finds no lock held, or the run's
                third.read_until(lambda line: json.loads(line).get("cause") == "refused")
                third.send_signal(signal.SIGTERM)
                assert third.wait() == 0, third.stderr()
            run.read_until(lambda line: json.loads(line).get("state") == "down")
            run.send_signal(signal.SIGTERM)
            assert run.wait() == 0, run.stderr()
    finally:
        stopped.kill()
        stopped.wait()
        for pipe in (stopped.stdin, stopped.stdout):
            if pipe is not None:
                pipe.close()
    states = [(e.state, e.detail) for e in stored(db) if e.profile_id]
    assert [s for s, _ in states] == [State.CONNECTING, State.DOWN, State.UNKNOWN], states
    assert DETAIL not in [d for _, d in states]


def test_what_a_writer_without_the_lock_holds_open_is_its_own_while_it_records(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One that writes without the writers' lock (a version that gave up waiting for it, a
    lock that could not be locked): the next to start found no lock held and ended its live
    states as "monitoring ended unexpectedly". It records its profiles (it holds their
    claims), and those are left to it."""
    monkeypatch.setattr(orphans, "hold", lambda path, *_: orphans.Writers(path, None))
    first = EventLog(db_path).start()
    monkeypatch.undo()
    try:
        first.submit([state_event(at(0), State.DOWN, cause=Cause.RESET)])
        assert first.flush()
        with EventLog(db_path) as second:
            assert second.flush()
            assert [e.state for e in second.events()] == [State.DOWN]
    finally:
        first.close()  # and ends without a word
    with EventLog(db_path) as third:  # nobody records it now
        assert third.flush()
        assert [(e.state, e.detail) for e in third.events()][1:] == [(State.UNKNOWN, DETAIL)]
