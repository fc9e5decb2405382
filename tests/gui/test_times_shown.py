"""Times the window shows, in the hour the clocks pass twice (Berlin's 02:00-03:00 on
2026-10-25, New York's 01:00-02:00 on 2026-11-01): the log pane, the details view (its
outage list, its longest outage, the chart's hover), the table's tooltip and the tray's
recent events say the UTC offset there, and only there (elsewhere the column stays narrow)."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.cli.profiles import _maintenance_cell
from tcpmonitor_gui.core import snooze
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Cause, State
from tcpmonitor_gui.core.profile_history import load
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.core.snooze import iso
from tcpmonitor_gui.ui.details import dock as dock_module
from tcpmonitor_gui.ui.log.model import Column, LogModel
from tcpmonitor_gui.ui.status.cells import Row
from tcpmonitor_gui.ui.status.marks import marks_tooltip
from tcpmonitor_gui.ui.status.tooltips import state_tooltip
from tcpmonitor_gui.ui.tray import event_text
from tests.gui.test_log_model import state_event
from tests.gui.windows import open_window
from tests.helpers import local_zone, make_profile, stored_event


def utc(*fields: int) -> dt.datetime:
    return dt.datetime(*fields, tzinfo=dt.UTC)


def seconds(said: str) -> str:
    """``2026-10-25 02:30 +02:00`` to the second, as the details view and tooltip say it."""
    return f"{said[:16]}:00{said[16:]}"


#: Per zone: two moments an hour apart that its clock read alike, and one it read once.
ZONES = {
    "Europe/Berlin": (
        [utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)],
        ["2026-10-25 02:30 +02:00", "2026-10-25 02:30 +01:00"],
        (utc(2026, 10, 25, 2, 30), "2026-10-25 03:30"),
    ),
    "America/New_York": (
        [utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)],
        ["2026-11-01 01:30 -04:00", "2026-11-01 01:30 -05:00"],
        (utc(2026, 11, 1, 7, 30), "2026-11-01 02:30"),
    ),
}  # fmt: skip


@pytest.fixture(params=sorted(ZONES))
def zone(request: pytest.FixtureRequest) -> Iterator[str]:
    with local_zone(request.param):
        yield request.param


def test_the_log_pane_says_which_of_the_two(zone: str) -> None:
    """Before, both rows read "2026-10-25 02:30"."""
    twice, said, (once, once_said) = ZONES[zone]
    model = LogModel()
    model.append([dataclasses.replace(state_event(i), ts=t)
                  for i, t in enumerate([*twice, once])])  # fmt: skip
    shown = sorted(str(model.index(r, Column.TIME).data()) for r in range(3))
    assert shown == sorted([*said, once_said])


def test_the_tooltip_and_the_trays_recent_events_say_which_of_the_two(zone: str) -> None:
    twice, said, (once, once_said) = ZONES[zone]
    profile = make_profile("127.0.0.1", 80, name="db")
    for when, text in [*zip(twice, said, strict=True), (once, once_said)]:
        row = Row(profile, State.DOWN, collections.deque(), "probe", since=when)
        assert state_tooltip(row).splitlines()[0].endswith(f"down since {seconds(text)}")
        recent = event_text(dataclasses.replace(state_event(1, name="db"), ts=when))
        assert f"{text[11:]} db" in recent


def test_the_details_view_says_which_of_the_two(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    """Before, the outage list had two outages at "2026-10-25 02:30:00", one of them the
    longest, and the chart's hover said 02:30 for either."""
    twice, said, (once, _) = ZONES[zone]
    db = make_profile("127.0.0.1", 5432, name="orders db")
    config, data = tmp_path / "config", tmp_path / "data"
    ProfileStore(config).save([db])
    events = [stored_event(db, twice[0] - dt.timedelta(hours=5), State.UP)]
    for start, minutes in ((twice[0], 5), (twice[1], 20), (once, 5)):
        events.append(stored_event(db, start, State.DOWN, cause=Cause.REFUSED))
        events.append(stored_event(db, start + dt.timedelta(minutes=minutes), State.UP))
    with EventLog(data / "events.sqlite3") as log:
        log.submit(events)
        assert log.flush()
    now = twice[0] + dt.timedelta(hours=6)  # the day is the one the clocks went back
    monkeypatch.setattr(dock_module, "_stored",
                        lambda session, pid, period: load(session.usable_eventlog(), pid,
                                                          period, now))  # fmt: skip
    opened = open_window(qtbot, config, data, monitor=False)
    try:
        dock = opened.details_of(qtbot, db.id)
        table = dock.outage_table
        listed = [table.item(r, 0).text() for r in range(table.rowCount())]
        assert listed[1:] == [seconds(s) for s in said[::-1]]  # newest first
        assert dock.longest_label.text().startswith(f"20 min, from {seconds(said[1])}")
        assert dock.chart is not None
        assert dock.chart.text_at(twice[0].timestamp()).startswith(said[0])
        assert dock.chart.text_at(twice[1].timestamp()).startswith(said[1])
    finally:
        opened.close()


def test_snooze_and_maintenance_ends_say_which_of_the_two(zone: str) -> None:
    """Before, a maintenance window that closes at the second 02:30 and a snooze that ends at
    the first were both "until 02:30", in the name's tooltip and in ``profiles list``."""
    twice, said, _once = ZONES[zone]
    now = twice[0] - dt.timedelta(hours=1)
    window = f"{now:%Y-%m-%d %H:%M} - {twice[1]:%Y-%m-%d %H:%M} UTC"
    profile = dataclasses.replace(make_profile("127.0.0.1", 80, name="db"),
                                  maintenance=(window,), snooze_until=iso(twice[0]))  # fmt: skip
    row = Row(profile, State.UP, collections.deque(), "probe")
    tooltip = marks_tooltip(row, now)
    assert tooltip is not None
    assert tooltip.splitlines() == [
        f"In maintenance until {said[1][11:]} ({window})",
        f"Notices snoozed until {said[0][11:]}",
    ]
    assert snooze.describe(profile.snooze_until, now) == f"until {said[0][11:]}"
    weekday = f"{twice[0].astimezone():%a}"
    assert _maintenance_cell(profile, now) == f"now, until {weekday} {said[1][11:]}"


def test_the_log_panes_time_column_shows_the_offset_whole(qtbot: QtBot, zone: str) -> None:
    """The Time column kept Qt's 100 px: "02:30:00 +02:00" read "02:30:00 +0…", the offset
    that tells the two lines apart cut off (and an older line's "2026-10-25 02:30 +02:00" or
    "2026-11-25 14:02" too)."""
    from tcpmonitor_gui.ui.log.pane import LogPane

    twice, said, _ = ZONES[zone]
    pane = LogPane(None)
    qtbot.addWidget(pane)
    pane.resize(900, 300)
    pane.add_events([dataclasses.replace(state_event(i), ts=t) for i, t in enumerate(twice)])
    pane.show()  # a line's cells are written when it is painted
    qtbot.waitExposed(pane)
    shown = [pane.proxy.index(row, Column.TIME) for row in range(2)]
    qtbot.waitUntil(lambda: all(index.data() for index in shown), timeout=5000)
    view, width = pane.view, pane.view.columnWidth(Column.TIME)
    for index in shown:
        assert str(index.data()) in said
        assert view.sizeHintForIndex(index).width() <= width, (index.data(), width)
