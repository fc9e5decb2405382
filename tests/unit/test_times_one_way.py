"""Times the user reads in ``tcpmonitor outages`` and the HTML report, read one way: in the
hour the clocks pass twice (Berlin's 02:00-03:00 on 2026-10-25, New York's 01:00-02:00 on
2026-11-01) two outages an hour apart, and in a report mailed to another zone.
The machine-readable outputs (JSON, CSV) say UTC."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest

from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Cause, State
from tcpmonitor_gui.core.profile_store import ProfileStore
from tests.helpers import make_profile, stored_event
from tests.unit._cli_process import Home, tcpmonitor

UTC = dt.UTC
#: 02:30 in Berlin twice: summer time (+02:00), then an hour later winter time (+01:00).
BERLIN_TWICE = [dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
                dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)]  # fmt: skip
#: 01:30 in New York twice (-04:00, then -05:00).
NEW_YORK_TWICE = [dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
                  dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC)]  # fmt: skip
PERIOD = ("--since", "2026-10-20T00:00Z", "--until", "2026-11-05T00:00Z")


@pytest.fixture
def home(tmp_path: Path) -> Home:
    """One profile down for 10 minutes at each of the four moments above."""
    home = Home(tmp_path / "config", tmp_path / "data")
    db = make_profile("127.0.0.1", 5432, name="orders db")
    ProfileStore(home.config).save([db])
    events = [stored_event(db, dt.datetime(2026, 10, 19, tzinfo=UTC), State.UP)]
    for start in [*BERLIN_TWICE, *NEW_YORK_TWICE]:
        events.append(stored_event(db, start, State.DOWN, cause=Cause.REFUSED))
        events.append(stored_event(db, start + dt.timedelta(minutes=10), State.UP))
    with EventLog(home.data / "events.sqlite3") as log:
        log.submit(events)
        assert log.flush()
    return home


def _in_zone(home: Home, zone: str, *args: str) -> str:
    result = tcpmonitor(home, *args, env={**home.env, "TZ": zone})
    assert result.returncode == 0, result.stderr
    return result.stdout


ZONES = [
    ("Europe/Berlin", ["2026-10-25 02:30:00 +02:00", "2026-10-25 02:30:00 +01:00",
                       "2026-11-01 06:30:00 +01:00", "2026-11-01 07:30:00 +01:00"]),
    ("America/New_York", ["2026-10-24 20:30:00 -04:00", "2026-10-24 21:30:00 -04:00",
                          "2026-11-01 01:30:00 -04:00", "2026-11-01 01:30:00 -05:00"]),
]  # fmt: skip


@pytest.mark.parametrize(("zone", "starts"), ZONES)
def test_outages_in_the_hour_that_came_twice_read_as_two_moments(
    home: Home, zone: str, starts: list[str]
) -> None:
    """Before, the two outages an hour apart both started at "2026-10-25 02:30:00" (in New
    York "2026-11-01 01:30:00"): which came first, and when, nobody could tell."""
    lines = _in_zone(home, zone, "outages", *PERIOD).splitlines()
    assert lines[0].split()[0] == "START"
    assert [line[: len(starts[0])] for line in lines[1:]] == starts


@pytest.mark.parametrize(("zone", "starts"), ZONES)
def test_the_html_report_says_each_time_with_its_offset(
    home: Home, tmp_path: Path, zone: str, starts: list[str]
) -> None:
    """Before, the report listed local times with no offset: the repeated hour's two outages
    read the same, and a colleague in another zone read them as their own clock's."""
    page = tmp_path / "report.html"
    _in_zone(home, zone, "report", *PERIOD, "--html", str(page))
    text = page.read_text()
    listed = re.findall(r"<tr><td>([^<]*)</td><td class=n>10 min</td>", text)
    assert listed == [s[:16] + s[19:] for s in starts[::-1]]  # newest first, to the minute
    period = "2026-10-20 02:00 +02:00 – 2026-11-05 01:00 +01:00"
    if zone == "America/New_York":
        period = "2026-10-19 20:00 -04:00 – 2026-11-04 19:00 -05:00"
    assert period in text
    labels = re.findall(r"font-size='11'>(\d{4}-[^<]*)</text>", text)
    assert labels and all(re.search(r" [+-]\d\d:\d\d$", label) for label in labels)


def test_json_and_csv_say_utc(home: Home) -> None:
    """Checked, not changed: what scripts read is UTC (``Z``), whatever the reader's zone."""
    for zone in ("Europe/Berlin", "America/New_York"):
        lines = _in_zone(home, zone, "outages", *PERIOD, "--json").splitlines()
        outages = [json.loads(line) for line in lines]
        assert [o["start"] for o in outages] == [iso(t) for t in [*BERLIN_TWICE, *NEW_YORK_TWICE]]
        as_csv = csv.DictReader(io.StringIO(_in_zone(home, zone, "outages", *PERIOD, "--csv")))
        assert all(row["start"].endswith("Z") and row["end"].endswith("Z") for row in as_csv)
        events = _in_zone(home, zone, "events", *PERIOD, "--format", "json").splitlines()
        assert json.loads(events[0])["ts"] == iso(BERLIN_TWICE[0])
        rows = list(csv.DictReader(io.StringIO(
            _in_zone(home, zone, "events", *PERIOD, "--format", "csv"))))  # fmt: skip
        assert rows and all(row["ts"].endswith("Z") for row in rows)
        report = csv.DictReader(io.StringIO(_in_zone(home, zone, "report", *PERIOD, "--csv", "-")))
        assert [(r["since"], r["until"]) for r in report] == [
            ("2026-10-20T00:00:00Z", "2026-11-05T00:00:00Z")
        ]


def iso(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
