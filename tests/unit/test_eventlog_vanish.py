"""The event log deleted, or replaced, while a program writes it (``core/eventwriter.py``):
every later event went into the deleted file, and ``tcpmonitor events`` said "no events"."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import stat
from pathlib import Path

import pytest

from tcpmonitor_gui.core import claims, eventwriter
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Kind, State
from tcpmonitor_gui.core.filelock import lock_path
from tcpmonitor_gui.lab import FaultProxy

from ._cli_process import Home, Running, tcpmonitor
from .test_eventlog import at, state_event, wait_until


def _state(line: str, state: str) -> bool:
    event = json.loads(line)
    return bool(event["kind"] == "state" and event["state"] == state)


def stored(home: Home) -> list[tuple[str, str | None]]:
    """The state changes ``tcpmonitor events`` shows, as (state, previous)."""
    listed = tcpmonitor(home, "events", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    return [(row["state"], row["previous"]) for row in rows if row["kind"] == "state"]


def minutes(log: Path) -> int:
    """How many per-minute rows of samples ``log`` holds."""
    with contextlib.closing(sqlite3.connect(f"file:{log}?mode=ro", uri=True)) as conn:
        return int(conn.execute("SELECT count(*) FROM minutes").fetchone()[0])


def probing(tmp_path: Path, proxy: FaultProxy) -> Home:
    """Dirs under ``tmp_path`` with one profile, "db", probing ``proxy`` every 0.2 s."""
    home = Home(tmp_path / "config", tmp_path / "data")
    host, port = proxy.address
    home.config.mkdir(parents=True)
    (home.config / "profiles.json").write_text(json.dumps({"version": 1, "profiles": [
        {"name": "db", "host": host, "port": port, "fail_after": 1,
         "detector": {"kind": "probe", "interval_s": 0.2}},
    ]}))  # fmt: skip
    return home


def test_a_data_folder_deleted_during_a_run_is_made_again_with_the_claims(
    tmp_path: Path, proxy: FaultProxy
) -> None:
    """``rm -rf`` of the data dir while ``run`` writes it: the next change is in a new log
    that ``events`` reads, the run says so once on stderr, and a second ``run`` started
    after the deletion does not record the profile a second time (the claim was taken again
    beside the new log)."""
    home = probing(tmp_path, proxy)
    with Running(home, "run", "--json") as first:
        first.read_until(lambda line: _state(line, "up"))
        shutil.rmtree(home.data)
        proxy.set_mode("refuse")
        first.read_until(lambda line: _state(line, "down"))  # printed once stored
        assert stored(home) == [("down", "up")]
        assert stat.S_IMODE(os.stat(home.data).st_mode) == 0o700
        assert stat.S_IMODE(os.stat(home.data / "events.sqlite3").st_mode) == 0o600
        with Running(home, "run", "--json") as second:
            second.read_until(lambda line: _state(line, "down"))  # seen live there too
            proxy.set_mode("pass")
            for run in (first, second):
                run.read_until(lambda line: _state(line, "up"))
            second.send_signal(signal.SIGTERM)
            assert second.wait() == 0, second.stderr
        first.send_signal(signal.SIGTERM)
        assert first.wait() == 0, first.stderr
    said = [line for line in first.stderr.splitlines() if "was deleted" in line]
    assert len(said) == 1, first.stderr
    assert f"{home.data / 'events.sqlite3'}: was deleted while in use" in said[0]
    assert stored(home) == [("down", "up"), ("up", "down"), ("unknown", "up")]


def test_a_log_replaced_by_a_fifo_is_refused_said_and_asked_again_with_nothing_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What takes the log's place that opening refuses is refused too, said in the log's
    health, and asked again: once it is gone the events kept meanwhile are written."""
    monkeypatch.setattr(eventwriter, "RETRY_S", 0.05)
    monkeypatch.setattr(claims, "RETRY_S", 0.05)
    path = tmp_path / "data" / "events.sqlite3"
    with EventLog(path) as log:
        log.submit([state_event(at(0), State.UP)])
        assert log.flush()
        shutil.rmtree(path.parent)
        path.parent.mkdir()
        os.mkfifo(path)
        log.submit([state_event(at(1), State.DOWN, previous=State.UP)])
        wait_until(lambda: "is a named pipe (FIFO)" in (log.health().error or ""))
        assert not log.flush(timeout=0.2)  # kept, not written anywhere
        path.unlink()
        assert log.flush()
        assert log.health().error is None
        assert [(e.state, e.kind) for e in log.events()] == [(State.DOWN, Kind.STATE)]


def test_claims_are_taken_again_when_a_deletion_is_found_while_nothing_is_written(
    tmp_path: Path, proxy: FaultProxy
) -> None:
    """A watch that stays up writes nothing for an hour: the deletion is found by the writer's
    own check, and the claims held are taken again at once beside the new log, so a second
    ``run`` started then does not record the profile too."""
    home = Home(tmp_path / "config", tmp_path / "data")
    host, port = proxy.address
    home.config.mkdir(parents=True)
    (home.config / "profiles.json").write_text(json.dumps({"version": 1, "profiles": [
        {"name": "db", "host": host, "port": port, "detector": {"kind": "watch"}},
    ]}))  # fmt: skip
    log = home.data / "events.sqlite3"
    with Running(home, "run", "--json") as first:
        first.read_until(lambda line: _state(line, "up"))
        wait_until(lambda: minutes(log) > 0)  # its sample too: nothing left to write
        shutil.rmtree(home.data)
        wait_until(lambda: lock_path(log).exists(), 10)  # its claims are beside it by then
        with Running(home, "run", "--json") as second:
            second.read_until(lambda line: _state(line, "up"))
            proxy.set_mode("reset")
            for run in (first, second):
                run.read_until(lambda line: _state(line, "down"))
            second.send_signal(signal.SIGTERM)
            assert second.wait() == 0, second.stderr
        first.send_signal(signal.SIGTERM)
        assert first.wait() == 0, first.stderr
    assert stored(home) == [("down", "up"), ("unknown", "down")]


def test_only_the_log_deleted_keeps_the_claims_on_the_claims_file_still_there(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``rm events.sqlite3`` leaves the claims file beside it: the claims held are taken again
    on a second descriptor of that same file, which the first one's locks refused (they are
    open-file-description locks), so every profile was "recorded by another program" and its
    next change dropped, unstored, until a take-over 2 s later."""
    path = tmp_path / "data" / "events.sqlite3"
    with EventLog(path) as log:
        log.submit([state_event(at(0), State.UP)])
        assert log.flush()
        assert log.claims.holds("db")
        path.unlink()
        log.submit([state_event(at(1), State.DOWN, previous=State.UP)])
        assert log.flush()
        assert [(e.state, e.previous) for e in log.events()] == [(State.DOWN, State.UP)]
        assert log.claims.holds("db")
    assert "recorded by another program" not in caplog.text


def test_a_log_that_cannot_be_opened_is_asked_again_every_retry_not_at_every_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the log cannot be opened (a full disk at start, a folder in its place) each
    state change woke the writer to try again at once: a peer flapping hundreds of times a
    second made as many tries to open it, where it is asked every ``RETRY_S``."""
    monkeypatch.setattr(eventwriter, "RETRY_S", 60.0)
    tries: list[Path] = []
    refuse = eventwriter.refuse_special
    monkeypatch.setattr(eventwriter, "refuse_special", lambda p: (tries.append(p), refuse(p)))
    path = tmp_path / "data" / "events.sqlite3"
    path.mkdir(parents=True)  # a folder where the file goes
    log = EventLog(path)
    try:
        assert log.start_trying() is not None
        wait_until(lambda: log.health().error is not None and len(tries) == 2)
        for second in range(20):
            log.submit([state_event(at(0, second), State.DOWN if second % 2 else State.UP)])
            assert not log.flush(timeout=0.02)  # kept, and a moment for a try to come
        assert len(tries) == 2  # at start, then the writer's first
    finally:
        log.close(timeout=5)


def test_events_kept_for_a_log_that_cannot_be_opened_are_counted_lost_at_the_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closed while the log in use was replaced by what cannot be opened, the writer tried
    nothing more and dropped what it kept without counting it: ``run`` exited 0, where it
    says how many events were lost, exit 2."""
    monkeypatch.setattr(eventwriter, "RETRY_S", 60.0)
    path = tmp_path / "data" / "events.sqlite3"
    log = EventLog(path).start()
    try:
        log.submit([state_event(at(0), State.UP)])
        assert log.flush()
        shutil.rmtree(path.parent)
        path.parent.mkdir()
        os.mkfifo(path)
        log.submit([state_event(at(1), State.DOWN, previous=State.UP)])
        wait_until(lambda: "is a named pipe (FIFO)" in (log.health().error or ""))
    finally:
        log.close(timeout=5)
    assert log.health().lost == 1


def test_a_log_opened_late_says_so_with_nothing_waiting_to_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A log that could not be opened at start (a folder in its place) and then could, with
    no change waiting (quiet connections), went on saying "events wait in memory" (the
    window's banner stayed up): the error was cleared only by a write. Opening clears it."""
    monkeypatch.setattr(eventwriter, "RETRY_S", 0.1)
    path = tmp_path / "data" / "events.sqlite3"
    path.mkdir(parents=True)
    log = EventLog(path)
    told: list[str | None] = []
    log.watch_health(lambda health: told.append(health.error))
    try:
        assert log.start_trying() is not None
        wait_until(lambda: log.health().error is not None)
        path.rmdir()
        wait_until(lambda: log.opened_once, timeout=10)
        wait_until(lambda: log.health().error is None, timeout=5)
        assert told[-1] is None
    finally:
        log.close(timeout=5)
