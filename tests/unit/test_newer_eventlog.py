"""The event log as a newer TCP Monitor writes it beside this one (its service on the same
data dir, or a log kept across a downgrade): a cause this version does not know is still a
failure with a cause, never a row left out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.eventqueries import read
from tcpmonitor_gui.core.events import Cause, Event, Kind, State
from tcpmonitor_gui.core.last_seen import last_seen
from tests.helpers import NEWER_CAUSE_OUTAGE, recorded_by_a_newer_version
from tests.unit._cli_process import Home, tcpmonitor

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
START = NOW - dt.timedelta(hours=1)


@pytest.fixture
def newer_log(tmp_path: Path) -> Path:
    """A log of this version's schema where a newer version recorded an outage with a cause
    this one does not know (``proxy_error``)."""
    path = tmp_path / "data" / "events.sqlite3"
    recorded_by_a_newer_version(path, "p1", START, NEWER_CAUSE_OUTAGE)
    return path


def test_a_newer_versions_cause_keeps_its_down_event(newer_log: Path) -> None:
    """It was skipped ('rows that are not events'): the history went up, then 'down -> up'
    with no drop before it."""
    events = EventLog(newer_log).events()
    assert [(e.state, e.previous) for e in events] == [
        (State.UP, State.CONNECTING), (State.DOWN, State.UP), (State.UP, State.DOWN)
    ]  # fmt: skip
    down = events[1]
    assert down.cause == "proxy_error" and str(down.cause) == "proxy_error"
    assert isinstance(down.cause, Cause) and down.cause.label == "proxy error"
    assert down.cause not in list(Cause)  # not one of ours: said as recorded


def test_a_newer_versions_cause_keeps_its_outage(newer_log: Path) -> None:
    """It was left out: 'outages' said there was none in the hour."""
    (outage,) = EventLog(newer_log).outages()
    assert outage.cause == "proxy_error"
    assert outage.duration_s() == pytest.approx(300)
    assert outage.to_dict()["cause"] == "proxy_error"


def test_a_newer_versions_cause_is_what_the_log_last_knew(newer_log: Path) -> None:
    recorded_by_a_newer_version(newer_log, "p1", START, [(20, "down", "up", "proxy_error")])
    seen = read(newer_log, lambda conn: last_seen(conn, ["p1"], NOW), {})
    assert seen["p1"].state is State.DOWN  # it was nothing known: (None, None, None)
    assert seen["p1"].cause == "proxy_error"
    assert seen["p1"].since == START + dt.timedelta(minutes=20)


def test_the_command_line_shows_a_newer_versions_cause(newer_log: Path, tmp_path: Path) -> None:
    home = Home(tmp_path / "config", newer_log.parent)
    events = tcpmonitor(home, "events")
    assert events.returncode == 0, events.stderr
    assert "up -> down  proxy_error" in events.stdout
    assert "skipped" not in events.stderr
    outages = tcpmonitor(home, "outages", "--format", "csv")
    assert outages.returncode == 0, outages.stderr
    assert ",proxy_error," in outages.stdout


def test_an_unknown_cause_is_still_refused_where_a_cause_is_chosen() -> None:
    """Only what the log holds is taken as it is: a cause typed or sent is one of ours."""
    with pytest.raises(ValueError, match="proxy_error"):
        Cause("proxy_error")
    with pytest.raises(ValueError, match="proxy_error"):
        Event.from_dict(
            {
                "ts": NOW.isoformat(),
                "profile_id": "p",
                "profile_name": "p",
                "kind": Kind.STATE,
                "state": "down",
                "previous": "up",
                "cause": "proxy_error",
                "detector": "watch",
                "latency_ms": None,
                "detail": "",
            }
        )


def test_a_newer_versions_state_is_skipped_and_said_to_be_unreadable(
    newer_log: Path, tmp_path: Path
) -> None:
    """A state this version does not know cannot be placed (up? down?): left out, and said
    as what it may be, not as 'rows that are not events'."""
    recorded_by_a_newer_version(newer_log, "p1", START, [(20, "flapping", "up", None)])
    home = Home(tmp_path / "config", newer_log.parent)
    events = tcpmonitor(home, "events")
    assert events.returncode == 0, events.stderr
    assert "flapping" not in events.stdout and events.stdout.count("\n") == 3
    assert "1 rows skipped: this version cannot read them (a state or kind a newer version" in (
        events.stderr
    )


def test_a_row_of_a_kind_this_version_does_not_know_is_not_a_change(newer_log: Path) -> None:
    """A newer version's row of another kind than a change (as an action's row is: the
    change's state, stored when the command ended) was taken for a change by the uptime and
    by what the log last knew, not by outages: a notice told a minute after the recovery,
    'down', made the rest of the hour down (uptime 30 %, not 92 %) and the profile last
    known down, beside one outage of 5 minutes."""
    late = [(16, "down", "up", "proxy_error")]
    recorded_by_a_newer_version(newer_log, "p1", START, late, kind="notice")
    log = EventLog(newer_log)
    end = START + dt.timedelta(hours=1)
    assert log.uptime("p1", dt.timedelta(hours=1), now=end) == pytest.approx(100 * 55 / 60)
    seen = read(newer_log, lambda conn: last_seen(conn, ["p1"], end), {})
    assert (seen["p1"].state, seen["p1"].since) == (State.UP, START + dt.timedelta(minutes=15))
    assert len(log.outages()) == 1
