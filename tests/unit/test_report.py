"""Reports of a period: ``tcpmonitor report`` as a table, CSV and a self-contained HTML page,
built from the stored history; hostile names are escaped and odd targets refused."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from pathlib import Path

import pytest

from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Cause, Kind, State
from tcpmonitor_gui.core.profile_history import load
from tcpmonitor_gui.core.profile_store import ProfileStore
from tests.helpers import make_profile, stored_event
from tests.unit._cli_process import Home, peak_rss_kb, tcpmonitor

NOW = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
HOSTILE = "=cmd|' /C calc'!A0 <script>alert(1)</script>"


def ago(**delta: float) -> dt.datetime:
    return NOW - dt.timedelta(**delta)


ev = stored_event


@pytest.fixture
def home(tmp_path: Path) -> Home:
    home = Home(tmp_path / "config", tmp_path / "data")
    db = make_profile("127.0.0.1", 5432, name="orders db")
    odd = make_profile("127.0.0.1", 6379, name=HOSTILE)
    quiet = make_profile("127.0.0.1", 11211, name="never seen")
    ProfileStore(home.config).save([db, odd, quiet])
    events = [
        ev(db, ago(days=10), State.UP),
        ev(db, ago(days=5), State.DOWN, cause=Cause.REFUSED, detail="<b>refused</b>"),
        ev(db, ago(days=5) + dt.timedelta(minutes=30), State.UP),
        ev(db, ago(days=1), State.DOWN, cause=Cause.LOCAL_NETWORK),
        ev(db, ago(days=1) + dt.timedelta(minutes=10), State.UP),
        ev(odd, ago(days=2), State.UP),
        *(ev(db, ago(minutes=m), State.UP, kind=Kind.SAMPLE, latency_ms=3.0) for m in range(1, 60)),
    ]
    with EventLog(home.data / "events.sqlite3") as log:
        log.submit(events)
        assert log.flush()
    return home


def test_a_months_report_as_a_table_and_csv(home: Home) -> None:
    shown = tcpmonitor(home, "report")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].split() == ["PROFILE", "UPTIME", "OUTAGES", "DOWN", "MTTR", "LONGEST",
                                "LATENCY"]  # fmt: skip
    db = next(line for line in lines if line.startswith("orders db"))
    # 30 min down in the 10 days known (the offline 10 min are not counted): 99.79 %.
    assert db.split()[2:] == ["99.79", "%", "1", "30", "min", "30", "min", "30", "min", "3.00",
                              "ms"]  # fmt: skip
    assert "never seen" in shown.stdout
    as_csv = tcpmonitor(home, "report", "--since", "7d", "--csv", "-")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    by_name = {r["profile"]: r for r in rows}
    assert by_name["orders db"]["outages"] == "1"
    assert by_name["orders db"]["downtime_s"] == "1800.0"
    assert by_name["orders db"]["not_counted_s"] == "600"
    assert by_name["orders db"]["checks"] == "59"
    assert by_name["'" + HOSTILE]["uptime_percent"] == "100.000"  # a formula is not run
    assert by_name["never seen"]["uptime_percent"] == ""
    assert tcpmonitor(home, "report", "--since", "1d", "--profile", "ORDERS DB",
                      "--csv", "-").stdout.count("\n") == 2  # fmt: skip


def test_the_html_report_is_self_contained_and_escaped(home: Home, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    made = tcpmonitor(home, "report", "--since", "30d", "--html", str(page))
    assert made.returncode == 0, made.stderr
    assert f"report written to {page}" in made.stderr
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>")
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;b&gt;refused&lt;/b&gt;" in text  # a detail is text too
    # Nothing is loaded from elsewhere: the only address is the SVG namespace.
    assert set(re.findall(r"(?:https?:)?//[\w.-]+", text)) == {"http://www.w3.org"}
    assert not re.search(r"\b(src|href)=['\"](?!#)", text)
    assert text.count("<svg") == 3  # one chart per profile
    assert "No outages in this period." in text
    assert oct(page.stat().st_mode & 0o777) == "0o644"


def test_bad_periods_profiles_and_targets_are_named(home: Home, tmp_path: Path) -> None:
    for args, words in (
        (("--since", "1h", "--until", "2h"), "--since must be before --until"),
        (("--since", "yesterday"), "--since"),
        # An empty --since (a script's unset "$SINCE") was a 30 days' report, exit 0, where
        # every other command, and --until, refuse it.
        (("--since", ""), "--since: '' is not an ISO 8601 time"),
        (("--profile", "nope"), "no profile is named 'nope'"),
    ):
        result = tcpmonitor(home, "report", *args)
        assert result.returncode == 2 and words in result.stderr, (args, result.stderr)
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    refused = tcpmonitor(home, "report", "--html", str(fifo))
    assert refused.returncode == 2 and "named pipe" in refused.stderr
    assert tcpmonitor(home, "report", "--csv", str(tmp_path)).returncode == 2  # a folder


def test_csv_and_html_to_one_place_are_refused_before_anything_is_written(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'--csv - --html -' wrote the CSV and the page one after the other to stdout (exit 0),
    which neither a spreadsheet nor a browser reads; '--csv r --html r' left only the page
    in r and said 'report written to r' twice."""
    both = tcpmonitor(home, "report", "--csv", "-", "--html", "-")
    assert both.returncode == 2 and both.stdout == "", both.stdout[:200]
    assert "--csv and --html" in both.stderr and "standard output" in both.stderr
    same = tmp_path / "r"
    monkeypatch.chdir(tmp_path)  # the same file, once relative and once absolute
    one = tcpmonitor(home, "report", "--csv", "r", "--html", str(same))
    assert one.returncode == 2 and "--csv and --html" in one.stderr and "same file" in one.stderr
    assert not same.exists()


def test_no_log_yet_is_an_empty_report_not_an_error(tmp_path: Path) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    ProfileStore(home.config).save([make_profile("127.0.0.1", 1, name="new")])
    result = tcpmonitor(home, "report", "--csv", "-")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == []  # no rows: nothing is known of anyone
    assert not (home.data / "events.sqlite3").exists()  # reading never creates a log


def test_a_flapping_months_report_is_built_without_holding_its_outages(tmp_path: Path) -> None:
    """100,000 outages took 50 MB more than one (every outage was held, then each shaded in
    the chart: a 7.8 MB page for them, 39 MB for 500,000); the page still lists the newest."""
    flapping = make_profile("127.0.0.1", 5432, name="flapping")
    homes = []
    for n in (1, 100_000):
        home = Home(tmp_path / f"config{n}", tmp_path / f"data{n}")
        ProfileStore(home.config).save([flapping])
        with EventLog(home.data / "events.sqlite3") as log:
            log.submit(
                ev(flapping, ago(minutes=(n - i / 2) / 4), State.DOWN if i % 2 == 0 else State.UP,
                   cause=Cause.REFUSED)
                for i in range(2 * n)
            )  # fmt: skip
            assert log.flush(60)
        homes.append(home)
    page = tmp_path / "report.html"
    grew = (peak_rss_kb(homes[1], "report", "--html", str(page))
            - peak_rss_kb(homes[0], "report", "--html", str(tmp_path / "one.html")))  # fmt: skip
    assert grew < 15_000, grew
    text = page.read_text()
    assert len(text) < 200_000, len(text)
    assert len(re.findall(r"<tr><td>\d{4}-", text)) == 200  # the newest listed
    assert "… and 99800 older" in text
    row = tcpmonitor(homes[1], "report").stdout.splitlines()[1]
    assert row.split()[3] == "100000", row


def test_the_mean_time_to_recover_counts_only_recoveries(tmp_path: Path) -> None:
    """An outage the program quit in (or the user paused) was counted as recovered when it
    ended: a 10 min recovery beside a 5 h drop nobody saw end and a paused one read as 1 h 53
    min to recover, in the report and in the details."""
    home = Home(tmp_path / "config", tmp_path / "data")
    db = make_profile("127.0.0.1", 5432, name="db")
    ProfileStore(home.config).save([db])
    with EventLog(home.data / "events.sqlite3") as log:
        log.submit([
            ev(db, ago(hours=9), State.UP),
            ev(db, ago(hours=8), State.DOWN, cause=Cause.REFUSED),
            ev(db, ago(hours=8) + dt.timedelta(minutes=10), State.UP),
            ev(db, ago(hours=6), State.DOWN, cause=Cause.REFUSED),
            ev(db, ago(hours=1), State.UNKNOWN, detail="monitoring stopped"),
            ev(db, ago(minutes=50), State.DOWN, cause=Cause.REFUSED),
            ev(db, ago(minutes=20), State.PAUSED),
        ])  # fmt: skip
        assert log.flush()
        summary = load(log, db.id, 86400.0, NOW).summary
    assert summary.outages == 3 and summary.mean_recovery_s == 600
    row = next(csv.DictReader(io.StringIO(tcpmonitor(home, "report", "--csv", "-").stdout)))
    assert row["mean_time_to_recover_s"] == "600.0", row
