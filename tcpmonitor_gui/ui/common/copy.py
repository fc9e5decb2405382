"""Ctrl+C in a table copies whole rows (the selected ones, as shown, tab-separated), not the
one cell Qt copies by itself."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QTableView

from .seen import catch_up_selected


def rows_text(view: QTableView) -> str:
    """The selected rows, top to bottom, each the visible columns' text joined by tabs."""
    catch_up_selected(view)  # a model that writes rows as they are seen (``seen``)
    model = view.model()
    columns = [c for c in range(model.columnCount()) if not view.isColumnHidden(c)]
    columns.sort(key=view.horizontalHeader().visualIndex)
    rows = sorted(view.selectionModel().selectedRows(), key=QModelIndex.row)
    lines = []
    for index in rows:
        cells = [model.index(index.row(), c).data() for c in columns]
        lines.append("\t".join("" if v is None else str(v).replace("\t", " ") for v in cells))
    return "\n".join(lines)


def copy_rows(view: QTableView) -> None:
    text = rows_text(view)
    if text:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(text)


def copy_rows_on_ctrl_c(view: QTableView) -> QShortcut:
    """Ctrl+C (the platform's Copy) in ``view`` copies its selected rows."""
    shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Copy), view)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(lambda: copy_rows(view))
    return shortcut
