"""An in-window notification bar: the last resort when there is no tray and no desktop service.

Notifications must reach the user even where neither a tray nor a notification daemon exists
(STYLE.md, practice 7), so the main window carries this bar above its table. It lists every
message still in view, the newest first, as a desktop's notices stand side by side: it showed
only the newest, and a recovery of one connection, or a drop told apart, left another's drop
said nowhere. One bar, not a stack of them (it would bury the table): each message leaves it
``hide_after_ms`` after it was shown (a problem still so, told through ``about`` or
``problem``, stays until it is solved), an update (the same key) replaces its message, and the
bar hides with the last; a long list scrolls within it rather than push the window past the
screen's edge. Each message has its own close button: the bar's one button closed them all, a
problem still so with the notices that had had their time.
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
    QVBoxLayout,
    QWidget,
)

from ...core.events import State
from ..common.icons import STATE_COLORS
from ..common.screen import screen_size
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


#: The most notices listed at once: beyond that the oldest info leaves for a new one, a
#: warning only when all are warnings (a burst of recoveries pushed a drop out before its
#: time). Problems still so (``about``, ``problem``) are not counted and never pushed out: they
#: are few, and six of them at a start pushed out every drop the moment it came.
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
        #: The lines (a text and its close button), made once and reused (a thousand
        #: notices made a thousand widgets, each restyled at every one after it), and the
        #: key of the message each shows now, the newest first.
        self._rows: list[tuple[QWidget, QLabel, QToolButton]] = []
        self._shown: list[object] = []
        self._tint: Severity | None = None
        self._list = QWidget(self)
        self._list_layout = QVBoxLayout(self._list)
        self._list_layout.setContentsMargins(0, 0, 0, 0)
        self._list_layout.setSpacing(self.fontMetrics().lineSpacing() // 2)
        self._lines = QScrollArea(self)
        self._lines.setWidget(self._list)
        self._list.setAutoFillBackground(False)  # (``setWidget`` turned it on)
        self._lines.setWidgetResizable(True)
        self._lines.setFrameShape(QFrame.Shape.NoFrame)
        self._lines.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._lines.viewport().setAutoFillBackground(False)  # the tint shows through
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self._lines, 1)
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
        passing = [k for k, m in self._messages.items() if m.until < math.inf]
        while len(passing) > MOST_SHOWN:
            gone = self._first_to_leave(passing)
            passing.remove(gone)
            del self._messages[gone]
        self._render()
        return key

    def _first_to_leave(self, passing: list[object]) -> object:
        """Of the ``passing`` notices, the oldest info, else the oldest."""
        infos = (key for key in passing if self._messages[key].severity == "info")
        return next(infos, passing[0])

    def problem(self, title: str, text: str, key: object) -> object:
        """A problem still so, under ``key``: it stays until it is solved (``withdraw``, or an
        ``about`` word that it is) or the user closes it. "Profiles could not be read" or
        "Metrics are not served" left after 10 s, still so."""
        return self._show(title, text, "warning", key, standing=True)

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
        self._shown = list(reversed(self._messages))  # the newest first
        while len(self._rows) < len(self._shown):
            self._rows.append(self._row(len(self._rows)))
        for at, (row, label, close) in enumerate(self._rows):
            row.setVisible(at < len(self._shown))
            if at < len(self._shown):
                m = self._messages[self._shown[at]]
                label.setText(f"{m.title}\n{m.text}" if m.text else m.title)
                close.setAccessibleName(self.tr("Dismiss: {title}").format(title=m.title))
        shown = list(reversed(self._messages.values()))
        if len(shown) == 1:
            name = self.tr("Notification: {title}").format(title=shown[0].title)
        else:  # all of them, the newest first: it named only the newest
            titles = spoken_together([m.title for m in shown])
            name = self.tr("%n notifications: {titles}", "", len(shown)).format(titles=titles)
        self.setAccessibleName(name)
        severity: Severity = "warning" if any(m.severity == "warning" for m in shown) else "info"
        if severity != self._tint:  # (a style set restyles every line: only when it changes)
            self._tint = severity
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

    def _row(self, at: int) -> tuple[QWidget, QLabel, QToolButton]:
        """The line ``at`` (0: the newest's): a text, and a button closing its message only."""
        row = QWidget(self._list)
        label = QLabel(row)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(row)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Dismiss"))
        close.clicked.connect(lambda: self.withdraw(self._shown[at]))
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self._list_layout.addWidget(row)
        return row, label, close

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """As tall as the messages at the width they have, up to ``MOST_OF_SCREEN``."""
        width = self._lines.viewport().width()
        need = self._list.heightForWidth(width) if width > 0 else -1
        if need < 0:
            need = self._list.sizeHint().height()
        most = max(
            2 * self.fontMetrics().lineSpacing(), int(screen_size(self).height() * MOST_OF_SCREEN)
        )
        self._lines.setFixedHeight(min(need, most))

    @Slot()
    def dismiss(self) -> None:
        """Every message away (the program's, at a reset: the user closes one at a time)."""
        self._timer.stop()
        self._messages.clear()
        self._shown = []
        for row, label, _ in self._rows:
            label.clear()
            row.hide()
        self.hide()

    def message(self) -> tuple[str, str, Severity]:
        """The message shown last: title, text and severity."""
        if not self._messages:
            return "", "", "info"
        title, text, severity, _ = next(reversed(self._messages.values()))
        return title, text, severity

    def label_text(self) -> str:
        """Every message's text, the newest first, as the user reads them."""
        rows = self._rows[: len(self._shown)]
        return "\n\n".join(label.text() for _, label, _ in rows)

    def close_button(self, key: object = None) -> QToolButton:
        """The button that closes the message of ``key`` (None: the newest)."""
        return self._rows[0 if key is None else self._shown.index(key)][2]


def _severity(severity: str) -> Severity:
    return "warning" if severity == "warning" else "info"
