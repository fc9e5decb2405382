"""profiles.json as an older version wrote it (version 0: a bare list of profiles), written
over by this one for the first time: brought up to date, the file as it was kept beside it,
and said once."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest

from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import ProfileStore
from tests.unit._cli_process import Home, tcpmonitor

ORDERS = {"id": "a1", "name": "Orders DB", "host": "db.internal", "port": 5432}
SAID = (
    "profiles.json: brought up from version 0 to 1 (an older TCP Monitor can no longer read "
    "it); the file as it was is kept as profiles.json.v0.bak"
)


def older(config: Path) -> bytes:
    config.mkdir(parents=True)
    raw = json.dumps([ORDERS], indent=2).encode()
    (config / "profiles.json").write_bytes(raw)
    return raw


def test_the_first_write_over_a_version_0_file_keeps_it_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """It was written over as version 1 without a word, and the version that wrote it could
    not read it any more."""
    config = tmp_path / "config"
    original = older(config)
    store = ProfileStore(config)
    loaded = store.load()
    caplog.set_level(logging.WARNING)
    store.save([*loaded, Profile(name="new", host="127.0.0.1", port=1)])
    kept = config / "profiles.json.v0.bak"
    assert kept.read_bytes() == original
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert [r.getMessage() for r in caplog.records] == [SAID]
    assert json.loads((config / "profiles.json").read_text())["version"] == 1
    caplog.clear()
    store.save(store.load())  # version 1 now: nothing more kept, nothing said
    assert caplog.records == []
    assert sorted(p.name for p in config.iterdir()) == ["profiles.json", "profiles.json.v0.bak"]


def test_a_copy_there_already_is_never_written_over(tmp_path: Path) -> None:
    config = tmp_path / "config"
    older(config)
    (config / "profiles.json.v0.bak").write_text("the user's own")
    store = ProfileStore(config)
    store.save(store.load())
    assert (config / "profiles.json.v0.bak").read_text() == "the user's own"


def test_profiles_add_on_a_version_0_file_says_it_once(tmp_path: Path) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    original = older(home.config)
    added = tcpmonitor(home, "profiles", "add", "new", "127.0.0.1:1")
    assert added.returncode == 0, added.stderr
    assert SAID in added.stderr
    assert (home.config / "profiles.json.v0.bak").read_bytes() == original
    again = tcpmonitor(home, "profiles", "add", "newer", "127.0.0.1:2")
    assert again.returncode == 0 and "brought up" not in again.stderr
