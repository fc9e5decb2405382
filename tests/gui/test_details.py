"""The details dock: one connection's latency, outages, uptime and notes from the event log,
opened from the table with Enter and following its current row."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import math
import os
import re
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.cli.main import main as cli_main
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import TARGET_CHANGED, Cause, Event, Kind, State, steady
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.ui.details.dock import DetailsDock
from tcpmonitor_gui.ui.main_window import MainWindow
from tests.gui.windows import Opened, open_window
from tests.helpers import make_profile, stored_event

NOW = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


def ago(**delta: float) -> dt.datetime:
    return NOW - dt.timedelta(**delta)


@pytest.fixture(autouse=True)
def now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's own "now". Taken once at collection, a full run that reached these tests
    minutes later found its "day began degraded" span gone from the last 24 hours."""
    monkeypatch.setattr(
        sys.modules[__name__], "NOW", dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    )


ev = stored_event


@pytest.fixture
def history(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[Opened, Profile, Profile]]:
    db = make_profile("127.0.0.1", 5432, name="orders db", notes="Call Ana before restarting.")
    cache = make_profile("127.0.0.1", 6379, name="cache")
    config, data = tmp_path / "config", tmp_path / "data"
    ProfileStore(config).save([db, cache])
    events = [
        ev(db, ago(days=3), State.UP),
        ev(db, ago(days=2), State.DOWN, cause=Cause.REFUSED, detail="connection refused"),
        ev(db, ago(days=2) + dt.timedelta(minutes=10), State.UP),
        ev(db, ago(days=1), State.DEGRADED, detail="latency 900 ms over 500 ms"),
        ev(db, ago(days=1) + dt.timedelta(minutes=5), State.UP),
        ev(db, ago(hours=1), State.DOWN, cause=Cause.LOCAL_NETWORK),
        ev(db, ago(minutes=58), State.UP),
        ev(cache, ago(days=1), State.UP),
    ]
    for minute in range(1, 120):  # two hours of checks, 2 ms then 4 ms, a failure at 30 min
        when = ago(minutes=minute) + dt.timedelta(seconds=10)
        failed = minute == 30
        events.append(ev(db, when, State.DOWN if failed else State.UP, kind=Kind.SAMPLE,
                         cause=Cause.REFUSED if failed else None,
                         latency_ms=None if failed else (2.0 if minute > 60 else 4.0)))  # fmt: skip
    with EventLog(data / "events.sqlite3") as log:
        log.submit(events)
        assert log.flush()
    opened = open_window(qtbot, config, data, monitor=False)
    opened.window.show()
    yield opened, db, cache
    opened.close()


def source_row(window: MainWindow, profile_id: str) -> QModelIndex:
    """The table's index of a profile's row."""
    at = window.model.row_of(profile_id)
    assert at is not None
    return window.table.proxy.mapFromSource(window.model.index(at, 0))


@contextlib.contextmanager
def details_of(
    qtbot: QtBot, tmp_path: Path, profile: Profile, events: Iterable[Event], timeout: int = 5000
) -> Iterator[DetailsDock]:
    """The window on a log of ``events``, its details showing ``profile``; closed after."""
    config, data = tmp_path / "config", tmp_path / "data"
    ProfileStore(config).save([profile])
    with EventLog(data / "events.sqlite3") as log:
        log.submit(events)
        assert log.flush()
    opened = open_window(qtbot, config, data, monitor=False)
    try:
        yield opened.details_of(qtbot, profile.id, timeout_ms=timeout)
    finally:
        opened.close()


def shown(qtbot: QtBot, dock: DetailsDock, profile_id: str) -> None:
    with qtbot.waitSignal(dock.loaded, timeout=5000, check_params_cb=lambda p: p == profile_id):
        pass


def test_enter_on_a_row_shows_its_history(
    qtbot: QtBot, history: tuple[Opened, Profile, Profile]
) -> None:
    opened, db, _cache = history
    window, dock = opened.window, opened.window.details
    assert not dock.isVisible()
    table = window.table.table
    row = source_row(window, db.id)
    table.setFocus()
    table.setCurrentIndex(row)
    with qtbot.waitSignal(dock.loaded, timeout=5000):
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert dock.isVisible() and window.commands["details"].isChecked()
    assert dock.title.text().startswith("orders db — 127.0.0.1:5432")
    assert dock.notes.text() == "Call Ana before restarting."
    # 30 days: one outage of the target (ten minutes, refused) and one of this computer's.
    assert dock.outages_label.text() == "1 (not counted: 1 when this computer was offline)"
    assert dock.longest_label.text().startswith("10 min, from ")
    assert dock.longest_label.text().endswith("(refused)")
    assert dock.recovery_label.text() == "10 min"
    assert dock.degraded_label.text() == "5 min"
    assert dock.uptime_label.text().startswith("24 h: 100 %")  # 2 min offline not counted
    # The last 24 h: the offline minutes only; the chart has every minute stored.
    assert dock.outage_table.rowCount() == 1
    assert dock.outage_table.item(0, 2).text() == "local network"
    chart = dock.chart
    assert chart is not None
    xs, means = chart.mean.getData()
    assert len(xs) == 119 and {round(m) for m in means if not math.isnan(m)} == {2, 4}
    assert len(chart.spans) == 2  # the offline minutes, and degraded as the day began
    hover = chart.text_at(ago(minutes=30).timestamp() + 5)
    assert "1 checks failed" in hover or "1 check failed" in hover
    assert "mean 2.00" in chart.text_at(ago(minutes=90).timestamp() + 5)
    assert "down: local network" in chart.text_at(ago(minutes=59).timestamp())


def test_periods_and_the_current_row(
    qtbot: QtBot, history: tuple[Opened, Profile, Profile]
) -> None:
    opened, db, cache = history
    window, dock = opened.window, opened.window.details
    window.show_details(db.id)
    shown(qtbot, dock, db.id)
    with qtbot.waitSignal(dock.loaded, timeout=5000):
        dock.set_period("7 d")
    assert dock.outage_table.rowCount() == 2  # the refusal two days ago too
    assert dock.chart is not None and len(dock.chart.spans) == 3  # two outages, one degraded
    assert dock.history is not None and dock.history.bucket_s == 420  # 7 d in <= 1,500 buckets
    row = source_row(window, cache.id)
    with qtbot.waitSignal(dock.loaded, timeout=5000):
        window.table.table.setCurrentIndex(row)  # the dock follows the current row
    assert dock.title.text().startswith("cache")
    assert dock.outages_label.text() == "0" and dock.longest_label.text() == "–"
    assert dock.notes.isHidden()


def test_the_last_connection_removed_leaves_no_history_under_select_a_connection(
    qtbot: QtBot, history: tuple[Opened, Profile, Profile]
) -> None:
    """Its details open, the last connection removed: the dock read "Select a connection to
    see its history." above the removed connection's chart, uptime and outages."""
    opened, db, cache = history
    window, dock = opened.window, opened.window.details
    window.registry.profiles.remove([cache.id])
    window.show_details(db.id)
    shown(qtbot, dock, db.id)
    assert dock.outage_table.rowCount() == 1 and dock.uptime_label.text()
    window.registry.profiles.remove([db.id])
    qtbot.waitUntil(lambda: window.model.rowCount() == 0, timeout=3000)
    assert dock.title.text() == "Select a connection to see its history."
    assert dock.outage_table.rowCount() == 0
    labels = (dock.uptime_label, dock.outages_label, dock.recovery_label, dock.longest_label)
    assert [label.text() for label in labels] == ["", "", "", ""]
    assert dock.chart is not None and dock.chart.isHidden()
    assert dock.history is None


def test_export_report_of_the_selection_or_of_all(
    qtbot: QtBot, history: tuple[Opened, Profile, Profile], tmp_path: Path
) -> None:
    opened, db, cache = history
    window = opened.window
    menu_texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "Export &report" in menu_texts
    with qtbot.waitSignal(window.reports.message, timeout=5000) as told:
        window.reports.write(tmp_path / "all.html", 7)
    assert "2 connections" in told.args[0]
    page = (tmp_path / "all.html").read_text()
    assert "orders db" in page and "cache" in page and page.count("<svg") == 2
    window.table.select_ids([cache.id])
    with qtbot.waitSignal(window.reports.message, timeout=5000):
        window.reports.write(tmp_path / "one.csv", 30)
    rows = (tmp_path / "one.csv").read_text().splitlines()
    assert len(rows) == 2 and rows[1].startswith("cache,")
    (tmp_path / "folder.html").mkdir()
    with qtbot.waitSignal(window.reports.problem, timeout=5000) as failed:
        window.reports.write(tmp_path / "folder.html", 1)
    assert failed.args[0] == "The report was not written" and "folder" in failed.args[1]
    assert db.id not in window.table.selected_ids()


def test_the_dock_is_built_when_first_wanted_and_reopens_where_it_was_left(
    qtbot: QtBot, history: tuple[Opened, Profile, Profile]
) -> None:
    """Hidden at start-up, the dock is not built before the first frame: the table's current
    row is remembered for it, and the Details action builds it showing that row. Left open
    at quit, the next start builds it at once and restores it open; closed, it waits."""
    opened, db, _cache = history
    window = opened.window
    assert not window._details.built
    window.table.table.setCurrentIndex(source_row(window, db.id))
    assert not window._details.built, "following the current row does not build it"
    window.commands["details"].trigger()
    dock = window.details
    shown(qtbot, dock, db.id)
    assert dock.isVisible() and dock.title.text().startswith("orders db")
    window.commands["details"].trigger()
    assert not dock.isVisible() and not window.commands["details"].isChecked()
    window.commands["details"].trigger()
    assert dock.isVisible()

    config, data = opened.session.config_dir, opened.session.data_dir
    opened.close()  # saves the window's state: the dock open
    again = open_window(qtbot, config, data, monitor=False)
    try:
        again.window.show()
        assert again.window._details.built
        qtbot.waitUntil(again.window.details.isVisible, timeout=5000)
        assert again.window.commands["details"].isChecked()
        again.window.commands["details"].trigger()
    finally:
        again.close()  # the dock closed this time
    third = open_window(qtbot, config, data, monitor=False)
    try:
        third.window.show()
        assert not third.window._details.built
        assert not third.window.commands["details"].isChecked()
    finally:
        third.close()


def on_another_programs_database(qtbot: QtBot, tmp_path: Path) -> tuple[Opened, Profile]:
    """The window on an events.sqlite3 that is another program's database, with a profile."""
    db = make_profile("127.0.0.1", 5432, name="orders db")
    config, data = tmp_path / "config", tmp_path / "data"
    ProfileStore(config).save([db])
    data.mkdir()
    with sqlite3.connect(data / "events.sqlite3") as other:
        other.execute("CREATE TABLE notes (text)")
    return open_window(qtbot, config, data, monitor=False), db


def test_without_a_usable_event_log_no_history_passes_for_an_empty_one(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """The dock used to show nothing at all, the log pane no older events, and the report an
    empty page, as if the connection had no history: each now says it cannot be read, why,
    and the report writes nothing."""
    opened, db = on_another_programs_database(qtbot, tmp_path)
    window = opened.window
    try:
        assert opened.session.eventlog is not None and not opened.session.eventlog.opened_once
        with qtbot.waitSignal(window.log_pane.statusMessage, timeout=5000) as said:
            window.show()
            window.log_pane.model.reload()
        assert said.args[0].startswith("Older events could not be read: the event log cannot")
        assert "events.sqlite3" in said.args[0]  # which file, and why
        window.show_details(db.id)
        label = window.details.uptime_label
        qtbot.waitUntil(lambda: "cannot be read" in label.text(), timeout=5000)
        assert "the event log cannot be used: " in label.text() and "events.sqlite3" in label.text()
        with qtbot.waitSignal(window.reports.problem, timeout=5000) as failed:
            window.reports.write(tmp_path / "report.html", 7)
        assert failed.args[0] == "The report was not written"
        assert "the event log cannot be used" in failed.args[1]
        assert not (tmp_path / "report.html").exists()
    finally:
        opened.close()


def test_a_flapping_connection_is_shown_from_what_its_pixels_show(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """3,000 outages in a day were each handed to the window: the chart sorted and merged them
    all on the GUI thread at every refresh and went through all of them at each move of the
    mouse. It now gets the newest 500 for the list (which says so), the count, and shading
    merged to a bucket; hovering still says why it was down."""
    from tcpmonitor_gui.ui.details.chart import MAX_SPANS  # imports pyqtgraph

    flapping = make_profile("127.0.0.1", 5432, name="flapping")
    flaps = (
        ev(flapping, ago(hours=23) + dt.timedelta(seconds=10 * i),
           State.DOWN if i % 2 == 0 else State.UP, cause=Cause.CONNECT_TIMEOUT)
        for i in range(6000)
    )  # fmt: skip
    with details_of(qtbot, tmp_path, flapping, flaps, timeout=20_000) as dock:
        history, chart = dock.history, dock.chart
        assert history is not None and chart is not None
        assert len(history.outages) == 500 and dock.outage_table.rowCount() == 501
        more = dock.outage_table.item(500, 0)  # the list says it is the newest only
        assert more is not None and more.text() == "… and 2500 older"
        assert dock.outage_table.columnSpan(500, 0) == 4
        assert history.outage_count == 3000 and dock.outages_label.text() == "3000"
        assert len(history.shaded) == 1 and 1 <= len(chart.spans) <= MAX_SPANS
        inside = ago(hours=23).timestamp() + 3
        assert "down: connect timeout" in chart.text_at(inside)
        assert "down" not in chart.text_at(ago(hours=2).timestamp())


def test_a_drop_going_on_lasts_what_it_lasted_though_the_clock_was_set_forward(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Down 5 min, the wall clock set forward a day 2 min into it (NTP, a VM restored from a
    snapshot): the log has the drop a day and 5 min ago, and measured to the wall clock the
    list and the longest outage said "1 d"; the table saw the drop come and says how long it
    really lasts."""
    db = make_profile("127.0.0.1", 5432, name="orders db")
    config, data = tmp_path / "config", tmp_path / "data"
    ProfileStore(config).save([db])
    drop = ev(db, ago(days=1, minutes=5), State.DOWN, cause=Cause.REFUSED)
    with EventLog(data / "events.sqlite3") as log:
        log.submit([ev(db, ago(days=3), State.UP)])
        assert log.flush()
    opened = open_window(qtbot, config, data, monitor=False)
    try:
        log = opened.session.usable_eventlog()  # the drop comes while the window is open
        log.submit([drop])
        assert log.flush()
        window = opened.window
        window.show()
        window.model.apply_events([dataclasses.replace(drop, elapsed=steady() - 300)])
        dock = window.details
        window.show_details(db.id)
        shown(qtbot, dock, db.id)
        assert dock.outage_table.item(0, 3).text() == "ongoing"
        assert dock.outage_table.item(0, 1).text() == "5 min"
        assert dock.longest_label.text().startswith("5 min, from ")
    finally:
        opened.close()


def test_a_latency_with_no_neighbour_is_drawn(qtbot: QtBot, tmp_path: Path) -> None:
    """A watch times only its handshake, once per connection: its chart had one minute with a
    latency among minutes without, drawn as a line from nowhere to nowhere, which is nothing.
    The chart of a connection watched for hours stayed empty, its axis going 0.1 to 0.9 ms."""
    watched = make_profile("127.0.0.1", 5432, "watch", name="watched")
    checks = (
        ev(watched, ago(minutes=minute) + dt.timedelta(seconds=10), State.UP,
           kind=Kind.SAMPLE, latency_ms=3.0 if minute == 30 else None)
        for minute in range(1, 60)
    )  # fmt: skip
    with details_of(qtbot, tmp_path, watched, checks) as dock:
        with qtbot.waitSignal(dock.loaded, timeout=5000):
            dock.set_period("1 h")
        chart = dock.chart
        assert chart is not None
        qtbot.waitExposed(chart.plot)
        image = chart.plot.grab().toImage()
        mean = chart.mean.opts["pen"].color()

        def near(x: int, y: int) -> bool:  # the line's colour, more or less smoothed
            c = image.pixelColor(x, y)
            return (
                abs(c.red() - mean.red())
                + abs(c.green() - mean.green())
                + abs(c.blue() - mean.blue())
                < 90
            )

        drawn = sum(near(x, y) for x in range(image.width()) for y in range(image.height()))
        assert drawn >= 4, "the minute with a latency is not to be seen"


def test_a_period_with_no_latency_shows_no_latency_scale(qtbot: QtBot, tmp_path: Path) -> None:
    """A period whose checks all failed kept the scale of what was shown before it (another
    period, another connection): a port that never answered showed 0.03 to 0.055 ms, the
    range of the watch looked at just before. It shows no numbers, and says why."""
    refusing = make_profile("127.0.0.1", 5432, name="refusing")
    checks = [
        ev(refusing, ago(hours=3), State.UP, kind=Kind.SAMPLE, latency_ms=3.0),
        ev(refusing, ago(hours=3) + dt.timedelta(minutes=1), State.UP, kind=Kind.SAMPLE,
           latency_ms=4.0),
        *(ev(refusing, ago(minutes=minute), State.DOWN, kind=Kind.SAMPLE, cause=Cause.REFUSED)
          for minute in range(1, 30)),
    ]  # fmt: skip
    with details_of(qtbot, tmp_path, refusing, checks) as dock:
        chart = dock.chart
        assert chart is not None
        left = chart.plot.getAxis("left")
        assert left.style["showValues"]  # the last 24 h: 3 and 4 ms
        with qtbot.waitSignal(dock.loaded, timeout=5000):
            dock.set_period("1 h")
        assert not left.style["showValues"]
        assert chart.readout.text() == "No check measured a latency in this period."
        with qtbot.waitSignal(dock.loaded, timeout=5000):
            dock.set_period("24 h")
        assert left.style["showValues"] and chart.readout.text().strip() == ""


def test_an_uptime_over_a_window_mostly_unwatched_says_how_long_it_was_watched(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """A connection added a minute and a half ago, down for its last half minute, read
    "30 d: 66.6 %": a month's word on 90 s. It says how long it was watched."""
    new = make_profile("127.0.0.1", 5432, name="new")
    events = [
        ev(new, ago(seconds=90), State.UP),
        ev(new, ago(seconds=30), State.DOWN, cause=Cause.REFUSED, detail="connection refused"),
        # Its last check (the log of a program that stopped without a word ends there).
        ev(new, ago(), State.DOWN, kind=Kind.SAMPLE, cause=Cause.REFUSED),
    ]
    with details_of(qtbot, tmp_path, new, events) as dock:
        parts = dock.uptime_label.text().split(" · ")
    assert len(parts) == 3
    assert all(p.endswith(": 66.6 % (of 1 min 30 s watched)") for p in parts), parts


def test_an_uptime_watched_for_the_whole_window_says_nothing_more(
    history: tuple[Opened, Profile, Profile], qtbot: QtBot
) -> None:
    opened, db, _cache = history
    dock = opened.window.details
    with qtbot.waitSignal(dock.loaded, timeout=5000):
        opened.window.show_details(db.id)
    day, week, month = dock.uptime_label.text().split(" · ")
    assert "watched" not in day  # watched for three days: the whole of the last 24 h
    assert week.endswith(" d 23 h watched)") and month.endswith(" d 23 h watched)")


def planned_and_not() -> tuple[Profile, list[Event]]:
    """A profile's two drops of an hour: one in a maintenance window, then one of the target."""
    p = make_profile("127.0.0.1", 5432, name="orders db")
    return p, [
        ev(p, ago(hours=5), State.UP),
        ev(p, ago(hours=4), State.DOWN, cause=Cause.REFUSED, maintenance=True),
        ev(p, ago(hours=3), State.UP, maintenance=True),
        ev(p, ago(hours=2), State.DOWN, cause=Cause.RESET),
        ev(p, ago(hours=1), State.UP),
    ]


def test_an_outage_in_a_maintenance_window_is_marked_as_tcpmonitor_outages_marks_it(
    qtbot: QtBot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The summary said "1 (... in maintenance windows)" above two outages alike, with
    nothing to tell which was planned; ``tcpmonitor outages`` notes it ("maintenance")."""
    p, events = planned_and_not()
    with details_of(qtbot, tmp_path, p, events) as dock:
        assert dock.outages_label.text() == "1 (not counted: 1 in maintenance windows)"
        table = dock.outage_table
        causes = [table.item(row, 2).text() for row in range(table.rowCount())]
    assert causes == ["reset", "refused (in a maintenance window)"]  # newest first
    dirs = ["--config-dir", str(tmp_path / "config"), "--data-dir", str(tmp_path / "data")]
    assert cli_main(["outages", "--since", "1d", "--json", *dirs]) == 0
    told = [json.loads(line) for line in capsys.readouterr().out.splitlines()][::-1]
    assert [(o["cause"], o["maintenance"]) for o in told] == [("reset", False), ("refused", True)]


def test_the_outages_not_counted_are_told_apart_from_the_count_in_chinese(
    qtbot: QtBot, tmp_path: Path, chinese: None
) -> None:
    """One drop of the target and one in a maintenance window read "1 (1 in maintenance
    windows)", in Chinese "1 (其中 1 次在维护时段内)": "of which one was planned", where
    the planned one is not among those counted."""
    p, events = planned_and_not()
    with details_of(qtbot, tmp_path, p, events) as dock:
        assert dock.outages_label.text() == "1（不计入：1 次在维护时段内）"


def test_the_periods_are_in_the_windows_language(
    qtbot: QtBot, tmp_path: Path, chinese: None
) -> None:
    """The Chinese details read "1 h", "24 h", "7 d", "30 d" on their buttons and "24 h:
    66.9 %" in the uptime, beside "持续 12 秒" in the table and "中断次数(30 天)" above."""
    p, events = planned_and_not()
    with details_of(qtbot, tmp_path, p, events) as dock:
        texts = [b.text() for b in dock.period_buttons.buttons()]
        assert texts == ["1 小时", "24 小时", "7 天", "30 天"]
        assert dock.uptime_label.text().startswith("24 小时：")
        assert " · 7 天：" in dock.uptime_label.text()
        with qtbot.waitSignal(dock.loaded, timeout=5000):
            dock.period_buttons.buttons()[2].click()
        assert dock.period == "7 d"


def test_an_outage_ended_by_a_restart_says_so_in_chinese(
    qtbot: QtBot, tmp_path: Path, chinese: None
) -> None:
    """A drop whose next row is a start's "connecting" (nothing said it stopped before: a
    program killed where its states could not be ended) read "monitoring restarted" in
    English in the Chinese window's outage list."""
    p = make_profile("127.0.0.1", 5432, name="db")
    events = [
        ev(p, ago(hours=2), State.DOWN, cause=Cause.REFUSED),
        ev(p, ago(hours=1), State.CONNECTING),
        ev(p, ago(hours=1) + dt.timedelta(seconds=1), State.UP),
    ]
    with details_of(qtbot, tmp_path, p, events) as dock:
        assert dock.outage_table.item(0, 3).text() == "监控已重新启动"


def test_a_history_that_cannot_be_read_is_said_in_chinese(
    qtbot: QtBot, tmp_path: Path, chinese: None
) -> None:
    """The Chinese details dock said "the event log cannot be used: ..." in English, and so did
    the banner when the report could not be written for the same reason."""
    opened, db = on_another_programs_database(qtbot, tmp_path)
    window = opened.window
    file = str(tmp_path / "data" / "events.sqlite3")
    try:
        window.show()
        window.show_details(db.id)
        label = window.details.uptime_label
        qtbot.waitUntil(lambda: file in label.text(), timeout=5000)
        assert label.text().startswith("无法读取历史：无法使用事件日志："), label.text()
        assert re.search("[A-Za-z]", label.text().replace(file, "")) is None, label.text()
        report = tmp_path / "report.html"
        with qtbot.waitSignal(window.reports.problem, timeout=5000) as failed:
            window.reports.write(report, 7)
        said = failed.args[1].replace(str(report), "").replace(file, "")
        assert "无法使用事件日志" in said and re.search("[A-Za-z]", said) is None, failed.args
    finally:
        opened.close()


def test_an_outage_ended_by_a_new_target_says_so_in_chinese(
    qtbot: QtBot, tmp_path: Path, chinese: None
) -> None:
    """A drop whose connection was given another host or port ends there: "target changed"
    (it was "recovered" or "monitoring restarted", by a target it never watched)."""
    p = make_profile("127.0.0.1", 5432, name="db")
    events = [
        ev(p, ago(hours=2), State.DOWN, cause=Cause.RESET),
        ev(p, ago(hours=1), State.UNKNOWN, detail=TARGET_CHANGED),
        ev(p, ago(hours=1) + dt.timedelta(seconds=1), State.UP),
    ]
    with details_of(qtbot, tmp_path, p, events) as dock:
        assert dock.outage_table.item(0, 3).text() == "目标已更改"


def export_refusals(qtbot: QtBot, window: MainWindow, target: Path) -> list[tuple[str, str]]:
    """What the window says when the report, the event log's CSV and the connections are each
    exported to ``target``, and refused: ``(title, text)`` each."""
    exports = [
        (window.reports.problem, lambda: window.reports.write(target, 7)),
        (window.log_pane.problem, lambda: window.log_pane.export_csv(target)),
        (window.profiles.problem, lambda: window.profiles.export_file(target)),
    ]
    said = []
    for problem, export in exports:
        with qtbot.waitSignal(problem, timeout=5000) as signal:
            export()
        said.append((signal.args[0], signal.args[1]))
    return said


def test_an_export_onto_the_programs_own_file_is_refused_in_chinese(
    qtbot: QtBot, tmp_path: Path, chinese: None
) -> None:
    """The report, the event log's CSV and the connections exported onto one of the
    program's own files are refused, and the Chinese window said why in English ("is TCP
    Monitor's own profiles.json; nothing written, choose another file")."""
    config, data = tmp_path / "config", tmp_path / "data"
    ProfileStore(config).save([make_profile("127.0.0.1", 5432, name="db")])
    opened = open_window(qtbot, config, data, monitor=False)
    own = config / "profiles.json"
    before = own.read_bytes()
    try:
        for title, text in export_refusals(qtbot, opened.window, own):
            words = title + text.replace(str(own), "").replace("profiles.json", "")
            words = words.replace("TCP Monitor", "")  # the program's name, in every language
            assert re.search("[A-Za-z]", words) is None, (title, text)
    finally:
        opened.close()
    assert own.read_bytes() == before  # nothing written


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_an_export_onto_a_pipe_or_a_folder_is_refused_in_chinese(
    qtbot: QtBot, tmp_path: Path, chinese: None, kind: str
) -> None:
    """A report, the log's CSV or the connections saved onto a named pipe or a folder is
    refused, and the Chinese window said why in English ("is a named pipe (FIFO), not a
    file; nothing written")."""
    target = tmp_path / "out.csv"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    opened = open_window(qtbot, tmp_path / "config", tmp_path / "data", monitor=False)
    opened.window.profiles.profiles.add([make_profile("127.0.0.1", 5432, name="db")])
    try:
        for title, text in export_refusals(qtbot, opened.window, target):
            assert text.startswith(f"{target}: "), text
            words = title + text.replace(str(target), "").replace("FIFO", "")
            assert re.search("[A-Za-z]", words) is None, (title, text)
    finally:
        opened.close()
    assert target.is_fifo() if kind == "fifo" else target.is_dir()


@pytest.mark.parametrize("kind", ["long name", "link loop"])
def test_an_export_the_system_refuses_is_said_in_chinese(
    qtbot: QtBot, tmp_path: Path, chinese: None, kind: str
) -> None:
    """A file name of 86 Chinese characters or more is more than the 255 bytes a name may
    have, and the Chinese window said "File name too long"; a link that leads to itself,
    "Too many levels of symbolic links": the system's words, in English."""
    out = tmp_path / "out"
    out.mkdir()
    if kind == "long name":
        target = out / ("连接报告" * 25 + ".csv")
    else:
        target = out / "loop.csv"
        target.symlink_to(target)
    opened = open_window(qtbot, tmp_path / "config", tmp_path / "data", monitor=False)
    opened.window.profiles.profiles.add([make_profile("127.0.0.1", 5432, name="db")])
    try:
        for title, text in export_refusals(qtbot, opened.window, target):
            assert text.startswith(f"{target}: "), text
            words = title + text.replace(str(target), "")
            assert re.search("[A-Za-z]", words) is None, (title, text)
    finally:
        opened.close()
    left = {p.name for p in out.iterdir()}
    assert left == ({target.name} if kind == "link loop" else set())  # nothing written
