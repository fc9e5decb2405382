"""Test helpers: an event collector that tests await, and a terse profile builder."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import errno
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tcpmonitor_gui.core.events import Event, Kind, State
from tcpmonitor_gui.core.profile import Profile


class Collector:
    """Receives events (the monitors' sink) and lets a test await the one it expects."""

    def __init__(self) -> None:
        self.events: list[tuple[float, Event]] = []
        self._waiters: list[
            tuple[Callable[[Event], bool], asyncio.Future[tuple[float, Event]]]
        ] = []
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        now = time.monotonic()
        with self._lock:
            self.events.append((now, event))
        for pred, fut in list(self._waiters):
            if not fut.done() and pred(event):
                fut.set_result((now, event))

    def states(self) -> list[Event]:
        return [e for _, e in self.events if e.kind is Kind.STATE]

    async def wait_for(
        self, pred: Callable[[Event], bool], timeout: float, *, after: float = 0.0
    ) -> tuple[float, Event]:
        """The first event matching ``pred`` received at or after ``after`` (monotonic)."""
        for when, event in list(self.events):
            if when >= after and pred(event):
                return when, event
        fut: asyncio.Future[tuple[float, Event]] = asyncio.get_running_loop().create_future()
        entry = (pred, fut)
        self._waiters.append(entry)
        try:
            async with asyncio.timeout(timeout):
                return await fut
        except TimeoutError:
            seen = [(e.state.value, e.cause) for e in self.states()]
            raise AssertionError(
                f"no matching event within {timeout} s; states seen: {seen}"
            ) from None
        finally:
            self._waiters.remove(entry)

    async def wait_state(
        self, state: State, timeout: float, *, after: float = 0.0, cause: Any = None
    ) -> tuple[float, Event]:
        def pred(e: Event) -> bool:
            return e.kind is Kind.STATE and e.state is state and (cause is None or e.cause == cause)

        return await self.wait_for(pred, timeout, after=after)


def make_profile(host: str, port: int, kind: str = "probe", **fields: Any) -> Profile:
    """A valid profile; keyword arguments are profile fields or, failing that, detector fields."""
    top_keys = ("id", "name", "group", "enabled", "fail_after", "recover_after",
                "warn_latency_ms", "ip_family", "notify", "notes")  # fmt: skip
    top = {k: fields.pop(k) for k in top_keys if k in fields}
    top.setdefault("name", f"{kind} {host}:{port}")
    return Profile.from_dict(
        {"host": host, "port": port, "detector": {"kind": kind, **fields}, **top}
    )


@contextlib.contextmanager
def local_zone(zone: str) -> Iterator[None]:
    """This process's clock in ``zone`` (``TZ``), as a user there has it; back after."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def stored_event(p: Profile, when: dt.datetime, state: State, **extra: Any) -> Event:
    """An event of ``p`` at ``when``, as the event log stores it (a state change unless
    ``kind`` says otherwise): for filling a log with history."""
    return Event(ts=when, profile_id=p.id, profile_name=p.name,
                 kind=extra.pop("kind", Kind.STATE), state=state, previous=None,
                 cause=extra.pop("cause", None), detector="probe",
                 latency_ms=extra.pop("latency_ms", None), **extra)  # fmt: skip


def fill(disk: Path) -> Path:
    """Take every free byte of ``disk`` (until the kernel's ENOSPC); the filler file, whose
    removal gives them back."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, bytes(4096))
    except OSError as exc:
        assert exc.errno == errno.ENOSPC, exc
    finally:
        os.close(fd)
    return filler


#: Files where the event log goes that are not one this program can use: what its error says.
HOSTILE_LOGS = {
    "directory": "is a directory, not a file",
    "garbage": "cannot be used as the event log",
    "truncated": "cannot be used as the event log",
    "future": "schema version 99 is newer than this program understands",
    # A drive not mounted: read as no log, it said "no events", exit 0 (a lie: "nothing").
    "link-into-nowhere": "is a link into a folder that does not exist",
}


def a_real_log(path: Path, profile_id: str) -> None:
    """A log of 3,000 changes of ``profile_id``, the newest now."""
    from tcpmonitor_gui.core.eventlog import EventLog  # not imported for every test

    p = make_profile("127.0.0.1", 1, id=profile_id, name="old")
    now = dt.datetime.now(dt.UTC)
    with EventLog(path) as log:
        log.submit(stored_event(p, now - dt.timedelta(minutes=i), State.UP) for i in range(3000))
        assert log.flush()


#: A change as a newer version stores it: (minutes after the start, state, previous, cause).
Change = tuple[float, str, str | None, str | None]
#: Up, then five minutes down with a cause this version does not know, then up again.
#: An outage ended by a state a newer version writes (this one does not know it).
NEWER_STATE_OUTAGE: list[Change] = [
    (0, "up", "connecting", None),
    (10, "down", "up", "refused"),
    (15, "quarantined", "down", None),
]
NEWER_CAUSE_OUTAGE: list[Change] = [
    (0, "up", "connecting", None),
    (10, "down", "up", "proxy_error"),
    (15, "up", "down", None),
]


def recorded_by_a_newer_version(
    path: Path, profile_id: str, start: dt.datetime, changes: list[Change], kind: str = "state"
) -> None:
    """``changes`` of ``profile_id`` stored in the log at ``path`` (made if missing) as a newer
    version writes them beside this one: this schema, names this version may not know (the
    rows' ``kind`` too)."""
    from tcpmonitor_gui.core.eventdb import INSERT_EVENT  # not imported for every test
    from tcpmonitor_gui.core.eventlog import EventLog

    if not path.exists():
        EventLog(path).start().close()
    rows = [
        ((start + dt.timedelta(minutes=m)).timestamp(), profile_id, "Orders DB", state, previous,
         cause, "watch", None, "proxy said 502" if cause else "", None, None, 0, kind)
        for m, state, previous, cause in changes
    ]  # fmt: skip
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.executemany(INSERT_EVENT, rows)


def plant(kind: str, path: Path, elsewhere: Path) -> None:
    """Put a ``HOSTILE_LOGS`` kind of file at ``path`` (``elsewhere``: room for a copy)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "directory":
        path.mkdir()
        (path / "thesis.txt").write_text("mine")
    elif kind == "garbage":
        path.write_bytes(bytes(range(256)) * 200)
    elif kind == "truncated":
        a_real_log(elsewhere, "old")
        data = elsewhere.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "link-into-nowhere":
        path.symlink_to(elsewhere.parent / "unmounted" / path.name)
    elif kind == "future":
        a_real_log(path, "old")
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA user_version = 99")
        conn.close()


def contents(path: Path) -> object:
    """A file's bytes, or a directory's files' bytes: to see that nothing was touched."""
    if path.is_symlink() and not path.exists():
        return os.readlink(path)
    if path.is_dir():
        return {p.name: p.read_bytes() for p in path.iterdir()}
    return path.read_bytes()


class Clocks:
    """A wall clock that can be set (NTP stepping it, a VM restored), and the seconds that
    really pass: ``install`` puts both in ``core.state`` (its ``utc_now`` and ``_elapsed``)."""

    def __init__(self, wall: dt.datetime, elapsed: float) -> None:
        self.wall, self.elapsed = wall, elapsed

    def wait(self, minutes: float) -> None:
        self.wall += dt.timedelta(minutes=minutes)
        self.elapsed += minutes * 60

    def set(self, hours: float) -> None:
        self.wall += dt.timedelta(hours=hours)

    def install(self, monkeypatch: Any) -> Clocks:
        from tcpmonitor_gui.core import state

        monkeypatch.setattr(state, "utc_now", lambda: self.wall)
        monkeypatch.setattr(state, "_elapsed", lambda: self.elapsed)
        return self
