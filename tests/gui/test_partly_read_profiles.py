"""The window on a profiles.json it reads only partly (a connection a newer version added):
what it says follows the file as the newer version changes it, and its export, which would
lack what it cannot read, is refused (``tests/gui/test_newer_files.py`` for the start)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from tests.gui.windows import open_window
from tests.helpers import make_profile

NOT_IN_FULL = "Profiles were not read in full"
#: A connection of a newer version: a detector this one does not know.
NEWER = {"id": "n1", "name": "Cert", "host": "db", "port": 1, "detector": {"kind": "tls"}}


def _write(path: Path, profiles: list[dict[str, Any]]) -> bytes:
    """Write the file as a program does (a new file renamed over the old)."""
    text = json.dumps({"version": 1, "profiles": profiles}).encode()
    new = path.with_name("profiles.json.new")
    new.write_bytes(text)
    os.replace(new, path)
    return text


def _cache() -> dict[str, Any]:
    return make_profile("127.0.0.1", 1, "probe", id="c1", name="Cache").to_dict()


def test_the_banner_goes_once_the_newer_connection_is_removed_from_the_file(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """It stayed, saying that changes are not saved over the file, while they were."""
    config = tmp_path / "config"
    config.mkdir()
    _write(config / "profiles.json", [NEWER, _cache()])
    o = open_window(qtbot, config, tmp_path / "data", monitor=False)
    try:
        assert NOT_IN_FULL in o.window.banner.label_text()
        _write(config / "profiles.json", [_cache()])  # the newer version removed it
        o.session.profiles.resync().result(timeout=10)
        qtbot.waitUntil(lambda: NOT_IN_FULL not in o.window.banner.label_text(), timeout=5000)
        o.session.profiles.add([make_profile("127.0.0.1", 2, "probe", name="new")])
        o.session.profiles.flush().result(timeout=10)
        names = [p["name"] for p in json.loads((config / "profiles.json").read_text())["profiles"]]
        assert names == ["Cache", "new"]  # saved, as the banner's going says
    finally:
        o.close()


def test_a_connection_the_newer_version_adds_later_is_said_to_be_left_out(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Read again (a change in the file) with a connection this version cannot read: it was
    monitored by no one here, and nothing said so."""
    config = tmp_path / "config"
    config.mkdir()
    _write(config / "profiles.json", [_cache()])
    o = open_window(qtbot, config, tmp_path / "data", monitor=False)
    try:
        assert NOT_IN_FULL not in o.window.banner.label_text()
        original = _write(config / "profiles.json", [_cache(), NEWER])
        o.session.profiles.resync().result(timeout=10)
        qtbot.waitUntil(lambda: NOT_IN_FULL in o.window.banner.label_text(), timeout=5000)
        said = o.window.banner.label_text()
        assert "1 connection is left out: this version cannot read it" in said
        assert "profiles[1].detector.kind: 'tls' is not one of" in said
        o.session.profiles.add([make_profile("127.0.0.1", 2, "probe", name="new")])
        qtbot.waitUntil(lambda: "Profiles were not saved" in o.window.banner.label_text())
        assert (config / "profiles.json").read_bytes() == original
    finally:
        o.close()


def test_the_windows_export_of_profiles_not_read_in_full_is_refused(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """It wrote the connections read ("Exported 1 connection"), without the newer version's
    and without a word: a copy taken to another computer lacked it. The command line's
    export refuses such a file too."""
    config = tmp_path / "config"
    config.mkdir()
    _write(config / "profiles.json", [NEWER, _cache()])
    o = open_window(qtbot, config, tmp_path / "data", monitor=False)
    out = tmp_path / "exported.json"
    try:
        with qtbot.waitSignal(o.window.profiles.problem, timeout=5000) as told:
            o.window.profiles.export_file(out)
        title, text = told.args
        assert title == "Export failed"
        assert "1 connection is left out: this version cannot read it" in text
        assert "copy profiles.json itself" in text
    finally:
        o.close()
    assert not out.exists()


def test_the_refused_export_is_said_in_chinese(chinese: None, qtbot: QtBot, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    _write(config / "profiles.json", [NEWER, _cache()])
    o = open_window(qtbot, config, tmp_path / "data", monitor=False)
    try:
        with qtbot.waitSignal(o.window.profiles.problem, timeout=5000) as told:
            o.window.profiles.export_file(tmp_path / "exported.json")
    finally:
        o.close()
    said = " ".join(told.args)
    words = said.replace("profiles.json", "").replace("profiles[0].detector.kind", "")
    for kept in ("'tls'", "probe, heartbeat, watch", str(tmp_path / "exported.json")):
        words = words.replace(kept, "")
    assert not any("a" <= c.lower() <= "z" for c in words), said


def test_a_newer_versions_file_moved_away_takes_its_banner_with_it(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """A file of a newer ``version`` (nothing read): the banner went on saying that no
    connection is saved over it after the user moved it away, as it advised, and the
    connections added since were saved."""
    config = tmp_path / "config"
    config.mkdir()
    newer = {"version": 2, "profiles": [NEWER]}
    (config / "profiles.json").write_text(json.dumps(newer))
    o = open_window(qtbot, config, tmp_path / "data", monitor=False)
    try:
        assert "Profiles could not be read" in o.window.banner.label_text()
        os.replace(config / "profiles.json", config / "profiles.newer.json")
        o.session.profiles.add([make_profile("127.0.0.1", 2, "probe", name="new")])
        o.session.profiles.flush().result(timeout=10)
        names = [p["name"] for p in json.loads((config / "profiles.json").read_text())["profiles"]]
        assert names == ["new"]
        qtbot.waitUntil(
            lambda: "Profiles could not be read" not in o.window.banner.label_text(), timeout=5000
        )
    finally:
        o.close()
    assert json.loads((config / "profiles.newer.json").read_text()) == newer
