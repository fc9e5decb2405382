"""Why the tables keep their cells in Qt's store: one paint, with and without a busy thread.

    python tests/bench/model_paint.py [--rows N] [--paints N]

A ``QTableView`` of 1,000 rows x 11 columns (offscreen) is repainted from four models:

- a Python ``QAbstractTableModel`` whose ``data()`` answers each call (the usual way);
- the same behind a Python ``QSortFilterProxyModel`` subclass (the old status table);
- Qt's ``QStandardItemModel`` holding the same texts (what ``StatusModel``/``LogModel`` use);
- that store behind a plain ``QSortFilterProxyModel`` (the status table now).

Each is timed alone and beside one Python thread that keeps the GIL busy, as the worker
threads do in the desktop program: a view reads its model through several virtual calls per
cell, and every call into Python must take the GIL from that thread. Prints milliseconds per
paint (median) and the ratio to the Qt store in the same run. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine_line

COLUMNS = 11
_Index = QModelIndex | QPersistentModelIndex


class PythonModel(QAbstractTableModel):
    def __init__(self, rows: int) -> None:
        super().__init__()
        self._rows = rows

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMNS

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"r{index.row()}c{index.column()}"
        return None


class PythonProxy(QSortFilterProxyModel):
    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        return True


def store(rows: int) -> QStandardItemModel:
    model = QStandardItemModel(rows, COLUMNS)
    for r in range(rows):
        for c in range(COLUMNS):
            model.setItem(r, c, QStandardItem(f"r{r}c{c}"))
    return model


def behind(proxy: QSortFilterProxyModel, source: QAbstractItemModel) -> QSortFilterProxyModel:
    proxy.setSourceModel(source)
    return proxy


class Hog:
    """One Python thread that never waits: it holds the GIL whenever it may."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._spin, daemon=True)

    def _spin(self) -> None:
        x = 0
        while not self._stop.is_set():
            for i in range(1000):
                x += i

    def __enter__(self) -> Hog:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def paint_ms(app: QApplication, model: QAbstractItemModel, paints: int) -> float:
    view = QTableView()
    view.setModel(model)
    view.resize(1200, 700)
    view.show()
    app.processEvents()
    times = []
    for _ in range(paints):
        start = time.perf_counter()
        view.viewport().repaint()
        times.append((time.perf_counter() - start) * 1000)
    view.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--paints", type=int, default=15)
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    print(machine_line())
    kinds: dict[str, Callable[[], QAbstractItemModel]] = {
        "Python model (data() in Python)": lambda: PythonModel(args.rows),
        "Python proxy over the Python model": lambda: behind(PythonProxy(), PythonModel(args.rows)),
        "Qt store (QStandardItemModel)": lambda: store(args.rows),
        "plain proxy over the Qt store": lambda: behind(QSortFilterProxyModel(), store(args.rows)),
    }
    results: dict[tuple[str, bool], float] = {}
    for busy in (False, True):
        for name, make in kinds.items():
            model = make()
            if busy:
                with Hog():
                    results[name, busy] = paint_ms(app, model, args.paints)
            else:
                results[name, busy] = paint_ms(app, model, args.paints)
    print(f"\nOne paint of a {args.rows:,} x {COLUMNS} table, median of {args.paints}, in ms:\n")
    print("| model | alone | beside a busy Python thread | ratio to the Qt store (busy) |")
    print("|---|---|---|---|")
    base = results["Qt store (QStandardItemModel)", True]
    for name in kinds:
        quiet, busy_ms = results[name, False], results[name, True]
        print(f"| {name} | {quiet:.1f} | {busy_ms:.1f} | {busy_ms / base:.1f}x |")


if __name__ == "__main__":
    main()
