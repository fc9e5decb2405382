"""A second start-up reference for ``gui_responsiveness.py``: the program's complete window
with no profiles (its first frame before issue #12's two-stage start), built from PySide6
alone, the least any Python program showing that window pays.

    TCPMONITOR_BENCH_REPORT=FILE python tests/bench/floor_window.py

What the program's complete window shows with no profiles, with none of the program: a menu bar
with its four menus and a tool bar; a filter field and a group box over the status area,
which holds a sortable table of the status table's eleven columns (an empty model of our own,
asked for its headers by ``Qt``'s roles) and shows the "no connections yet" panel with its two
buttons; three boxes, a filter field, a check box and three buttons over the log's table; and
a status bar. The bare window (``bare_window.py``) stays the baseline of issue #12's target;
this one says how much of the program's cost over it is the window's shape (Qt's ``Qt``
namespace, the first text widget's fonts, the tables) and how much is the program's own
Python. It starts and ends as the bare window does (its ``app_and_window`` and
``show_until_painted``): the same hook, title and size; it quits once its first frame is
painted.
"""

from __future__ import annotations

import time

#: The program's start-up phases where this window has them (``app.STARTUP_MARKS``).
MARKS = [("python and this module", time.monotonic())]

import sys  # noqa: E402

from bare_window import app_and_window, show_until_painted  # noqa: E402 - the same folder
from PySide6.QtCore import (  # noqa: E402
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QAction, QStandardItemModel  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

STATUS_COLUMNS = [
    *("State", "Name", "Group", "Target", "Detector", "Latency", "Trend", "Uptime", "For"),
    *("Cause", "Detail"),
]
LOG_COLUMNS = ["Time", "Name", "State", "Cause", "Latency", "Detail"]
MENUS = ["&File", "&Connections", "&View", "&Help"]


class Columns(QAbstractTableModel):
    """No rows; headers asked for by role, as the status model is."""

    def rowCount(self, parent: object = None) -> int:
        return 0

    def columnCount(self, parent: object = None) -> int:
        return len(STATUS_COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return STATUS_COLUMNS[section]
        return None


def pane(model: QAbstractTableModel, boxes: int, buttons: list[str], empty: bool) -> QWidget:
    """A filter bar over a sortable table of ``model`` (or, if ``empty``, over a panel that
    says there is nothing to show, with two buttons)."""
    widget = QWidget()
    bar = QHBoxLayout()
    for _ in range(boxes):
        box = QComboBox(widget)
        box.addItems(["All", "Up", "Down"])
        bar.addWidget(box)
    edit = QLineEdit(widget)
    edit.setPlaceholderText("Filter")
    bar.addWidget(edit, 1)
    if buttons:
        bar.addWidget(QCheckBox("Newest first", widget))
    for text in buttons:
        bar.addWidget(QPushButton(text, widget))
    proxy = QSortFilterProxyModel(widget)
    proxy.setSourceModel(model)
    table = QTableView(widget)
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    stack = QStackedWidget(widget)
    stack.addWidget(table)
    if empty:
        panel = QWidget(stack)
        column = QVBoxLayout(panel)
        column.addWidget(QLabel("No connections yet", panel))
        column.addWidget(QLabel("Add a TCP connection to watch, or try the demo.", panel))
        for text in ("Add connection", "Try the demo"):
            column.addWidget(QPushButton(text, panel))
        stack.addWidget(panel)
        stack.setCurrentWidget(panel)
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addLayout(bar)
    layout.addWidget(stack, 1)
    return widget


def main() -> int:
    app, window = app_and_window(MARKS)
    tools = window.addToolBar("Connections")
    for title in MENUS:
        menu = window.menuBar().addMenu(title)
        for i in range(6):
            action = QAction(f"Item {i}", window)
            menu.addAction(action)
            tools.addAction(action)
    log = QStandardItemModel(0, len(LOG_COLUMNS), window)
    log.setHorizontalHeaderLabels(LOG_COLUMNS)
    splitter = QSplitter(Qt.Orientation.Vertical, window)
    splitter.addWidget(pane(Columns(window), boxes=1, buttons=[], empty=True))
    splitter.addWidget(
        pane(log, boxes=3, buttons=["Clear view", "Reload", "Export CSV…"], empty=False)
    )
    window.setCentralWidget(splitter)
    window.statusBar().addPermanentWidget(QLabel("0 up", window))
    MARKS.append(("window built", time.monotonic()))
    return show_until_painted(app, window, MARKS)


if __name__ == "__main__":
    sys.exit(main())
