"""profiles.json on disk: round trips, permissions, versions, refusals, and crash safety."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import random
import selectors
import stat
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tcpmonitor_gui.core import jsonfile
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import (
    ProfileFileError,
    ProfileStore,
    dump_document,
    parse_document,
)

HERE = Path(__file__).parent


def profile(name: str, **fields: Any) -> Profile:
    data = {
        "name": name,
        "host": "db.internal",
        "port": 5432,
        "id": name.lower().replace(" ", "-").replace("ä", "a"),
    }
    data.update(fields)
    return Profile.from_dict(data)


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return ProfileStore(tmp_path / "config")


def write(store: ProfileStore, content: bytes | str | Any) -> bytes:
    store.path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode()
    elif not isinstance(content, bytes):
        content = json.dumps(content).encode()
    store.path.write_bytes(content)
    return content


def load_error(store: ProfileStore) -> str:
    with pytest.raises(ProfileFileError) as caught:
        store.load()
    assert caught.value.path == store.path
    message = str(caught.value)
    assert "\n" not in message
    return message


def names_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


# -- round trips and format ----------------------------------------------------------------


def test_missing_file_loads_as_no_profiles(store: ProfileStore) -> None:
    assert store.load() == []
    assert not store.path.parent.exists()


def test_saved_profiles_load_back_equal(store: ProfileStore) -> None:
    profiles = [
        profile("Orders DB", notes="päivä ✓"),
        profile("Cache", detector={"kind": "heartbeat", "preset": "redis"}),
        profile("Tunnel", detector={"kind": "watch"}),
    ]
    store.save(profiles)
    assert ProfileStore(store.path.parent).load() == profiles


def test_file_is_private_and_so_is_a_new_config_dir(store: ProfileStore) -> None:
    store.save([profile("A")])
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700


def test_save_makes_a_readable_old_file_private(store: ProfileStore) -> None:
    store.save([profile("A")])
    store.path.chmod(0o644)
    store.save([profile("B")])
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_written_json_is_indented_utf8_with_final_newline(store: ProfileStore) -> None:
    store.save([profile("Päivä")])
    text = store.path.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert '\n  "version": 1,' in text
    assert "Päivä" in text
    assert json.loads(text) == dump_document([profile("Päivä")])


def test_dump_and_parse_document_are_the_import_export_format() -> None:
    profiles = [profile("A"), profile("B", port=22)]
    document = dump_document(profiles)
    assert document["version"] == 1
    assert parse_document(json.loads(json.dumps(document)), "export.json") == profiles


def test_a_byte_order_mark_is_tolerated(store: ProfileStore) -> None:
    write(store, b"\xef\xbb\xbf" + json.dumps(dump_document([profile("A")])).encode())
    assert store.load() == [profile("A")]


# -- versions --------------------------------------------------------------------------------


def test_legacy_bare_list_migrates_to_version_1(store: ProfileStore) -> None:
    write(store, [profile("A").to_dict(), {"name": "B", "host": "b.example", "port": 80}])
    loaded = store.load()
    assert [p.name for p in loaded] == ["A", "B"]
    store.save(loaded)
    assert json.loads(store.path.read_text())["version"] == 1
    assert ProfileStore(store.path.parent).load() == loaded


def test_future_version_is_refused_and_the_file_left_untouched(store: ProfileStore) -> None:
    original = write(store, {"version": 7, "profiles": [], "new_feature": True})
    assert load_error(store) == (
        "profiles.json: version 7 is newer than this program understands (at most 1); "
        "upgrade TCP Monitor"
    )
    assert store.read_only
    with pytest.raises(ProfileFileError, match=r"^not saved: profiles.json could not be read"):
        store.save([profile("A")])
    assert store.path.read_bytes() == original
    assert names_in(store.path.parent) == ["profiles.json"]


@pytest.mark.parametrize(
    ("version", "shown"),
    [("1", "'1'"), (0, "0"), (-2, "-2"), (1.5, "1.5"), (True, "true"), (None, "null")],
)
def test_a_version_that_is_not_a_whole_number_from_1_is_named(
    store: ProfileStore, version: Any, shown: str
) -> None:
    write(store, {"version": version, "profiles": []})
    assert load_error(store) == (
        f"profiles.json: version {shown} is not a whole number of at least 1"
    )


def test_a_document_without_version_is_refused(store: ProfileStore) -> None:
    write(store, {"profiles": []})
    assert load_error(store) == 'profiles.json: has no "version" field (this program writes 1)'


# -- unreadable and invalid files ------------------------------------------------------------


def test_invalid_json_names_line_and_column(store: ProfileStore) -> None:
    write(store, '{\n  "version": 1,\n  "profiles": [\n    {"name": "a" "host": "b"}\n  ]\n}\n')
    assert load_error(store) == (
        "profiles.json: not valid JSON (line 4, column 18: Expecting ',' delimiter)"
    )


def test_a_key_written_twice_is_named_not_silently_the_last(store: ProfileStore) -> None:
    """JSON would keep the last "port": a second one typed in by hand would quietly win."""
    original = write(
        store,
        '{"version": 1, "profiles": [{"name": "Orders DB", "host": "db", "port": 5432,'
        ' "port": 5433}]}',
    )
    assert load_error(store) == (
        "profiles.json: the key 'port' appears twice in one object (the one with name "
        "'Orders DB'); not loaded"
    )
    with pytest.raises(ProfileFileError):
        store.save([profile("A")])
    assert store.path.read_bytes() == original


def test_bytes_that_are_not_utf8_are_named(store: ProfileStore) -> None:
    write(store, b'{"version": 1, "profiles": ["\xff"]}')
    assert load_error(store) == "profiles.json: not UTF-8 text (byte 0xff at offset 29)"


def test_a_file_that_cannot_be_read_says_why(store: ProfileStore) -> None:
    store.path.mkdir(parents=True)  # a directory where the file should be
    assert load_error(store) == "profiles.json: cannot be read (Is a directory)"


def test_a_named_pipe_in_place_of_the_file_is_refused_without_waiting(
    store: ProfileStore,
) -> None:
    """Opening a FIFO for reading waits for a writer: for ever, and with it the I/O thread."""
    store.path.parent.mkdir(parents=True)
    os.mkfifo(store.path)
    assert load_error(store) == "profiles.json: is a named pipe (FIFO), not a file; not read"
    with pytest.raises(ProfileFileError, match="no copy could be kept"):
        store.quarantine()  # nothing to copy, and nothing written over it either
    with pytest.raises(ProfileFileError, match="not saved"):
        store.save([])
    assert stat.S_ISFIFO(os.stat(store.path).st_mode)


def test_a_file_over_16_mib_is_not_loaded(store: ProfileStore) -> None:
    store.path.parent.mkdir(parents=True)
    with store.path.open("wb") as f:
        f.truncate(jsonfile.MAX_BYTES + 1)
    assert load_error(store) == (
        "profiles.json: too large (16,777,217 bytes, at most 16 MiB); not loaded"
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (5, "is neither a profile document"),
        ({"version": 1, "profiles": {}}, "profiles: dict is not a list"),
        ({"version": 1}, "profiles: null is missing (it is required)"),
        ({"version": 1, "profiles": [], "x": 1}, "x: 1 is not a known field"),
        ({"version": 1, "profiles": [5]}, "profiles[0]: 5 is not an object"),
    ],
)
def test_document_shape_errors(store: ProfileStore, document: Any, message: str) -> None:
    write(store, document)
    assert load_error(store).startswith(f"profiles.json: {message}")


def test_a_bad_field_is_reported_with_its_position(store: ProfileStore) -> None:
    good = profile("A").to_dict()
    bad = {"name": "B", "host": "b", "port": 1, "detector": {"interval_s": 0}}
    write(store, {"version": 1, "profiles": [good, good | {"id": "c", "name": "C"}, bad]})
    assert load_error(store) == (
        "profiles.json: profiles[2].detector.interval_s: 0 is out of range (allowed 0.1 to 86400)"
    )


def test_a_huge_number_gives_a_message_not_a_traceback(store: ProfileStore) -> None:
    write(
        store,
        '{"version": 1, "profiles": [{"name": "a", "host": "b", "port": 1' + "0" * 400 + "}]}",
    )
    assert load_error(store).startswith("profiles.json: profiles[0]")


def test_duplicate_ids_name_both_positions(store: ProfileStore) -> None:
    write(store, dump_document([profile("A"), profile("B"), profile("C", id="a")]))
    assert load_error(store) == (
        "profiles.json: profiles[2].id: 'a' is also the id of profiles[0] (ids must be unique)"
    )


def test_duplicate_names_ignoring_case_name_both_positions(store: ProfileStore) -> None:
    write(store, dump_document([profile("Orders", id="x"), profile("ORDERS", id="y")]))
    assert load_error(store) == (
        "profiles.json: profiles[1].name: 'ORDERS' is also the name of profiles[0] "
        "('Orders'; names must differ, ignoring case, how accents are typed and invisible "
        "characters)"
    )


def test_profiles_that_would_not_load_back_are_not_saved(store: ProfileStore) -> None:
    store.save([profile("A")])
    before = store.path.read_bytes()
    with pytest.raises(ProfileFileError, match=r"^not saved: profiles.json: profiles\[1\].name"):
        store.save([profile("A"), profile("a", id="other")])
    assert store.path.read_bytes() == before


# -- refusing to overwrite, and setting aside ------------------------------------------------


def test_store_refuses_to_save_after_a_failed_load(store: ProfileStore) -> None:
    original = write(store, "{not json")
    with pytest.raises(ProfileFileError):
        store.load()
    with pytest.raises(ProfileFileError) as caught:
        store.save([profile("A")])
    assert str(caught.value).startswith("not saved: profiles.json could not be read")
    assert "not valid JSON" in str(caught.value)
    assert store.path.read_bytes() == original


def test_a_store_never_loaded_still_refuses_to_overwrite_a_bad_file(
    store: ProfileStore,
) -> None:
    original = write(store, "[1, 2")
    with pytest.raises(ProfileFileError, match=r"^not saved"):
        store.save([profile("A")])
    assert store.read_only
    assert store.path.read_bytes() == original


def test_quarantine_keeps_a_copy_then_allows_saving(store: ProfileStore) -> None:
    original = write(store, "{not json")
    with pytest.raises(ProfileFileError):
        store.load()
    copy = store.quarantine()
    assert copy.parent == store.path.parent
    assert copy.name.startswith("profiles.json.corrupt-")
    assert copy.read_bytes() == original
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert store.path.read_bytes() == original  # a copy, not a move
    assert not store.read_only
    store.save([profile("A")])
    assert ProfileStore(store.path.parent).load() == [profile("A")]
    assert copy.read_bytes() == original


def test_a_fixed_file_makes_the_store_writable_again(store: ProfileStore) -> None:
    write(store, "{not json")
    with pytest.raises(ProfileFileError):
        store.load()
    write(store, dump_document([profile("A")]))
    assert store.load() == [profile("A")]
    store.save([profile("B")])


def test_corrupt_copies_never_overwrite_each_other(tmp_path: Path) -> None:
    path = tmp_path / "profiles.json"
    now = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    path.write_text("first")
    existing = tmp_path / "profiles.json.corrupt-20240506T070809Z"
    existing.write_text("an older copy")
    first = jsonfile.keep_corrupt_copy(path, now)
    path.write_text("second")
    second = jsonfile.keep_corrupt_copy(path, now)
    assert (first.name, second.name) == (
        "profiles.json.corrupt-20240506T070809Z-1",
        "profiles.json.corrupt-20240506T070809Z-2",
    )
    assert existing.read_text() == "an older copy"
    assert (first.read_text(), second.read_text()) == ("first", "second")


def test_corrupt_copy_time_is_utc(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("x")
    local = dt.datetime(2024, 1, 1, 2, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert jsonfile.keep_corrupt_copy(path, local).name == "settings.json.corrupt-20240101T000000Z"


# -- atomic writes ---------------------------------------------------------------------------


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(
    store: ProfileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save([profile("A")])
    before = store.path.read_bytes()

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(
        ProfileFileError,
        match=r"^not saved: profiles\.json could not be written \(No space left on device\)$",
    ):
        store.save([profile("B")])
    assert store.path.read_bytes() == before
    assert names_in(store.path.parent) == ["profiles.json"]


def test_save_removes_temp_files_of_dead_writers_only(store: ProfileStore) -> None:
    store.save([profile("A")])
    with subprocess.Popen([sys.executable, "-c", "pass"]) as dead:
        pass
    stale = store.path.with_name(f".profiles.json.tmp-{dead.pid}-0badc0de")
    ours = store.path.with_name(f".profiles.json.tmp-{os.getpid()}-cafecafe")
    other_file = store.path.with_name(f".settings.json.tmp-{dead.pid}-0badc0de")
    for p in (stale, ours, other_file):
        p.write_text("partial")
    store.save([profile("B")])
    assert not stale.exists()
    assert ours.exists()
    assert other_file.exists()
    assert store.load() == [profile("B")]


# -- the crash test --------------------------------------------------------------------------


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_store_save_loop", HERE / "_store_save_loop.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read_until(proc: subprocess.Popen[bytes], want: int, deadline: float) -> None:
    """Read the child's progress lines until it reports ``want`` saves (0: "ready")."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    buffer = b""
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while True:
            lines = buffer.split(b"\n")
            done = [line for line in lines[:-1] if line.isdigit() and int(line) >= want]
            if b"ready" in lines[:-1] and (want == 0 or done):
                return
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no progress line {want} in time; got {buffer[-200:]!r}"
            if sel.select(remaining):
                chunk = os.read(fd, 65536)
                assert chunk, f"the saver exited early: {buffer[-200:]!r}"
                buffer += chunk


@pytest.mark.slow
def test_file_survives_sigkill_at_any_moment_of_a_save_loop(tmp_path: Path) -> None:
    script = _load_script()
    small, large = script.two_lists()
    config = tmp_path / "config"
    ProfileStore(config).save(small)
    jitter = random.Random(1234)
    for attempt in range(40):
        want = attempt % 12  # 0 kills around the very first save
        with subprocess.Popen(
            [sys.executable, str(HERE / "_store_save_loop.py"), str(config)],
            stdout=subprocess.PIPE,
        ) as proc:
            try:
                _read_until(proc, want, time.monotonic() + 30)
                # Not a wait for anything: jitter that spreads the kill over a whole save
                # (about 3 ms: validate, write, fsync, rename, fsync the directory).
                time.sleep(jitter.uniform(0, 0.004))  # ok-sleep: kill-time jitter
            finally:
                proc.kill()
                proc.wait()
        assert proc.returncode == -9
        loaded = ProfileStore(config).load()
        assert loaded in (small, large), f"attempt {attempt}: {len(loaded)} profiles"
    # The next save cleans the temp files the killed savers left behind.
    ProfileStore(config).save(large)
    assert names_in(config) == ["profiles.json"]
    assert ProfileStore(config).load() == large
