"""Every CSV the program writes ends its lines alike. The window's export ("Export CSV..." in
the log, ``outputs.write_events_csv``) ended them with CRLF, and ``tcpmonitor events --csv``
with LF: the same events, two files that differ in every line (a script that compared them,
or cut the last column, read 'false\\r' from one). LF everywhere now: what shell tools read,
and what spreadsheets and csv readers take as they take CRLF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Cause, State
from tcpmonitor_gui.core.outputs import write_events_csv
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.core.report import build, to_csv
from tests.helpers import make_profile, stored_event
from tests.unit._cli_process import Home, tcpmonitor


@pytest.fixture
def home(tmp_path: Path) -> Home:
    db = make_profile("127.0.0.1", 5432, name='db, "main"', id="db")
    ProfileStore(tmp_path / "config").save([db])
    start = dt.datetime(2026, 12, 1, 8, 0)
    events = [
        stored_event(db, start, State.UP),
        stored_event(db, start + dt.timedelta(minutes=5), State.DOWN, cause=Cause.REFUSED,
                     detail="line one\nline two"),  # a line end inside a cell stays quoted
        stored_event(db, start + dt.timedelta(minutes=9), State.UP),
    ]  # fmt: skip
    with EventLog(tmp_path / "data" / "events.sqlite3") as log:
        log.submit(events)
        assert log.flush()
    return Home(tmp_path / "config", tmp_path / "data")


def _line_ends(data: bytes) -> set[bytes]:
    """The line ends between records (a cell's own line end is inside quotes)."""
    return {b"\r\n" if data[i - 1 : i] == b"\r" else b"\n" for i in _record_ends(data)}


def _record_ends(data: bytes) -> list[int]:
    quoted, ends = False, []
    for i, byte in enumerate(data):
        if byte == ord('"'):
            quoted = not quoted
        elif byte == ord("\n") and not quoted:
            ends.append(i)
    return ends


def test_the_windows_export_and_the_commands_events_csv_are_the_same_bytes(
    home: Home, tmp_path: Path
) -> None:
    with EventLog(home.data / "events.sqlite3") as log:
        events = list(log.events(profile="db"))
    exported = tmp_path / "exported.csv"
    assert write_events_csv(exported, events, [home.config, home.data]) == len(events)
    window = exported.read_bytes()
    command = tcpmonitor(home, "events", "--csv", "--profile", "db")  # (after: the log's
    assert command.returncode == 0, command.stderr  # opening above added an event)
    assert _line_ends(window) == {b"\n"}
    assert window == command.stdout.encode()


PERIOD = ("--since", "2026-11-30T00:00Z", "--until", "2026-12-02T00:00Z")


@pytest.mark.parametrize("command", [("outages", "--csv"), ("report", "--csv", "-", *PERIOD)])
def test_the_commands_other_tables_end_their_lines_alike(
    home: Home, command: tuple[str, ...]
) -> None:
    result = tcpmonitor(home, *command)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") >= 2
    assert _line_ends(result.stdout.encode()) == {b"\n"}


def test_the_windows_report_export_ends_its_lines_alike(home: Home) -> None:
    with EventLog(home.data / "events.sqlite3") as log:
        profiles = ProfileStore(home.config).load()
        report = build(log, profiles, since=dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
                       until=dt.datetime(2026, 12, 2, tzinfo=dt.UTC))  # fmt: skip
    assert _line_ends(to_csv(report).encode()) == {b"\n"}
