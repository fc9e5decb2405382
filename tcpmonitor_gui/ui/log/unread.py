"""Stored events the log pane cannot show, said in the pane.

A row a newer version wrote (a kind or a state this one does not know) was left out with a
line in the program's own log only: the user, reading the pane, took the history shown for
all of it. The pane now says how many rows it leaves out, and why.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from .model import LogModel


class UnreadNote(QLabel):
    """A line above the log's rows while some stored rows are left out; hidden otherwise."""

    def __init__(self, model: LogModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.hide()
        model.unreadChanged.connect(self._say)

    def _say(self, unread: int) -> None:
        self.setText(
            self.tr(
                "%n stored events are not shown: this version cannot read them (a kind or "
                "state a newer version of TCP Monitor wrote, or a damaged row).",
                "",
                unread,
            )
        )
        self.setVisible(unread > 0)
