"""The session: the files of one config and data dir, as the GUI and the command line open them."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tcpmonitor_gui.core import jsonfile
from tcpmonitor_gui.core.eventqueries import Uptime
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.core.session import (
    GO_WAIT_S,
    EventLogUnavailable,
    ProblemKind,
    Session,
    SessionError,
)

BAD = b'{"version": 1, "profiles": [{"name": "x", "host": "127.0.0.1", "port": 0}]}'
#: Certainly broken (cut short), where BAD may be a newer version's (``test_newer_files``).
BROKEN = b'{"version": 1, "profiles": [{"name": "x", "host": "127.0.0.1", "port": 80'


def dirs(tmp_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "config"
    config.mkdir()
    return config, tmp_path / "data"


def test_strict_refuses_a_bad_file_by_name_and_writes_nothing(tmp_path: Path) -> None:
    config, data = dirs(tmp_path)
    (config / "profiles.json").write_bytes(BAD)
    session = Session(config, data, strict=True)
    try:
        assert session.settings.retention_days == 90  # another file: no obstacle
        with pytest.raises(SessionError, match=r"^profiles\.json: profiles\[0\]\.port: 0 "):
            session.profiles  # noqa: B018 - read on first use
    finally:
        session.close()
    assert sorted(p.name for p in config.iterdir()) == ["profiles.json"]
    assert (config / "profiles.json").read_bytes() == BAD
    assert not data.exists()


def test_lenient_keeps_a_copy_starts_empty_and_says_so(tmp_path: Path) -> None:
    config, data = dirs(tmp_path)
    (config / "profiles.json").write_bytes(BROKEN)
    session = Session(config, data, strict=False)
    try:
        assert list(session.profiles) == []
        (problem,) = session.problems
        assert problem.kind is ProblemKind.PROFILES_UNREADABLE
        assert "not valid JSON" in problem.error
        assert Path(problem.kept).read_bytes() == BROKEN
        session.profiles.add([Profile(name="new", host="127.0.0.1", port=1)])
        session.profiles.flush().result(5)
        assert [p.name for p in ProfileStore(config).load()] == ["new"]
    finally:
        session.close()


def test_when_no_copy_can_be_kept_the_file_is_never_written_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, data = dirs(tmp_path)
    (config / "profiles.json").write_bytes(BROKEN)

    def no_room(path: Path, now: object = None) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jsonfile, "keep_corrupt_copy", no_room)
    session = Session(config, data, strict=False)
    try:
        assert list(session.profiles) == []
        (problem,) = session.problems
        assert problem.kept == ""
        session.profiles.add([Profile(name="new", host="127.0.0.1", port=1)])
        with pytest.raises(jsonfile.JsonFileError, match=r"not saved: profiles\.json could not"):
            session.profiles.flush().result(5)
    finally:
        session.close()
    assert (config / "profiles.json").read_bytes() == BROKEN


def test_an_unusable_event_log_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    config, data = dirs(tmp_path)
    (data / "events.sqlite3").mkdir(parents=True)  # a directory where the file goes
    lenient = Session(config, data, strict=False)
    try:
        eventlog = lenient.open_eventlog()  # it keeps trying: a full disk at start has room later
        assert eventlog is not None and not eventlog.opened_once
        assert [p.kind for p in lenient.problems] == [ProblemKind.EVENTLOG_UNUSABLE]
        with pytest.raises(EventLogUnavailable, match=r"cannot be used: .*events\.sqlite3"):
            lenient.history(None, 10).result(5)  # not [], which would say "no events"
        assert lenient.uptimes(["a"]).result(5) == {"a": Uptime(None)}  # unknown
    finally:
        lenient.close()
    strict = Session(config, data, strict=True)
    try:
        with pytest.raises(SessionError, match=r"events\.sqlite3"):
            strict.open_eventlog()
    finally:
        strict.close()


def test_the_log_opens_on_the_io_thread_once_told_and_its_queries_wait_for_it(
    tmp_path: Path,
) -> None:
    """The desktop program's way (``open_eventlog_soon``): the calling thread never opens
    the log; a query asked before it is open is answered from it, not from nothing."""
    config, data = dirs(tmp_path)
    session = Session(config, data, strict=False)
    go = threading.Event()
    try:
        opened = session.open_eventlog_soon(go)
        early = session.history(None, 10)
        assert not opened.done() and not early.done()  # both wait for the go-ahead
        assert session.eventlog is None and not (data / "events.sqlite3").exists()
        go.set()
        assert opened.result(5) is None  # no problem
        assert early.result(5).rows == [] and session.eventlog is not None
        assert (data / "events.sqlite3").exists()
    finally:
        session.close()


def test_quitting_before_the_go_ahead_opens_nothing_and_does_not_wait(tmp_path: Path) -> None:
    config, data = dirs(tmp_path)
    session = Session(config, data, strict=False)
    opened = session.open_eventlog_soon(threading.Event())  # the first frame never came
    started = time.monotonic()
    session.close()
    assert time.monotonic() - started < GO_WAIT_S / 2
    assert opened.result(0) is None and session.eventlog is None
    assert not (data / "events.sqlite3").exists()


def test_an_unusable_log_opened_on_the_io_thread_is_a_problem_for_the_caller(
    tmp_path: Path,
) -> None:
    config, data = dirs(tmp_path)
    (data / "events.sqlite3").mkdir(parents=True)  # a directory where the file goes
    session = Session(config, data, strict=False)
    go = threading.Event()
    go.set()
    try:
        problem = session.open_eventlog_soon(go).result(5)
        assert problem is not None and problem.kind is ProblemKind.EVENTLOG_UNUSABLE
        assert session.problems == []  # the caller tells it (on its own thread)
        with pytest.raises(EventLogUnavailable, match=r"events\.sqlite3"):
            session.history(None, 10).result(5)
    finally:
        session.close()


def test_reading_nothing_starts_no_thread_and_creates_no_file(tmp_path: Path) -> None:
    config, data = tmp_path / "c", tmp_path / "d"
    session = Session(config, data)
    assert list(session.profiles) == [] and session.settings.workers == 0
    assert not [t for t in threading.enumerate() if t.name.startswith("tcpm-io")]
    session.close()
    assert not config.exists() and not data.exists()
