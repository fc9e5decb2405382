"""Names, groups and causes come from a profile file or a peer; where Qt guesses whether text
is HTML (tooltips, message boxes, labels left at ``AutoText``) they must still show as
written. Read as HTML, "<b>" turned bold and "<img src=...>" made Qt open that file on the GUI
thread: a FIFO there froze the window for ever, ``/dev/zero`` filled its memory."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent, QTextDocument
from PySide6.QtGui import Qt as QtGui  # mightBeRichText, as Qt decides
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QMessageBox, QToolTip
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.events import Cause, State
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.ui.log.model import Column as LogColumn
from tcpmonitor_gui.ui.log.pane import LogPane
from tcpmonitor_gui.ui.profiles.dialog import ProfileDialog
from tcpmonitor_gui.ui.status.model import Column
from tests.gui.test_log_model import state_event
from tests.gui.windows import Opened, open_window
from tests.helpers import make_profile, stored_event

NOW = dt.datetime.now(dt.UTC)
#: Nothing is at that path: the test must not hang if the markup were read.
IMAGE = "<img src=/nonexistent/tcpmonitor-test.png>"
NAME = f"Orders <b>DB</b> {IMAGE}"
DETAIL = f"<b>unexpected</b> reply {IMAGE} &amp; more"


def shown(text: str, text_format: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What a person reads where Qt shows ``text`` in ``text_format``."""
    document = QTextDocument()
    rich = text_format == Qt.TextFormat.RichText or (
        text_format == Qt.TextFormat.AutoText and QtGui.mightBeRichText(text)
    )
    if rich:
        document.setHtml(text)
    else:
        document.setPlainText(text)
    return document.toPlainText().replace("\u2028", "\n")


def hover(view: QAbstractItemView, row: int, column: int) -> str:
    rect = view.visualRect(view.model().index(row, column))
    help_event = QHelpEvent(
        QEvent.Type.ToolTip, rect.center(), view.viewport().mapToGlobal(rect.center())
    )
    QApplication.sendEvent(view.viewport(), help_event)
    text = QToolTip.text() if QToolTip.isVisible() else ""
    QToolTip.hideText()
    return text


@pytest.fixture
def opened(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[Opened, Profile]]:
    profile = make_profile("127.0.0.1", 5000, name=NAME, group="<i>prod</i>")
    ProfileStore(tmp_path / "config").save([profile])
    o = open_window(qtbot, tmp_path / "config", tmp_path / "data", monitor=False)
    o.window.show()
    qtbot.waitExposed(o.window)
    o.window.table.watch_viewport()  # what starting to monitor does
    down = stored_event(profile, NOW, State.DOWN, cause=Cause.RESET, detail=DETAIL)
    o.window.on_events([down])
    o.window.model.flush_states()
    o.window._flush_ui()
    yield o, profile
    o.close()


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform, on the tooltip
def test_a_name_and_a_cause_that_look_like_markup_show_as_written_in_the_table_and_tray(
    opened: tuple[Opened, Profile],
) -> None:
    o, _ = opened
    tip = shown(hover(o.window.table.table, 0, Column.CAUSE))
    assert NAME in tip and DETAIL in tip
    assert NAME in shown(o.window.tray.tooltip())


def test_the_question_before_removing_shows_the_name_as_written(
    qtbot: QtBot, opened: tuple[Opened, Profile]
) -> None:
    o, _ = opened
    o.window.table.table.selectRow(0)
    o.window.profiles.remove_selected()
    qtbot.waitUntil(lambda: any(isinstance(w, QMessageBox) for w in QApplication.topLevelWidgets()
                                if w.isVisible()), timeout=3000)  # fmt: skip
    (box,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    assert NAME in shown(box.text(), box.textFormat())
    box.reject()


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform, on the tooltip
def test_a_detail_that_looks_like_markup_shows_as_written_in_the_log(qtbot: QtBot) -> None:
    pane = LogPane()
    qtbot.addWidget(pane)
    pane.resize(900, 300)
    pane.add_events([dataclasses.replace(state_event(1), detail=DETAIL)])
    pane.show()
    qtbot.waitExposed(pane)
    assert shown(hover(pane.view, 0, LogColumn.DETAIL)) == DETAIL


def test_the_dialog_shows_a_value_that_looks_like_markup_as_written(qtbot: QtBot) -> None:
    name = "DB <b>1</b> <img src=/nonexistent/a.png>"  # short: a message quotes 60 characters
    dialog = ProfileDialog(None, existing_names=[name])  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.form.host_edit.setText("127.0.0.1")
    dialog.form.port_spin.setValue(5000)
    dialog.form.name_edit.setText(name)
    message = dialog.form.error_text("name")
    assert "already the name" in message
    labels = [label for label in dialog.findChildren(QLabel) if label.text() == message]
    assert labels and all(name in shown(label.text(), label.textFormat()) for label in labels)
    assert name in shown(dialog.form.field_widget("name").toolTip())
