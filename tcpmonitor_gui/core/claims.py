"""One recorder per profile: of the programs that monitor a profile into one event log (the
window and ``tcpmonitor run`` on the same data dir, two ``run``s), one records it.

Each used to write every change, so ``outages`` listed each outage twice and a report counted
it twice; each ran the profile's actions, so a mail went twice; and the one that stopped wrote
"unknown (monitoring stopped)", ending in the history an outage the other still saw.

So a process records a profile (its state events, its per-minute samples) and runs its
actions only while it holds the profile's claim: a one-byte lock, at an offset hashed from
the profile's id, on ``.events.sqlite3.claims`` beside the log. Another process monitoring
the same profile goes on monitoring it (its window shows it live) but writes nothing of it
and runs none of its actions; it asks again at most every ``RETRY_S`` while events of the
profile come. When it gets the claim (the other stopped), it records the profile's state as
it sees it then, so the history goes on from there.

A program that stops watching a profile another one watches stores no "unknown (monitoring
stopped)" for it, nor "paused": it lets go of the claim, and the other goes on from the state
the log holds. That row ended an outage the other still saw, and its take-over began a second
one: each drop seen through a hand-over was two outages, the first "monitoring stopped" (or
"paused", when the window paused it beside the service). Each program watching a profile
holds a shared lock on a second byte of it (``_WATCHED`` past its claim), which tells the
recorder that someone watches it. A change (its state, and so its "monitoring stopped" too)
asks for the claim at once: the other, stopping before its take-over, still says it stopped.
Only when both stop in the same instant is the outage left open, and ended at the next start
as one left by a process that ended without a word (``orphans.py``).

The locks are Linux's open-file-description locks: POSIX record locks (``lockf``) would be
dropped whenever the process closed any descriptor of the file, and ``flock`` has no byte
ranges. They go with the descriptor: when the log is closed, or the process ends however it
ends. Where they are not to be had, everything is claimed, as before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import hashlib
import logging
import os
import sqlite3
import struct
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from .eventdb import unix_seconds
from .events import STOPPED, Event, Kind, State, utc_now
from .filelock import open_lock_file

if sys.platform != "win32":
    import fcntl

_log = logging.getLogger(__name__)

#: A process that monitors a profile another records asks for its claim this often, at most.
RETRY_S = 2.0
TAKEN_OVER = "recorded here from now on: the program that recorded it stopped"
#: ``struct flock`` on 64-bit Linux: type, whence, start, len, pid (0 for these locks).
_FLOCK = "hhqqi4x"
_OFD = getattr(fcntl, "F_OFD_SETLK", None) if sys.platform == "linux" else None
_OFD_GET = getattr(fcntl, "F_OFD_GETLK", None) if sys.platform == "linux" else None
#: Where the bytes that say who watches a profile begin (its claim's offset past this).
_WATCHED = 1 << 62
_LAST_STATE = """
SELECT state FROM events WHERE profile_id = ? AND coalesce(kind, 'state') = 'state' AND ts <= ?
ORDER BY ts DESC, id DESC LIMIT 1
"""


def claims_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.claims")


def _offset(profile_id: str) -> int:
    digest = hashlib.blake2b(profile_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 2  # 62 bits: a valid offset, collisions unheard of


class Claims:
    """The claims of one open event log (``open``); ``Claims(None)`` claims everything."""

    def __init__(self, fd: int | None) -> None:
        self._fd = fd
        self._lock = threading.Lock()
        self._held: set[str] = set()
        #: When each profile's claim was last refused (monotonic).
        self._refused: dict[str, float] = {}
        #: Profiles claimed after a refusal, with when (their state is recorded as of then).
        self._taken: dict[str, dt.datetime] = {}
        #: The last state event of each profile not recorded here: its state, if taken over.
        self._last: dict[str, Event] = {}
        #: How many take-over rows may wait for the writer to look up their previous state
        #: (``settle``; they are known by what they say, ``_is_row``, not by which object).
        self._rows = 0
        #: Profiles paused (or stopped) here: let go once that is stored, for another that
        #: watches them.
        self._paused: list[str] = []
        #: Profiles watched here (a shared lock each, seen by the others' ``_other``).
        self._watching: set[str] = set()

    @classmethod
    def open(cls, path: Path) -> Claims:
        if _OFD is None or struct.calcsize("P") != 8:  # pragma: no cover - not 64-bit Linux
            return cls(None)
        where = claims_path(path)
        try:
            fd = open_lock_file(where)
        except OSError as exc:
            why = exc.strerror or str(exc)
            _log.warning("%s: cannot be used (%s); every profile is recorded", where, why)
            return cls(None)
        return cls(fd)

    def reopen(self, path: Path) -> None:
        """Take the claims held here again on the claims file beside ``path``, a new event
        log where the one in use was deleted (or where none could be opened yet): a claim on
        a deleted file stops no one, and a second program would record the same profiles. A
        claim another program took meanwhile is its own now (asked again as any refused one).
        The claims file still there (only the log deleted) is kept as it is: its locks are the
        open descriptor's, and a second descriptor of it would be refused them."""
        fd = Claims.open(path)._fd
        if fd is not None and self._fd is not None and _same_file(fd, self._fd):
            os.close(fd)
            return
        with self._lock:
            old, self._fd = self._fd, fd
            held, self._held = self._held, set()
            watching, self._watching = self._watching, set()
            for pid in watching:
                self._watch(pid, True)
            for pid in held:
                if fd is None or self._set(pid, fcntl.F_WRLCK):
                    self._held.add(pid)
                else:
                    _log.warning("%r: recorded by another program from now on", pid)
                    self._refused[pid] = time.monotonic()
        if old is not None:
            os.close(old)

    def close(self) -> None:
        """Let go of every claim (the writer's last act, after its last commit)."""
        with self._lock:
            fd, self._fd = self._fd, None
            self._held.clear()
        if fd is not None:
            os.close(fd)

    def holds(self, profile_id: str) -> bool:
        """Whether this process records a change of ``profile_id`` and runs its actions: it
        holds the claim, or gets it now."""
        if profile_id in self._held or self._fd is None:
            return True
        with self._lock:
            return self._holds(profile_id, asked=True)

    def recorded_here(self, profile_id: str) -> bool:
        """Whether this process records ``profile_id``, as of when it last asked (asks not)."""
        return profile_id in self._held or self._fd is None

    def _holds(self, profile_id: str, *, asked: bool = False) -> bool:
        """``asked``: for a change, asked now; otherwise a refused claim is asked again only
        after ``RETRY_S`` (a sample may come every few milliseconds). A change that came in
        the seconds between the recorder's letting go and the next asking was in no history,
        and its actions ran nowhere (a drop seen by the one left as the other paused)."""
        if profile_id in self._held or self._fd is None:
            return True
        now = time.monotonic()
        refused = self._refused.get(profile_id)
        if refused is not None and now - refused < RETRY_S and not asked:
            return False
        if not self._set(profile_id, fcntl.F_WRLCK):
            self._refused[profile_id] = now
            return False
        self._held.add(profile_id)
        if self._refused.pop(profile_id, None) is not None:
            self._taken[profile_id] = utc_now()
        return True

    def _set(self, profile_id: str, kind: int, base: int = 0) -> bool:
        assert self._fd is not None and _OFD is not None
        what = struct.pack(_FLOCK, kind, os.SEEK_SET, base + _offset(profile_id), 1, 0)
        try:
            fcntl.fcntl(self._fd, _OFD, what)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                return False
            _log.warning("claim of %r not taken (%s); recorded here", profile_id, exc)
        return True

    def elsewhere(self, profile_id: str) -> bool:
        """Whether another process holds ``profile_id``'s claim: it records it, and lives."""
        with self._lock:
            return self._other(profile_id, 0)

    def watched_elsewhere(self, profile_id: str) -> bool:
        """Whether another process records or watches ``profile_id``: it lives, and the
        profile's state is its own."""
        with self._lock:
            return self._other(profile_id, 0) or self._other(profile_id, _WATCHED)

    def can_tell(self) -> bool:
        """Whether ``watched_elsewhere`` can say no (the claims are to be had here)."""
        return self._fd is not None and _OFD_GET is not None

    def _other(self, profile_id: str, base: int) -> bool:
        """Whether another process holds a lock on ``profile_id``'s byte past ``base``."""
        if self._fd is None or _OFD_GET is None:
            return False
        ask = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, base + _offset(profile_id), 1, 0)
        try:
            found = fcntl.fcntl(self._fd, _OFD_GET, ask)
        except OSError:
            return False
        kind: int = struct.unpack(_FLOCK, found)[0]
        return kind != fcntl.F_UNLCK

    def _watch(self, profile_id: str, watched: bool) -> None:
        """Say (or stop saying) that ``profile_id`` is watched here."""
        if self._fd is None or (profile_id in self._watching) == watched or not profile_id:
            return
        if self._set(profile_id, fcntl.F_RDLCK if watched else fcntl.F_UNLCK, _WATCHED):
            if watched:
                self._watching.add(profile_id)
            else:
                self._watching.discard(profile_id)

    def release(self, profile_id: str) -> int:
        """Let another process record ``profile_id`` (no longer monitored here)."""
        with self._lock:
            self._refused.pop(profile_id, None)
            self._taken.pop(profile_id, None)
            self._last.pop(profile_id, None)
            self._watch(profile_id, False)
            if profile_id in self._held and self._fd is not None:
                self._held.discard(profile_id)
                self._set(profile_id, fcntl.F_UNLCK)
        return 0

    def keep(self, events: Iterable[Event]) -> Iterable[Event]:
        """The events to record here: those of the profiles claimed, and before the first one
        after a take-over, the profile's state as this process sees it then."""
        if self._fd is None:
            return events
        kept = []
        with self._lock:
            for event in events:
                pid = event.profile_id
                if event.kind is Kind.ACTION and pid not in self._watching:
                    # The outcome of a command that began before the profile was paused or
                    # removed here: its record, asking for no claim. Asked, it took the claim
                    # back from the program that went on watching, which recorded nothing of
                    # the profile from then on.
                    kept.append(event)
                    continue
                ends = event.kind is Kind.STATE and (
                    event.state is State.PAUSED
                    or (event.state is State.UNKNOWN and event.detail == STOPPED)
                )
                self._watch(pid, not ends)
                change = event.kind is Kind.STATE
                if self._holds(pid, asked=change):
                    if ends:
                        self._paused.append(pid)  # not watched here: another may record it
                        if self._other(pid, _WATCHED):
                            continue  # the other goes on with it: its outage is not ended
                    since = self._taken.get(pid)
                    if since is None:
                        kept.append(event)
                        continue
                    if change and unix_seconds(event.ts) < unix_seconds(since):
                        since = event.ts  # the change that got it: recorded, after the row
                    if unix_seconds(event.ts) >= unix_seconds(since):  # the first since
                        del self._taken[pid]
                        if (last := self._last.pop(pid, None)) is not None:
                            kept.append(self._take_over(last, since))
                        kept.append(event)
                        continue
                if ends:
                    # Not watched here (paused, removed): nothing to take over. Taken over,
                    # its claim was held here, and the next program to watch it recorded
                    # nothing of it.
                    self._last.pop(pid, None)
                elif event.kind is Kind.STATE:  # the other one records it (or did until now)
                    self._last[pid] = event
        return kept

    def waiting(self) -> bool:
        """Whether profiles watched here are recorded by another program (``overdue`` asks
        for them every ``RETRY_S``)."""
        return bool(self._last)

    def overdue(self) -> list[Event]:
        """A take-over row for each profile watched here whose recorder has stopped, asked
        without waiting for the profile's next event: a watch that stays up samples hourly,
        and its history said "monitoring stopped" until then while this program watched it."""
        rows = []
        with self._lock:
            for pid in list(self._last):
                # got here, or by a check (``keep``, ``holds``) that waits for the next event
                if pid in self._taken or (pid not in self._held and self._holds(pid)):
                    since = self._taken.pop(pid, None) or utc_now()
                    rows.append(self._take_over(self._last.pop(pid), since))
        return rows

    def let_go(self) -> list[str]:
        """The profiles paused here since the last call (``EventLog.release`` them)."""
        with self._lock:
            paused, self._paused = self._paused, []
        return paused

    def _take_over(self, last: Event, since: dt.datetime) -> Event:
        detail = f"{TAKEN_OVER}; {last.detail}" if last.detail else TAKEN_OVER
        row = dataclasses.replace(last, ts=since, previous=None, detail=detail, detection_ms=None)
        self._rows += 1
        return row

    def settle(self, conn: sqlite3.Connection, batch: list[Event]) -> list[Event]:
        """On the writer's thread: each take-over row follows the state the log last holds
        for its profile (the other program's "unknown"; or, where it was killed without a
        word, its last state: an outage it saw then goes on)."""
        if self._rows <= 0:
            return batch
        settled = []
        for event in batch:
            if not _is_row(event):
                settled.append(event)
                continue
            with self._lock:
                self._rows -= 1
            settled.append(dataclasses.replace(event, previous=_last_state(conn, event)))
        return settled


def _is_row(event: Event) -> bool:
    """A take-over row, still without the state before it (the state machine's changes always
    have one). Known by what it says: a row remade on its way (``eventlog.fold``) is one still,
    and an object's id, once it is freed, may be another event's."""
    return (
        event.previous is None and event.kind is Kind.STATE and event.detail.startswith(TAKEN_OVER)
    )


def _same_file(one: int, other: int) -> bool:
    a, b = os.fstat(one), os.fstat(other)
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _last_state(conn: sqlite3.Connection, event: Event) -> State | None:
    try:
        found = conn.execute(_LAST_STATE, (event.profile_id, unix_seconds(event.ts))).fetchone()
    except sqlite3.Error as exc:
        _log.warning("%s: the state before a take-over is unknown (%s)", event.profile_id, exc)
        return None
    try:
        return None if found is None else State(found[0])
    except ValueError:  # a row this program never writes
        return None
