"""The status table widget: filters, sorting, selection, context menu and the empty state."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QAccessible, QHelpEvent
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem, QToolTip
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.events import Cause, Event, Kind, State
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.ui.common.icons import state_color
from tcpmonitor_gui.ui.status.model import Column, Role, StatusModel
from tcpmonitor_gui.ui.status.view import StatusFilterProxy, StatusTable

pytestmark = pytest.mark.usefixtures("qapp")  # icons and palettes need a QApplication

T0 = dt.datetime(2025, 5, 1, 12, 0, 0, tzinfo=dt.UTC)


def profile(name: str, group: str = "", host: str = "127.0.0.1") -> Profile:
    pid = "id-" + name.replace(" ", "-")
    return Profile.from_dict({"id": pid, "name": name, "host": host, "port": 5000, "group": group})


def event(pid: str, new: State, *, kind: Kind = Kind.STATE, **extra: Any) -> Event:
    fields: dict[str, Any] = {"cause": None, "latency_ms": None, **extra}
    return Event(ts=T0, profile_id=pid, profile_name=pid, kind=kind, state=new, previous=None,
                 detector="probe", **fields)  # fmt: skip


@pytest.fixture
def model() -> StatusModel:
    return StatusModel(clock=lambda: T0)


@pytest.fixture
def table(qtbot: QtBot, model: StatusModel) -> Iterator[StatusTable]:
    widget = StatusTable(model)
    qtbot.addWidget(widget)
    widget.resize(1200, 400)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


@pytest.fixture
def populated(table: StatusTable, model: StatusModel) -> StatusTable:
    model.set_profiles([profile("orders db", "prod"), profile("cache", "prod", "::1"),
                        profile("build box", "lab"), profile("printer")])  # fmt: skip
    model.apply_events([event("id-orders-db", State.UP), event("id-printer", State.DEGRADED),
                        event("id-cache", State.DOWN, cause=Cause.RESET, detail="reset by peer"),
                        event("id-build-box", State.PAUSED)])  # fmt: skip
    model.flush_states()
    return table


def shown_names(table: StatusTable) -> list[str]:
    proxy = table.proxy
    return [proxy.index(r, Column.NAME).data() for r in range(proxy.rowCount())]


def test_proxy_passes_the_model_tester_empty_populated_and_filtered(
    qtmodeltester: ModelTester, table: StatusTable, model: StatusModel
) -> None:
    qtmodeltester.check(table.proxy)
    model.set_profiles([profile("a", "g1"), profile("b", "g2"), profile("c")])
    qtmodeltester.check(table.proxy)
    table.filter_edit.setText("b")
    model.apply_events([event("id-a", State.DOWN), event("id-b", State.UP)])
    model.flush_states()
    qtmodeltester.check(table.proxy)


def test_empty_table_offers_add_and_demo(
    qtbot: QtBot, table: StatusTable, model: StatusModel
) -> None:
    assert table.empty_panel.isVisible()
    assert not table.table.isVisible()
    with qtbot.waitSignal(table.addRequested, timeout=1000):
        qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(table.demoRequested, timeout=1000):
        qtbot.mouseClick(table.demo_button, Qt.MouseButton.LeftButton)
    model.upsert_profile(profile("first"))
    assert table.table.isVisible()
    assert not table.empty_panel.isVisible()
    model.remove_profile("id-first")
    assert table.empty_panel.isVisible()


def test_rows_sort_worst_state_first_and_follow_state_changes(
    populated: StatusTable, model: StatusModel
) -> None:
    assert shown_names(populated) == ["cache", "printer", "orders db", "build box"]
    model.apply_events([event("id-orders-db", State.DOWN)])
    model.flush_states()  # the state repaint timer, without waiting for it
    assert shown_names(populated)[:2] in (["cache", "orders db"], ["orders db", "cache"])
    populated.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
    assert shown_names(populated) == ["build box", "cache", "orders db", "printer"]


def test_filter_text_matches_name_group_target_cause_and_detail_in_any_case(
    populated: StatusTable,
) -> None:
    for needle, expected in [("ORDERS", ["orders db"]), ("lab", ["build box"]),
                             ("[::1]", ["cache"]), ("reset", ["cache"]),
                             ("by PEER", ["cache"]), ("nothing like it", [])]:  # fmt: skip
        populated.filter_edit.setText(needle)
        assert shown_names(populated) == expected, needle
    populated.filter_edit.clear()
    assert len(shown_names(populated)) == 4


def test_filter_follows_a_cause_that_arrives_with_a_sample(
    populated: StatusTable, model: StatusModel
) -> None:
    populated.filter_edit.setText("refused")
    assert shown_names(populated) == []
    model.apply_events([event("id-printer", State.DEGRADED, kind=Kind.SAMPLE, cause=Cause.REFUSED)])
    model.flush_samples()  # the sample repaint timer, without waiting for it
    assert shown_names(populated) == ["printer"]


def test_group_filter_lists_groups_present_and_filters(
    populated: StatusTable, model: StatusModel
) -> None:
    combo = populated.group_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "All groups", "lab", "prod", "No group",
    ]  # fmt: skip
    combo.setCurrentIndex(combo.findText("prod"))
    assert sorted(shown_names(populated)) == ["cache", "orders db"]
    combo.setCurrentIndex(combo.findText("No group"))
    assert shown_names(populated) == ["printer"]
    combo.setCurrentIndex(combo.findText("prod"))
    model.upsert_profile(profile("broker", "staging"))
    assert combo.currentText() == "prod"  # the pick survives a new group
    assert "staging" in [combo.itemText(i) for i in range(combo.count())]
    assert sorted(shown_names(populated)) == ["cache", "orders db"]


def test_selection_context_menu_and_activation_report_profile_ids(
    qtbot: QtBot, populated: StatusTable
) -> None:
    view = populated.table
    with qtbot.waitSignal(populated.selectionChanged, timeout=1000):
        view.selectRow(0)
    view.selectionModel().select(
        populated.proxy.index(2, 0),
        view.selectionModel().SelectionFlag.Select | view.selectionModel().SelectionFlag.Rows,
    )
    assert populated.selected_ids() == ["id-cache", "id-orders-db"]
    menus: list[tuple[Any, ...]] = []
    populated.contextMenuRequested.connect(lambda *args: menus.append(args))
    pos = view.visualRect(populated.proxy.index(1, Column.NAME)).center()
    view.customContextMenuRequested.emit(pos)
    assert menus[0][0] == ["id-printer"]  # right-clicking an unselected row selects it
    assert isinstance(menus[0][1], QPoint)
    with qtbot.waitSignal(populated.activated, timeout=1000) as blocker:
        # A real double-click is a press, then a double-click event: the view wants both.
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert blocker.args == ["id-printer"]
    view.setCurrentIndex(populated.proxy.index(0, 0))
    with qtbot.waitSignal(populated.activated, timeout=1000) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert blocker.args == ["id-cache"]


def test_header_state_round_trips_and_bad_state_keeps_defaults(populated: StatusTable) -> None:
    header = populated.table.horizontalHeader()
    header.resizeSection(Column.NAME, 321)
    header.moveSection(Column.GROUP, 0)
    saved = populated.header_state()
    assert isinstance(saved, bytes)
    header.resizeSection(Column.NAME, 100)
    header.moveSection(0, Column.GROUP)
    assert populated.restore_header_state(saved)
    assert header.sectionSize(Column.NAME) == 321
    assert header.visualIndex(Column.GROUP) == 0
    assert not populated.restore_header_state(b"not a header")


def test_sparkline_column_paints_samples(
    qtbot: QtBot, populated: StatusTable, model: StatusModel
) -> None:
    samples = [event("id-cache", State.DOWN, kind=Kind.SAMPLE, latency_ms=float(i % 7))
               for i in range(30)]  # fmt: skip
    samples.append(event("id-cache", State.DOWN, kind=Kind.SAMPLE, cause=Cause.REFUSED))
    model.apply_events(samples)
    view = populated.table
    view.selectRow(1)
    index = populated.proxy.index(0, Column.SPARKLINE)
    assert len(model.samples(populated.proxy.mapToSource(index).row())) == 31
    image = view.viewport().grab(view.visualRect(index)).toImage()
    colours = [image.pixelColor(x, y) for x in range(image.width())
               for y in range(image.height())]  # fmt: skip
    red = state_color(State.DOWN)
    # The failed check's red tick (antialiased, so only close to the state's red).
    assert any(abs(c.hueF() - red.hueF()) < 0.02 and c.saturationF() > 0.5 for c in colours)
    assert len({c.rgb() for c in colours}) > 3  # and a line, not an empty cell


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform, on the tooltip
def test_hovering_the_sparkline_shows_its_summary(
    qtbot: QtBot, populated: StatusTable, model: StatusModel
) -> None:
    good = event("id-cache", State.UP, kind=Kind.SAMPLE, latency_ms=2.0)
    model.apply_events([good, event("id-cache", State.UP, kind=Kind.SAMPLE, cause=Cause.REFUSED)])
    view = populated.table
    populated.show()
    qtbot.waitExposed(populated)
    row = next(r for r in range(populated.proxy.rowCount())
               if populated.proxy.index(r, Column.NAME).data() == "cache")  # fmt: skip
    rect = view.visualRect(populated.proxy.index(row, Column.SPARKLINE))
    event_ = QHelpEvent(
        QEvent.Type.ToolTip, rect.center(), view.viewport().mapToGlobal(rect.center())
    )
    QApplication.sendEvent(view.viewport(), event_)
    assert QToolTip.text() == "Last 2 checks: 1 failed; latency min 2.00, avg 2.00, max 2.00 ms"
    QToolTip.hideText()


def test_filters_combine_and_take_any_text_literally(
    populated: StatusTable, model: StatusModel
) -> None:
    odd = Profile.from_dict({"id": "odd", "name": "odd (name) [1]*", "host": "127.0.0.1",
                             "port": 5000, "group": "a.b+"})  # fmt: skip
    model.upsert_profile(odd)
    model.upsert_profile(profile("other", "aXb+"))
    proxy = populated.proxy
    proxy.set_group("a.b+")  # a regular expression would also take "aXb+"
    assert shown_names(populated) == ["odd (name) [1]*"]
    proxy.set_text("(NAME) [1]*")
    assert shown_names(populated) == ["odd (name) [1]*"]
    proxy.set_text("prod")
    assert shown_names(populated) == []
    proxy.set_group(None)
    assert sorted(shown_names(populated)) == ["cache", "orders db"]
    proxy.set_group("")  # no group, with the text still set
    assert shown_names(populated) == []
    proxy.set_text("")
    assert shown_names(populated) == ["printer"]


def test_rows_in_one_state_keep_their_order_by_name_then_target(
    table: StatusTable, model: StatusModel
) -> None:
    """Worst first, and within a state by name then target: a row that changes state and
    comes back returns to its place instead of moving the others under the selection."""
    names = ["delta", "alpha", "charlie", "bravo", "Alpha"]
    model.set_profiles([profile(n, host=f"10.0.0.{i}") for i, n in enumerate(names)])
    model.apply_events([event(f"id-{n}", State.UP) for n in names])
    model.flush_states()
    assert shown_names(table) == ["alpha", "Alpha", "bravo", "charlie", "delta"]
    model.apply_events([event("id-charlie", State.DOWN, cause=Cause.REFUSED)])
    model.flush_states()
    assert shown_names(table) == ["charlie", "alpha", "Alpha", "bravo", "delta"]
    for state in (State.DEGRADED, State.UP, State.DOWN, State.UP):
        model.apply_events([event("id-bravo", state), event("id-charlie", State.UP)])
        model.flush_states()
    assert shown_names(table) == ["alpha", "Alpha", "bravo", "charlie", "delta"]
    model.upsert_profile(dataclasses.replace(profile("delta"), name="aardvark"))  # it moves
    assert shown_names(table)[0] == "aardvark"
    model.upsert_profile(profile("echo", host="10.0.0.9"))  # a new row takes its place
    model.apply_events([event("id-echo", State.UP)])
    model.flush_states()
    assert shown_names(table) == ["aardvark", "alpha", "Alpha", "bravo", "charlie", "echo"]


def three_hundred_up(qtbot: QtBot, model: StatusModel, *, watch_now: bool = True) -> StatusTable:
    """A table shown 300 px high over 300 rows, all up: most of them off screen."""
    table = StatusTable(model, watch_now=watch_now)
    qtbot.addWidget(table)
    table.resize(1200, 300)
    table.show()
    qtbot.waitExposed(table)
    model.set_profiles([profile(f"p{i:03}") for i in range(300)])
    model.apply_events([event(f"id-p{i:03}", State.UP) for i in range(300)])
    model.flush_states()
    return table


def tooltip_at(table: StatusTable, row: int, column: Column) -> str:
    view = table.table
    rect = view.visualRect(table.proxy.index(row, column))
    help_event = QHelpEvent(
        QEvent.Type.ToolTip, rect.center(), view.viewport().mapToGlobal(rect.center())
    )
    QApplication.sendEvent(view.viewport(), help_event)
    text = QToolTip.text() if QToolTip.isVisible() else ""
    QToolTip.hideText()
    return text


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # a tooltip, offscreen
def test_text_that_does_not_fit_is_fitted_cut_in_the_middle_or_in_a_tooltip(
    table: StatusTable, model: StatusModel
) -> None:
    long_name = "service-072 auth backend primary"
    model.set_profiles([profile(long_name, host="fd00:1234:5678:9abc::17")])
    view, header = table.table, table.table.horizontalHeader()
    metrics = view.fontMetrics()
    table.fit_columns()  # what a first start (no saved widths) and the header's menu do
    assert header.sectionSize(Column.NAME) >= metrics.horizontalAdvance(long_name)
    for column in (Column.LATENCY, Column.UPTIME):  # the header and its sort arrow fit
        assert header.sectionSize(column) >= header.sectionSizeHint(column)
    assert tooltip_at(table, 0, Column.NAME) == ""  # whole: no tooltip needed
    header.resizeSection(Column.NAME, 60)
    assert tooltip_at(table, 0, Column.NAME) == long_name  # cut: the tooltip has it all
    delegate = view.itemDelegateForColumn(Column.TARGET)
    option = QStyleOptionViewItem()
    delegate.initStyleOption(option, table.proxy.index(0, Column.TARGET))
    assert option.textElideMode is Qt.TextElideMode.ElideMiddle  # the port stays in view


def test_the_clock_writes_the_rows_on_screen_and_every_row_before_it_is_shown(
    qtbot: QtBot,
) -> None:
    """The once-a-second cells of a thousand rows were a tenth of the window's work in a
    burst, for the thirty on screen: only those are ticked, and a row is brought up to date
    before it is painted or copied; sorted by uptime (its key moves), every row is."""
    now = [T0]
    model = StatusModel(clock=lambda: now[0])
    table, count = three_hundred_up(qtbot, model), 300
    table.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
    view = table.table

    def for_texts(rows: Iterator[int] | list[int]) -> set[str]:
        return {model.index(r, Column.IN_STATE).data() for r in rows}

    now[0] = T0 + dt.timedelta(minutes=5)
    model._tick()
    seen = table.seen_rows()
    assert seen is not None and 0 < len(seen) < count
    assert for_texts(seen) == {"5 min"}
    unseen = sorted(set(range(count)) - set(seen))
    assert "5 min" not in for_texts(unseen), "rows off screen wait until they are shown"

    view.scrollToBottom()
    bottom = table.seen_rows()
    assert bottom is not None and set(bottom) <= set(unseen)
    assert "5 min" not in for_texts(bottom)
    image = view.viewport().grab().toImage()  # a paint: it brings its rows up to date first
    assert for_texts(bottom) == {"5 min"}
    assert not image.isNull()

    table.activateWindow()
    view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view, timeout=2000)
    view.selectAll()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QApplication.clipboard().text().splitlines()
    assert len(lines) == count
    assert all("\t5 min\t" in line for line in lines), "copied rows are up to date too"

    now[0] = T0 + dt.timedelta(minutes=9)
    view.sortByColumn(Column.UPTIME, Qt.SortOrder.AscendingOrder)
    assert table.seen_rows() is None
    model._tick()
    qtbot.waitUntil(lambda: for_texts(range(count)) == {"9 min"}, timeout=5000)


def test_a_row_off_screen_sorts_and_filters_by_its_news_at_once_and_shows_it_when_seen(
    qtbot: QtBot,
) -> None:
    """Rows not on screen get at once what sorts and filters them (state, filter text), and
    the rest of their cells before they are painted; sorted by a column whose key moves with
    samples, every row is written at once."""
    model = StatusModel(clock=lambda: T0)
    table = three_hundred_up(qtbot, model)
    view, row = table.table, model.row_of("id-p250")
    assert row is not None and row not in (table.seen_rows() or [])

    model.apply_events([event("id-p250", State.DOWN, cause=Cause.RESET, detail="reset by peer")])
    model.flush_states()
    assert table.proxy.index(0, Column.NAME).data() == "p250", "worst first, at once"
    assert model.index(row, Column.DETAIL).data() != "reset by peer", "not painted yet"
    view.viewport().grab()  # painted: brought up to date first
    assert model.index(row, Column.DETAIL).data() == "reset by peer"
    assert model.index(row, Column.CAUSE).data()
    table.filter_edit.setText("reset by")
    assert shown_names(table) == ["p250"]
    table.filter_edit.clear()

    waited = model.row_of("id-p290")  # off screen: its sample waits to be shown
    assert waited is not None and waited not in (table.seen_rows() or [])
    model.apply_events([event("id-p290", State.UP, kind=Kind.SAMPLE, latency_ms=1.0)])
    view.sortByColumn(Column.LATENCY, Qt.SortOrder.AscendingOrder)
    assert table.proxy.index(0, Column.NAME).data() == "p290", "sorted on what it waited with"
    assert table.seen_rows() is None
    model.apply_events([event("id-p299", State.UP, kind=Kind.SAMPLE, latency_ms=3.0)])
    row = model.row_of("id-p299")
    assert row is not None
    assert model.index(row, Column.LATENCY).data(Role.SORT) == pytest.approx(3.0)


@pytest.mark.parametrize("seed", range(1, 11))
def test_a_table_writing_only_what_is_seen_shows_and_sorts_as_one_writing_everything(
    qtbot: QtBot, seed: int
) -> None:
    """Random state changes, samples, sorts, scrolls and filters, fed to a model under a
    table (which writes what is seen) and to one with no view (which writes every row): the
    table's order is the same, and every row it shows, once painted, the same cells."""
    rng = random.Random(seed)
    now = [T0]
    lazy, eager = StatusModel(clock=lambda: now[0]), StatusModel(clock=lambda: now[0])
    table = StatusTable(lazy)
    qtbot.addWidget(table)
    table.resize(1200, 300)
    table.show()
    qtbot.waitExposed(table)
    plain = StatusFilterProxy(eager)
    count = 120
    for model in (lazy, eager):
        model.set_profiles([profile(f"p{i:03}", group=f"g{i % 3}") for i in range(count)])
    states, causes = [State.UP, State.DOWN, State.DEGRADED, State.PAUSED], list(Cause)
    for _ in range(40):
        batch = []
        for _ in range(rng.randrange(1, 40)):
            pid, kind = f"id-p{rng.randrange(count):03}", rng.random()
            if kind < 0.4:
                new = rng.choice(states)
                cause = rng.choice(causes) if new is State.DOWN else None
                batch.append(event(pid, new, cause=cause, detail=f"d{rng.randrange(9)}"))
            else:
                failed = rng.random() < 0.2
                batch.append(event(pid, State.UP, kind=Kind.SAMPLE,
                                   latency_ms=None if failed else rng.uniform(0.1, 90),
                                   cause=rng.choice(causes) if failed else None))  # fmt: skip
        now[0] += dt.timedelta(seconds=rng.choice([0, 1, 7, 61]))
        for model in (lazy, eager):
            model.apply_events(batch)
            model.flush_states()
            model.flush_samples()
            model._tick()
        roll = rng.random()
        if roll < 0.2:
            column, order = rng.choice(list(Column)), rng.choice(list(Qt.SortOrder))
            table.table.sortByColumn(column, order)
        elif roll < 0.4:
            bar = table.table.verticalScrollBar()
            bar.setValue(rng.randrange(bar.maximum() + 1))
        elif roll < 0.5:
            table.filter_edit.setText(rng.choice(["", "d3", "refused", "p01"]))
        plain.set_text(table.filter_edit.text())
        plain.sort(table.proxy.sortColumn(), table.proxy.sortOrder())
        qtbot.waitUntil(lambda: len(lazy._clock._ticking) == 0, timeout=5000)
        qtbot.waitUntil(lambda: len(eager._clock._ticking) == 0, timeout=5000)
        table.table.viewport().grab()

        def keys(proxy: StatusFilterProxy) -> list[object]:
            """The sort column's keys in the order shown (rows with equal keys may stand in
            either order: it depends on the order before)."""
            column = proxy.sortColumn()
            return [proxy.index(r, column).data(Role.SORT) for r in range(proxy.rowCount())]

        def ids(proxy: StatusFilterProxy) -> set[str]:
            return {proxy.index(r, 0).data(Role.PROFILE_ID) for r in range(proxy.rowCount())}

        assert ids(table.proxy) == ids(plain)
        assert keys(table.proxy) == keys(plain)
        seen = table.seen_rows()
        for row in range(count) if seen is None else seen:
            for column in Column:
                for role in (Qt.ItemDataRole.DisplayRole, Role.SORT, Qt.ItemDataRole.FontRole):
                    shown = lazy.index(row, column).data(role)
                    assert shown == eager.index(row, column).data(role), (row, column, role)


def test_a_table_not_yet_watching_its_viewport_writes_its_rows_when_its_frame_is_painted(
    qtbot: QtBot,
) -> None:
    """A window's table watches its viewport only after the first frame (``watch_now``):
    until then the rows on screen are written when the table's frame is painted, just before
    its viewport; from ``watch_viewport`` on, when the viewport paints them."""
    model = StatusModel(clock=lambda: T0)
    table = three_hundred_up(qtbot, model, watch_now=False)
    view = table.table
    top, low, middle = (model.row_of(f"id-p{n:03}") for n in (0, 290, 150))
    assert top is not None and low is not None and middle is not None
    seen = table.seen_rows()
    assert seen is not None and top in seen and low not in seen

    def latency(row: int) -> object:
        return model.index(row, Column.LATENCY).data()

    before = latency(low)
    model.apply_events([event(f"id-p{n:03}", State.UP, kind=Kind.SAMPLE, latency_ms=3.0)
                        for n in (0, 290)])  # fmt: skip
    assert latency(top) != before, "on screen: written at once"
    assert latency(low) == before, "off screen: waits"
    view.scrollToBottom()
    view.grab()  # the frame, then the viewport
    assert latency(low) == latency(top), "painted: written with the frame's paint"

    table.watch_viewport()
    table.watch_viewport()  # once is enough; again changes nothing
    model.apply_events([event("id-p150", State.UP, kind=Kind.SAMPLE, latency_ms=3.0)])
    assert latency(middle) == before, "off screen: waits"
    view.scrollTo(table.proxy.mapFromSource(model.index(middle, 0)))
    view.viewport().grab()
    assert latency(middle) == latency(top), "painted: written first"


def test_the_filter_gets_its_clear_button_once_painted(qtbot: QtBot) -> None:
    """The clear button's icon is looked up on disk (6-10 ms): after the first paint (the
    filter shows once there is a row to filter)."""
    model = StatusModel(clock=lambda: T0)
    table = StatusTable(model)
    qtbot.addWidget(table)
    model.set_profiles([profile("a")])
    assert not table.filter_edit.isClearButtonEnabled()
    table.show()
    qtbot.waitExposed(table)
    qtbot.waitUntil(table.filter_edit.isClearButtonEnabled, timeout=5000)


def test_while_a_screen_reader_reads_every_row_is_written(qtbot: QtBot) -> None:
    """A screen reader may read any cell, on screen or not: while one runs, rows off screen
    are written at once, and those that had waited are brought up to date when it starts."""
    model = StatusModel(clock=lambda: T0)
    table = three_hundred_up(qtbot, model)
    waited, later = model.row_of("id-p290"), model.row_of("id-p280")
    assert waited is not None and later is not None
    model.apply_events([event("id-p290", State.UP, kind=Kind.SAMPLE, latency_ms=7.0)])
    before = model.index(waited, Column.LATENCY).data()
    try:
        QAccessible.setActive(True)
        assert table.seen_rows() is None
        qtbot.waitUntil(lambda: model.index(waited, Column.LATENCY).data() != before)
        old = model.index(later, Column.LATENCY).data()
        model.apply_events([event("id-p280", State.UP, kind=Kind.SAMPLE, latency_ms=9.0)])
        assert model.index(later, Column.LATENCY).data() != old, "written at once"
    finally:
        QAccessible.setActive(False)
    assert table.seen_rows() is not None
