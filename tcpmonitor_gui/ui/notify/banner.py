"""An in-window notification bar: the last resort when there is no tray and no desktop service.

Notifications must reach the user even where neither a tray nor a notification daemon exists
(STYLE.md, practice 7), so the main window carries this bar above its table. It lists every
message still in view, the newest first, as a desktop's notices stand side by side: it showed
only the newest, and a recovery of one connection, or a drop told apart, left another's drop
said nowhere. One bar, not a stack of them (it would bury the table): each message leaves it
``hide_after_ms`` after it was shown (a problem told through ``about`` stays until it is
solved), an update (the same key) replaces its message, and the bar hides with the last; a
long list scrolls within it rather than push the window past the screen's edge.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from typing import Literal, NamedTuple

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
from ..common.spoken import spoken_together
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


#: The most messages listed at once: beyond that the oldest info leaves for a new one, a
#: warning only when all are warnings (a burst of recoveries pushed a drop out before its
#: time), and a problem still so (``about``) last of all.
MOST_SHOWN = 6


class Message(NamedTuple):
    title: str
    text: str
    severity: Severity
    until: float  # ``monotonic()`` when it leaves; ``inf``: a problem, until it is solved


class Banner(QFrame):
    """A closable bar listing the messages in view; hidden until ``show_message``."""

    def __init__(self, parent: QWidget | None = None, *, hide_after_ms: int = HIDE_AFTER_MS):
        super().__init__(parent)
        self.setObjectName("notificationBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # As tall as its message (``_fit``), never more: the table takes what is left.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        #: By key, the newest last.
        self._messages: dict[object, Message] = {}
        self._keys = itertools.count()
        self._hide_after_s = hide_after_ms / 1000
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
        self._timer.timeout.connect(self._expire)
        self.hide()

    def show_message(
        self, title: str, text: str, severity: Severity = "info", key: object = None
    ) -> object:
        """Show ``title`` and ``text`` first, in place of the message of ``key`` if one is
        shown; returns the key (a new one without ``key``), for an update."""
        return self._show(title, text, severity, key, standing=False)

    def _show(
        self, title: str, text: str, severity: Severity, key: object, *, standing: bool
    ) -> object:
        key = next(self._keys) if key is None else key
        self._messages.pop(key, None)
        until = math.inf if standing else time.monotonic() + self._hide_after_s
        self._messages[key] = Message(title, text, severity, until)
        while len(self._messages) > MOST_SHOWN:
            del self._messages[self._first_to_leave()]
        self._render()
        return key

    def _first_to_leave(self) -> object:
        """The oldest info, else the oldest warning that leaves in time, else the oldest."""

        def rank(key: object) -> int:
            message = self._messages[key]
            return 0 if message.severity == "info" else 1 if message.until < math.inf else 2

        return min(self._messages, key=rank)  # (the first of the lowest: the oldest)

    def about(self, key: object) -> Callable[[str, str, str], object]:
        """``show_message`` under ``key``: a problem, then the word that it is solved. The
        problem (a warning) stays until it is solved, withdrawn or dismissed: it went after
        10 s while still so ("Profiles were not saved", retried every 30 s, said once)."""

        def show(title: str, text: str, severity: str = "info") -> object:
            level = _severity(severity)
            return self._show(title, text, level, key, standing=level == "warning")

        return show

    def withdraw(self, key: object) -> None:
        """Take the message of ``key`` away: what it said is no longer so."""
        if self._messages.pop(key, None) is not None:
            self._render()

    def _expire(self) -> None:
        now = time.monotonic()
        self._messages = {k: m for k, m in self._messages.items() if m.until > now}
        self._render()

    def _render(self) -> None:
        if not self._messages:
            self.dismiss()
            return
        shown = list(reversed(self._messages.values()))  # the newest first
        self._label.setText(
            "\n\n".join(f"{m.title}\n{m.text}" if m.text else m.title for m in shown)
        )
        if len(shown) == 1:
            name = self.tr("Notification: {title}").format(title=shown[0].title)
        else:  # all of them, the newest first: it named only the newest
            titles = spoken_together([m.title for m in shown])
            name = self.tr("%n notifications: {titles}", "", len(shown)).format(titles=titles)
        self.setAccessibleName(name)
        severity: Severity = "warning" if any(m.severity == "warning" for m in shown) else "info"
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
        left = min(m.until for m in shown) - time.monotonic()
        if left < math.inf:
            self._timer.start(max(0, int(left * 1000) + 1))
        else:  # problems only: they stay until solved
            self._timer.stop()

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
        self._messages.clear()
        self._label.clear()
        self.hide()

    def message(self) -> tuple[str, str, Severity]:
        """The message shown last: title, text and severity."""
        if not self._messages:
            return "", "", "info"
        title, text, severity, _ = next(reversed(self._messages.values()))
        return title, text, severity

    def label_text(self) -> str:
        return self._label.text()

    def close_button(self) -> QToolButton:
        return self._close


def _severity(severity: str) -> Severity:
    return "warning" if severity == "warning" else "info"
