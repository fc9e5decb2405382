"""The event log's ``-wal`` or ``-shm`` file deleted while a program writes the log
(``rm events.sqlite3-*``, a cleanup tool that takes them for leftovers): SQLite goes on
writing its journal into the deleted ``-wal``, which no other program can read, and every
event since the last checkpoint lives only there (``core/eventwriter.py``)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import State
from tcpmonitor_gui.lab import FaultProxy

from ._cli_process import Home, Running, tcpmonitor
from .test_eventlog import at, state_event
from .test_eventlog_vanish import _state, probing, stored


def test_a_deleted_wal_file_loses_no_event_when_the_run_is_killed(
    tmp_path: Path, proxy: FaultProxy
) -> None:
    """The ``-wal`` deleted during a ``run``: ``tcpmonitor events`` failed ("disk I/O
    error") while it ran, and once the run was killed (a crash, a power cut) the events it had
    printed as stored were gone with the deleted file, the log's very table with them. The
    writer sees the file gone, keeps what it wrote in the log and opens it again."""
    home = probing(tmp_path, proxy)
    wal = home.data / "events.sqlite3-wal"
    with Running(home, "run", "--json") as run:
        run.read_until(lambda line: _state(line, "up"))
        os.unlink(wal)
        proxy.set_mode("refuse")
        run.read_until(lambda line: _state(line, "down"))  # printed once stored
        assert stored(home) == [("up", "unknown"), ("down", "up")]
        run.send_signal(signal.SIGKILL)
        run.wait()
    assert stored(home) == [("up", "unknown"), ("down", "up")]
    assert "-wal file was deleted while in use" in run.stderr


@pytest.mark.parametrize("side", ["-wal", "-shm"])
def test_a_deleted_side_file_is_noticed_and_the_log_opened_again_with_its_history(
    tmp_path: Path, side: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The ``-shm`` is the index other programs share to find the newest writes in the
    ``-wal``: one that opens the log after it was deleted makes a new one, and the two
    programs no longer see each other's writes (a second writer overwrites the first's).
    Both are noticed as the log itself is, said once, and the log opened again: its history
    is kept (not "a new event log", the window's banner is not raised)."""
    home = Home(tmp_path / "config", tmp_path / "data")
    path = home.data / "events.sqlite3"
    told: list[str | None] = []
    with caplog.at_level(logging.WARNING), EventLog(path) as log:
        log.watch_health(lambda health: told.append(health.renewed))
        log.submit([state_event(at(0), State.UP)])
        assert log.flush()
        os.unlink(path.with_name(path.name + side))
        log.submit([state_event(at(1), State.DOWN, previous=State.UP)])
        assert log.flush()
        assert os.path.exists(path.with_name(path.name + side))  # the log's own again
        assert stored(home) == [("up", None), ("down", "up")]
        log.submit([state_event(at(2), State.UP, previous=State.DOWN)])
        assert log.flush()
    said = [r.getMessage() for r in caplog.records if "deleted while in use" in r.getMessage()]
    assert said == [f"{path}: its {side} file was deleted while in use; the log is opened again"]
    assert not [renewed for renewed in told if renewed]
    listed = tcpmonitor(home, "events", "--format", "json")
    assert listed.returncode == 0 and "disk I/O error" not in listed.stderr
    assert stored(home) == [("up", None), ("down", "up"), ("up", "down")]


def test_a_program_that_opens_the_log_after_its_shm_was_deleted_sees_what_follows(
    tmp_path: Path,
) -> None:
    """Another program (the window, a second ``run``) that opened the log after its
    ``-shm`` was deleted made a new one, which the writer never updated: it did not see the
    events written after, and what it wrote itself overwrote them in the ``-wal`` (measured
    with plain SQLite: 12 of 13 rows left once both had closed). The writer sees the
    ``-shm`` replaced and opens the log again, on the one both now share."""
    path = tmp_path / "data" / "events.sqlite3"
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER, str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip

    def count() -> str:
        assert other.stdin is not None and other.stdout is not None
        other.stdin.write("count\n")
        other.stdin.flush()
        return other.stdout.readline().strip()

    try:
        with EventLog(path) as log:
            log.submit([state_event(at(0), State.UP)])
            assert log.flush()
            os.unlink(path.with_name(path.name + "-shm"))
            assert count() == "1"  # it opens the log now, with a -shm of its own
            log.submit([state_event(at(1), State.DOWN, previous=State.UP)])
            assert log.flush()
            assert count() == "2"
    finally:
        other.communicate(timeout=10)


#: A program that keeps the log open and says how many events it holds, when asked.
OTHER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
for line in sys.stdin:
    print(conn.execute("SELECT count(*) FROM events").fetchone()[0], flush=True)
"""
