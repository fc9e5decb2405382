"""Do something once a widget's first frame is on screen (start-up work that must not delay
the first paint: the engine's threads, the tray)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QLineEdit, QWidget


class AfterFirstPaint(QObject):
    """Calls ``then`` in the event loop's turn after ``widget``'s first paint, once."""

    def __init__(self, widget: QWidget, then: Callable[[], object]) -> None:
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)  # once this frame is on screen
            self.deleteLater()
        return False


def clear_button_after_first_paint(edit: QLineEdit) -> None:
    """Give ``edit`` its clear button once it has been painted: Qt looks the button's icon up
    in the icon theme, on disk (6-10 ms the first time in a bare program under Xvfb; 3 ms
    came off this program's first frame), and the button shows only once there is text."""
    AfterFirstPaint(edit, lambda: edit.setClearButtonEnabled(True))
