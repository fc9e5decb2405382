"""Everything the desktop program's windows share: files, the engine, a thread for I/O.

Built by ``app.main()`` (the composition root), never at import. The GUI thread never
writes a file or queries SQLite: saves and queries go to ``io``, a small thread pool whose
futures the windows await or attach callbacks to.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path

from ..core import paths
from ..core.eventlog import EventLog, EventLogError
from ..core.events import Event
from ..core.jsonfile import JsonFileError
from ..core.profile import Profile
from ..core.profile_store import ProfileStore
from ..core.settings import Settings, SettingsStore
from ..engine.engine import Engine
from .common.i18n import QT_TRANSLATE_NOOP, translate

log = logging.getLogger(__name__)

EVENTS_FILE = "events.sqlite3"
UPTIME_WINDOW = dt.timedelta(hours=24)


@dataclasses.dataclass
class StartupProblem:
    """Something the user must be told once the window is up.

    Found before the window's language is chosen (the settings say which), so ``title`` and
    ``advice`` are kept in English and translated when shown (``shown_title``/``shown_text``).
    """

    title: str
    error: str
    advice: str
    kept: str = ""

    def shown_title(self) -> str:
        return translate("AppContext", self.title)

    def shown_text(self) -> str:
        advice = translate("AppContext", self.advice).format(kept=self.kept)
        return f"{self.error}\n\n{advice}"


class AppContext:
    def __init__(self, config_dir: Path, data_dir: Path) -> None:
        self.config_dir = config_dir
        self.data_dir = data_dir
        self.problems: list[StartupProblem] = []
        self.settings_store = SettingsStore(config_dir)
        self.settings = self._load_settings()
        self.profile_store = ProfileStore(config_dir)
        self.profiles: list[Profile] = self._load_profiles()
        self.eventlog = self._open_eventlog()
        self.engine = Engine(self.settings.worker_count, self.eventlog)
        # One thread: saves stay in order, and SQLite reads never pile up.
        self.io = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="tcpmonitor-io")
        self._closed = False

    @classmethod
    def from_options(cls, config_dir: str | None, data_dir: str | None) -> AppContext:
        return cls(paths.config_dir(config_dir), paths.data_dir(data_dir))

    # -- start-up: a file that cannot be read is kept, never overwritten, and reported ----

    def _load_settings(self) -> Settings:
        try:
            return self.settings_store.load()
        except JsonFileError as exc:
            kept = self.settings_store.quarantine()
            self.problems.append(
                StartupProblem(
                    QT_TRANSLATE_NOOP("AppContext", "Settings could not be read"),
                    str(exc),
                    QT_TRANSLATE_NOOP("AppContext", "A copy was kept as {kept}."),
                    str(kept),
                )
            )
            return Settings()

    def _load_profiles(self) -> list[Profile]:
        try:
            return self.profile_store.load()
        except JsonFileError as exc:
            kept = self.profile_store.quarantine()
            self.problems.append(
                StartupProblem(
                    QT_TRANSLATE_NOOP("AppContext", "Profiles could not be read"),
                    str(exc),
                    QT_TRANSLATE_NOOP(
                        "AppContext",
                        "The file was kept as {kept}; TCP Monitor starts with no connections "
                        "and will not write over your copy.",
                    ),
                    str(kept),
                )
            )
            return []

    def _open_eventlog(self) -> EventLog | None:
        try:
            return EventLog(
                self.data_dir / EVENTS_FILE, retention_days=self.settings.retention_days
            ).start()
        except EventLogError as exc:
            self.problems.append(
                StartupProblem(
                    QT_TRANSLATE_NOOP("AppContext", "The event log cannot be used"),
                    str(exc),
                    QT_TRANSLATE_NOOP(
                        "AppContext", "Monitoring works; events are not stored this session."
                    ),
                )
            )
            return None

    # -- work off the GUI thread ----------------------------------------------------------

    def save_profiles(self, profiles: Sequence[Profile]) -> concurrent.futures.Future[None]:
        """Write the profiles (atomically, in the I/O thread); the future raises on failure."""
        self.profiles = list(profiles)
        snapshot = list(profiles)
        return self.io.submit(self.profile_store.save, snapshot)

    def save_settings(self, settings: Settings) -> concurrent.futures.Future[None]:
        self.settings = settings
        if self.eventlog is not None:
            self.eventlog.retention_days = settings.retention_days
        return self.io.submit(self.settings_store.save, settings)

    def history(
        self, before_id: int | None, limit: int
    ) -> concurrent.futures.Future[list[tuple[int, Event]]]:
        eventlog = self.eventlog
        if eventlog is None or self._closed:
            done: concurrent.futures.Future[list[tuple[int, Event]]] = concurrent.futures.Future()
            done.set_result([])
            return done
        return self.io.submit(
            lambda: eventlog.event_rows(before_id=before_id, limit=limit, newest_first=True)
        )

    def uptimes(
        self, profile_ids: Sequence[str]
    ) -> concurrent.futures.Future[dict[str, float | None]]:
        eventlog = self.eventlog
        ids = list(profile_ids)

        def compute() -> dict[str, float | None]:
            if eventlog is None:
                return dict.fromkeys(ids)
            return {pid: eventlog.uptime(pid, UPTIME_WINDOW) for pid in ids}

        if self._closed:  # a timer that fired during shutdown
            done: concurrent.futures.Future[dict[str, float | None]] = concurrent.futures.Future()
            done.set_result(dict.fromkeys(ids))
            return done
        return self.io.submit(compute)

    def shutdown(self) -> None:
        """Stop monitoring, then let queued saves finish and close the log."""
        self._closed = True
        if not self.engine.shutdown():
            log.error("some worker threads did not stop in time")
        self.io.shutdown(wait=True)
        if self.eventlog is not None:
            self.eventlog.close()
