"""``tcpmonitor events``, ``outages`` and ``report`` on an event log this program cannot use
(a directory, someone's bytes, a truncated copy, a newer program's database): one line
naming the file and what is wrong, exit 2, and the file left as it was."""

from __future__ import annotations

import json
import math
import os
import sqlite3
from pathlib import Path

import pytest

from tcpmonitor_gui.core.eventdb import INSERT_EVENT
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import ProfileStore
from tests.helpers import HOSTILE_LOGS, contents, make_profile, plant
from tests.unit._cli_process import Home, tcpmonitor


@pytest.mark.parametrize("kind", sorted(HOSTILE_LOGS))
def test_reading_a_log_that_cannot_be_used_is_one_line_and_exit_2(
    tmp_path: Path, kind: str
) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    ProfileStore(home.config).save([make_profile("127.0.0.1", 5432, name="db")])
    path = home.data / "events.sqlite3"
    plant(kind, path, tmp_path / "elsewhere.sqlite3")
    before, files = contents(path), set(os.listdir(home.data))
    for args in (("events",), ("events", "--format", "json"), ("outages",), ("report",),
                 ("report", "--html", str(tmp_path / "report.html"))):  # fmt: skip
        result = tcpmonitor(home, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stdout == "", args
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"tcpmonitor: {path}: "), (args, lines)
        assert ("schema version 99" if kind == "future" else "") in lines[0]
    assert contents(path) == before
    assert not (tmp_path / "report.html").exists()
    # (a reader of a WAL database may leave its -wal and -shm beside it: SQLite's own)
    assert {n for n in os.listdir(home.data) if not n.endswith(("-wal", "-shm"))} == files


def a_profile_and_its_log(tmp_path: Path) -> tuple[Home, Profile, Path]:
    """A home with one stored profile and an event log made for it, still empty."""
    home = Home(tmp_path / "config", tmp_path / "data")
    profile = make_profile("127.0.0.1", 5432, name="db")
    ProfileStore(home.config).save([profile])
    db = home.data / "events.sqlite3"
    EventLog(db).start().close()
    return home, profile, db


def test_a_stored_number_that_is_not_a_finite_one_is_no_number_in_json(tmp_path: Path) -> None:
    """A latency stored as an infinity (a row this program never writes) came out of
    ``events --format json`` as ``"latency_ms":Infinity``, which is not JSON (jq refused)."""
    home, profile, db = a_profile_and_its_log(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.executemany(INSERT_EVENT, [
            (1e9, profile.id, "db", "down", "up", "refused", "probe", math.inf, "", -math.inf,
             None, 0, "state"),
            (1e9 + 1, profile.id, "db", "up", "down", None, "probe", "fast", "", "x", None, 0,
             "state"),
        ])  # fmt: skip
    conn.close()
    result = tcpmonitor(home, "events", "--format", "json")
    assert result.returncode == 0, result.stderr

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    events = [json.loads(line, parse_constant=refuse) for line in result.stdout.splitlines()]
    assert [(e["latency_ms"], e["detection_ms"]) for e in events] == [(None, None)] * 2


def test_a_data_dir_that_is_a_file_is_named_not_read_as_no_log(tmp_path: Path) -> None:
    """``--data-dir`` naming a file: events said "no events" (exit 0), as if nothing had
    happened, and run "cannot be created (File exists)"."""
    home = Home(tmp_path / "config", tmp_path / "notes.txt")
    ProfileStore(home.config).save([make_profile("127.0.0.1", 1, name="db")])
    home.data.write_text("mine")
    for args in (("events",), ("outages",), ("report",), ("run",)):
        result = tcpmonitor(home, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr == (
            f"tcpmonitor: {home.data}: is not a folder (a file is there); the event log was "
            "not opened\n"
        ), args
    assert home.data.read_text() == "mine"


@pytest.mark.parametrize("why", ["a link that leads to itself", "a name too long"])
def test_a_data_folder_that_cannot_be_reached_is_one_line_not_no_events(
    tmp_path: Path, why: str
) -> None:
    """A --data-dir the command cannot look into: a link that leads to itself said 'no
    events' (exit 0, which reads as "nothing happened"), a name too long for the system (as a
    folder the user may not enter, EACCES) ended in a traceback, for events, outages, report
    and run alike. Each now names the folder and why, exit 2."""
    if why == "a name too long":
        data = tmp_path / ("x" * 300)
    else:
        data = tmp_path / "loop"
        data.symlink_to(data)
    home = Home(tmp_path / "config", data)
    ProfileStore(home.config).save([make_profile("127.0.0.1", 1, name="db")])
    for args in (("events",), ("outages",), ("report",), ("run",)):
        result = tcpmonitor(home, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stdout == "", args
        lines = result.stderr.splitlines()
        assert len(lines) == 1, (args, lines)
        assert lines[0].startswith(f"tcpmonitor: {data}: cannot be reached ("), (args, lines)


def test_a_row_whose_text_is_not_utf8_is_shown_and_the_rest_still_read(tmp_path: Path) -> None:
    """A byte gone wrong in a stored name or detail (a damaged disk, a hand-edited copy) made
    the text no UTF-8, and ``events`` stopped at that row, every later one unread ("cannot be
    read (Could not decode to UTF-8 column 'profile_name'...)", exit 2); the window's log and
    the start's last-known states read it the same way. Its text is shown with what cannot
    be decoded as U+FFFD now, and every row is read."""
    home, profile, db = a_profile_and_its_log(tmp_path)
    with sqlite3.connect(db) as conn:
        for n, state in enumerate(("up", "down", "up")):
            conn.execute(INSERT_EVENT, (1e9 + n, profile.id, "db", state, None, None, "probe",
                                        None, f"row {n}", None, None, 0, "state"))  # fmt: skip
        conn.execute(
            "UPDATE events SET profile_name = CAST(x'64ff62' AS TEXT),"
            " detail = CAST(x'726f77e28f' AS TEXT) WHERE detail = 'row 1'"
        )
    conn.close()
    for args in (("events",), ("events", "--format", "json"), ("events", "--format", "csv")):
        result = tcpmonitor(home, *args)
        assert result.returncode == 0, (args, result.stderr)
        assert "row 2" in result.stdout and "d\ufffdb" in result.stdout, args
    shown = tcpmonitor(home, "events", "--format", "json").stdout.splitlines()
    assert [json.loads(line)["detail"] for line in shown] == ["row 0", "row\ufffd", "row 2"]
