"""Monitoring that ended without a word: a crash, a SIGKILL, a power cut.

A process that stops monitoring says so: each profile's state goes to ``unknown``
("monitoring stopped"), which ends an outage. One that is killed says nothing, and each
profile's last state stays open: a drop it was watching stayed "ongoing" for as long as nothing
watched, its duration and the uptime counting that time as down, until the next start ended it
as "monitoring restarted".

So every process that writes the event log holds a shared ``flock`` on
``.events.sqlite3.lock`` beside it for as long as it writes. The first to start while no
process holds it (it gets it exclusively) knows that nothing else writes: a state left open was
left by a process that ended without a word. It ends each one as "monitoring stopped" at the
profile's last sign of being monitored (its last event, or its last check as the per-minute
rows keep it, whichever came later), then keeps the lock shared like the rest. A process that
monitors the same log at the same time (the window and ``tcpmonitor run`` on one data dir)
holds the lock too, so its open states are never taken for orphans. Nor are the states of a
profile whose claim (``claims.py``) a live process holds, should that one write without the
lock (a version that gave up waiting for it; a lock that could not be locked).

One that starts while others write (``tcpmonitor run`` as a service beside the window) ends
the open states of the profiles that no live process records or watches (neither a claim nor
a watch on them, ``Claims.watched_elsewhere``), where the claims can tell: the window killed
while a drop lasted left it open for as long as the service ran, and the next start ended it
as "monitoring restarted", all the time nothing watched counted as down (or, a probe found
down again, went on with it as one outage).

A writer writes nothing until it holds the lock shared. One that starts while another process
holds it exclusively (ending what was left open: a few milliseconds; or stopped in the middle
of it) keeps its events queued in memory and asks again, from its writer thread, every half
second at most. It used to give up after 10 s and write without the lock: when the stopped
process then died, the next to start found no lock held and ended the live writer's open
states as "monitoring ended unexpectedly", while it watched them.

A sleep is a state left open too when the computer never woke from it (its battery died, it
was switched off): every later hour was taken out of every profile's uptime, for good. It is
ended at this boot's start, when the computer was awake again at the latest, or earlier at
the first thing written after it (a program ran then: a wake that was not heard).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from .eventdb import INSERT_EVENT, transaction
from .filelock import WAIT_S, lock_path, open_lock_file

if sys.platform != "win32":
    import fcntl

_log = logging.getLogger(__name__)
T = TypeVar("T")

#: Whether another live process records a profile (``Claims.elsewhere``).
Recorded = Callable[[str], bool] | None

DETAIL = "monitoring ended unexpectedly; this is when it last checked"
WOKE = "awake by this boot at the latest (no wake was heard after the last sleep)"
WOKE_SEEN = (
    "awake by then at the latest: a program wrote this log (no wake was heard after the last sleep)"
)

#: Each profile's last state event (skipping action rows) that leaves its state open, with
#: when it was last checked: each profile found by seeking the index (a skip-scan).
_OPEN = """
WITH RECURSIVE pids(pid) AS (
  SELECT min(profile_id) FROM events WHERE profile_id > ''
  UNION ALL
  SELECT (SELECT min(profile_id) FROM events WHERE profile_id > pid) FROM pids
  WHERE pid IS NOT NULL
),
last(id) AS (
  SELECT (SELECT id FROM events WHERE profile_id = pid AND coalesce(kind, 'state') = 'state'
          ORDER BY ts DESC, id DESC LIMIT 1)
  FROM pids WHERE pid IS NOT NULL
)
SELECT e.id, e.profile_id, e.profile_name, e.state, e.detector, e.ts,
  (SELECT coalesce(m.last_ts, m.minute * 60.0) FROM minutes m
   WHERE m.profile_id = e.profile_id ORDER BY m.minute DESC LIMIT 1)
FROM last JOIN events e ON e.id = last.id
WHERE e.state NOT IN ('unknown', 'paused')
"""
#: This computer's last sleep or wake.
_POWER = """
SELECT ts, state FROM events WHERE profile_id = '' AND state IN ('sleep', 'wake')
ORDER BY ts DESC, id DESC LIMIT 1
"""
#: The first row written after a sleep, past the moments the system lets programs finish
#: before it sleeps (logind's InhibitDelayMaxSec, 5 s by default): a program was running
#: then, so the computer was awake again by that time.
_AWAKE_BY = "SELECT min(ts) FROM events WHERE ts > ? AND state NOT IN ('sleep', 'wake')"
SLEEP_DELAY_S = 5.0


#: A writer waiting for the lock asks again after 10 ms, then twice as long each time, up to this.
RETRY_MAX_S = 0.5


def hold(
    path: Path, conn: sqlite3.Connection, recorded: Recorded = None, watched: Recorded = None
) -> Writers:
    """Take the writers' lock beside the event log ``path`` (shared, kept until ``release``),
    first ending what a process that ended without a word left open if no other process
    writes the log. Where another process holds it exclusively (ending what was left open,
    or stopped in the middle of it) the lock is not held yet: the writer asks again
    (``Writers.take``) and writes nothing until it has it. Where there is no lock to be had
    (it is told) the log is written all the same, without the repair. ``watched``: whether
    a live process records or watches a profile, where that can be told (the others' states
    are then ended while other processes write the log too)."""
    if sys.platform == "win32":  # pragma: no cover - msvcrt has no shared locks
        return Writers(path, None)
    where = lock_path(path)
    try:
        fd = open_lock_file(where)
    except OSError as exc:
        why = exc.strerror or str(exc)
        _log.warning("%s: cannot be locked (%s); states left open are not ended", where, why)
        return Writers(path, None)
    writers = Writers(path, fd, recorded, watched)
    writers.take(conn)
    return writers


class Writers:
    """This process's place among the writers of one event log: it may write once ``held``
    (it holds the writers' lock shared, or there is no lock to be had)."""

    def __init__(
        self, path: Path, fd: int | None, recorded: Recorded = None, watched: Recorded = None
    ) -> None:
        self.path = path
        self._fd = fd
        self._recorded, self._watched = recorded, watched
        #: Open states that no live process keeps, to be ended (``end_strays``): each
        #: profile's last state row then.
        self.strays: dict[str, int] = {}
        self.held = fd is None
        self._since = time.monotonic()
        self._next = 0.0  # when to ask again (monotonic)
        self._pause = 0.01
        #: Told that another process has kept the lock for ``WAIT_S`` (the writer waits on).
        self.late = False

    def take(self, conn: sqlite3.Connection, now: bool = False) -> bool:
        """Hold the lock shared, if it can be had without waiting (ending what was left open
        first where no other process holds it); False while another holds it exclusively
        (asked again only after a pause, unless ``now``)."""
        if self.held:
            return True
        if not now and time.monotonic() < self._next:
            return False
        try:
            return self._take(conn)
        except OSError as exc:
            where = lock_path(self.path)
            _log.warning("%s: cannot be locked (%s); states left open are not ended", where, exc)
            self.release()
            self.held = True  # written all the same, as where there is no lock
            return True

    def _take(self, conn: sqlite3.Connection) -> bool:
        assert self._fd is not None
        alone = True
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            alone = False  # another process writes the log: the states it keeps are its own
        else:
            _end_quietly(self.path, conn, self._recorded)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:  # another process ends what was left open, or is stopped in it
            self._next = time.monotonic() + self._pause
            self._pause = min(self._pause * 2, RETRY_MAX_S)
            if not self.late and time.monotonic() - self._since >= WAIT_S:
                self.late = True
                _log.warning(
                    "%s: another process has held it for %g s; events wait until it lets go",
                    lock_path(self.path), WAIT_S,
                )  # fmt: skip
            return False
        self.held = True
        if not alone and (watched := self._watched) is not None:
            # Those that nobody keeps, found now (a read: nothing is recorded here yet), are
            # ended on the writer's thread (``end_strays``), as a write of its own: another
            # writer may hold SQLite's write lock (stopped in a commit).
            self.strays = _quietly(self.path, lambda: stray_states(conn, watched), {})
        if self.late:
            _log.warning("%s: let go; events are written again", lock_path(self.path))
        return True

    def end_strays(self, conn: sqlite3.Connection) -> None:
        """End the open states that no live process records or watches, once, before this
        process's first write (its own states are not in the log yet)."""
        if self.strays:
            strays, self.strays = self.strays, {}
            _end_quietly(self.path, conn, None, strays)

    def wait_s(self) -> float:
        """How long until ``take`` asks again."""
        return max(0.0, self._next - time.monotonic())

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # the lock goes with it
            self._fd = None


def _end_quietly(
    path: Path, conn: sqlite3.Connection, recorded: Recorded, only: Mapping[str, int] | None = None
) -> None:
    ended = _quietly(path, lambda: end_orphans(conn, time.time(), boot_time(), recorded, only), 0)
    if ended:
        what = "states left open by monitoring that ended without a word"
        _log.warning("%s: %d %s were ended, each at its last sign", path, ended, what)


def _quietly(path: Path, work: Callable[[], T], otherwise: T) -> T:
    try:
        return work()
    except sqlite3.Error as exc:
        _log.warning("%s: states left open were not ended (%s)", path, exc)
        return otherwise


def stray_states(conn: sqlite3.Connection, watched: Callable[[str], bool]) -> dict[str, int]:
    """The profiles whose state is open and that no live process keeps (``watched`` says
    which one does), each with its last state row."""
    return {pid: row for row, pid, *_ in conn.execute(_OPEN).fetchall() if not watched(pid)}


def end_orphans(
    conn: sqlite3.Connection,
    now: float,
    booted: float | None = None,
    recorded: Recorded = None,
    only: Mapping[str, int] | None = None,
) -> int:
    """End each profile's open state at its last sign of being monitored (never later than
    ``now``, never before the state itself), and a sleep never woken from (the battery died
    in it) at ``booted``, this boot's start; returns how many rows that took. Only for a log
    no process writes; and never a state of a profile that ``recorded`` says a live process
    records (it holds the profile's claim, ``claims.py``), should one write without the lock.

    A sleep left open took every later hour out of every profile's uptime: nothing was
    counted, for good, until the next sleep.

    ``only``: these profiles' states alone, each if its last state row is still the one
    given (``stray_states``), and no sleep (other processes write the log)."""
    rows = []
    with transaction(conn):
        for row, pid, name, state, detector, ts, checked in conn.execute(_OPEN).fetchall():
            if recorded is not None and recorded(pid):
                continue
            if only is not None and only.get(pid) != row:
                continue
            at = max(ts, min(ts if checked is None else max(ts, checked), now))
            rows.append(
                (at, pid, name, "unknown", state, None, detector, None, DETAIL, None, None, 0,
                 "state")
            )  # fmt: skip
        power = None if only is not None else conn.execute(_POWER).fetchone()
        if power is not None and power[1] == "sleep":
            # Awake by this boot at the latest, and by the first sign of a program running
            # after it: a wake not heard (a signal lost) is no sleep until the next boot.
            seen = conn.execute(_AWAKE_BY, (power[0] + SLEEP_DELAY_S,)).fetchone()[0]
            latest = min(now if booted is None else booted, now)
            woke = WOKE_SEEN if seen is not None and seen < latest else WOKE
            at = max(power[0], min(latest, seen or latest))
            rows.append((at, "", "", "wake", None, None, "", None, woke, None, None, 0, "power"))
        conn.executemany(INSERT_EVENT, rows)
    return len(rows)


def boot_time() -> float | None:
    """When this computer last booted (Unix time), where the clocks can tell."""
    try:
        return time.time() - time.clock_gettime(time.CLOCK_BOOTTIME)
    except (AttributeError, OSError):  # not Linux
        return None
