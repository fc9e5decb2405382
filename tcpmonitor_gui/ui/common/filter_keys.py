"""A filter field's keys, as a search box has them: Down or Enter goes on to the rows it
filters, Escape empties it.

Typed into the connections' filter or the log's, Down and Enter did nothing and Escape left
the text: the rows found were a Tab away (two, past the group filter), and one more key away
from being selected, which Ctrl+E or Delete need.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QLineEdit

_ON = (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter)
_PLAIN = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)


class FilterKeys(QObject):
    """Down or Enter in ``edit``: ``view`` has the focus, its current row (the first if it
    has none) selected; Escape: ``edit`` emptied (when it holds text)."""

    def __init__(self, edit: QLineEdit, view: QAbstractItemView) -> None:
        super().__init__(edit)
        self._edit, self._view = edit, view
        edit.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is not self._edit
            or event.type() != QEvent.Type.KeyPress
            or not isinstance(event, QKeyEvent)
            or event.modifiers() not in _PLAIN
        ):
            return False
        if event.key() == Qt.Key.Key_Escape and self._edit.text():
            self._edit.clear()
            return True
        if event.key() in _ON:
            self._go_on()
            return True
        return False

    def _go_on(self) -> None:
        view, model = self._view, self._view.model()
        if model.rowCount() == 0:
            return  # nothing found: the text stays where it can be mended
        selection = view.selectionModel()
        current = view.currentIndex()
        if not current.isValid() or not selection.isRowSelected(current.row(), current.parent()):
            flag = QItemSelectionModel.SelectionFlag
            at = current if current.isValid() else model.index(0, 0)
            selection.setCurrentIndex(at, flag.ClearAndSelect | flag.Rows)
        view.scrollTo(view.currentIndex())
        view.setFocus(Qt.FocusReason.OtherFocusReason)
