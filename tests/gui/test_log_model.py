"""The event log model: incremental live rows, bounded, with stored history paged in lazily."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.action_runner import ActionRunner
from tcpmonitor_gui.core.actions import parse
from tcpmonitor_gui.core.actions import test_event as change
from tcpmonitor_gui.core.eventlog import EventLog, EventLogError
from tcpmonitor_gui.core.eventqueries import EventPage
from tcpmonitor_gui.core.events import Cause, Event, Kind, State
from tcpmonitor_gui.ui.log.model import (
    ROWS_PER_TURN,
    Column,
    LogModel,
    Role,
    readable_state_color,
)
from tcpmonitor_gui.ui.log.pane import LogFilterProxy

BASE = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
STORED = 500


def state_event(
    i: int,
    *,
    profile: str = "p1",
    name: str = "Orders DB",
    state: State | None = None,
    cause: Cause | None = None,
    detail: str = "",
    address: str | None = None,
    ts: dt.datetime | None = None,
) -> Event:
    """The i-th event of a profile that alternates down (odd i) and up (even i)."""
    if state is None:
        state = State.DOWN if i % 2 else State.UP
    previous = State.UP if state is not State.UP else State.DOWN
    if cause is None and state is State.DOWN:
        cause = Cause.RESET
    return Event(
        ts=ts or BASE + dt.timedelta(seconds=i),
        profile_id=profile,
        profile_name=name,
        kind=Kind.STATE,
        state=state,
        previous=previous,
        cause=cause,
        detector="watch",
        latency_ms=None,
        detail=detail or f"event {i}",
        detection_ms=0.4 if state is State.DOWN else None,
        address=address,
    )


def sample(i: int) -> Event:
    return dataclasses.replace(state_event(i), kind=Kind.SAMPLE, state=State.UP, latency_ms=1.0)


class StoredHistory:
    """The history callable the main window builds: ``event_page`` on an executor thread.

    Records the threads the queries ran on, so tests can prove the GUI thread never did.
    """

    def __init__(self, log: EventLog, executor: ThreadPoolExecutor) -> None:
        self.log = log
        self.executor = executor
        self.threads: set[int] = set()
        self.calls: list[tuple[int | None, int]] = []

    def __call__(self, before_id: int | None, limit: int) -> Future[EventPage]:
        self.calls.append((before_id, limit))

        def query() -> EventPage:
            self.threads.add(threading.get_ident())
            return self.log.event_page(before_id, limit)

        return self.executor.submit(query)


@pytest.fixture
def event_log(tmp_path: Path) -> Iterator[EventLog]:
    log = EventLog(tmp_path / "events.sqlite3").start()
    try:
        yield log
    finally:
        log.close()


@pytest.fixture
def stored(event_log: EventLog) -> Iterator[StoredHistory]:
    """A real event log holding STORED state events one second apart."""
    event_log.submit(state_event(i) for i in range(STORED))
    assert event_log.flush()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="history") as executor:
        yield StoredHistory(event_log, executor)


def page_all(qtbot: QtBot, model: LogModel) -> None:
    """Page older history until the model says it is exhausted, one request at a time."""
    while not model.history_exhausted:
        model.fetch_older()
        assert not model.fetch_older(), "a second page was requested while one was loading"
        # A deadline, not a speed bound: a page with the model tester attached took over 5 s
        # on a loaded 2-core machine.
        qtbot.waitUntil(lambda: not model.fetching, timeout=30_000)


def ordered(model: LogModel) -> LogFilterProxy:
    """The rows as the pane shows them: the store is a ring, its proxy puts it in time order
    (nothing filtered here)."""
    proxy = LogFilterProxy()  # owned by the test (a child of the model crashed at GC)
    proxy.quiet = False
    proxy.setSourceModel(model)
    proxy.sort(0, model.sort_order)
    return proxy


def shown(model: LogModel) -> list[Event]:
    view = ordered(model)
    events = [view.index(row, 0).data(Role.EVENT) for row in range(view.rowCount())]
    assert events == model.events()
    return events


def key(e: Event) -> tuple[dt.datetime, str, State]:
    return e.ts, e.profile_id, e.state


@pytest.mark.parametrize("newest_first", [True, False])
def test_model_passes_the_model_tester_through_appends_flips_and_clears(
    qtmodeltester: object, newest_first: bool
) -> None:
    model = LogModel(max_rows=8, newest_first=newest_first)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    model.append([state_event(0), state_event(1)])
    model.append([state_event(i) for i in range(2, 12)])  # over the bound
    model.set_newest_first(not newest_first)
    model.append([state_event(12)])
    model.clear_view()
    model.append([state_event(13)])
    assert model.rowCount() == 1


@pytest.mark.parametrize("newest_first", [True, False])
def test_append_inserts_rows_at_the_newest_end_without_a_reset(newest_first: bool) -> None:
    model = LogModel(newest_first=newest_first)
    inserts: list[tuple[int, int]] = []
    resets: list[None] = []
    model.rowsInserted.connect(lambda _p, first, last: inserts.append((first, last)))
    model.modelReset.connect(lambda: resets.append(None))
    view = ordered(model)
    model.append([state_event(0), state_event(1)])
    model.append([state_event(2), state_event(3), state_event(4)])
    assert resets == []
    assert inserts == [(i, i) for i in range(5)]  # the store's end: each row with its cells
    assert view.index(0, 0).data(Role.EVENT).detail == ("event 4" if newest_first else "event 0")
    details = [e.detail for e in shown(model)]
    expected = [f"event {i}" for i in range(5)]
    assert details == (expected[::-1] if newest_first else expected)


def test_samples_are_ignored() -> None:
    model = LogModel()
    inserts: list[int] = []
    model.rowsInserted.connect(lambda *_: inserts.append(1))
    model.append([sample(0), sample(1)])
    assert model.rowCount() == 0
    assert inserts == []
    model.append([sample(2), state_event(3), sample(4)])
    assert [e.kind for e in shown(model)] == [Kind.STATE]


@pytest.mark.parametrize("newest_first", [True, False])
def test_rows_are_bounded_by_replacing_the_oldest_in_place(newest_first: bool) -> None:
    model = LogModel(max_rows=5, newest_first=newest_first)
    removed: list[tuple[int, int]] = []
    changed: list[tuple[int, int]] = []
    model.rowsRemoved.connect(lambda _p, first, last: removed.append((first, last)))
    model.dataChanged.connect(lambda top, bottom, _r: changed.append((top.row(), bottom.row())))
    model.append([state_event(i) for i in range(3)])
    model.append([state_event(i) for i in range(3, 7)])
    assert removed == []  # a ring: the two newest took the two oldest rows' places
    assert changed == [(0, 1)] and model.rowCount() == 5
    expected = [f"event {i}" for i in range(2, 7)]
    assert [e.detail for e in shown(model)] == (expected[::-1] if newest_first else expected)
    model.append([state_event(i) for i in range(7, 20)])  # one batch larger than the bound
    assert sorted(int(e.detail.split()[1]) for e in shown(model)) == list(range(15, 20))
    assert removed == [] and model.rowCount() == 5


@pytest.mark.parametrize("newest_first", [True, False])
def test_a_burst_is_shown_a_piece_per_turn_in_order_and_once(
    qtbot: QtBot, newest_first: bool
) -> None:
    model = LogModel(newest_first=newest_first)
    inserts: list[int] = []
    model.rowsInserted.connect(lambda _p, first, last: inserts.append(last - first + 1))
    extra = ROWS_PER_TURN // 2
    burst = [state_event(i, profile=f"p{i}") for i in range(2 * ROWS_PER_TURN + extra)]
    model.append(burst)
    assert model.rowCount() == ROWS_PER_TURN  # the first piece at once
    assert model.waiting == ROWS_PER_TURN + extra
    model.append(burst[:10])  # again while waiting: not shown twice
    model.append([state_event(9999, profile="late")])  # after the burst, not before
    qtbot.waitUntil(lambda: model.waiting == 0, timeout=5000)
    assert sum(inserts) == 2 * ROWS_PER_TURN + extra + 1  # each row once
    order = [e.detail for e in shown(model)]
    expected = [e.detail for e in burst] + ["event 9999"]
    assert order == (expected[::-1] if newest_first else expected)
    model.append([state_event(i, profile=f"q{i}") for i in range(2 * ROWS_PER_TURN)])
    model.clear_view()  # what waited goes with what was shown, and nothing more comes
    assert model.rowCount() == 0 and model.waiting == 0
    assert not model._waiting._timer.isActive()


def test_history_is_paged_in_newest_first_off_the_gui_thread(
    qtbot: QtBot, qtmodeltester: object, stored: StoredHistory
) -> None:
    model = LogModel(stored, page_size=200)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    page_all(qtbot, model)
    assert model.rowCount() == STORED
    assert not model.canFetchMore(QModelIndex())
    times = [e.ts for e in shown(model)]
    assert times == sorted(times, reverse=True)
    assert [limit for _, limit in stored.calls] == [200, 200, 200]  # the last came back short
    assert stored.calls[0][0] is None
    ids = [model.index(row, 0).data(Role.ROW_ID) for row in range(model.rowCount())]
    assert ids == sorted(ids, reverse=True)
    assert threading.get_ident() not in stored.threads
    assert stored.threads


def test_history_fills_the_top_when_the_newest_are_last(
    qtbot: QtBot, stored: StoredHistory
) -> None:
    model = LogModel(stored, page_size=200, newest_first=False)
    model.append([state_event(STORED + 1)])  # live, newer than anything stored
    assert not model.canFetchMore(QModelIndex())  # Qt's views only ask at the bottom
    page_all(qtbot, model)
    assert model.rowCount() == STORED + 1
    times = [e.ts for e in shown(model)]
    assert times == sorted(times)
    assert shown(model)[-1].detail == f"event {STORED + 1}"


def test_live_events_that_history_brings_back_are_shown_once(
    qtbot: QtBot, stored: StoredHistory
) -> None:
    model = LogModel(stored, page_size=200)
    newest = [state_event(STORED - 2), state_event(STORED - 1)]
    model.append(newest)  # shown live before the page that also holds them arrived
    changed: list[int] = []
    model.dataChanged.connect(lambda top, _bottom, _roles: changed.append(top.row()))
    page_all(qtbot, model)
    assert model.rowCount() == STORED
    assert len({key(e) for e in shown(model)}) == STORED
    assert model.index(0, 0).data(Role.ROW_ID) is not None  # matched to its stored row
    assert sorted(changed) == [0, 1]
    model.append([state_event(STORED - 3)])  # and the other way round: paged, then live
    assert model.rowCount() == STORED


def test_clear_view_keeps_the_stored_history_and_does_not_page_it_back(
    qtbot: QtBot, stored: StoredHistory
) -> None:
    model = LogModel(stored, page_size=200)
    model.fetch_older()
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=5000)
    before = len(stored.log.event_rows())
    model.clear_view()
    assert model.rowCount() == 0
    assert not model.canFetchMore(QModelIndex())
    assert not model.fetch_older()
    assert len(stored.log.event_rows()) == before == STORED
    model.append([state_event(STORED + 1)])
    assert [e.detail for e in shown(model)] == [f"event {STORED + 1}"]
    model.reload()
    qtbot.waitUntil(lambda: not model.fetching, timeout=5000)
    assert model.rowCount() == 200
    assert shown(model)[0].detail == f"event {STORED - 1}"


class Marker(QObject):
    """A queued signal posted after the page: once it lands, the page has been handled too."""

    posted = Signal(object)


def test_a_page_that_arrives_after_a_clear_is_dropped(qtbot: QtBot) -> None:
    """A hand-completed future: the test must decide when the page lands."""
    pending: list[Future[EventPage]] = []

    def history(before_id: int | None, limit: int) -> Future[EventPage]:
        pending.append(Future())
        return pending[-1]

    model = LogModel(history)
    marker = Marker()
    landed: list[object] = []
    marker.posted.connect(landed.append, Qt.ConnectionType.QueuedConnection)
    assert model.fetch_older()
    model.clear_view()

    def complete() -> None:
        pending[0].set_result(EventPage([(1, state_event(1))], 0, 1, False))
        marker.posted.emit("after the page")

    done = threading.Thread(target=complete)
    done.start()
    done.join()
    qtbot.waitUntil(lambda: bool(landed), timeout=5000)
    assert model.rowCount() == 0
    assert not model.fetching


def test_history_is_bounded_too(qtbot: QtBot, stored: StoredHistory) -> None:
    model = LogModel(stored, max_rows=250, page_size=200)
    page_all(qtbot, model)
    assert model.rowCount() == 250
    assert [limit for _, limit in stored.calls] == [200, 50]


def test_a_history_that_cannot_be_read_stops_paging_and_says_why(qtbot: QtBot) -> None:
    def history(before_id: int | None, limit: int) -> Future[EventPage]:
        future: Future[EventPage] = Future()
        future.set_exception(EventLogError("events.sqlite3: cannot be read (disk I/O error)"))
        return future

    model = LogModel(history)
    with qtbot.waitSignal(model.historyFailed, timeout=5000) as failed:
        model.fetch_older()
    assert failed.args == ["events.sqlite3: cannot be read (disk I/O error)"]
    assert model.history_exhausted


def test_the_time_column_says_today_yesterday_or_the_date() -> None:
    model = LogModel()
    now = dt.datetime.now().astimezone()
    noon = now.replace(hour=12, minute=0, second=5, microsecond=0)
    when = [noon, noon - dt.timedelta(days=1), noon - dt.timedelta(days=3)]
    model.append([dataclasses.replace(state_event(i), ts=t.astimezone(dt.UTC))
                  for i, t in enumerate(when)])  # fmt: skip
    shown = sorted(str(model.index(r, Column.TIME).data()) for r in range(3))
    three_days = (noon - dt.timedelta(days=3)).strftime("%Y-%m-%d 12:00")
    assert shown == sorted(["12:00:05", "yesterday 12:00", three_days])


def test_columns_show_what_changed_and_why() -> None:
    model = LogModel()
    down = dataclasses.replace(
        state_event(1, cause=Cause.CLOSED_BY_PEER, address="10.0.0.7:5432"), detection_ms=212.4
    )
    model.append([down])
    view = ordered(model)  # row 0 is the newest

    def text(column: Column) -> str:
        return str(view.index(0, column).data())

    local = BASE.replace(second=1).astimezone()
    assert text(Column.TIME) == local.strftime("%Y-%m-%d %H:%M")  # fits; the tooltip is whole
    tip = str(model.tooltip(0, Column.TIME)).splitlines()  # asked on hover
    assert tip[0].startswith(local.strftime("%Y-%m-%d %H:%M:%S"))
    assert tip[1] == "2024-05-01T12:00:01.000Z (UTC)"
    assert text(Column.PROFILE) == "Orders DB"
    assert text(Column.CHANGE) == "up → down"
    assert not view.index(0, Column.CHANGE).data(Qt.ItemDataRole.DecorationRole).isNull()
    assert text(Column.CAUSE) == "closed by peer"
    assert text(Column.DETECTION) == "212"
    assert text(Column.ADDRESS) == "10.0.0.7:5432"
    assert text(Column.DETAIL) == "event 1"
    assert view.index(0, 0).data(Role.EVENT) is down
    assert view.index(0, 0).data(Role.ROW_ID) is None
    today = state_event(2, ts=dt.datetime.now(dt.UTC))
    model.append([today])
    assert len(view.index(0, Column.TIME).data()) == len("12:00:00")
    assert view.index(0, Column.DETECTION).data() == ""  # an up event has none


def test_severity_colours_text_never_backgrounds() -> None:
    model = LogModel()
    model.append([state_event(0), state_event(1), state_event(2, state=State.DEGRADED)])
    view = ordered(model)
    degraded, down, up = 0, 1, 2
    for column in Column:
        assert view.index(down, column).data(Qt.ItemDataRole.ForegroundRole) is not None
        assert view.index(degraded, column).data(Qt.ItemDataRole.ForegroundRole) is not None
        assert view.index(up, column).data(Qt.ItemDataRole.BackgroundRole) is None
        up_colour = view.index(up, column).data(Qt.ItemDataRole.ForegroundRole)
        assert (up_colour is not None) == (column is Column.CHANGE)
    assert view.index(down, 0).data(Role.SEVERITY) > view.index(up, 0).data(Role.SEVERITY)


@pytest.mark.parametrize("base", ["#ffffff", "#1e1e1e"])
def test_severity_colours_are_readable_on_light_and_dark_themes(
    qapp: QGuiApplication, base: str
) -> None:
    saved = QGuiApplication.palette()
    palette = QPalette(saved)
    palette.setColor(QPalette.ColorRole.Base, QColor(base))
    QGuiApplication.setPalette(palette)
    try:
        for state in (State.DOWN, State.DEGRADED, State.UP):
            assert contrast(readable_state_color(state), QColor(base)) >= 4.5
    finally:
        QGuiApplication.setPalette(saved)


def contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        def lin(v: float) -> float:
            return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_a_row_replaced_at_the_bound_keeps_nothing_of_the_row_before() -> None:
    """At the bound a new row is written into the oldest row's cells: every role of theirs
    is rewritten, so a quiet line never shows the colour, tooltip or stored id of the loud
    line that was there before."""
    model = LogModel(max_rows=1)
    model.append([state_event(1, detail="port closed")])  # a down, in red, with a detail
    model._slots[0].row_id = 41  # as if matched to its stored row
    model.setData(model.index(0, 0), 41, Role.ROW_ID)
    assert model.index(0, Column.PROFILE).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.tooltip(0, Column.DETAIL) == "port closed"

    quiet = dataclasses.replace(state_event(2, state=State.CONNECTING), detail="")
    model.append([quiet])
    assert model.rowCount() == 1 and model.index(0, 0).data(Role.EVENT) is quiet
    for column in Column:
        assert model.index(0, column).data(Qt.ItemDataRole.ForegroundRole) is None, column
    assert model.tooltip(0, Column.DETAIL) is None
    assert model.index(0, Column.CHANGE).data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.index(0, 0).data(Role.ROW_ID) is None


def ran(on: str, command: list[str]) -> Event:
    """The ``action`` event the runner records for a real ``command`` run ``on`` a change."""
    recorded: list[Event] = []
    runner = ActionRunner(recorded.append)
    try:
        [action] = parse("actions", [{"on": on, "run": command}])
        runner.run_now([(action, change("p1", "Orders DB", "probe", on))], "127.0.0.1:1")
    finally:
        runner.close()
    [event] = recorded
    return event


def test_a_failed_action_is_marked_failed_not_coloured_as_the_change_it_ran_on() -> None:
    """A restart script that exited 1 on a recovery showed green like the recovery, and a
    page sent on a drop showed red like a failure: an action's line says how it went."""
    failed_up = ran("up", ["sh", "-c", "echo no tunnel; exit 1"])
    done_down = ran("down", ["true"])
    model = LogModel()
    model.append([state_event(2, state=State.UP), failed_up, done_down])
    view = ordered(model)
    failed, done = 1, 0  # newest first: the recovery's own line is row 2
    red = readable_state_color(State.DOWN)
    green = readable_state_color(State.UP)

    def cell(row: int, column: Column, role: Qt.ItemDataRole) -> object:
        return view.index(row, column).data(role)

    assert cell(failed, Column.CHANGE, Qt.ItemDataRole.DisplayRole) == "action on up failed"
    for column in Column:  # a failure, loud as a drop
        assert cell(failed, column, Qt.ItemDataRole.ForegroundRole) == red, column
    assert cell(done, Column.CHANGE, Qt.ItemDataRole.DisplayRole) == "action on down"
    assert cell(done, Column.CHANGE, Qt.ItemDataRole.ForegroundRole) == green
    assert cell(done, Column.PROFILE, Qt.ItemDataRole.ForegroundRole) is None
    icons = [cell(r, Column.CHANGE, Qt.ItemDataRole.DecorationRole) for r in range(3)]
    keys = {icon.cacheKey() for icon in icons}  # type: ignore[attr-defined]
    assert len(keys) == 3  # its own icon, neither the recovery's nor the other's
    at = next(r for r in range(3) if model.event_at(r) is failed_up)
    assert "failed" in model.haystack_at(at)  # the filter finds it by the word
