"""Rows a newer version wrote to the event log (a kind this version does not know), paged
into the window's log: they were left out with a line in the program's own log only, so the
pane showed less than the log held and did not say so; and a page they made short was taken
for the oldest, so nothing older than them was shown at all."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.session import Session
from tcpmonitor_gui.ui.log.pane import LogPane
from tcpmonitor_gui.ui.log.unread import UnreadNote
from tests.gui.test_log_model import page_all
from tests.helpers import recorded_by_a_newer_version

START = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=2)
#: Ten changes, one a minute: down and up in turn, this version's own.
OURS = [(m, "down" if m % 2 else "up", "up" if m % 2 else "down", None) for m in range(10)]


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    """A log holding ``OURS`` and, between them, two rows of a newer version's kind."""
    data = tmp_path / "data"
    recorded_by_a_newer_version(data / "events.sqlite3", "p1", START, OURS[:5])
    newer = [(5, "down", "up", "proxy_error"), (5, "up", "down", None)]
    recorded_by_a_newer_version(data / "events.sqlite3", "p1", START, newer, kind="notice")
    recorded_by_a_newer_version(data / "events.sqlite3", "p1", START, OURS[5:])
    s = Session(tmp_path / "config", data, strict=False)
    s.open_eventlog()
    yield s
    s.close()


def _readable(session: Session) -> list[object]:
    """Every row of the log this version reads, as the command reads them."""
    assert session.eventlog is not None
    return list(session.eventlog.events())


def _pane(qtbot: QtBot, session: Session) -> LogPane:
    pane = LogPane(session.history, page_size=4)  # the newer rows fall inside a page
    qtbot.addWidget(pane)
    page_all(qtbot, pane.model)
    return pane


def test_rows_older_than_a_newer_versions_are_all_shown(qtbot: QtBot, session: Session) -> None:
    pane = _pane(qtbot, session)
    readable = _readable(session)
    assert len(readable) >= len(OURS)  # and what the opening added: their end, unwatched
    assert pane.model.rowCount() == len(readable)


def test_the_pane_says_how_many_stored_rows_it_leaves_out(qtbot: QtBot, session: Session) -> None:
    pane = _pane(qtbot, session)
    note = pane.findChild(UnreadNote)
    assert note is not None and not note.isHidden()
    assert note.text() == (
        "2 stored events are not shown: this version cannot read them (a kind or state a newer"
        " version of TCP Monitor wrote, or a damaged row)."
    )
    pane.model.reload()  # read again from the newest: counted again, not twice
    page_all(qtbot, pane.model)
    assert note.text().startswith("2 stored events are not shown")


def test_no_note_where_every_row_is_read(qtbot: QtBot, tmp_path: Path) -> None:
    data = tmp_path / "data"
    recorded_by_a_newer_version(data / "events.sqlite3", "p1", START, OURS)
    s = Session(tmp_path / "config", data, strict=False)
    s.open_eventlog()
    try:
        pane = _pane(qtbot, s)
        note = pane.findChild(UnreadNote)
        assert pane.model.rowCount() == len(_readable(s)) and note is not None and note.isHidden()
    finally:
        s.close()


def test_the_note_is_said_in_chinese(chinese: None, qtbot: QtBot, session: Session) -> None:
    note = _pane(qtbot, session).findChild(UnreadNote)
    assert note is not None
    assert note.text().startswith("2 条已存储的事件未显示：此版本无法读取它们"), note.text()


def test_older_events_that_cannot_be_read_are_said_in_the_pane_while_so(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Said in the status bar for 10 s, while the pane went on showing no older events: it
    stops paging, so it stays so until the user reloads."""
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "events.sqlite3") as other:  # another program's database
        other.execute("CREATE TABLE notes (text)")
    s = Session(tmp_path / "config", data, strict=False)
    s.open_eventlog()
    try:
        pane = _pane(qtbot, s)
        note = pane.findChild(UnreadNote)
        assert note is not None and not note.isHidden()
        assert note.text().startswith("Older events could not be read: the event log cannot")
        assert "events.sqlite3" in note.text()
    finally:
        s.close()


def test_older_events_that_cannot_be_read_are_said_in_chinese(
    chinese: None, qtbot: QtBot, tmp_path: Path
) -> None:
    """ "the event log cannot be used: ..." was said in English in the Chinese window."""
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "events.sqlite3") as other:
        other.execute("CREATE TABLE notes (text)")
    s = Session(tmp_path / "config", data, strict=False)
    s.open_eventlog()
    try:
        note = _pane(qtbot, s).findChild(UnreadNote)
        assert note is not None
        text = note.text()
        assert text.startswith("无法读取更早的事件：无法使用事件日志："), text
        words = text.replace(str(data / "events.sqlite3"), "")  # the file is named as it is
        assert re.search("[A-Za-z]", words) is None, text
    finally:
        s.close()


def test_a_whole_page_of_rows_it_cannot_read_does_not_stop_the_paging(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """A page that brought no row to show (the newest rows all a newer version's kind) gave
    the view nothing to scroll by, so nothing asked for the next page: the pane stayed
    empty over a log of this version's own events."""
    data = tmp_path / "data"
    recorded_by_a_newer_version(data / "events.sqlite3", "p1", START, OURS)
    newer = [(20 + m, "down" if m % 2 else "up", "up" if m % 2 else "down", None) for m in range(8)]
    recorded_by_a_newer_version(data / "events.sqlite3", "p1", START, newer, kind="notice")
    s = Session(tmp_path / "config", data, strict=False)
    s.open_eventlog()
    try:
        pane = LogPane(s.history, page_size=4)  # two whole pages of them, the newest
        qtbot.addWidget(pane)
        pane.show()
        qtbot.waitUntil(lambda: pane.model.rowCount() > 0, timeout=10_000)  # ours, older
        note = pane.findChild(UnreadNote)
        assert note is not None and note.text().startswith("8 stored events are not shown")
    finally:
        s.close()
