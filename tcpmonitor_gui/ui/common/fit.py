"""Dialogs that fit the screen: at 150 % on a 1366 × 768 screen (911 × 512 logical pixels)
the profile dialog was taller than the screen and its OK button out of reach. The body of a
dialog scrolls; its buttons stay below it, always in view; the dialog is never made larger
than the screen's free area."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

from .screen import FRAME_ROOM, screen_of


def scrolling(body: QWidget) -> QScrollArea:
    """``body`` in a frameless scroll area (``fit_on_screen`` sizes the window for it)."""
    area = QScrollArea()
    area.setObjectName("fittingScrollArea")
    area.setWidget(body)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    return area


def fit_on_screen(window: QWidget, min_width: int = 0) -> None:
    """Size ``window`` to its contents (all of its scrolling body, which a scroll area's own
    hint caps at 36 x 24 lines), at least ``min_width`` wide, never beyond the free area of
    its screen (what does not fit scrolls). Computed here, once: a Python ``sizeHint``
    override is called by Qt during the widget's destruction too, and crashed the process."""
    window.resize(_fitting_size(window, min_width))


def grow_to_fit(window: QWidget) -> None:
    """Make ``window`` as large as its contents need now, if it is smaller, within the free
    area of its screen; never smaller (the user may have made it larger). For a body that
    changed after ``fit_on_screen``: the profile dialog, turned from a probe into a
    heartbeat, showed rows that widened its form, and scrolled both ways on a large screen."""
    size = window.size().expandedTo(_fitting_size(window))
    if size != window.size():
        window.resize(size)
        keep_on_screen(window)


def keep_on_screen(window: QWidget) -> None:
    """Move ``window`` back into the free area of its screen if it now reaches past it (a
    dialog near the bottom grown by its new rows hid OK below the screen's edge)."""
    screen = screen_of(window)
    if screen is None or not window.isVisible():
        return
    free, frame = screen.availableGeometry(), window.frameGeometry()
    dx = min(0, free.right() - frame.right())
    dy = min(0, free.bottom() - frame.bottom())
    if dx or dy:  # never past the top or the left: the title bar stays reachable
        window.move(max(free.left(), frame.left() + dx), max(free.top(), frame.top() + dy))


def _fitting_size(window: QWidget, min_width: int = 0) -> QSize:
    area = window.findChild(QScrollArea, "fittingScrollArea")
    body = area.widget() if area is not None else None
    if body is not None:
        # Layouts keep each widget's size hint from when they first asked, and a widget not
        # shown yet does not tell them it changed: the form filled in after it was laid out
        # came out 376 px wide, not 647, and scrolled sideways in a dialog 560 px wide.
        for widget in body.findChildren(QWidget):
            widget.updateGeometry()
    screen = screen_of(window)
    hint = window.sizeHint()
    width, height = max(min_width, hint.width()), hint.height()
    if area is not None and body is not None:
        bar = area.verticalScrollBar().sizeHint().width()
        width = max(width, hint.width() - area.sizeHint().width() + body.sizeHint().width() + bar)
        height = hint.height() - area.sizeHint().height() + body.sizeHint().height()
    if screen is not None:
        free = screen.availableGeometry().size() - FRAME_ROOM
        width, height = min(width, free.width()), min(height, free.height())
        window.setMaximumSize(screen.availableGeometry().size())
    return QSize(width, height)
