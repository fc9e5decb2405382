"""The program's own files against the program itself: it never writes a profile file it
would refuse to read back, never writes a report or an export over its own data, and keeps
the event log as private as the profiles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tcpmonitor_gui.core import jsonfile
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import ProfileFileError, ProfileStore
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
