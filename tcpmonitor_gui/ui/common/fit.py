"""Dialogs that fit the screen: at 150 % on a 1366 × 768 screen (911 × 512 logical pixels)
the profile dialog was taller than the screen and its OK button out of reach. The body of a
dialog scrolls; its buttons stay below it, always in view; the dialog is never made larger
than the screen's free area."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

#: Room kept for the window manager's frame and title bar, which Qt cannot know in advance.
FRAME_ROOM = QSize(16, 48)


def scrolling(body: QWidget) -> QScrollArea:
    """``body`` in a frameless scroll area that follows its size hint until the screen ends."""
    area = FittingScrollArea()
    area.setWidget(body)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    return area


class FittingScrollArea(QScrollArea):
    """Asks for all of its widget's size (a plain scroll area caps its hint at 36 × 24 lines)."""

    def sizeHint(self) -> QSize:
        widget = self.widget()
        if widget is None:
            return super().sizeHint()
        hint = widget.sizeHint()
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(hint.width() + bar, hint.height())


def fit_on_screen(window: QWidget, min_width: int = 0) -> None:
    """Size ``window`` to its contents, at least ``min_width`` wide, never beyond the free
    area of its screen (what does not fit scrolls)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    hint = window.sizeHint()
    width, height = max(min_width, hint.width()), hint.height()
    if screen is not None:
        free = screen.availableGeometry().size() - FRAME_ROOM
        width, height = min(width, free.width()), min(height, free.height())
        window.setMaximumSize(screen.availableGeometry().size())
    window.resize(width, height)
