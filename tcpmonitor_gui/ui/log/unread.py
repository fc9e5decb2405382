"""Stored events the log pane cannot show, said in the pane.

A row a newer version wrote (a kind or a state this one does not know) was left out with a
line in the program's own log only: the user, reading the pane, took the history shown for
all of it. The pane now says how many rows it leaves out, and why; and, for as long as it is
so, that older events could not be read at all (said in the status bar for 10 s, while the
pane went on showing only the newest, paging no more).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from ..common.file_problems import file_problem_text
from ..common.i18n import translate
from .model import LogModel


def unreadable_text(why: str) -> str:
    """What the pane says of older events it could not read (the status bar, the note), in
    the user's language: "the event log cannot be used: ..." was English in the Chinese
    window."""
    said = translate("UnreadNote", "Older events could not be read: {why}")
    return said.format(why=file_problem_text(why))


class UnreadNote(QLabel):
    """A line above the log's rows while stored rows are left out; hidden otherwise."""

    def __init__(self, model: LogModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.hide()
        self._unread, self._failed = 0, ""
        model.unreadChanged.connect(self._count)
        model.historyFailed.connect(self._fail)

    def _count(self, unread: int) -> None:
        """``unread`` rows left out so far; 0: read again from the newest (a reload)."""
        self._unread = unread
        if not unread:
            self._failed = ""
        self._say()

    def _fail(self, why: str) -> None:
        self._failed = unreadable_text(why)
        self._say()

    def _say(self) -> None:
        lines = [self._failed] if self._failed else []
        if self._unread:
            lines.append(
                self.tr(
                    "%n stored events are not shown: this version cannot read them (a kind or "
                    "state a newer version of TCP Monitor wrote, or a damaged row).",
                    "",
                    self._unread,
                )
            )
        self.setText("\n".join(lines))
        self.setVisible(bool(lines))
