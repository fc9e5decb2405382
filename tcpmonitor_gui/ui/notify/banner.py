"""An in-window notification bar: the last resort when there is no tray and no desktop service.

Notifications must reach the user even where neither a tray nor a notification daemon exists
(STYLE.md, practice 7), so the main window carries this bar above its table. It shows one
message at a time — the newest replaces the older, since a stack of stale bars would bury the
table — and hides itself after a while so that it never stays in the way.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from ...core.events import State
from ..common.icons import STATE_COLORS
from .notice import SHOWN_S

Severity = Literal["info", "warning"]

HIDE_AFTER_MS = SHOWN_S * 1000
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
        self._severity: Severity = "info"
        self._title = ""
        self._text = ""
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextFormat(Qt.TextFormat.PlainText)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._close = QToolButton(self)
        self._close.setText("✕")
        self._close.setAutoRaise(True)
        self._close.setToolTip(self.tr("Dismiss"))
        self._close.setAccessibleName(self.tr("Dismiss notification"))
        self._close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self._label, 1)
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
        self._timer.start()

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
