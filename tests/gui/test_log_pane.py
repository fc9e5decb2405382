"""The event log pane: filters, CSV export, clearing, and scrolling that respects the reader."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import os
import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QAccessible, QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import FIELDS, Cause, Event, Kind, State, iso_ms
from tcpmonitor_gui.ui.common.seen import rows_on_screen
from tcpmonitor_gui.ui.log.model import ROWS_PER_TURN, Column, LogModel, Role
from tcpmonitor_gui.ui.log.pane import LogFilterProxy, LogPane
from tests.gui.paints import Paints
from tests.gui.test_log_model import STORED, StoredHistory, page_all, sample, state_event


@pytest.fixture
def stored(tmp_path: Path) -> Iterator[StoredHistory]:
    """A real event log holding STORED state events one second apart."""
    with EventLog(tmp_path / "events.sqlite3") as log:
        log.submit(state_event(i) for i in range(STORED))
        assert log.flush()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="history") as executor:
            yield StoredHistory(log, executor)


def make_pane(
    qtbot: QtBot, stored: StoredHistory | None = None, *, max_rows: int = 10_000
) -> LogPane:
    pane = LogPane(stored, max_rows=max_rows)
    qtbot.addWidget(pane)
    pane.resize(900, 320)
    return pane


def show(qtbot: QtBot, pane: LogPane) -> None:
    pane.show()
    qtbot.waitExposed(pane)


def mixed_events() -> list[Event]:
    return [
        state_event(0, profile="p1", name="Orders DB", state=State.UP, detail="connected"),
        state_event(1, profile="p1", name="Orders DB", cause=Cause.RESET, address="10.0.0.7:5432"),
        state_event(
            2,
            profile="p2",
            name="Broker",
            state=State.DOWN,
            cause=Cause.REFUSED,
            detail="port closed",
        ),
        state_event(3, profile="p2", name="Broker", state=State.DEGRADED, detail="slow: 900 ms"),
        state_event(
            4,
            profile="p3",
            name="PLC",
            state=State.DOWN,
            cause=Cause.HEARTBEAT_TIMEOUT,
            detail="no reply",
        ),
    ]


def details(pane: LogPane) -> list[str]:
    proxy = pane.proxy
    return [proxy.index(row, 0).data(Role.EVENT).detail for row in range(proxy.rowCount())]


def test_filter_proxy_passes_the_model_tester(qtbot: QtBot, qtmodeltester: object) -> None:
    pane = make_pane(qtbot, max_rows=4)
    qtmodeltester.check(pane.proxy)  # type: ignore[attr-defined]
    pane.add_events(mixed_events()[:2])
    pane.proxy.set_states({State.DOWN})
    pane.add_events(mixed_events()[2:])  # over the bound
    pane.proxy.set_text("broker")
    pane.set_newest_first(False)
    pane.proxy.set_states(None)
    pane.model.clear_view()
    assert pane.proxy.rowCount() == 0


def test_filter_proxy_passes_the_model_tester_while_history_pages_in(
    qtbot: QtBot, qtmodeltester: object, stored: StoredHistory
) -> None:
    pane = make_pane(qtbot, stored)
    pane.proxy.set_states({State.DOWN})
    qtmodeltester.check(pane.proxy)  # type: ignore[attr-defined]
    pane.add_events([state_event(STORED + 1)])
    page_all(qtbot, pane.model)
    assert pane.proxy.rowCount() == STORED // 2 + 1
    pane.proxy.set_text("event 4")  # the downs (odd) among 40-49 and 400-499
    assert pane.proxy.rowCount() == 5 + 50


def test_filters_by_profile_state_cause_and_text(qtbot: QtBot) -> None:
    pane = make_pane(qtbot)
    pane.set_profiles([("p1", "Orders DB"), ("p2", "Broker"), ("p3", "PLC")])
    pane.add_events([*mixed_events(), sample(9)])
    assert len(details(pane)) == 5

    pane.profile_combo.setCurrentIndex(pane.profile_combo.findText("Broker"))
    assert details(pane) == ["slow: 900 ms", "port closed"]
    pane.state_combo.setCurrentIndex(pane.state_combo.findText("Degraded"))
    assert details(pane) == ["slow: 900 ms"]
    pane.profile_combo.setCurrentIndex(0)
    pane.state_combo.setCurrentIndex(pane.state_combo.findText("Down or degraded"))
    assert details(pane) == ["no reply", "slow: 900 ms", "port closed", "event 1"]
    pane.cause_combo.setCurrentIndex(pane.cause_combo.findText("Heartbeat timeout"))
    assert details(pane) == ["no reply"]
    pane.cause_combo.setCurrentIndex(0)
    pane.state_combo.setCurrentIndex(0)

    for text, expected in [
        ("ORDERS", ["event 1", "connected"]),  # profile name, any case
        ("10.0.0.7", ["event 1"]),  # address
        ("refused", ["port closed"]),  # cause
        ("heartbeat timeout", ["no reply"]),  # cause as shown
        ("900 ms", ["slow: 900 ms"]),  # detail
    ]:
        pane.text_filter.setText(text)
        assert details(pane) == expected, text


def test_profile_filter_accepts_all_and_follows_renamed_profiles(qtbot: QtBot) -> None:
    pane = make_pane(qtbot)
    pane.add_events(mixed_events())
    pane.set_profiles([("p1", "Orders DB"), ("p2", "Broker")])
    assert [pane.profile_combo.itemText(i) for i in range(3)] == [
        "All connections",
        "Broker",
        "Orders DB",
    ]
    pane.profile_combo.setCurrentIndex(2)
    pane.set_profiles([("p1", "Orders (primary)"), ("p3", "PLC")])
    assert pane.profile_combo.currentText() == "Orders (primary)"
    assert details(pane) == ["event 1", "connected"]
    pane.set_profiles([("p3", "PLC")])  # the chosen profile was removed
    assert pane.profile_combo.currentIndex() == 0
    assert len(details(pane)) == 5
    proxy = LogFilterProxy()
    proxy.set_profile("all")
    proxy.setSourceModel(pane.model)
    assert proxy.rowCount() == 5


@pytest.mark.parametrize("newest_first", [True, False])
def test_export_writes_the_filtered_rows_in_the_order_shown(
    qtbot: QtBot, tmp_path: Path, newest_first: bool
) -> None:
    pane = make_pane(qtbot)
    pane.set_newest_first(newest_first)
    events = mixed_events()
    pane.add_events(events)
    pane.state_combo.setCurrentIndex(pane.state_combo.findText("Down"))
    target = tmp_path / "out.csv"
    target.write_text("an older export\n")

    assert pane.export_csv(target).result(5) == 3

    with target.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == FIELDS
        rows = list(reader)
    downs = [e for e in events if e.state is State.DOWN]
    expected = [
        {
            k: "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
            for k, v in e.to_dict().items()
        }
        for e in (downs[::-1] if newest_first else downs)
    ]
    assert rows == expected
    assert sorted(os.listdir(tmp_path)) == ["out.csv"]  # no temporary file left behind


def test_export_neutralises_cells_a_spreadsheet_would_run(qtbot: QtBot, tmp_path: Path) -> None:
    pane = make_pane(qtbot)
    pane.add_events([state_event(0, profile="p1", name='=HYPERLINK("http://evil")')])
    target = tmp_path / "out.csv"
    assert pane.export_csv(target).result(5) == 1
    with target.open(newline="", encoding="utf-8") as f:
        (row,) = csv.DictReader(f)
    assert row["profile_name"] == '\'=HYPERLINK("http://evil")'


def test_export_of_an_empty_view_writes_the_header(qtbot: QtBot, tmp_path: Path) -> None:
    pane = make_pane(qtbot)
    assert pane.export_csv(tmp_path / "empty.csv").result(5) == 0
    assert (tmp_path / "empty.csv").read_text().strip() == ",".join(FIELDS)


def test_clear_view_hides_lines_but_keeps_the_stored_history(
    qtbot: QtBot, stored: StoredHistory
) -> None:
    pane = make_pane(qtbot, stored)
    assert pane.clear_button.toolTip() == "Hides these lines; the stored history is kept"
    show(qtbot, pane)
    qtbot.waitUntil(lambda: pane.model.rowCount() >= 200, timeout=5000)
    qtbot.waitUntil(lambda: not pane.model.fetching, timeout=5000)
    pane.clear_button.click()
    assert pane.proxy.rowCount() == 0
    assert len(stored.log.event_rows()) == STORED
    pane.view.scrollToBottom()
    assert not pane.model.fetch_older()
    pane.reload_button.click()
    qtbot.waitUntil(lambda: pane.model.rowCount() >= 200, timeout=5000)
    qtbot.waitUntil(lambda: not pane.model.fetching, timeout=5000)


def test_history_is_fetched_as_the_user_scrolls_to_the_old_end(
    qtbot: QtBot, stored: StoredHistory
) -> None:
    pane = make_pane(qtbot, stored)
    show(qtbot, pane)
    qtbot.waitUntil(lambda: pane.model.rowCount() == 200, timeout=5000)
    qtbot.waitUntil(lambda: not pane.model.fetching, timeout=5000)
    assert len(stored.calls) == 1  # one screenful needs one page, not the whole log
    pane.view.scrollToBottom()
    qtbot.waitUntil(lambda: pane.model.rowCount() == 400, timeout=5000)
    qtbot.waitUntil(lambda: not pane.model.fetching, timeout=5000)


def test_with_the_newest_last_history_loads_at_the_top_without_moving_the_view(
    qtbot: QtBot, stored: StoredHistory
) -> None:
    pane = make_pane(qtbot, stored)
    show(qtbot, pane)
    qtbot.waitUntil(lambda: pane.model.rowCount() == 200, timeout=5000)
    qtbot.waitUntil(lambda: not pane.model.fetching, timeout=5000)
    pane.newest_first_box.setChecked(False)
    assert pane.at_newest_end()
    bar = pane.view.verticalScrollBar()
    bar.setValue(bar.minimum())  # the user scrolls up to the oldest row shown
    top = pane.view.indexAt(QPoint(1, 1)).data(Role.EVENT)
    qtbot.waitUntil(lambda: pane.model.rowCount() == 400, timeout=5000)
    qtbot.waitUntil(lambda: not pane.model.fetching, timeout=5000)
    qtbot.waitUntil(lambda: pane.view.indexAt(QPoint(1, 1)).data(Role.EVENT) == top)
    assert bar.value() > bar.minimum()  # so no further page is asked for by itself
    assert len(stored.calls) == 2


def first_visible(pane: LogPane) -> Event:
    event = pane.view.indexAt(QPoint(1, 1)).data(Role.EVENT)
    assert isinstance(event, Event)
    return event


def written_lines(model: LogModel) -> int:
    """How many of the model's lines have their cells written (the detail shows)."""
    details = (model.index(s, Column.DETAIL).data() for s in range(model.rowCount()))
    return sum(1 for s, d in enumerate(details) if d == model.event_at(s).detail)


def batch(start: int, count: int) -> list[Event]:
    return [state_event(i) for i in range(start, start + count)]


def test_newest_first_view_stays_at_the_top_only_if_it_was_there(qtbot: QtBot) -> None:
    pane = make_pane(qtbot)
    show(qtbot, pane)
    pane.add_events(batch(0, 100))
    bar = pane.view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 20)
    assert pane.at_newest_end()

    pane.add_events(batch(100, 3))
    qtbot.waitUntil(lambda: first_visible(pane).detail == "event 102")
    assert bar.value() == bar.minimum()

    bar.setValue(10)  # the user reads something older
    reading = first_visible(pane)
    pane.add_events(batch(103, 3))
    qtbot.waitUntil(lambda: bar.value() == 13)
    assert first_visible(pane) == reading

    burst = 3 * ROWS_PER_TURN + 5  # written a piece per turn, each kept in place whole
    pane.add_events(batch(106, burst))
    qtbot.waitUntil(lambda: pane.model.waiting == 0)
    assert bar.value() == 13 + burst
    assert first_visible(pane) == reading
    bar.setValue(bar.minimum())  # back at the newest: followed again, burst or not
    pane.add_events(batch(106 + burst, burst))
    qtbot.waitUntil(lambda: pane.model.waiting == 0)
    assert bar.value() == bar.minimum()
    assert first_visible(pane).detail == f"event {105 + 2 * burst}"


def test_newest_last_view_follows_the_bottom_only_if_it_was_there(qtbot: QtBot) -> None:
    pane = make_pane(qtbot)
    pane.set_newest_first(False)
    show(qtbot, pane)
    pane.add_events(batch(0, 100))  # shown a piece per turn, the view following the bottom
    bar = pane.view.verticalScrollBar()
    qtbot.waitUntil(
        lambda: pane.model.waiting == 0 and bar.maximum() > 20 and bar.value() == bar.maximum()
    )

    old_max = bar.maximum()
    pane.add_events(batch(100, 3))
    qtbot.waitUntil(lambda: bar.maximum() == old_max + 3 and bar.value() == bar.maximum())

    bar.setValue(10)
    reading = first_visible(pane)
    pane.add_events(batch(103, 3))
    qtbot.waitUntil(lambda: bar.maximum() == old_max + 6)
    assert bar.value() == 10
    assert first_visible(pane) == reading


def test_newest_first_toggle_reverses_the_rows_and_keeps_the_selection(qtbot: QtBot) -> None:
    pane = make_pane(qtbot)
    pane.add_events(batch(0, 5))
    pane.view.selectRow(1)  # event 3
    pane.newest_first_box.setChecked(False)
    assert details(pane) == [f"event {i}" for i in range(5)]
    selected = pane.view.selectionModel().selectedRows()
    assert [i.data(Role.EVENT).detail for i in selected] == ["event 3"]
    assert dataclasses.asdict(pane.proxy.index(0, 0).data(Role.EVENT))["detail"] == "event 0"


def test_starts_and_stops_are_folded_away_unless_asked_for(qtbot: QtBot) -> None:
    """Each start and quit writes a line per profile (unknown, connecting, the first up):
    hidden by default; a drop found at start is news and shown."""
    pane = LogPane()
    qtbot.addWidget(pane)

    t0 = dt.datetime.now(dt.UTC)
    at = iter(range(100))

    def change(pid: str, state: State, previous: State | None, **extra: Any) -> Event:
        return Event(ts=t0 + dt.timedelta(seconds=next(at)), profile_id=pid, profile_name=pid,
                     kind=Kind.STATE, state=state, previous=previous, cause=None,
                     detector="probe", latency_ms=None, **extra)  # fmt: skip

    pane.add_events([
        change("a", State.CONNECTING, State.UNKNOWN),
        change("a", State.UP, State.CONNECTING),
        change("b", State.CONNECTING, State.UNKNOWN),
        change("b", State.DOWN, State.CONNECTING),  # found down at start: shown
        change("a", State.DOWN, State.UP),  # a drop: shown
        change("a", State.UP, State.DOWN),  # its recovery: shown
        change("a", State.UNKNOWN, State.UP, detail="monitoring stopped"),
        change("b", State.PAUSED, State.DOWN),  # the user's doing: shown
    ])  # fmt: skip
    assert pane.proxy.rowCount() == 4
    starts = next(a for a in pane.context_menu(pane.proxy.index(0, 0)).actions()
                  if a.text() == "Show &starts and stops")  # fmt: skip
    starts.trigger()
    assert pane.proxy.rowCount() == 8


@pytest.mark.parametrize("newest_first", [True, False])
def test_at_the_row_bound_the_view_keeps_what_the_user_reads(
    qtbot: QtBot, newest_first: bool
) -> None:
    """At the bound, new rows take the oldest rows' places in the model (a ring), and the
    proxy moves them to the newest end: the view follows that end if it was there, and else
    keeps the row the user reads where it was."""
    pane = make_pane(qtbot, max_rows=60)
    pane.set_newest_first(newest_first)
    show(qtbot, pane)
    pane.add_events(batch(0, 60))
    bar = pane.view.verticalScrollBar()
    qtbot.waitUntil(lambda: pane.model.waiting == 0 and bar.maximum() > 20)
    pane.view.scrollToTop() if newest_first else pane.view.scrollToBottom()

    pane.add_events(batch(60, 5))  # over the bound: five rows replaced in place
    newest = "event 64"
    if newest_first:
        qtbot.waitUntil(lambda: first_visible(pane).detail == newest)
    else:
        qtbot.waitUntil(
            lambda: (
                pane.view.indexAt(QPoint(1, pane.view.viewport().height() - 2))
                .data(Role.EVENT)
                .detail
                == newest
            )
        )
    assert pane.at_newest_end()
    assert pane.model.rowCount() == 60

    bar.setValue(20)  # the user reads something older
    reading = first_visible(pane)
    pane.add_events(batch(65, 5))
    qtbot.waitUntil(lambda: pane.model.waiting == 0)
    qtbot.waitUntil(lambda: first_visible(pane) == reading)
    assert sorted(int(e.detail.split()[1]) for e in pane.model.events()) == list(range(10, 70))


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform, on the tooltip
def test_hovering_a_time_or_a_detail_shows_it_whole(qtbot: QtBot) -> None:
    """The model stores no tooltips (a burst writes a thousand rows); the pane asks on hover."""
    pane = LogPane()
    qtbot.addWidget(pane)
    pane.resize(900, 300)
    down = dataclasses.replace(state_event(1), detail="connection refused by 10.0.0.7")
    up = dataclasses.replace(state_event(2, profile="p2"), detail="")
    pane.add_events([down, up])
    pane.show()
    qtbot.waitExposed(pane)
    view = pane.view

    def hover(row: int, column: int) -> str:
        rect = view.visualRect(pane.proxy.index(row, column))
        help_event = QHelpEvent(
            QEvent.Type.ToolTip, rect.center(), view.viewport().mapToGlobal(rect.center())
        )
        QApplication.sendEvent(view.viewport(), help_event)
        return QToolTip.text() if QToolTip.isVisible() else ""

    newest_first = [pane.proxy.index(r, 0).data(Role.EVENT) for r in range(2)]
    row = newest_first.index(down)
    assert hover(1 - row, Column.DETAIL) == "", "an up line has no detail to show"
    assert hover(row, Column.DETAIL) == "connection refused by 10.0.0.7"
    when = hover(row, Column.TIME).splitlines()
    assert when[1] == f"{iso_ms(down.ts)} (UTC)"
    QToolTip.hideText()


@pytest.mark.parametrize("at_the_bound", [False, True])
def test_a_burst_is_painted_once_its_last_line_is_in_not_once_a_piece(
    qtbot: QtBot, at_the_bound: bool
) -> None:
    """A thousand lines go in a piece per turn; each piece repainted the view (fifty paints
    for one burst). Now painting waits until the last line is in (or a quarter second has
    passed), and then the view shows every line; at the row bound too, where the last piece
    moves lines instead of inserting them."""
    pane = LogPane(max_rows=4 * ROWS_PER_TURN)
    qtbot.addWidget(pane)
    pane.resize(900, 300)
    pane.show()
    qtbot.waitExposed(pane)
    if at_the_bound:
        pane.add_events([state_event(i, profile=f"old{i}") for i in range(4 * ROWS_PER_TURN)])
        qtbot.waitUntil(lambda: pane.model.waiting == 0, timeout=5000)
        QApplication.processEvents()  # its paint done before the burst's are counted
    paints = Paints(pane.view.viewport())
    burst = [state_event(i, profile=f"p{i}") for i in range(4 * ROWS_PER_TURN)]
    pane.add_events(burst)
    assert pane.model.waiting == 3 * ROWS_PER_TURN  # a piece now, the rest a piece per turn
    assert not pane.view.updatesEnabled()
    qtbot.waitUntil(lambda: pane.model.waiting == 0, timeout=5000)
    assert pane.view.updatesEnabled(), "painting is released with the last piece"
    assert not pane._paint_timer.isActive()
    qtbot.waitUntil(lambda: paints.count >= 1, timeout=5000)
    QApplication.processEvents()
    assert paints.count <= 2, "not once a piece"
    shown = {pane.proxy.index(r, 0).data(Role.EVENT).profile_id for r in range(4 * ROWS_PER_TURN)}
    assert shown == {e.profile_id for e in burst}


def test_a_lines_cells_are_written_when_it_is_painted_or_copied(qtbot: QtBot) -> None:
    """A burst writes a thousand lines, of which the pane shows a dozen: a line gets at once
    what orders and filters it, and its cells before it is painted or copied; the order,
    the filters and the export never wait for them. Also at the row bound (lines replaced in
    place must not show the old line's words)."""
    pane = make_pane(qtbot, max_rows=300)
    show(qtbot, pane)
    view, model = pane.view, pane.model
    pane.add_events(batch(0, 300))
    qtbot.waitUntil(lambda: model.waiting == 0)
    pane.add_events(batch(300, 200))  # at the bound: these take the oldest lines' places
    qtbot.waitUntil(lambda: model.waiting == 0)

    def detail(slot: int) -> object:
        return model.index(slot, Column.DETAIL).data()

    on_screen = [pane.proxy.mapToSource(view.indexAt(QPoint(1, 1))).row()]
    view.viewport().grab()  # a paint
    assert detail(on_screen[0]) == "event 499", "the newest line, written as it was painted"
    written = [s for s in range(model.rowCount()) if detail(s) == model.event_at(s).detail]
    assert 0 < len(written) < 50, "only the lines painted are written"

    pane.text_filter.setText("event 123")  # filtered on what the line is, written or not
    assert pane.proxy.rowCount() == 0, "event 123 was pushed out at the bound"
    pane.text_filter.setText("event 423")
    assert pane.proxy.rowCount() == 1
    pane.text_filter.clear()

    view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view, timeout=2000)
    view.selectAll()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QApplication.clipboard().text().splitlines()
    assert len(lines) == 300
    assert [line.rsplit("\t", 1)[-1] for line in lines] == [
        f"event {i}" for i in range(499, 199, -1)
    ], "every copied line written, newest first"


@pytest.mark.parametrize("seed", range(1, 6))
def test_a_pane_writing_only_what_is_painted_shows_what_a_model_writing_everything_holds(
    qtbot: QtBot, seed: int
) -> None:
    """Random bursts (past the row bound), scrolls, filters and order flips, fed to the pane
    (whose model writes a line when it is painted) and to a model that writes every line:
    every line the pane shows, once painted, has the same cells."""
    rng = random.Random(seed)
    pane = make_pane(qtbot, max_rows=150)
    show(qtbot, pane)
    eager = LogModel(max_rows=150)
    states, causes = [State.UP, State.DOWN, State.DEGRADED, State.CONNECTING], list(Cause)
    i = 0
    for _ in range(25):
        batch = []
        for _ in range(rng.randrange(1, 60)):
            i += 1
            state = rng.choice(states)
            cause = rng.choice(causes) if state is State.DOWN else None
            batch.append(state_event(i, profile=f"p{rng.randrange(5)}", state=state, cause=cause,
                                     address=rng.choice([None, "10.0.0.7:5432"])))  # fmt: skip
        pane.add_events(batch)
        eager.append(batch)
        roll = rng.random()
        if roll < 0.2:
            pane.set_newest_first(not pane.model.newest_first)
        elif roll < 0.4:
            bar = pane.view.verticalScrollBar()
            bar.setValue(rng.randrange(bar.maximum() + 1))
        elif roll < 0.5:
            pane.text_filter.setText(rng.choice(["", "event 1", "reset", "p3"]))
        qtbot.waitUntil(lambda: pane.model.waiting == 0 and eager.waiting == 0, timeout=5000)
        pane.view.viewport().grab()
        shown = rows_on_screen(pane.view)
        assert shown or pane.proxy.rowCount() == 0
        for slot in shown:
            for column in Column:
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole,
                             Role.SEQ, Role.ROW_ID):  # fmt: skip
                    got, want = (m.index(slot, column).data(role) for m in (pane.model, eager))
                    assert got == want, (slot, column, role)


def test_a_pane_not_yet_watching_its_viewport_writes_every_line(qtbot: QtBot) -> None:
    """A window's log watches its viewport only after the first frame (``watch_now``):
    until then every line is written whole as it comes; from ``watch_viewport`` on, lines
    wait until they are painted."""
    pane = LogPane(max_rows=1000, watch_now=False)
    qtbot.addWidget(pane)
    pane.resize(900, 320)
    show(qtbot, pane)
    model = pane.model

    pane.add_events(batch(0, 200))
    qtbot.waitUntil(lambda: model.waiting == 0)
    assert written_lines(model) == 200, "not watching: every line written"
    pane.watch_viewport()
    pane.watch_viewport()  # once is enough
    pane.add_events(batch(200, 200))
    qtbot.waitUntil(lambda: model.waiting == 0)
    pane.view.viewport().grab()
    assert 200 < written_lines(model) < 250, "watching: only the new lines painted are written"


def test_the_text_filter_gets_its_clear_button_once_painted(qtbot: QtBot) -> None:
    pane = make_pane(qtbot)
    assert not pane.text_filter.isClearButtonEnabled()
    show(qtbot, pane)
    qtbot.waitUntil(pane.text_filter.isClearButtonEnabled, timeout=5000)


def test_while_a_screen_reader_reads_every_line_is_written(qtbot: QtBot) -> None:
    """A screen reader may read any line: while one runs, lines are written whole as they
    come, and those that had waited are written when it starts."""
    pane = make_pane(qtbot, max_rows=1000)
    show(qtbot, pane)
    model = pane.model

    pane.add_events(batch(0, 200))
    qtbot.waitUntil(lambda: model.waiting == 0)
    assert written_lines(model) < 100, "no screen reader: lines wait to be painted"
    try:
        QAccessible.setActive(True)
        pane.add_events(batch(200, 100))
        qtbot.waitUntil(lambda: model.waiting == 0)
        assert written_lines(model) == 300
    finally:
        QAccessible.setActive(False)


def test_the_quiet_view_shows_a_connection_checked_again_after_it_could_not_be(
    qtbot: QtBot,
) -> None:
    """Out of open files, the quiet view showed "unknown: could not check: ..."; when checks
    could be made again the state machine wrote "up" from unknown, hidden as a start finding
    the connection up: the last line said it could not be checked, long after it was."""
    from tcpmonitor_gui.core.sample import Sample
    from tcpmonitor_gui.core.state import StateMachine
    from tests.helpers import make_profile

    pane = make_pane(qtbot)
    machine = StateMachine(make_profile("127.0.0.1", 1, "probe", name="Cache", fail_after=1))
    why = "this program is out of open files (its limit, ulimit -n: 64)"
    start = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
    for minute, check in enumerate(
        (
            Sample(True, latency_ms=1.0),  # found up at start: noise
            Sample.failure(Cause.LOCAL_ERROR, why, "127.0.0.1:1"),
            Sample(True, latency_ms=1.0),  # checked again: news
        )
    ):  # a minute apart: the log takes two lines of one millisecond for one
        at = start + dt.timedelta(minutes=minute)
        pane.add_events([dataclasses.replace(e, ts=at) for e in machine.feed(check)])
    qtbot.waitUntil(lambda: not pane.model.waiting, timeout=5000)
    proxy = pane.proxy
    shown = [proxy.index(row, 0).data(Role.EVENT) for row in range(proxy.rowCount())]
    assert sorted((e.previous, e.state) for e in shown) == [
        (State.UNKNOWN, State.UP),
        (State.UP, State.UNKNOWN),
    ]


def test_the_text_filter_reads_each_lines_words_once_not_at_every_key(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each key typed in the filter searched every line again, its detail translated again
    (in the Chinese window, 10,000 lines held the window 0.2 s a key, 0.6 s the first). A
    line's words are made once, when it is first searched."""
    import tcpmonitor_gui.ui.log.cells as cells_module
    import tcpmonitor_gui.ui.log.proxy as proxy_module
    from tcpmonitor_gui.ui.common.detail_text import detail_text

    pane = make_pane(qtbot)
    lines = 300
    pane.add_events(
        [state_event(i, profile=f"p{i % 7}", detail=f"reset after {i} s") for i in range(lines)]
    )
    qtbot.waitUntil(lambda: not pane.model.waiting, timeout=5000)
    assert pane.model.rowCount() == lines
    read: list[str] = []

    def counted(detail: str) -> str:
        read.append(detail)
        return detail_text(detail)

    monkeypatch.setattr(cells_module, "detail_text", counted)
    monkeypatch.setattr(proxy_module, "detail_text", counted, raising=False)
    for typed in ("z", "zz", "zzz", "after 1"):
        pane.proxy.set_text(typed)
    assert pane.proxy.rowCount() == len([i for i in range(lines) if "after 1" in f"after {i} s"])
    assert len(read) <= lines, f"{len(read)} details read for {lines} lines"


def test_a_filtered_pane_pages_past_rows_it_does_not_show(qtbot: QtBot, tmp_path: Path) -> None:
    """Only one connection's events (the filter, or the log following the table's row),
    and the newest page all others': the page showed nothing, so the view had nothing to
    scroll by and never asked for the next, and the pane stayed empty over that
    connection's stored events."""
    with EventLog(tmp_path / "events.sqlite3") as log:
        log.submit(state_event(i, profile="p1") for i in range(10))
        log.submit(state_event(10 + i, profile="p2", name="Broker") for i in range(8))
        assert log.flush()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="history") as executor:
            pane = LogPane(StoredHistory(log, executor), page_size=4)
            qtbot.addWidget(pane)
            pane.resize(900, 320)
            pane.proxy.set_profile("p1")
            show(qtbot, pane)
            qtbot.waitUntil(lambda: pane.proxy.rowCount() == 10, timeout=10_000)
            assert {e.profile_id for e in pane.model.events()} >= {"p1", "p2"}
