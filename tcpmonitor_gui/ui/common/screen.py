"""Which screen a window is on and how much room it has, apart from ``fit`` (whose scroll area
and frame the main window's first frame does not need: their classes and enums are
milliseconds of its start-up)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

#: Room kept for the window manager's frame and title bar, which Qt cannot know in advance.
FRAME_ROOM = QSize(16, 48)


def screen_of(widget: QWidget) -> QScreen | None:
    """The screen ``widget``'s window is on (a dialog: its parent's), found by position.

    Not ``QWidget.screen()``: PySide ties the ``QScreen`` wrapper it returns to the widget,
    and when a widget went with a garbage-collected cycle, the wrapper was left owning the
    application's screen and deleted it; the next widget built crashed in
    ``QScreen::virtualSiblings`` (the gui suite's intermittent segfault)."""
    window = widget.window()
    parent = window.parentWidget()
    anchor = parent.window() if parent is not None else window
    return QGuiApplication.screenAt(anchor.geometry().center()) or QGuiApplication.primaryScreen()


def screen_size(widget: QWidget) -> QSize:
    """The free area of ``widget``'s screen (see ``screen_of``); 1200 x 720 without one."""
    screen = screen_of(widget)
    return screen.availableGeometry().size() if screen is not None else QSize(1200, 720)
