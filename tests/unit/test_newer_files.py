"""Files written by a newer TCP Monitor, opened by this one (a distro's older package after a
newer one from pip, or both at once on the same files): left as they are, never set aside
as if broken and written over, and said to be a newer version's."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from tcpmonitor_gui.core.events import State
from tcpmonitor_gui.core.jsonfile import JsonFileError
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.core.session import ProblemKind, Session, SessionError
from tcpmonitor_gui.core.settings import Settings, SettingsStore
from tcpmonitor_gui.core.validate import HIDDEN
from tests.helpers import stored_event

NEWER_PROFILES = {
    "version": 2,
    "profiles": [
        {"id": "a1", "name": "Orders DB", "host": "db.internal", "port": 5432, "tags": ["prod"]}
    ],
}
NEWER_SETTINGS = {"version": 2, "retention_days": 30, "theme": "dark"}


def opened(
    tmp_path: Path, name: str, document: object, *, strict: bool
) -> tuple[Path, bytes, Session]:
    """A config dir holding ``document`` as ``name``; its bytes, and a session on it."""
    config = tmp_path / "config"
    config.mkdir()
    raw = json.dumps(document, indent=2).encode()
    (config / name).write_bytes(raw)
    return config, raw, Session(config, tmp_path / "data", strict=strict)


#: A profile as a newer version may write it at this same format version: this project adds
#: fields without raising it (maintenance windows, actions and snooze came so), and writes
#: every field of every profile.
ORDERS = {"id": "a1", "name": "Orders DB", "host": "db.internal", "port": 5432}
NEWER_FIELDS = {
    "a field of the profile": {"version": 1, "profiles": [ORDERS | {"tags": ["prod"]}]},
    "a field of its detector": {
        "version": 1,
        "profiles": [ORDERS | {"detector": {"kind": "watch", "linger_s": 5}}],
    },
    "a field of the document": {"version": 1, "profiles": [ORDERS], "groups": ["prod"]},
}
#: A typo of a field: left alone as well (it cannot be told from a newer version's for sure),
#: but the line names the field meant, not only the fields known.
TYPO = {"version": 1, "profiles": [ORDERS | {"detector": {"kind": "watch", "interval": 5}}]}
#: A value a newer version may write where this one knows a list of them: a new detector,
#: preset, address family or action trigger comes so, at this same format version.
NEWER_VALUES = {
    "a detector kind": ORDERS | {"detector": {"kind": "tls_expiry"}},
    "a preset": ORDERS | {"detector": {"kind": "heartbeat", "preset": "postgres"}},
    "an address family": ORDERS | {"ip_family": "ipv6_only"},
    "an action's trigger": ORDERS | {"actions": [{"on": "degraded", "run": ["/bin/true"]}]},
}

#: A value this version does not take where it knows the field: a newer version may allow
#: more (a longer interval, a number where this one takes true or false) at this same format
#: version, or the user mistyped it; either way not a broken file to set aside and write over.
NEWER_RANGES = {
    "a value out of this version's range": (
        ORDERS | {"detector": {"kind": "probe", "interval_s": 1_000_000}},
        r"detector\.interval_s: 1000000 is out of range", ["Cache"]),
    "a value of another type": (
        ORDERS | {"notify": {"on_down": "always"}}, r"notify\.on_down: .* is not true or false",
        ["Cache"]),
    "a name used twice": (
        ORDERS | {"name": "cache"}, r"profiles\[1\]\.name: 'cache' is also the name of", ["Cache"]),
}  # fmt: skip


#: A connection this version can read, beside one it cannot.
CACHE = {"id": "c1", "name": "Cache", "host": "cache.internal", "port": 6379}
UNREAD = ProblemKind.PROFILES_NOT_ALL_READ
IN_ONE = "1 connection is left out: this version cannot read it"


@pytest.mark.parametrize(
    ("document", "said", "kind", "read"),
    [
        (NEWER_PROFILES, "version 2 is newer than this program understands",
         ProblemKind.PROFILES_UNREADABLE, []),
        *(({"version": 1, "profiles": [*doc["profiles"], CACHE]},
           f"{IN_ONE} .*is not a known field", UNREAD, ["Cache"])
          for name, doc in NEWER_FIELDS.items() if name != "a field of the document"),
        (NEWER_FIELDS["a field of the document"], "groups: .*is not a known field", UNREAD,
         ["Orders DB"]),
        *(({"version": 1, "profiles": [CACHE, p]}, f"{IN_ONE} .*is not one of", UNREAD, ["Cache"])
          for n, p in NEWER_VALUES.items() if n != "an action's trigger"),
        ({"version": 1, "profiles": [CACHE, NEWER_VALUES["an action's trigger"]]},
         r"profiles\[1\]\.actions\[0\]\.on: 'degraded' is not one of", UNREAD,
         ["Cache", "Orders DB"]),  # monitored, without that action
        (TYPO, "detector.interval: 5 is not a field this version knows; did you mean 'interval_s'",
         UNREAD, []),
        *(({"version": 1, "profiles": [CACHE, p]}, f"{IN_ONE} .*{said}", UNREAD, read)
          for p, said, read in NEWER_RANGES.values()),
    ],
    ids=[
        "a newer version", *(n for n in NEWER_FIELDS if n != "a field of the document"),
        "a field of the document", *(n for n in NEWER_VALUES if n != "an action's trigger"),
        "an action's trigger", "a typo", *NEWER_RANGES,
    ],
)  # fmt: skip
def test_the_window_leaves_a_newer_versions_profiles_as_they_are(
    tmp_path: Path, document: object, said: str, kind: ProblemKind, read: list[str]
) -> None:
    """Set aside as broken and started empty, the first profile added in the older window
    replaced the newer version's file: back in the newer version (or in its service, which
    follows the file) every profile but that one was gone, kept only in a 'corrupt' copy.
    Left as it is, every connection in it went unmonitored for one this version cannot read:
    now those it can read are monitored, and the others named."""
    config, original, session = opened(tmp_path, "profiles.json", document, strict=False)
    try:
        assert [p.name for p in session.profiles] == read
        (problem,) = session.problems
        assert problem.kind is kind
        assert problem.newer is True
        assert problem.kept == ""
        assert re.search(said, problem.error), problem.error
        session.profiles.add([Profile(name="new", host="127.0.0.1", port=1)])
        with pytest.raises(JsonFileError, match=rf"^not saved: profiles\.json .*{said}") as e:
            session.profiles.flush().result(10)
        if kind is UNREAD:  # read, in part: not "could not be read"
            assert str(e.value).startswith("not saved: profiles.json is left as it is ("), e
            assert str(e.value).endswith(
                "); use the version that wrote it, correct the file, or move it away"
            ), e
    finally:
        session.close()
    assert (config / "profiles.json").read_bytes() == original
    assert sorted(p.name for p in config.iterdir()) == ["profiles.json"]


def test_moving_a_newer_versions_profiles_away_lets_the_window_save(tmp_path: Path) -> None:
    """The way out the window names: what is added once the file is gone is saved."""
    config, original, session = opened(tmp_path, "profiles.json", NEWER_PROFILES, strict=False)
    try:
        assert list(session.profiles) == []
        (config / "profiles.json").rename(tmp_path / "kept.json")
        session.profiles.add([Profile(name="new", host="127.0.0.1", port=1)])
        session.profiles.flush().result(10)
    finally:
        session.close()
    assert [p.name for p in ProfileStore(config).load()] == ["new"]
    assert (tmp_path / "kept.json").read_bytes() == original


@pytest.mark.parametrize(
    ("document", "said", "kind", "read"),
    [(NEWER_SETTINGS, "version 2 is newer", ProblemKind.SETTINGS_UNREADABLE, Settings()),
     ({"version": 1, "retention_days": 30, "theme": "dark"}, f"theme: {HIDDEN} is not a known",
      ProblemKind.SETTINGS_NOT_ALL_READ, Settings(retention_days=30)),
     ({"version": 1, "language": "de", "sound": True}, "language: 'de' is not one of",
      ProblemKind.SETTINGS_NOT_ALL_READ, Settings(sound=True)),
     ({"version": 1, "wake_grace_s": 7200, "sound": True}, "wake_grace_s: 7200 is out of range",
      ProblemKind.SETTINGS_NOT_ALL_READ, Settings(sound=True))],
    ids=["a newer version", "a field this version does not know", "a language",
         "a value out of this version's range"],
)  # fmt: skip
def test_the_window_leaves_a_newer_versions_settings_as_they_are(
    tmp_path: Path, document: object, said: str, kind: ProblemKind, read: Settings
) -> None:
    """Left as they are; what this version can read of them is used (the defaults were used
    for all of them: one field a newer version added lost the user's every setting)."""
    config, original, session = opened(tmp_path, "settings.json", document, strict=False)
    try:
        assert session.settings == read
        (problem,) = session.problems
        assert problem.kind is kind
        assert (problem.newer, problem.kept) == (True, "")
        with pytest.raises(JsonFileError, match=rf"^not saved: settings\.json .*{re.escape(said)}"):
            session.save_settings(Settings(sound=True)).result(10)
    finally:
        session.close()  # (which tries the unsaved settings once more)
    assert (config / "settings.json").read_bytes() == original
    assert sorted(p.name for p in config.iterdir()) == ["settings.json"]


def test_the_command_line_refuses_a_newer_versions_file_by_name(tmp_path: Path) -> None:
    config, original, session = opened(tmp_path, "profiles.json", NEWER_PROFILES, strict=True)
    try:
        with pytest.raises(SessionError, match=r"^profiles\.json: version 2 is newer .*upgrade"):
            session.profiles  # noqa: B018 - read on first use
    finally:
        session.close()
    assert (config / "profiles.json").read_bytes() == original


@pytest.mark.parametrize(
    "document",
    [{"version": 1, "retention_days": 365, "theme": "dark"},
     {"version": 2, "retention_days": 365},
     {"version": 1, "retention_days": 365, "sound": "yes"},
     {"version": 1, "retention_days": 7300}],
    ids=["a field this version does not know", "a newer version", "a value of another type",
         "days out of this version's range"],
)  # fmt: skip
def test_settings_that_cannot_be_read_prune_no_history(tmp_path: Path, document: object) -> None:
    """The settings keep a year of events; in a window that cannot read them (a newer
    version's, the user's typo, a bad value) the defaults were in force, their 90 days too:
    the event log was pruned to 90 days at start, nine months of history gone for good
    (the file itself left as it was). How long to keep events is not known then, so nothing
    is pruned until settings are saved; a save that works prunes by what it says."""
    config, _raw, session = opened(tmp_path, "settings.json", document, strict=False)
    orders = Profile(name="Orders DB", host="db.internal", port=5432, id="a1")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=200)
    try:
        assert session.settings.retention_days in (90, 365) and session.problems
        log = session.open_eventlog()
        assert log is not None
        log.submit([stored_event(orders, old, State.DOWN)])
        assert log.flush()
        assert log.prune() == 0
        assert [e.ts for e in log.events()] == [old]
        if session.problems[0].newer:  # left as it is: saves are refused
            return
        session.save_settings(Settings(retention_days=100)).result(10)
        assert log.prune() == 1
        assert SettingsStore(config).load().retention_days == 100
    finally:
        session.close()


def test_settings_read_in_part_prune_by_the_days_they_say(tmp_path: Path) -> None:
    """A field a newer version added beside ``retention_days``: the days are read, and the
    log is pruned by them (nothing was pruned, for as long as that field was there: months
    of a service's log grew without bound)."""
    orders = Profile(name="Orders DB", host="db.internal", port=5432, id="a1")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=200)
    document = {"version": 1, "retention_days": 100, "theme": "dark"}
    _config, _raw, session = opened(tmp_path, "settings.json", document, strict=False)
    try:
        assert session.settings.retention_days == 100
        assert session.problems[0].kind is ProblemKind.SETTINGS_NOT_ALL_READ
        log = session.open_eventlog()
        assert log is not None
        log.submit([stored_event(orders, old, State.DOWN)])
        assert log.flush()
        assert log.prune() == 1
    finally:
        session.close()


def test_what_a_newer_versions_field_holds_is_not_shown(tmp_path: Path) -> None:
    """A field this version does not know may be a newer version's password (it cannot know
    which of them are): said at every start and reload of the service (its journal) and in
    the window's banner, its text was shown."""
    watch = {"kind": "watch", "proxy_password": "hunter2"}
    profile = {"id": "a1", "name": "db", "host": "127.0.0.1", "port": 1, "detector": watch}
    config = tmp_path / "config"
    config.mkdir()
    (config / "profiles.json").write_text(json.dumps({"version": 1, "profiles": [profile]}))
    secret = {"version": 1, "smtp": {"user": "me", "password": "hunter2"}}
    (config / "settings.json").write_text(json.dumps(secret))
    profiles, settings = ProfileStore(config), SettingsStore(config)
    profiles.load(partial=True)
    settings.load(partial=True)
    for said in (profiles.unread_error, settings.unread_error):
        assert "is not a known field" in said and "not shown" in said, said
        assert "hunter2" not in said and "'me'" not in said, said
    assert "proxy_password" in profiles.unread_error and "smtp" in settings.unread_error
