"""One pair of directories opened for use: settings, the profile registry, the event log, and
the thread that does their I/O. The desktop program and the command line both build one, so
the files are found, read, refused and written the same way by both.

Built by a composition root (``app.main()``, a command), never at import. The two differ in one
thing only, what happens to a file that cannot be read:

- ``strict`` (the command line): ``SessionError``, one line naming the file; nothing written.
- otherwise (the desktop program, which must start whatever the files say): the bad file is
  copied aside as ``<name>.corrupt-<time>``, the program starts without it, and a ``Problem``
  says so once the window is up. If no copy can be made, the file is left alone and nothing
  is written over it this session. A file a newer version may have written (a higher
  ``version``, a field this one does not know) is left alone as well: set aside and
  replaced, the newer version found only what was added here, and its service, following
  the file, dropped every other profile.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import enum
import functools
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from . import paths
from .jsonfile import JsonFileError, JsonStore
from .last_seen import LastSeen, last_seen
from .profile import Profile
from .profile_set import ProfileSet
from .profile_store import ProfileStore
from .settings import Settings, SettingsStore

if TYPE_CHECKING:  # the log's modules load on the thread that opens it
    from .eventlog import EventLog
    from .eventqueries import EventPage, Uptime

log = logging.getLogger(__name__)

T = TypeVar("T")

EVENTS_FILE = "events.sqlite3"
UPTIME_WINDOW = dt.timedelta(hours=24)
#: ``open_eventlog_soon`` waits at most this long for its go-ahead.
GO_WAIT_S = 5.0


class SessionError(Exception):
    """A file the session needs cannot be used; ``str()`` is one line naming it."""


class EventLogUnavailable(LookupError):
    """What was asked of the event log cannot be answered: the log could not be opened (or
    is not open); ``str()`` says why, so that no empty answer passes for "no history"."""


class ProblemKind(enum.StrEnum):
    SETTINGS_UNREADABLE = "settings_unreadable"
    PROFILES_UNREADABLE = "profiles_unreadable"
    #: Some settings were left out (a newer version's: ``SettingsStore.load(partial=True)``);
    #: the others are used, and nothing is saved over the file.
    SETTINGS_NOT_ALL_READ = "settings_not_all_read"
    #: Some profiles were left out (a newer version's: ``ProfileStore.load(partial=True)``);
    #: the others are monitored, and nothing is saved over the file.
    PROFILES_NOT_ALL_READ = "profiles_not_all_read"
    EVENTLOG_UNUSABLE = "eventlog_unusable"
    WINDOW_STATE_UNREADABLE = "window_state_unreadable"  # ui.ini, the window's layout
    #: This computer's time zone is a day or more from UTC (``core.zone``): times in UTC.
    #: ``error`` is the setting at fault (``TZ='UTC+24'``), "" for the system's own zone.
    ZONE_UNUSABLE = "zone_unusable"


@dataclasses.dataclass(frozen=True)
class Problem:
    """Something the user must be told (the window says it in their language, by ``kind``).

    ``error`` names the file and what is wrong; ``kept`` is where the copy of a bad file was
    kept ("" when none could be made: the file was then left alone); ``newer``: the file
    may be a newer version's (``JsonFileError.newer``), left alone and nothing saved over it."""

    kind: ProblemKind
    error: str
    kept: str = ""
    newer: bool = False


class Session:
    """See the module's docstring. ``close()`` lets queued saves finish and closes the log."""

    def __init__(
        self, config_dir: Path, data_dir: Path, *, strict: bool = True, partial: bool | None = None
    ) -> None:
        self.config_dir = config_dir
        self.data_dir = data_dir
        self.strict = strict
        #: Profiles and settings a newer version may have written are left out, and said in
        #: ``problems`` (``JsonStore.unread``), where the others are still to be monitored:
        #: the window's session, and ``run``'s. Other commands refuse the file as it is.
        self.partial = not strict if partial is None else partial
        self.problems: list[Problem] = []
        self._io: concurrent.futures.ThreadPoolExecutor | None = None
        self._closed = False
        self.settings_store = SettingsStore(config_dir)
        self._settings: Settings | None = None
        #: What the file held when last read or written: the base of the next save's merge.
        self._settings_base: Settings | None = None
        self._settings_lock = threading.Lock()  # ``_settings``: set by the GUI and I/O threads
        #: The settings could not be read, and none were saved since: how long to keep
        #: events is not known, so the event log keeps them all (``retention_days``).
        self._keep_all = False
        #: The last write of the settings failed (the window tries again; see ``close``).
        self.settings_unsaved = False
        self.profile_store = ProfileStore(config_dir)
        self._profiles: ProfileSet | None = None
        self.eventlog: EventLog | None = None
        self._eventlog_error = ""  # why it could not be opened (see usable_eventlog)
        self._go: threading.Event | None = None  # see open_eventlog_soon

    @classmethod
    def from_options(
        cls,
        config_dir: str | None,
        data_dir: str | None,
        *,
        strict: bool = True,
        partial: bool | None = None,
    ) -> Session:
        """From ``--config-dir``/``--data-dir`` (None: the environment, then the defaults)."""
        config, data = paths.config_dir(config_dir), paths.data_dir(data_dir)
        return cls(config, data, strict=strict, partial=partial)

    @property
    def settings(self) -> Settings:
        """The program's settings, read from ``settings.json`` on first use (each command
        reads only the files it needs: a broken one it does not need is no obstacle)."""
        if self._settings is None:
            store = self.settings_store
            kind = ProblemKind.SETTINGS_UNREADABLE
            told = len(self.problems)
            load = functools.partial(store.load, partial=self.partial)
            self._settings = self._settings_base = self._load(store, load, Settings, kind)
            # How long to keep events is not known while the file was not read, or its days
            # were left out (more than this version allows: a newer one's).
            days_unread = any(u.field == "retention_days" for u in store.unread)
            self._keep_all = len(self.problems) > told or days_unread
            if store.unread:  # the store stays read-only: saves say so
                kind = ProblemKind.SETTINGS_NOT_ALL_READ
                self.problems.append(Problem(kind, store.unread_error, newer=True))
        return self._settings

    @property
    def retention_days(self) -> int | None:
        """How long the event log keeps events: the settings' days; None (all of them) while
        the settings could not be read and none were saved. The defaults' 90 days, in force
        then, pruned the history a user kept for a year, whose settings were a newer
        version's or had a typo (the file itself left as it was)."""
        settings = self.settings
        return None if self._keep_all else settings.retention_days

    @property
    def profiles(self) -> ProfileSet:
        """The profile registry, read from ``profiles.json`` on first use (``run --profiles
        FILE`` and ``events`` never read it)."""
        if self._profiles is None:
            store = self.profile_store
            load = functools.partial(store.load, partial=self.partial)
            loaded: list[Profile] = self._load(store, load, list, ProblemKind.PROFILES_UNREADABLE)
            if store.unread:  # the store stays read-only: saves say so
                kind = ProblemKind.PROFILES_NOT_ALL_READ
                self.problems.append(Problem(kind, store.unread_error, newer=True))
            self._profiles = ProfileSet(loaded, save=self.profile_store.sync, executor=self.io)
        return self._profiles

    @property
    def io(self) -> concurrent.futures.ThreadPoolExecutor:
        """The I/O thread: one, so saves stay in order and SQLite reads never pile up.
        Started on first use (``tcpmonitor profiles list`` needs none)."""
        if self._io is None:
            self._io = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="tcpm-io")
        return self._io

    @property
    def eventlog_path(self) -> Path:
        return self.data_dir / EVENTS_FILE

    # -- start-up --------------------------------------------------------------------------

    def _load(
        self,
        store: JsonStore[T],
        load: Callable[[], T],
        default: Callable[[], T],
        kind: ProblemKind,
    ) -> T:
        try:
            return load()
        except JsonFileError as exc:
            if self.strict:
                raise SessionError(str(exc)) from None
            if exc.newer:  # the store stays read-only: saves say so
                self.problems.append(Problem(kind, str(exc), newer=exc.newer))
                return default()
            try:
                kept = str(store.quarantine())
            except JsonFileError as why:  # no copy: the file stays, and is not written over
                log.warning("%s", why)
                kept = ""
            self.problems.append(Problem(kind, str(exc), kept))
            return default()

    def open_eventlog(self) -> EventLog | None:
        """Open the event log and start its writer (once), on this thread; ``SessionError``
        if it cannot be used when strict; otherwise a ``Problem`` says why, and the log keeps
        what it is given and tries again (``EventLog.start_trying``)."""
        if (problem := self._open_eventlog(self.retention_days)) is not None:
            self.problems.append(problem)
        return self.eventlog

    def open_eventlog_soon(
        self, go: threading.Event | None = None
    ) -> concurrent.futures.Future[Problem | None]:
        """The desktop program's way: open the log as the I/O thread's first task, so that a
        slow disk, or another process holding the log's write lock (SQLite waits up to 10 s
        for it where the schema must change), never holds the GUI thread; the queries on the
        log queue behind it. The future gives the ``Problem`` if the log cannot be used (its
        taker tells it).

        ``go``: wait for it first, at most ``GO_WAIT_S`` (the window sets it once its first
        frame is on screen: the log's modules would compete with that frame for the GIL)."""
        days, self._go = self.retention_days, go

        def open_now() -> Problem | None:
            if go is not None:
                go.wait(GO_WAIT_S)
            if self._closed:  # quit before the first frame: nothing to open for
                return None
            try:
                return self._open_eventlog(days)
            except Exception as exc:  # a bug must not keep the program from monitoring
                log.exception("opening the event log failed")
                self._eventlog_error = f"{self.eventlog_path}: {exc}"
                return Problem(ProblemKind.EVENTLOG_UNUSABLE, self._eventlog_error)

        return self.io.submit(open_now)

    def _open_eventlog(self, retention_days: float | None) -> Problem | None:
        from .eventdb import disk_full  # noqa: PLC0415
        from .eventlog import EventLog, EventLogError  # noqa: PLC0415 - see TYPE_CHECKING

        if self.eventlog is None:
            eventlog = EventLog(self.eventlog_path, retention_days=retention_days)
            if self.strict:
                try:
                    self.eventlog = eventlog.start()
                except EventLogError as exc:
                    if not (exc.newer or disk_full(self.eventlog_path)):
                        self._eventlog_error = str(exc)
                        raise SessionError(str(exc)) from None
                    # Not the file's fault, and passing: ``run`` monitors (its actions, its
                    # metrics) and stores once there is room, as when the disk fills later.
                    # A newer version's log (it upgraded the shared one): ``run`` monitors
                    # all the same, and says the changes are not recorded; it did not start.
                    self.eventlog = eventlog
                    self._eventlog_error = eventlog.start_trying() or ""
                return None
            # The desktop program keeps the events and tries again (a full disk at start).
            self.eventlog = eventlog
            if (why := eventlog.start_trying()) is not None:
                self._eventlog_error = why
                return Problem(ProblemKind.EVENTLOG_UNUSABLE, why)
        return None

    # -- work for the I/O thread -----------------------------------------------------------

    def save_settings(self, settings: Settings) -> concurrent.futures.Future[Settings]:
        """Use ``settings`` from now on and write them on the I/O thread, merged with what
        another program changed in the file since it was read (``SettingsStore.sync``). The
        future holds the settings written, in force from then on (unless other settings were
        given since); it raises on failure."""
        with self._settings_lock:
            self._settings = settings
        if self.eventlog is not None and not self._keep_all:
            self.eventlog.retention_days = settings.retention_days
        return self.io.submit(self._write_settings, settings)

    def save_settings_again(self) -> concurrent.futures.Future[Settings]:
        """Write the settings in force once more (a write failed: the disk may have room)."""
        return self.io.submit(self._write_settings, self.settings)

    def _write_settings(self, settings: Settings) -> Settings:
        self.settings_unsaved = True
        merged = self.settings_store.sync(settings, self._settings_base)
        self._settings_base = merged
        self.settings_unsaved = False
        with self._settings_lock:
            if self._settings is settings:  # (not replaced since by newer ones)
                self._settings = merged
        if self.eventlog is not None and (self._keep_all or self._settings is merged):
            self.eventlog.retention_days = merged.retention_days  # what the file says
        self._keep_all = False
        return merged

    def _settings_at_close(self) -> None:
        if self.settings_unsaved and self._settings is not None:
            try:
                self._write_settings(self._settings)
            except JsonFileError as exc:
                log.warning("%s", exc)

    # Each query reads ``self.eventlog`` on the I/O thread, where the log was opened first.

    def usable_eventlog(self) -> EventLog:
        """The open event log, or ``EventLogUnavailable`` saying why there is none: for what
        reads history on the I/O thread, where an empty answer would say "nothing happened"
        when nothing could be read."""
        if (eventlog := self.eventlog) is not None and eventlog.opened_once:
            return eventlog
        why = self._eventlog_error or "it is not open"
        raise EventLogUnavailable(f"the event log cannot be used: {why}")

    def history(self, before_id: int | None, limit: int) -> concurrent.futures.Future[EventPage]:
        """A page of stored state events, newest first, older than row ``before_id``."""

        def rows() -> EventPage:
            return self.usable_eventlog().event_page(before_id, limit)

        if self._closed:
            from .eventqueries import NO_PAGE  # noqa: PLC0415 - loaded by the log's opening

            return _resolved(NO_PAGE)
        return self.io.submit(rows)

    def uptimes(self, profile_ids: Sequence[str]) -> concurrent.futures.Future[dict[str, Uptime]]:
        """Uptime over the last 24 h of each profile (of the target it has now, since it was
        last given another), in one query on the I/O thread."""
        ids = list(profile_ids)

        def uptimes() -> dict[str, Uptime]:
            from .eventqueries import Uptime  # noqa: PLC0415 - loaded by the log's opening

            eventlog = None if self._closed else self.eventlog
            if eventlog is None or not eventlog.opened_once:
                return {pid: Uptime(None) for pid in ids}
            return eventlog.uptimes(ids, UPTIME_WINDOW, this_target=True)

        return _resolved(uptimes()) if self._closed else self.io.submit(uptimes)

    def last_seen(
        self, profile_ids: Sequence[str]
    ) -> concurrent.futures.Future[dict[str, LastSeen]]:
        """What the log last knew of each profile (``core.last_seen``), on the I/O thread."""
        ids, now = list(profile_ids), dt.datetime.now(dt.UTC)

        def seen() -> dict[str, LastSeen]:
            from .eventqueries import read  # noqa: PLC0415 - loaded by the log's opening

            eventlog = self.eventlog
            if eventlog is None or not eventlog.opened_once:
                return {}
            return read(eventlog.path, lambda c: last_seen(c, ids, now), {})

        return _resolved({}) if self._closed else self.io.submit(seen)

    def close(self) -> None:
        """Let queued saves finish, then close the event log (after the monitors stopped,
        so their last events are written). Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._go is not None:
            self._go.set()  # an opening that waits for it has nothing to wait for now
        if self._profiles is not None:
            self._profiles.close(retry=not self.strict)  # a command has said it failed
        if self._io is not None:
            if not self.strict:  # the window, which said they were not saved: once more
                self._io.submit(self._settings_at_close)
            self._io.shutdown(wait=True)
        if self.eventlog is not None:
            self.eventlog.close()


def _resolved(value: T) -> concurrent.futures.Future[T]:
    future: concurrent.futures.Future[T] = concurrent.futures.Future()
    future.set_result(value)
    return future
