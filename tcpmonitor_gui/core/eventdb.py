"""The event log's SQLite file: its schema, its migrations, and how a batch is written.

Kept apart from ``eventlog.py`` (the writer thread and the queries) so each reads on its own.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime as dt
import logging
import math
import os
import shutil
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .atomicfile import special_kind
from .eventcopy import FULL_BELOW, keep_as_it_was, remove_stale_copies
from .events import CONDITION_KINDS, Cause, Event, Kind, State
from .jsonfile import link_into_nowhere

_log = logging.getLogger(__name__)

SCHEMA_VERSION = 4
#: How long a write waits for another program's lock on the log.
BUSY_S = 10.0
COLUMNS = (
    "id, ts, profile_id, profile_name, state, previous, cause, detector, latency_ms, detail,"
    " detection_ms, address, maintenance, kind"
)
#: SQL: the row is a state change (its ``kind`` 'state', or NULL: from before there were
#: kinds), not a row of another kind that carries a state: an action's (the change's state,
#: stored when the command ended), or one of a kind a newer version writes.
IS_CHANGE = "coalesce(kind, 'state') = 'state'"
INSERT_EVENT = f"INSERT INTO events ({COLUMNS.removeprefix('id, ')}) VALUES ({', '.join('?' * 13)})"
UPSERT_MINUTE = """
INSERT INTO minutes (profile_id, minute, ok, fail, lat_min, lat_max, lat_sum, lat_n, last_ts)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (profile_id, minute) DO UPDATE SET
  ok = ok + excluded.ok,
  fail = fail + excluded.fail,
  lat_min = min(coalesce(lat_min, excluded.lat_min), coalesce(excluded.lat_min, lat_min)),
  lat_max = max(coalesce(lat_max, excluded.lat_max), coalesce(excluded.lat_max, lat_max)),
  lat_sum = lat_sum + excluded.lat_sum,
  lat_n = lat_n + excluded.lat_n,
  last_ts = max(coalesce(last_ts, excluded.last_ts), excluded.last_ts)
"""


class EventLogError(Exception):
    """The event log file cannot be used; ``str()`` is one line naming the file. ``newer``:
    its schema is a newer version's (this one neither writes nor reads it)."""

    def __init__(self, message: str, *, newer: bool = False) -> None:
        super().__init__(message)
        self.newer = newer


def create_v1(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, ts REAL NOT NULL,"
        " profile_id TEXT NOT NULL, profile_name TEXT NOT NULL, state TEXT NOT NULL,"
        " previous TEXT, cause TEXT, detector TEXT NOT NULL, latency_ms REAL,"
        " detail TEXT NOT NULL DEFAULT '', detection_ms REAL, address TEXT)"
    )
    conn.execute("CREATE INDEX events_profile_ts ON events (profile_id, ts)")
    conn.execute("CREATE INDEX events_ts ON events (ts)")
    conn.execute(
        "CREATE TABLE minutes (profile_id TEXT NOT NULL, minute INTEGER NOT NULL,"
        " ok INTEGER NOT NULL, fail INTEGER NOT NULL, lat_min REAL, lat_max REAL,"
        " lat_sum REAL NOT NULL, lat_n INTEGER NOT NULL, PRIMARY KEY (profile_id, minute))"
        " WITHOUT ROWID"
    )
    conn.execute("CREATE INDEX minutes_minute ON minutes (minute)")  # for pruning


@dataclasses.dataclass(frozen=True)
class AddColumn:
    """A schema step that adds a column to a table; ``before`` is what a row from before it
    reads as (an SQL expression), so that the history an older version left is read as it
    was recorded without writing to it (``read_as_current``)."""

    table: str
    column: str
    declared: str
    before: str

    def __call__(self, conn: sqlite3.Connection) -> None:
        conn.execute(f"ALTER TABLE {self.table} ADD COLUMN {self.column} {self.declared}")


#: ``SCHEMA_STEPS[n]`` turns a schema of ``PRAGMA user_version`` n into n + 1 (0: empty file).
SCHEMA_STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {
    0: create_v1,
    # Version 2: whether a change came inside a maintenance window (old rows: it did not).
    1: AddColumn("events", "maintenance", "INTEGER NOT NULL DEFAULT 0", "0"),
    # Version 3: the event's kind, for the kinds a state does not tell (``action``); old rows
    # (NULL) take it from their state, as before.
    2: AddColumn("events", "kind", "TEXT", "NULL"),
    # Version 4: when a minute's last sample was taken, so that monitoring that ended without
    # a word (a crash, a power cut) is known to have lasted until then (``orphans.py``); old
    # rows (NULL) only know their minute.
    3: AddColumn("minutes", "last_ts", "REAL", "NULL"),
}


def read_as_current(conn: sqlite3.Connection, version: int) -> None:
    """On a connection that only reads a log of an older ``version`` (bringing it up to date
    is a writer's business, and a read-only copy cannot be): TEMP views of its tables, named
    as they are and found before them, with the columns added since as the rows from before
    read them. The queries then read it as they read a current one; it said "no such column"."""
    added: dict[str, list[str]] = {}
    for n in range(version, SCHEMA_VERSION):
        step = SCHEMA_STEPS[n]
        if isinstance(step, AddColumn):
            added.setdefault(step.table, []).append(f"{step.before} AS {step.column}")
    for table, columns in added.items():
        conn.execute(
            f"CREATE TEMP VIEW {table} AS SELECT *, {', '.join(columns)} FROM main.{table}"
        )


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def unix_seconds(ts: dt.datetime) -> float:
    """Seconds since the epoch; a naive datetime is taken as UTC, like every ``Event.ts``."""
    return (ts.replace(tzinfo=dt.UTC) if ts.tzinfo is None else ts).timestamp()


def problem(exc: sqlite3.Error, path: Path) -> str:
    """SQLite's words for ``exc``, and that the disk is full where it is: a log it cannot
    make its ``-shm`` file for is only a "disk I/O error", which reads as a failing disk."""
    full = disk_full(path)
    return f"{exc}; the disk is full" if full and "full" not in str(exc) else str(exc)


def disk_full(path: Path) -> bool:
    """Whether the disk that holds ``path`` (or would: its nearest folder there is) is full
    for SQLite."""
    folder = path.parent
    try:  # a folder that cannot be looked into (a name too long, no permission): not known
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        return shutil.disk_usage(folder).free < FULL_BELOW
    except OSError:
        return False


def refuse_special(path: Path) -> None:
    """Raise EventLogError if the log or a file SQLite keeps beside it is not a regular file:
    SQLite would wait for ever on a FIFO, or say only "disk I/O error"."""
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if (kind := special_kind(each)) is not None:
            raise EventLogError(f"{each}: is {kind}, not a file; the event log was not opened")
    try:
        folder: os.stat_result | None = os.stat(path.parent)
    except (FileNotFoundError, NotADirectoryError):  # no log there yet: nothing happened
        folder = None
    except OSError as exc:  # a link to itself, a folder not ours: not "no events" either
        raise EventLogError(
            f"{path.parent}: cannot be reached ({exc.strerror or exc}); the event log was not"
            " opened"
        ) from None
    if folder is not None and not stat.S_ISDIR(folder.st_mode):  # not "no events" either
        raise EventLogError(
            f"{path.parent}: is not a folder (a file is there); the event log was not opened"
        )
    if (target := link_into_nowhere(path)) is not None:  # not "no events": not read
        raise EventLogError(
            f"{path}: is a link into a folder that does not exist ({target}); the event log "
            "was not opened"
        )


def make_private(path: Path) -> None:
    """The log holds host names and what actions printed: it is the user's alone (0600), as
    ``profiles.json`` is. A new file is created so before SQLite opens it (SQLite gives its
    ``-wal`` and ``-shm`` the main file's mode; its own default is 0644); an existing one
    readable by others is tightened, with its ``-wal`` and ``-shm``. What cannot be done
    (another user's file, a read-only mount) is left to SQLite to open or refuse."""
    try:
        fd = os.open(
            path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o600
        )
    except FileExistsError:
        pass
    except OSError:
        return
    else:
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)  # whatever the umask took away
        finally:
            os.close(fd)
        return
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(OSError):
            mode = stat.S_IMODE(os.stat(each).st_mode)
            if mode & 0o077:
                os.chmod(each, mode & ~0o077)


def open_for_writing(path: Path) -> sqlite3.Connection:
    """Open (creating if needed, 0600) and bring the schema up to date, or raise
    EventLogError."""
    refuse_special(path)
    remove_stale_copies(path)
    make_private(path)
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=BUSY_S)
    except sqlite3.Error as exc:
        raise EventLogError(f"{path}: cannot be opened ({problem(exc, path)})") from exc
    try:
        version = check_schema(conn, path)  # before anything that could change the file
        use_wal(conn)
        # WAL with synchronous=NORMAL cannot corrupt the file; a power cut may lose the last
        # commits, which is the right trade for a log written several times a second.
        conn.execute("PRAGMA synchronous=NORMAL")
        if version == SCHEMA_VERSION:
            # Nothing to write: no write lock is asked for. One held by another program (a
            # window that was stopped, a long prune) made the log unusable after 10 s, and
            # ``run`` monitored nothing; its events now wait for the lock like any others.
            return conn
        kept = keep_as_it_was(conn, path, version) if version > 0 else None
        with transaction(conn):
            version = check_schema(conn, path)  # again: another process may have been first
            for n in range(version, SCHEMA_VERSION):
                SCHEMA_STEPS[n](conn)
            if version < SCHEMA_VERSION:
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        if kept is not None and 0 < version < SCHEMA_VERSION:  # said once, by the one that did
            _log.warning(
                "%s: brought up from schema %d to %d (an older TCP Monitor can no longer write"
                " it); %s",
                path, version, SCHEMA_VERSION, kept or "no copy of it as it was is kept",
            )  # fmt: skip
    except sqlite3.Error as exc:
        conn.close()
        raise EventLogError(
            f"{path}: cannot be used as the event log ({problem(exc, path)}); it was left as it is"
        ) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def use_wal(conn: sqlite3.Connection) -> None:
    """Put a new log in WAL mode. The switch needs the file alone, and SQLite does not wait
    for it as for a write lock: programs starting together on an empty data dir, each
    switching the log one of them had just made, failed with "database is locked". So it is
    asked again until the busy timeout, unless another has switched it meanwhile. (A file
    system where WAL cannot be had keeps its mode, without an error: asked once.)"""
    deadline = time.monotonic() + BUSY_S
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.005)  # ok-sleep: SQLite offers no wake-up for this lock


def check_schema(conn: sqlite3.Connection, path: Path) -> int:
    # One statement, one look at the file: two let another program create the log between
    # them, and its tables were "another program's" beside no schema version.
    row: tuple[int, int] = conn.execute(
        "SELECT (SELECT user_version FROM pragma_user_version),"
        " (SELECT count(*) FROM sqlite_master)"
    ).fetchone()
    version, tables = row
    if version > SCHEMA_VERSION:
        # Not read as if it were ours: what a newer schema changed is not known here (a
        # column that changes what a row means reads as a wrong uptime). The copy a newer
        # writer keeps of the log as it was (``eventcopy``) is this version's to read.
        kept = path.with_name(f"{path.name}.schema-{SCHEMA_VERSION}.bak")
        copy = f" (the log as it was before is kept as {kept.name})" if kept.exists() else ""
        raise EventLogError(
            f"{path}: schema version {version} is newer than this program understands "
            f"(at most {SCHEMA_VERSION}); upgrade TCP Monitor{copy}",
            newer=True,
        )
    if version == 0 and tables:
        raise EventLogError(
            f"{path}: holds another program's tables, not an event log; it was left as it is"
        )
    return version


@dataclasses.dataclass(slots=True)
class MinuteTotals:
    ok: int = 0
    fail: int = 0
    lat_min: float | None = None
    lat_max: float | None = None
    lat_sum: float = 0.0
    lat_n: int = 0
    last_ts: float = -math.inf

    def add(self, event: Event, ts: float) -> None:
        self.last_ts = max(self.last_ts, ts)
        if event.cause is not None:
            self.fail += 1
            return
        self.ok += 1
        lat = event.latency_ms
        if lat is not None:  # the latency of a failed check (a timeout, say) is not a latency
            self.lat_min = lat if self.lat_min is None else min(self.lat_min, lat)
            self.lat_max = lat if self.lat_max is None else max(self.lat_max, lat)
            self.lat_sum += lat
            self.lat_n += 1


def bad_row(exc: BaseException) -> bool:
    """Whether a failed write was about a value in it (skip that row) rather than the file
    (keep the rows and try again later)."""
    return isinstance(
        exc,
        (sqlite3.IntegrityError, sqlite3.DataError, sqlite3.InterfaceError,
         sqlite3.ProgrammingError, ValueError, TypeError, OverflowError),
    )  # fmt: skip


def write_batch(conn: sqlite3.Connection, batch: list[Event]) -> None:
    """One transaction: state events as rows, samples folded per profile and minute."""
    rows = []
    minutes: dict[tuple[str, int], MinuteTotals] = collections.defaultdict(MinuteTotals)
    for e in batch:
        ts = unix_seconds(e.ts)
        if e.kind == Kind.SAMPLE:
            minutes[e.profile_id, math.floor(ts / 60)].add(e, ts)
            continue
        rows.append(
            (ts, e.profile_id, e.profile_name, str(e.state), e.previous and str(e.previous),
             e.cause and str(e.cause), e.detector, e.latency_ms, e.detail, e.detection_ms,
             e.address, int(e.maintenance), str(e.kind))
        )  # fmt: skip
    with transaction(conn):
        conn.executemany(INSERT_EVENT, rows)
        conn.executemany(
            UPSERT_MINUTE,
            [
                (pid, minute, m.ok, m.fail, m.lat_min, m.lat_max, m.lat_sum, m.lat_n, m.last_ts)
                for (pid, minute), m in minutes.items()
            ],
        )


def delete_before(conn: sqlite3.Connection, cutoff: float) -> int:
    """Delete events older than ``cutoff`` (Unix seconds), and minute rows whose whole minute
    is; returns how many rows went."""
    with transaction(conn):
        n: int = conn.execute("DELETE FROM events WHERE ts < ?", (cutoff,)).rowcount
        n += conn.execute(
            "DELETE FROM minutes WHERE minute < ?", (math.floor(cutoff / 60),)
        ).rowcount
    return n


def finite(value: object) -> float | None:
    """A stored number as a float, or None where it is not a finite one (an infinity, text:
    a row this program never writes, which JSON cannot hold)."""
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def row_event(row: tuple[Any, ...]) -> tuple[int, Event]:
    (rid, ts, pid, name, state, previous, cause, detector, latency, detail, detection, addr,
     maintenance, kind) = row  # fmt: skip
    state = State(state)
    return rid, Event(
        ts=dt.datetime.fromtimestamp(ts, dt.UTC),
        profile_id=pid,
        profile_name=name,
        kind=Kind(kind) if kind else CONDITION_KINDS.get(state, Kind.STATE),
        state=state,
        previous=None if previous is None else State(previous),
        cause=None if cause is None else Cause.stored(cause),
        detector=detector,
        latency_ms=finite(latency),
        detail=detail,
        detection_ms=finite(detection),
        address=addr,
        maintenance=bool(maintenance),
    )
