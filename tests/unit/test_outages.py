"""Outages as records: derived from stored state events, with cause, detection delay and
what ended them; through ``EventLog.outages`` and ``tcpmonitor outages``."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Cause, Event, Kind, State
from tcpmonitor_gui.core.outages import each_outage
from tcpmonitor_gui.core.outputs import write_events_csv
from tests.unit._cli_process import Home, peak_rss_kb, tcpmonitor

UTC = dt.UTC
T0 = dt.datetime.now(UTC).replace(microsecond=0) - dt.timedelta(hours=5)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def change(
    minutes: float, state: State, previous: State | None, pid: str = "db", **extra: Any
) -> Event:
    return Event(ts=at(minutes), profile_id=pid, profile_name=pid.upper(), kind=Kind.STATE,
                 state=state, previous=previous, cause=extra.pop("cause", None),
                 detector="probe", latency_ms=None, **extra)  # fmt: skip


HISTORY = [
    change(0, State.UP, State.CONNECTING),
    change(10, State.DOWN, State.UP, cause=Cause.REFUSED, detection_ms=12.5, detail="refused"),
    change(10.5, State.DOWN, State.DOWN, detail="still down after its maintenance window"),
    change(15, State.UP, State.DOWN),
    change(20, State.DOWN, State.UP, cause=Cause.LOCAL_NETWORK),
    change(21, State.DEGRADED, State.DOWN),
    change(30, State.DOWN, State.DEGRADED, cause=Cause.RESET, maintenance=True),
    change(40, State.UNKNOWN, State.DOWN, detail="monitoring stopped"),
    change(5, State.DOWN, State.UP, pid="cache", cause=Cause.HEARTBEAT_TIMEOUT),  # ongoing
    dataclasses.replace(change(16, State.DOWN, State.UP), kind=Kind.ACTION),  # not a change
]


@pytest.fixture
def home(tmp_path: Path) -> Home:
    home = Home(tmp_path / "config", tmp_path / "data")
    log = EventLog(home.data / "events.sqlite3")
    log.start()
    try:
        log.submit(HISTORY)
        assert log.flush()
    finally:
        log.close()
    return home


def outages(home: Home, **filters: Any) -> list[Any]:
    log = EventLog(home.data / "events.sqlite3")
    try:
        return log.outages(**filters)
    finally:
        log.close()


def test_each_outage_has_its_start_end_cause_and_how_it_ended(home: Home) -> None:
    found = outages(home)
    assert [(o.profile_id, o.start, o.end, o.cause, o.ended_by) for o in found] == [
        ("cache", at(5), None, Cause.HEARTBEAT_TIMEOUT, ""),
        ("db", at(10), at(15), Cause.REFUSED, "recovered"),
        ("db", at(20), at(21), Cause.LOCAL_NETWORK, "recovered"),
        ("db", at(30), at(40), Cause.RESET, "monitoring stopped"),
    ]
    refused = found[1]
    assert refused.detection_ms == 12.5 and refused.duration_s() == 300
    assert found[2].local and found[3].maintenance
    assert found[0].duration_s(at(65)) == 3600  # ongoing: until now


def test_filters_keep_what_overlaps_the_period(home: Home) -> None:
    assert [o.start for o in outages(home, profile="DB", since=at(14), until=at(25))] == [
        at(10), at(20)]  # fmt: skip
    assert [o.profile_id for o in outages(home, since=at(50))] == ["cache"]  # still going


def test_the_command_prints_a_table_csv_or_json(home: Home) -> None:
    text = tcpmonitor(home, "outages", "--profile", "db")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].split() == ["START", "DURATION", "PROFILE", "CAUSE", "ENDED", "NOTE"]
    assert "  5 min  " in lines[1] and "refused" in lines[1] and "recovered" in lines[1]
    assert lines[2].endswith("this computer offline")
    assert lines[3].endswith("maintenance")
    as_json = [
        json.loads(line)
        for line in tcpmonitor(home, "outages", "--format", "json").stdout.splitlines()
    ]
    assert as_json[0]["ongoing"] and as_json[0]["end"] is None
    assert as_json[1]["duration_s"] == 300 and as_json[1]["detection_ms"] == 12.5
    rows = list(csv.DictReader(io.StringIO(tcpmonitor(home, "outages", "--format", "csv").stdout)))
    assert [r["ended_by"] for r in rows] == ["", "recovered", "recovered", "monitoring stopped"]


@pytest.mark.parametrize("shape", ["json", "csv"])
def test_the_contracts_json_and_csv_flags_are_the_formats(home: Home, shape: str) -> None:
    """DESIGN.md's contract says "outages [--json|--csv]": they were refused."""
    flag = tcpmonitor(home, "outages", f"--{shape}")
    assert flag.returncode == 0, flag.stderr
    same = tcpmonitor(home, "outages", "--format", shape)

    def rows(text: str) -> list[dict[str, object]]:  # an ongoing one's duration grows
        found = (
            [json.loads(line) for line in text.splitlines()]
            if shape == "json"
            else list(csv.DictReader(io.StringIO(text)))
        )
        return [{k: v for k, v in row.items() if k != "duration_s"} for row in found]

    assert rows(flag.stdout) == rows(same.stdout) != []


def test_a_yes_or_no_in_every_csv_is_written_as_the_json_writes_it(
    home: Home, tmp_path: Path
) -> None:
    """The CSV of events and outages (the command's, and the window's export) said Python's
    ``True`` and ``False`` where the JSON says ``true`` and ``false``: a script that compared
    a column with what the JSON says, or with ``true``, found no maintenance and no outage
    ongoing. Every yes/no column now reads as in the JSON, and ``--help`` says so."""
    columns = {"events": ("maintenance",), "outages": ("ongoing", "maintenance", "local")}
    for command, flags in columns.items():
        as_csv = list(csv.DictReader(io.StringIO(tcpmonitor(home, command, "--csv").stdout)))
        as_json = [
            json.loads(line) for line in tcpmonitor(home, command, "--json").stdout.splitlines()
        ]
        assert len(as_csv) == len(as_json) > 0
        for row, obj in zip(as_csv, as_json, strict=True):
            for flag in flags:
                assert row[flag] == json.dumps(obj[flag]), (command, flag, row)
        assert {row[flag] for row in as_csv for flag in flags} == {"true", "false"}, command
    exported = tmp_path / "export.csv"  # the window's "Export CSV..." of the log pane
    log = EventLog(home.data / "events.sqlite3")
    try:
        assert write_events_csv(exported, log.events(), ()) == len(log.events())
    finally:
        log.close()
    with exported.open(newline="", encoding="utf-8") as f:
        assert {row["maintenance"] for row in csv.DictReader(f)} == {"true", "false"}
    assert "true or false" in tcpmonitor(home, "events", "--help").stdout


def test_no_log_no_outages_and_nothing_created(tmp_path: Path) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    result = tcpmonitor(home, "outages")
    assert result.returncode == 0 and result.stderr == "no outages\n"
    assert not (home.data / "events.sqlite3").exists()


def test_a_long_history_is_written_out_without_holding_it(home: Home, tmp_path: Path) -> None:
    """200,000 changes took 97 MB more than ten did for ``events --format json``: every event
    was held before the first was printed (a million: 690 MB), and every outage too."""
    big = Home(tmp_path / "config", tmp_path / "big")
    with EventLog(big.data / "events.sqlite3") as log:
        for n in range(0, 200_000, 20_000):
            log.submit(
                change(i / 1000, *((State.DOWN, State.UP) if i % 2 else
                                              (State.UP, State.DOWN)), cause=Cause.REFUSED)
                for i in range(n, n + 20_000)
            )  # fmt: skip
        assert log.flush(60)
    for args in (("events", "--format", "json"), ("outages", "--json"), ("outages",)):
        grew = peak_rss_kb(big, *args) - peak_rss_kb(home, *args)
        assert grew < 15_000, (args, grew)


def flapping_log(path: Path, changes: int) -> Path:
    """A log of one profile going down and back ``changes / 2`` times, 6 s apart."""
    with EventLog(path) as log:
        log.submit(
            change(i / 10, *((State.DOWN, State.UP) if i % 2 else (State.UP, State.DOWN)),
                   cause=Cause.REFUSED)
            for i in range(changes)
        )  # fmt: skip
        assert log.flush(60)
    return path


class Steps:
    """SQLite's steps on ``conn`` (its progress handler, every 10), not seconds, which a
    loaded machine blurs."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.count = 0
        conn.set_progress_handler(self._step, 10)

    def _step(self) -> int:
        self.count += 10
        return 0


def test_an_outage_that_counts_from_its_start_is_found_without_a_search(tmp_path: Path) -> None:
    """Whether an outage counts against the target (``Outage.counted``) was a search of its
    changes for every outage, though nearly all count from their first: with the pairing by
    time beside it, the outages of a long log took about 1.6 times as long as the day before."""
    conn = sqlite3.connect(flapping_log(tmp_path / "events.sqlite3", 4_000))
    steps = Steps(conn)
    try:
        found = list(each_outage(conn, None, None, None))
    finally:
        conn.close()
    assert len(found) == 2_000 and all(o.counted for o in found)
    # 196 steps an outage with the search, 159 without (SQLite 3.40): a bound between, so
    # that another SQLite moves it only with a reason.
    assert steps.count / len(found) < 175


def test_the_first_outage_comes_before_the_whole_history_is_read(tmp_path: Path) -> None:
    """Every outage of the period was found, held in temporary B-trees and sorted before the
    first was given: ``tcpmonitor outages`` on a year of 200 profiles printed nothing for
    7 s (a pager waited), the report's outages the same. They are found in the order of the
    ``ts`` index now (or ``(profile_id, ts)`` for one profile), each given as it is found;
    and with less work each (159 SQLite steps an outage before, 126 now)."""
    conn = sqlite3.connect(flapping_log(tmp_path / "events.sqlite3", 20_000))
    try:
        for profile in (None, "db"):
            steps = Steps(conn)
            found = each_outage(conn, profile, at(-1), None)
            first = next(found)
            to_first = steps.count
            rest = sum(1 for _ in found)
            assert (first.start, rest) == (at(0.1), 9_999)
            assert to_first < steps.count / 100, (profile, to_first, steps.count)
            assert steps.count / (rest + 1) < 140, profile
    finally:
        conn.close()
