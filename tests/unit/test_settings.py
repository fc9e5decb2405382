"""settings.json: declared defaults, validation messages, round trips, corrupt files kept."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from tcpmonitor_gui.core.session import Session
from tcpmonitor_gui.core.settings import (
    Settings,
    SettingsFileError,
    SettingsStore,
    parse_settings,
)
from tcpmonitor_gui.core.validate import HIDDEN, FieldError


@pytest.fixture
def store(tmp_path: Path) -> SettingsStore:
    return SettingsStore(tmp_path / "config")


def write(store: SettingsStore, text: str) -> bytes:
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text(text, encoding="utf-8")
    return store.path.read_bytes()


def load_error(store: SettingsStore) -> str:
    with pytest.raises(SettingsFileError) as caught:
        store.load()
    return str(caught.value)


def test_defaults() -> None:
    s = Settings()
    assert (s.retention_days, s.workers, s.start_minimized) == (90, 0, False)
    assert (s.notify_on_down, s.notify_on_up, s.sound) == (True, True, False)


def test_missing_file_means_defaults(store: SettingsStore) -> None:
    assert store.load() == Settings()
    assert not store.path.parent.exists()


def test_round_trip_through_the_file(store: SettingsStore) -> None:
    changed = Settings(retention_days=30, workers=8, start_minimized=True, sound=True)
    store.save(changed)
    assert SettingsStore(store.path.parent).load() == changed
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    document = json.loads(store.path.read_text())
    assert document == {"version": 1, **changed.to_dict()}


def test_options_left_out_take_their_defaults(store: SettingsStore) -> None:
    write(store, '{"version": 1, "sound": true}')
    assert store.load() == Settings(sound=True)


def test_worker_count_chooses_when_workers_is_zero() -> None:
    assert 1 <= Settings().worker_count <= 4
    if getattr(sys, "_is_gil_enabled", lambda: True)():
        assert Settings().worker_count == 1  # more threads would only take turns at the GIL
    assert Settings(workers=12).worker_count == 12


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"retention_days": 0}, "retention_days: 0 is out of range (allowed 1 to 3650)"),
        ({"retention_days": 3651}, "retention_days: 3651 is out of range (allowed 1 to 3650)"),
        ({"retention_days": 7.5}, "retention_days: 7.5 is not a whole number (allowed 1 to 3650)"),
        ({"workers": -1}, "workers: -1 is out of range (allowed 0 to 64)"),
        ({"workers": 65}, "workers: 65 is out of range (allowed 0 to 64)"),
        ({"workers": "4"}, "workers: '4' is not a whole number (allowed 0 to 64)"),
        ({"start_minimized": 1}, "start_minimized: 1 is not true or false"),
        ({"notify_on_down": "yes"}, "notify_on_down: 'yes' is not true or false"),
        ({"notify_on_up": None}, "notify_on_up: null is not true or false"),
        ({"sound": "loud"}, "sound: 'loud' is not true or false"),
        ({"language": "fr"}, "language: 'fr' is not one of system, en, zh_CN"),
        ({"theme": "dark"}, f"theme: {HIDDEN} is not a known field (known: actions, language, "),
    ],
)
def test_validation_names_option_value_and_allowed_range(
    data: dict[str, Any], message: str
) -> None:
    with pytest.raises(FieldError) as caught:
        Settings.from_dict(data)
    assert str(caught.value).startswith(message)
    with pytest.raises(SettingsFileError) as in_file:
        parse_settings({"version": 1, **data}, "settings.json")
    assert str(in_file.value).startswith(f"settings.json: {message}")


def test_future_version_is_refused_and_kept(store: SettingsStore) -> None:
    original = write(store, '{"version": 2, "retention_days": 5}')
    assert load_error(store) == (
        "settings.json: version 2 is newer than this program understands (at most 1); "
        "upgrade TCP Monitor"
    )
    with pytest.raises(SettingsFileError, match=r"^not saved: settings\.json could not be read"):
        store.save(Settings())
    assert store.path.read_bytes() == original


def test_corrupt_file_is_kept_and_not_overwritten_until_set_aside(store: SettingsStore) -> None:
    original = write(store, '{"version": 1, "retention_days": 30,}')
    assert load_error(store) == (
        "settings.json: not valid JSON (line 1, column 37: "
        "Expecting property name enclosed in double quotes)"
    )
    assert store.read_only
    with pytest.raises(SettingsFileError):
        store.save(Settings(sound=True))
    assert store.path.read_bytes() == original
    copy = store.quarantine()
    assert copy.name.startswith("settings.json.corrupt-")
    assert copy.read_bytes() == original
    store.save(Settings(sound=True))
    assert store.load() == Settings(sound=True)
    assert copy.read_bytes() == original


def test_invalid_settings_are_not_saved(store: SettingsStore) -> None:
    with pytest.raises(SettingsFileError) as caught:
        store.save(Settings(workers=500))
    assert str(caught.value) == (
        "not saved: settings.json: workers: 500 is out of range (allowed 0 to 64)"
    )
    assert not store.path.exists()


def test_a_value_json_cannot_hold_is_not_saved(store: SettingsStore) -> None:
    with pytest.raises(SettingsFileError, match=r"^not saved: settings\.json: Out of range float"):
        store.save(Settings(retention_days=float("nan")))  # type: ignore[arg-type]
    assert not store.path.exists()


@pytest.mark.parametrize("mended", ["fixed", "moved away"])
def test_a_bad_file_fixed_or_moved_away_no_longer_keeps_the_settings_from_being_saved(
    store: SettingsStore, mended: str
) -> None:
    """The window's settings, refused while the file could not be read, were refused until
    the program started again, whatever the user did with the file meanwhile."""
    write(store, '{"version": 1, "sound": tru}')
    load_error(store)
    with pytest.raises(SettingsFileError, match=r"\); fix it or move it away$"):
        store.save(Settings(sound=True))
    if mended == "fixed":
        write(store, '{"version": 1, "sound": false}')
    else:
        store.path.rename(store.path.with_name("settings.json.mine"))
    store.save(Settings(sound=True))
    assert SettingsStore(store.path.parent).load() == Settings(sound=True)


def test_a_save_keeps_what_another_program_changed_since_the_file_was_read(
    tmp_path: Path,
) -> None:
    """The window read the settings at start and wrote its dialog's over the file: sound
    turned on since by another window, or an action added to the file by hand, was lost at
    the next change of language. Each save now merges with the file as it is (as profiles
    do): what this save changed, and what the other program changed, are both kept."""
    config = tmp_path / "config"
    SettingsStore(config).save(Settings(retention_days=30))
    session = Session(config, tmp_path / "data", strict=False)
    try:
        read = session.settings
        SettingsStore(config).save(Settings(retention_days=30, sound=True))  # another program
        mine = Settings(retention_days=30, language="zh_CN")  # the dialog's, from ``read``
        assert read != mine
        session.save_settings(mine).result(10)
        assert session.settings == Settings(retention_days=30, sound=True, language="zh_CN")
    finally:
        session.close()
    assert SettingsStore(config).load() == Settings(retention_days=30, sound=True, language="zh_CN")
