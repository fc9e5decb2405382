"""``settings.json``: the program's own options, declared, validated and versioned.

Window geometry and column widths live in QSettings (they are the toolkit's business); what
is here changes behaviour (how long events are kept, how many worker threads run, when to
notify) and so gets the same care as the profiles: each option is declared once with its
type and range, a bad value is refused with a message naming the option, the value and what
is allowed, and the file is written atomically and never overwritten when it could not be read.

The document is flat: ``{"version": 1, "retention_days": 90, ...}``; options left out take
their defaults, unknown ones are errors (a typo should not silently do nothing).
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from . import actions
from . import validate as v
from .filelock import LockTimeout, locked
from .first_look import FILE_NAME, LANGUAGES
from .jsonfile import JsonFileError, JsonStore, Unread, document_version, upgrade
from .paths import ensure_dir
from .profile_merge import merge_value
from .validate import parse_listen

CURRENT_VERSION = 1

#: ``MIGRATIONS[n]`` turns a version ``n`` document into version ``n + 1``. None yet.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

#: How each option is checked; the messages come from ``validate`` so they read like the
#: profile dialog's.
_RULES: dict[str, Callable[[str, Any], Any]] = {
    "retention_days": lambda f, x: v.integer(f, x, 1, 3650),
    "workers": lambda f, x: v.integer(f, x, 0, 64),
    "start_minimized": v.boolean,
    "notify_on_down": v.boolean,
    "notify_on_up": v.boolean,
    "sound": v.boolean,
    "wake_grace_s": lambda f, x: v.integer(f, x, 0, 3600),
    "language": lambda f, x: v.choice(f, x, LANGUAGES),
    "actions": actions.parse,
    "metrics_listen": lambda f, x: x if x == "" else (parse_listen(f, x), x)[1],
}


def automatic_workers() -> int:
    """One worker thread where Python has a global interpreter lock, min(4, CPU count) where
    it has none (a free-threaded build).

    Under the GIL, worker threads only take turns running Python: they add no throughput, and
    handing the lock between them costs CPU and delays the GUI thread. Measured with 1,000
    profiles at 1 s (tests/bench/gui_responsiveness.py, 2 cores, full runs just before and
    after this default): the GUI process used 1.57x the headless engine's CPU with two
    workers, 1.32x with one. ``workers`` in the settings still chooses more.
    """
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    return 1 if gil else max(1, min(4, os.cpu_count() or 1))


class SettingsFileError(JsonFileError):
    """A settings file that cannot be used; ``str()`` is one line naming the file."""


@dataclasses.dataclass(frozen=True)
class Settings:
    #: Days the event log keeps state events and per-minute aggregates.
    retention_days: int = 90
    #: Worker threads hosting the monitors; 0 lets the program choose (``worker_count``).
    workers: int = 0
    start_minimized: bool = False
    notify_on_down: bool = True
    notify_on_up: bool = True
    #: Play the desktop's notification sound with each notification.
    sound: bool = False
    #: After waking from sleep, how long (seconds) to wait for the network to return before
    #: telling what is still down; the targets always get a few seconds more.
    wake_grace_s: int = 60
    #: The window's language, one of ``LANGUAGES``; "system" follows the system locale.
    language: str = "system"
    #: Actions for every profile's changes (``core.actions``), beside each profile's own.
    actions: tuple[actions.Action, ...] = ()
    #: Serve Prometheus metrics from the desktop program on this ``[HOST:]PORT`` ("": no).
    metrics_listen: str = ""

    @property
    def worker_count(self) -> int:
        """The number of workers to start: ``workers``, or ``automatic_workers()`` when 0."""
        return self.workers or automatic_workers()

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["actions"] = [a.to_dict() for a in self.actions]
        return data

    @classmethod
    def from_dict(cls, data: Any, *, unread: list[Unread] | None = None) -> Settings:
        """Validate and build; raises ``validate.FieldError`` for the first bad option.
        ``unread``: a field a newer version may have written (one this version does not know
        or whose value it does not take, ``JsonStore._parse_partly``) is said there instead,
        and left out (the default in its place); the others are used."""
        raw = v.mapping("settings", data)
        for key in raw:
            try:
                v.no_unknown_keys("", {key: raw[key]}, _RULES)
            except v.UnknownField as exc:
                if unread is None:
                    raise
                unread.append(Unread(item=False, message=str(exc)))
        defaults = cls()
        values: dict[str, Any] = {}
        if unread is not None:  # each action this version can read: those are the alerts
            left_out: list[str] = []
            try:
                values["actions"] = actions.parse("actions", raw.get("actions"), left_out=left_out)
            except v.FieldError as exc:  # the list itself (more actions than allowed here)
                unread.append(Unread(item=False, message=str(exc), field=exc.field))
                values["actions"] = ()
            unread.extend(Unread(item=False, message=message) for message in left_out)
        for name, check in _RULES.items():
            if name in values:
                continue
            try:
                values[name] = check(name, raw.get(name, getattr(defaults, name)))
            except v.FieldError as exc:  # a language, a longer range: a newer version's
                if unread is None:
                    raise
                unread.append(Unread(item=False, message=str(exc), field=name))
                values[name] = getattr(defaults, name)
        return cls(**values)


def parse_settings(data: Any, source: str, *, unread: list[Unread] | None = None) -> Settings:
    """Validate a parsed settings document; ``source`` names it in errors; ``unread``: see
    ``Settings.from_dict``."""
    if not isinstance(data, Mapping):
        raise SettingsFileError(source, f"{source}: is not a JSON object ({v.show(data)})")
    doc = dict(data)
    version = document_version(doc, source, CURRENT_VERSION, SettingsFileError)
    doc = upgrade(doc, version, CURRENT_VERSION, MIGRATIONS)
    doc.pop("version")
    try:
        return Settings.from_dict(doc, unread=unread)
    except v.FieldError as exc:
        newer = isinstance(exc, v.UnknownField)  # a field or a name; or a typo: not ours
        raise SettingsFileError(source, f"{source}: {exc}", newer=newer) from exc


def dump_settings(settings: Settings) -> dict[str, Any]:
    return {"version": CURRENT_VERSION, **settings.to_dict()}


class SettingsStore(JsonStore[Settings]):
    """The settings of one config dir; a missing file means the defaults.

    Same guard as the profile store: after a failed ``load`` the store is read-only until
    ``quarantine`` keeps a copy of the bad file.
    """

    error = SettingsFileError
    current = CURRENT_VERSION

    def __init__(self, config_dir: Path) -> None:
        super().__init__(Path(config_dir) / FILE_NAME)

    def _parse(self, data: Any, source: str) -> Settings:
        return parse_settings(data, source)

    def _parse_partly(self, data: Any, source: str, unread: list[Unread]) -> Settings:
        return parse_settings(data, source, unread=unread)

    def _default(self) -> Settings:
        return Settings()

    def load(self, *, partial: bool = False) -> Settings:
        """The settings; the defaults when there is no file. ``partial``: a field this
        version cannot read is left out (its default used) and said in ``unread``."""
        return self._load(partial)

    def save(self, settings: Settings) -> None:
        """Write atomically (0600); settings that would not load back are refused."""
        self._write(dump_settings(settings))

    def sync(self, ours: Settings, base: Settings | None) -> Settings:
        """Write ``ours`` without losing what another program (another window, a hand edit)
        wrote since ``base`` (what we last read or wrote; None: nothing, ours are written as
        they are): under the file's lock, read it, merge option by option
        (``merge_settings``), write, and return what was written."""
        try:
            ensure_dir(self.path.parent)
            with locked(self.path):
                gone = not self.path.exists()  # deleted under us: ours are written back
                if base is None or gone or self.set_aside_unchanged():
                    theirs, merged = base, ours
                else:
                    theirs = self._current()
                    merged = merge_settings(base, ours, theirs)
                if merged != theirs or gone or self.read_only:  # (which ``save`` refuses)
                    self.save(merged)
                return merged
        except OSError as exc:  # the folder or its lock (``save`` says its own)
            why = str(exc) if isinstance(exc, LockTimeout) else exc.strerror or str(exc)
            raise self.error(self.path, f"not saved: {self.path.name}: {why}") from exc


def merge_settings(base: Settings, ours: Settings, theirs: Settings) -> Settings:
    """Each option as the side that changed it left it (both: ours; the actions keep what
    each side added), as ``profile_merge`` merges a profile's fields."""
    merged: Settings = merge_value(base, ours, theirs)
    try:  # actions merged may pass their limit: then ours
        return Settings.from_dict(merged.to_dict())
    except v.FieldError:
        fallback: Settings = merge_value(base, ours, theirs, lists=False)
        return fallback
