"""An in-window notification bar: the last resort when there is no tray and no desktop service.

Notifications must reach the user even where neither a tray nor a notification daemon exists
(STYLE.md, practice 7), so the main window carries this bar above its table. It shows one
message at a time — the newest replaces the older, since a stack of stale bars would bury the
table — and hides itself after a while so that it never stays in the way; a long message
scrolls within it rather than push the window past the screen's edge.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from ...core.events import State
from ..common.fit import screen_size
from ..common.icons import STATE_COLORS
from .notice import SHOWN_S

Severity = Literal["info", "warning"]

HIDE_AFTER_MS = SHOWN_S * 1000
#: At most this part of the screen's free height: a longer message scrolls. A notice's seven
#: lines at 150 % on a 1024 x 600 screen made the window taller than the screen, its
#: status line (the counts) below the screen's edge.
MOST_OF_SCREEN = 1 / 5
#: The colours of the states a message is about: a drop reads like a ``down`` row.
SEVERITY_COLORS: dict[Severity, str] = {
    "warning": STATE_COLORS[State.DOWN],
    "info": STATE_COLORS[State.UP],
}


class Banner(QFrame):
    """A closable bar with one message; hidden until ``show_message``."""

    def __init__(self, parent: QWidget | None = None, *, hide_after_ms: int = HIDE_AFTER_MS):
        super().__init__(parent)
        self.setObjectName("notificationBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # As tall as its message (``_fit``), never more: the table takes what is left.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._severity: Severity = "info"
        self._title = ""
        self._text = ""
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextFormat(Qt.TextFormat.PlainText)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._lines = QScrollArea(self)
        self._lines.setWidget(self._label)
        self._label.setAutoFillBackground(False)  # (``setWidget`` turned it on)
        self._lines.setWidgetResizable(True)
        self._lines.setFrameShape(QFrame.Shape.NoFrame)
        self._lines.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._lines.viewport().setAutoFillBackground(False)  # the tint shows through
        self._close = QToolButton(self)
        self._close.setText("✕")
        self._close.setAutoRaise(True)
        self._close.setToolTip(self.tr("Dismiss"))
        self._close.setAccessibleName(self.tr("Dismiss notification"))
        self._close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self._lines, 1)
        layout.addWidget(self._close, 0, Qt.AlignmentFlag.AlignTop)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(hide_after_ms)
        self._timer.timeout.connect(self.dismiss)
        self.hide()

    def show_message(self, title: str, text: str, severity: Severity = "info") -> None:
        """Show ``title`` and ``text``, replacing whatever was shown, and restart the timer."""
        self._title, self._text, self._severity = title, text, severity
        self._label.setText(f"{title}\n{text}" if text else title)
        self.setAccessibleName(self.tr("Notification: {title}").format(title=title))
        color = QColor(SEVERITY_COLORS[severity])
        tint = f"rgba({color.red()}, {color.green()}, {color.blue()}, 50)"
        # A tint of the state's colour works on light and dark themes; the strong edge
        # carries the colour for those who see little of the tint.
        self.setStyleSheet(
            f"#notificationBanner {{ background-color: {tint};"
            f" border: 1px solid {color.name()}; border-left: 5px solid {color.name()}; }}"
        )
        self.show()
        self._fit()
        self._timer.start()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """As tall as the message at the width it has, up to ``MOST_OF_SCREEN``."""
        width = self._lines.viewport().width()
        need = self._label.heightForWidth(width) if width > 0 else -1
        if need < 0:
            need = self._label.sizeHint().height()
        most = max(
            2 * self.fontMetrics().lineSpacing(), int(screen_size(self).height() * MOST_OF_SCREEN)
        )
        self._lines.setFixedHeight(min(need, most))

    @Slot()
    def dismiss(self) -> None:
        self._timer.stop()
        self.hide()

    def message(self) -> tuple[str, str, Severity]:
        """The message shown last: title, text and severity."""
        return self._title, self._text, self._severity

    def label_text(self) -> str:
        return self._label.text()

    def close_button(self) -> QToolButton:
        return self._close
