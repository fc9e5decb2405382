"""An event log that is not one this program can use, where the window starts: a directory,
someone's bytes, a truncated copy, a newer program's database; and one that is a symlink to
the real log. The window starts, says what is wrong with which file, goes on monitoring, and
leaves the file as it was."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core import eventwriter
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import State
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.lab import FaultProxy
from tests.gui.windows import open_window, state_of
from tests.helpers import HOSTILE_LOGS, a_real_log, contents, fill, make_profile, plant


@pytest.fixture
def server() -> Iterator[int]:
    with socket.create_server(("127.0.0.1", 0)) as listening:
        yield listening.getsockname()[1]


@pytest.mark.parametrize("kind", sorted(HOSTILE_LOGS))
def test_the_window_starts_says_why_monitors_and_leaves_the_file(
    qtbot: QtBot, tmp_path: Path, server: int, kind: str
) -> None:
    config, data = tmp_path / "config", tmp_path / "data"
    db = make_profile("127.0.0.1", server, name="db", interval_s=0.2)
    ProfileStore(config).save([db])
    path = data / "events.sqlite3"
    plant(kind, path, tmp_path / "elsewhere.sqlite3")
    before, files = contents(path), set(os.listdir(data))
    opened = open_window(qtbot, config, data)
    try:
        qtbot.waitUntil(lambda: state_of(opened.window, db.id) is State.UP, timeout=5000)
        title, text, _severity = opened.window.banner.message()
        assert title == "The event log cannot be used", (title, text)
        assert str(path) in text and HOSTILE_LOGS[kind] in text, text
        assert "events are kept in memory and stored once the event log can be opened" in text
    finally:
        opened.close()
    assert contents(path) == before
    assert set(os.listdir(data)) == files


def test_a_symlinked_log_is_written_through_and_stays_a_symlink(
    qtbot: QtBot, tmp_path: Path, server: int
) -> None:
    config, data = tmp_path / "config", tmp_path / "data"
    db = make_profile("127.0.0.1", server, name="db", interval_s=0.2)
    ProfileStore(config).save([db])
    real = tmp_path / "elsewhere" / "events.sqlite3"
    real.parent.mkdir()
    a_real_log(real, "old")
    data.mkdir()
    (data / "events.sqlite3").symlink_to(real)
    opened = open_window(qtbot, config, data)
    try:
        qtbot.waitUntil(lambda: state_of(opened.window, db.id) is State.UP, timeout=5000)
        assert opened.window.banner.message()[0] == ""
    finally:
        opened.close()
    assert (data / "events.sqlite3").is_symlink()
    assert os.readlink(data / "events.sqlite3") == str(real)
    stored = EventLog(real).events()
    assert len([e for e in stored if e.profile_id == "old"]) >= 3000  # and how it ended
    assert any(e.profile_id == db.id and e.state is State.UP for e in stored)


def test_a_window_started_on_a_full_disk_stores_its_events_once_there_is_room(
    qtbot: QtBot, tmp_path: Path, small_disk: Path, server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event log "cannot be used" on a full disk at start, and nothing was stored for the
    whole session, though the disk had room a minute later: the window keeps the events and
    tries again (off the GUI thread), stores them once it opens, and says so."""
    monkeypatch.setattr(eventwriter, "RETRY_S", 0.2)
    config, data = tmp_path / "config", small_disk / "data"
    db = make_profile("127.0.0.1", server, name="db", interval_s=0.2)
    ProfileStore(config).save([db])
    filler = fill(small_disk)
    opened = open_window(qtbot, config, data)
    window = opened.window
    try:
        qtbot.waitUntil(lambda: state_of(window, db.id) is State.UP, timeout=5000)
        title, text, _severity = window.banner.message()
        assert title == "The event log cannot be used", (title, text)
        assert str(data / "events.sqlite3") in text and "disk is full" in text, text
        filler.unlink()
        qtbot.waitUntil(
            lambda: window.statusBar().currentMessage() == "Events are stored again.",
            timeout=5000,
        )
        said = window.banner.label_text()  # it said "cannot be used" on, solved
        assert "The event log cannot be used" not in said, said
        log = opened.session.eventlog
        assert log is not None and log.flush() and log.health().ok
        stored = [(e.state, e.previous) for e in log.events(profile=db.id)]
        assert stored[0] == (State.UP, State.UNKNOWN)  # kept while the disk was full
    finally:
        opened.close()


def test_a_data_folder_deleted_under_the_window_is_told_and_a_new_log_keeps_what_follows(
    qtbot: QtBot, tmp_path: Path, proxy: FaultProxy
) -> None:
    """The window went on writing into the deleted file, and said nothing."""
    config, data = tmp_path / "config", tmp_path / "data"
    db = make_profile(*proxy.address, name="db", interval_s=0.2, fail_after=1)
    ProfileStore(config).save([db])
    opened = open_window(qtbot, config, data)
    window = opened.window
    try:
        qtbot.waitUntil(lambda: state_of(window, db.id) is State.UP, timeout=5000)
        # Its "up" stored first: on a busy machine it was still queued, and went into the new
        # log, ahead of the drop this test looks for there.
        log = opened.session.eventlog
        assert log is not None and log.flush()
        shutil.rmtree(data)
        proxy.set_mode("refuse")
        qtbot.waitUntil(lambda: window.banner.message()[0] != "", timeout=5000)
        title, text, _severity = window.banner.message()
        assert title == "A new event log was started", (title, text)
        assert f"{data / 'events.sqlite3'}: was deleted while in use" in text, text
        qtbot.waitUntil(lambda: state_of(window, db.id) is State.DOWN, timeout=5000)
        assert log.flush() and log.health().ok
    finally:
        opened.close()
    stored = EventLog(data / "events.sqlite3").events(profile=db.id)
    assert [(e.state, e.previous) for e in stored][:1] == [(State.DOWN, State.UP)]
