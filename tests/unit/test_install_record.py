"""What ``--install-desktop-entry`` and start at login write, and how they know it again
(``integration/xdg.py``, ``integration/autostart.py``), run in-process against temporary XDG
directories (the command itself is driven in ``test_desktop_integration.py``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tcpmonitor_gui import APP_ID
from tcpmonitor_gui.integration import xdg
from tcpmonitor_gui.integration.autostart import RECORD_FILE, Autostart, NotOurs
from tcpmonitor_gui.integration.record import CHANGED, NOT_OURS, digest


def dead_pid() -> int:
    """The id of a process that has ended."""
    done = subprocess.Popen([sys.executable, "-c", ""])
    done.wait()
    return done.pid


def test_files_left_half_written_by_a_killed_install_are_cleared_by_the_next(
    xdg_env: dict[str, str], tmp_path: Path
) -> None:
    """An install (or start at login turned on) killed while it wrote left its temporary
    file beside the target for good: it had a whole-file write of its own, which cleared no
    one's leftovers. It writes as the config files are written, which clears those of writers
    that are gone (one still running keeps its own)."""
    entry = tmp_path / "data" / "applications" / xdg.DESKTOP_FILE
    login = tmp_path / "config" / "autostart" / xdg.DESKTOP_FILE
    alive = entry.with_name(f".{entry.name}.tmp-{os.getpid()}-00000000")
    leftovers = [alive]
    for target in (entry, login):
        target.parent.mkdir(parents=True)
        leftovers.append(target.with_name(f".{target.name}.tmp-{dead_pid()}-0badf00d"))
    for leftover in leftovers:
        leftover.write_text("[Desktop Entry]\nName=TCP Mon")
    xdg.install(xdg_env)
    Autostart("linux", env=xdg_env, home=tmp_path / "home").enable(["/opt/tcpmonitor-gui"])
    assert [p.name for p in leftovers if p.exists()] == [alive.name]
    assert entry.is_file() and login.is_file()


def recorded(data: Path) -> dict[str, str]:
    """The install's record under the XDG data dir ``data``: each path with its hash."""
    document = json.loads((data / "tcpmonitor" / xdg.RECORD_FILE).read_text())
    return {entry["path"]: entry["sha256"] for entry in document["files"]}


def record_as(data: Path, files: dict[str, str]) -> None:
    """The record rewritten to say ``files`` were installed (as another version would)."""
    entries = [{"path": path, "sha256": sha} for path, sha in files.items()]
    text = json.dumps({"version": 1, "files": entries})
    (data / "tcpmonitor" / xdg.RECORD_FILE).write_text(text)


def later_version(data: Path) -> tuple[Path, Path]:
    """What a later version installs: its own entry (other keys) and an icon of a size this
    one does not make, recorded as that version records them."""
    entry = data / "applications" / xdg.DESKTOP_FILE
    entry.write_text(entry.read_text() + "X-TcpMonitor-Later=true\n")
    icon = data / "icons" / "hicolor" / "512x512" / "apps" / f"{APP_ID}.png"
    icon.parent.mkdir(parents=True, exist_ok=True)
    icon.write_bytes(b"\x89PNG a later version's icon")
    files = recorded(data)
    for path in (entry, icon):
        files[str(path)] = digest(path.read_bytes())
    record_as(data, files)
    return entry, icon


def test_a_later_versions_files_are_removed_and_replaced_as_recorded(
    xdg_env: dict[str, str], tmp_path: Path
) -> None:
    """Files were known by what this version writes: a later version's entry (other keys)
    was "not what --install-desktop-entry writes", never removed nor replaced, and an icon
    of a size this version does not make was never looked at. What the record names and is
    unchanged since is the install's, whichever version wrote it."""
    data = tmp_path / "data"
    xdg.install(xdg_env)
    entry, icon = later_version(data)
    again = xdg.install(xdg_env)  # going back to this version replaces its entry
    assert (entry in again.done, again.left) == (True, [])
    assert "Later" not in entry.read_text() and icon.exists()
    assert str(icon) in recorded(data)  # still the later one's to remove
    entry, icon = later_version(data)
    done = xdg.uninstall(xdg_env)
    assert (done.left, done.notes) == ([], [])
    assert entry in done.done and icon in done.done
    assert not [p for p in data.rglob(f"{APP_ID}*") if p.is_file()]  # (caches stay)
    assert not (data / "tcpmonitor" / xdg.RECORD_FILE).exists()  # the record went with them


def test_an_entry_whose_command_the_user_changed_is_left(
    xdg_env: dict[str, str], tmp_path: Path
) -> None:
    """The entry was recognised with its Exec line left out (it runs whichever launcher
    installed it): the user's copy pointed at a wrapper of their own was taken for the
    install's and removed, or replaced by the next install. Changed since it was written,
    it is left and said."""
    data = tmp_path / "data"
    xdg.install(xdg_env)
    entry = data / "applications" / xdg.DESKTOP_FILE
    mine = re.sub(r"(?m)^Exec=.*$", "Exec=/home/me/bin/with-vpn tcpmonitor-gui", entry.read_text())
    entry.write_text(mine)
    assert xdg.install(xdg_env).left == [(entry, CHANGED)]
    done = xdg.uninstall(xdg_env)
    assert done.left == [(entry, CHANGED)] and entry.read_text() == mine
    assert xdg.install(xdg_env).left == [(entry, CHANGED)]  # the record still knows it


def test_an_install_made_before_records_is_still_known_by_its_content(
    xdg_env: dict[str, str], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    xdg.install(xdg_env)
    (data / "tcpmonitor" / xdg.RECORD_FILE).unlink()
    icon = data / "icons" / "hicolor" / "48x48" / "apps" / f"{APP_ID}.png"
    icon.write_bytes(b"my own icon")
    done = xdg.uninstall(xdg_env)
    assert done.left == [(icon, NOT_OURS)] and icon.read_bytes() == b"my own icon"
    assert len(done.done) == len(xdg.install_targets(data)) - 1


def test_a_record_that_cannot_be_read_is_said_and_the_files_known_by_their_content(
    xdg_env: dict[str, str], tmp_path: Path
) -> None:
    """Not JSON, or a link (here to a record that names a file of the user's): not used,
    not replaced, not written through; what an install writes today is still removed."""
    data = tmp_path / "data"
    record = data / "tcpmonitor" / xdg.RECORD_FILE
    elsewhere = tmp_path / "elsewhere.json"
    precious = data / "applications" / f"{APP_ID}.mine.desktop"
    for make in (
        lambda: record.write_bytes(b'{"version": 1, "files": [}'),
        lambda: record.symlink_to(elsewhere),
    ):
        xdg.install(xdg_env)
        precious.write_text("mine")
        elsewhere.write_text(json.dumps({"version": 1, "files": [
            {"path": str(precious), "sha256": digest(b"mine")}]}))  # fmt: skip
        record.unlink(missing_ok=True)
        make()
        before = (os.readlink(record) if record.is_symlink() else "", record.read_bytes())
        done = xdg.uninstall(xdg_env)
        assert len(done.done) == len(xdg.install_targets(data)) and done.left == []
        assert len(done.notes) == 1 and str(record) in done.notes[0], done.notes
        assert done.notes[0].endswith("; the files are known by their content"), done.notes
        again = xdg.install(xdg_env)
        assert again.left == [] and len(again.notes) == 2, again.notes
        if record.is_symlink():  # left: what was done is not recorded
            assert (os.readlink(record), record.read_bytes()) == before
            assert again.notes[1].endswith(
                ": is a link; not written, what was done is not recorded"
            )
        else:  # a new record, the one it could not read kept beside
            assert len(recorded(data)) == len(xdg.install_targets(data))
            (kept,) = record.parent.glob(f"{xdg.RECORD_FILE}.corrupt-*")
            assert kept.read_bytes() == before[1] and kept.name in again.notes[1]
        assert precious.read_text() == "mine" and elsewhere.read_text().startswith('{"version"')
        xdg.uninstall(xdg_env)
        record.unlink(missing_ok=True)


def test_a_record_naming_files_no_install_writes_touches_none_of_them(
    xdg_env: dict[str, str], tmp_path: Path
) -> None:
    """A record is the user's file like any other: one that names a file outside the
    folders an install writes (through ``..`` too), or one not named for the application,
    never has it removed, even with the right hash; it says so."""
    data = tmp_path / "data"
    xdg.install(xdg_env)
    outside = tmp_path / "precious" / f"{APP_ID}.desktop"
    dotdot = data / "applications" / ".." / ".." / "precious" / f"{APP_ID}.png"
    other = data / "applications" / "firefox.desktop"
    outside.parent.mkdir()
    for path in (outside, dotdot, other):
        path.write_text("someone's")
    files = recorded(data)
    files.update({str(p): digest(b"someone's") for p in (outside, dotdot, other)})
    record_as(data, files)
    done = xdg.uninstall(xdg_env)
    assert done.left == [] and len(done.done) == len(xdg.install_targets(data))
    for path in (outside, dotdot, other):
        assert path.read_text() == "someone's"
        assert f"names {path}, which no install writes; not touched" in "\n".join(done.notes)


def test_a_login_entry_the_user_changed_is_left_and_a_later_versions_removed(
    tmp_path: Path,
) -> None:
    """Start at login turned off removed an entry whose command the user had changed (it
    was recognised without its Exec line), and left a later version's (other keys)."""
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    autostart = Autostart("linux", env=env, home=tmp_path)
    entry = autostart.enable(["/opt/tcpmonitor-gui"])
    mine = entry.read_text().replace("Exec=/opt/tcpmonitor-gui", "Exec=/home/me/bin/later")
    entry.write_text(mine)
    with pytest.raises(NotOurs):
        autostart.disable()
    assert entry.read_text() == mine
    entry.unlink()
    autostart.enable(["/opt/tcpmonitor-gui"])
    later = entry.read_text() + "X-GNOME-Autostart-Delay=10\n"
    entry.write_text(later)
    record = tmp_path / "config" / "tcpmonitor" / RECORD_FILE
    document = json.loads(record.read_text())
    document["files"][0]["sha256"] = digest(later.encode())
    record.write_text(json.dumps(document))
    autostart.disable()
    assert not entry.exists() and not record.exists()
