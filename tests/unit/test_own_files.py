"""The program's own files against the program itself: it never writes a profile file it
would refuse to read back, never writes a report or an export over its own data, and keeps
the event log as private as the profiles."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from tcpmonitor_gui.core import jsonfile
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Cause, Event, State
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import ProfileFileError, ProfileStore
from tests.helpers import stored_event
from tests.unit._cli_process import Home, tcpmonitor


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "config", tmp_path / "data")


def profiles(n: int) -> list[Profile]:
    return [Profile(name=f"p{i}", host="127.0.0.1", port=1 + i, id=f"id{i}") for i in range(n)]


# -- never a profile file over the read limit ---------------------------------------------------


def test_profiles_too_many_to_indent_are_saved_compact_and_load_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonfile, "MAX_BYTES", 64 * 1024)
    store = ProfileStore(tmp_path / "config")
    many = profiles(100)
    assert len(jsonfile.dumps({"profiles": [p.to_dict() for p in many]})) > 64 * 1024
    store.save(many)
    assert store.path.stat().st_size <= 64 * 1024
    assert ProfileStore(tmp_path / "config").load() == many


def test_profiles_too_many_even_compact_are_refused_and_the_file_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonfile, "MAX_BYTES", 64 * 1024)
    store = ProfileStore(tmp_path / "config")
    store.save(profiles(10))
    before = store.path.read_bytes()
    with pytest.raises(ProfileFileError) as caught:
        store.save(profiles(200))
    assert str(caught.value).startswith("not saved: profiles.json would be 0.")
    assert str(caught.value).endswith("MiB, more than the 0.0625 MiB that can be read back")
    assert store.path.read_bytes() == before
    assert ProfileStore(tmp_path / "config").load() == profiles(10)


@pytest.mark.slow
def test_a_large_import_leaves_a_file_the_next_command_reads(home: Home, tmp_path: Path) -> None:
    """The attack: 19,000 profiles imported (3.3 MB compact) were written indented, 16.7 MiB,
    and every later command refused the file as too large."""
    big = tmp_path / "big.json"
    doc = [{"name": f"p{i}", "host": "127.0.0.1", "port": 1 + i} for i in range(19000)]
    big.write_text(json.dumps({"version": 1, "profiles": doc}))
    imported = tcpmonitor(home, "profiles", "import", str(big))
    assert imported.returncode == 0, imported.stderr
    assert (home.config / "profiles.json").stat().st_size <= jsonfile.MAX_BYTES
    listed = tcpmonitor(home, "profiles", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)["profiles"]) == 19000


# -- no output file over the program's own --------------------------------------------------------


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr.strip()


@pytest.fixture
def stocked(home: Home) -> dict[Path, bytes]:
    """A config and a data dir holding each of the program's files, with what each holds."""
    added = tcpmonitor(home, "profiles", "add", "db", "127.0.0.1:5432")
    assert added.returncode == 0, added.stderr
    home.data.mkdir(parents=True, exist_ok=True)
    for name in ("settings.json", "ui.ini", ".profiles.json.lock"):
        (home.config / name).write_text(f"{name}\n")
    for name in ("events.sqlite3", "events.sqlite3-wal", "events.sqlite3-shm",
                 "events.sqlite3-journal", ".events.sqlite3.lock"):  # fmt: skip
        (home.data / name).write_bytes(b"SQLite format 3\0" + name.encode())
    return {p: p.read_bytes() for d in (home.config, home.data) for p in d.iterdir()}


def named_ways(home: Home, tmp_path: Path) -> list[str]:
    """Each of the program's files as a report target: plainly, through ``..``, a symlink
    and a hard link."""
    (tmp_path / "link.csv").symlink_to(home.data / "events.sqlite3-wal")
    os.link(home.config / "profiles.json", tmp_path / "hard.csv")
    return [
        str(home.config / "profiles.json"),
        str(home.config / "settings.json"),
        str(home.config / "ui.ini"),
        str(home.config / ".profiles.json.lock"),
        f"{home.data}/../data/events.sqlite3",
        str(home.data / "events.sqlite3-shm"),
        str(home.data / "events.sqlite3-journal"),
        str(home.data / ".events.sqlite3.lock"),
        str(tmp_path / "link.csv"),
        str(tmp_path / "hard.csv"),
    ]


def test_a_report_is_never_written_over_the_programs_own_files(
    home: Home, tmp_path: Path, stocked: dict[Path, bytes]
) -> None:
    for target in named_ways(home, tmp_path):
        for option in ("--csv", "--html"):
            line = one_error_line(tcpmonitor(home, "report", option, target))
            assert line.startswith(f"tcpmonitor: {target}: is TCP Monitor's own "), line
            assert line.endswith("; nothing written, choose another file"), line
    line = one_error_line(tcpmonitor(home, "report", "--csv", str(tmp_path / "link.csv")))
    assert f"own events.sqlite3-wal ({home.data / 'events.sqlite3-wal'})" in line
    assert {p: p.read_bytes() for p in stocked} == stocked
    assert sorted(p for d in (home.config, home.data) for p in d.iterdir()) == sorted(stocked)


def test_a_profile_export_is_never_written_over_the_programs_own_files(
    home: Home, tmp_path: Path, stocked: dict[Path, bytes]
) -> None:
    for target in named_ways(home, tmp_path):
        line = one_error_line(tcpmonitor(home, "profiles", "export", target))
        assert line.startswith(f"tcpmonitor: {target}: is TCP Monitor's own "), line
    assert {p: p.read_bytes() for p in stocked} == stocked


def test_other_existing_files_are_still_overwritten(home: Home, tmp_path: Path) -> None:
    assert tcpmonitor(home, "profiles", "add", "db", "127.0.0.1:5432").returncode == 0
    for name, args in (("r.csv", ("report", "--csv")), ("p.json", ("profiles", "export"))):
        out = tmp_path / name
        out.write_text("old")
        result = tcpmonitor(home, *args, str(out))
        assert result.returncode == 0, result.stderr
        assert out.read_text() != "old"


# -- an event log as private as the profiles ----------------------------------------------------


def modes(path: Path) -> dict[str, int]:
    """The permission bits of the log and the files SQLite keeps beside it."""
    return {
        p.name: stat.S_IMODE(p.stat().st_mode)
        for p in path.parent.iterdir()
        if p.name.startswith(path.name)
    }


def one_event() -> list[Event]:
    orders = Profile(name="Orders DB", host="db.internal", port=5432, id="db")
    detail = "db.internal:5432 refused; action printed: secret"
    return [stored_event(orders, dt.datetime.now(dt.UTC), State.DOWN, cause=Cause.REFUSED,
                         detail=detail)]  # fmt: skip


def test_a_new_event_log_and_its_wal_and_shm_are_the_users_alone(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual one, with which SQLite makes 0644 files
    try:
        path = tmp_path / "data" / "events.sqlite3"
        with EventLog(path, flush_interval_s=0.05) as log:
            log.submit(one_event())
            assert log.flush()
            found = modes(path)
            assert {"events.sqlite3", "events.sqlite3-wal", "events.sqlite3-shm"} <= set(found)
            assert found == dict.fromkeys(found, 0o600)
    finally:
        os.umask(old)


def test_an_event_log_readable_by_others_is_tightened_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite3"
    with EventLog(path, flush_interval_s=0.05) as log:
        log.submit(one_event())
        assert log.flush()
    reader = sqlite3.connect(path)  # keeps the -wal and -shm there
    try:
        assert reader.execute("SELECT count(*) FROM events").fetchone()[0] >= 1
        for name in modes(path):
            os.chmod(tmp_path / name, 0o644)
        assert len(modes(path)) == 3
        with EventLog(path, flush_interval_s=0.05) as log:
            assert any(e.detail.startswith("db.internal") for e in log.events())
            assert modes(path) == dict.fromkeys(modes(path), 0o600)
    finally:
        reader.close()
