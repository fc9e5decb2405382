"""The event log's queries: what ``EventLog`` reads, kept apart from its writer thread.

Each runs on the caller's thread through a short-lived read-only connection of its own
(``eventqueries.read``), whether or not a writer runs, and sees what is committed.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar, Unpack

from . import eventqueries as q
from .eventdb import unix_seconds
from .eventqueries import EventFilter, MinuteStat
from .events import Event
from .outages import Outage, outages

R = TypeVar("R")


class EventReader:
    """The queries of the event log in ``path``."""

    path: Path
    #: Told what a read leaves out (``eventqueries.read``): the command says it on stderr.
    note: q.Note | None = None

    def _read(self, query: Callable[[sqlite3.Connection], R], empty: R) -> R:
        """Run ``query`` on a fresh read-only connection (``eventqueries.read``)."""
        return q.read(self.path, query, empty, self.note)

    def event_rows(self, **filters: Unpack[EventFilter]) -> list[tuple[int, Event]]:
        """Stored state events with their row ids, ordered by time (ties by id).

        See ``EventFilter`` for the filters. The ids are for paging: the GUI asks
        ``newest_first=True, limit=200`` and then ``before_id=<the last id it got>``.
        """
        limit = filters.get("limit")
        if limit is not None and limit < 0:
            raise ValueError(f"limit must not be negative, not {limit}")
        return self._read(lambda conn: list(q.event_rows(conn, filters)), [])

    def event_page(self, before_id: int | None, limit: int) -> q.EventPage:
        """A page of the window's log (``eventqueries.event_page``)."""
        return self._read(lambda conn: q.event_page(conn, before_id, limit), q.NO_PAGE)

    def events(self, **filters: Unpack[EventFilter]) -> list[Event]:
        """Like ``event_rows``, without the row ids."""
        return [event for _, event in self.event_rows(**filters)]

    def uptimes(
        self,
        profile_ids: Sequence[str],
        window: dt.timedelta,
        now: dt.datetime | None = None,
        *,
        this_target: bool = False,
    ) -> dict[str, q.Uptime]:
        """How much of the time in ``window`` (ending ``now``) each profile was up, all in
        one query (``Uptime``).

        Computed from state events: the state at the window's start is that of the last
        event before it, and each state lasts until the next event. ``degraded`` counts as
        up (the link works); time ``paused``, ``unknown`` or ``connecting``, or before
        anything is known, is left out of the denominator; so is time this computer was
        asleep or its network down (``not_counted_s``), which is not the target's doing.
        ``this_target``: only since the profile was last given another target, if it was
        in ``window`` (the status row's figure).
        """
        end = unix_seconds(now or dt.datetime.now(dt.UTC))
        start = end - window.total_seconds()
        ids = list(profile_ids)
        unknown = {pid: q.Uptime(None) for pid in ids}
        return self._read(
            lambda conn: q.uptimes(conn, ids, start, end, this_target=this_target), unknown
        )

    def uptime(
        self, profile_id: str, window: dt.timedelta, now: dt.datetime | None = None
    ) -> float | None:
        """The uptime percentage of one profile (see ``uptimes``)."""
        return self.uptimes([profile_id], window, now)[profile_id].percent

    def outages(
        self,
        profile: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> list[Outage]:
        """The outages overlapping ``since`` .. ``until``, oldest first (``core.outages``)."""
        return self._read(lambda conn: outages(conn, profile, since, until), [])

    def latency_per_minute(
        self, profile_id: str, since: dt.datetime, until: dt.datetime | None = None
    ) -> list[MinuteStat]:
        """Per-minute sample aggregates of the minutes that overlap ``since`` .. ``until``."""
        first = q.minute_of(since)
        last = q.minute_of(until or dt.datetime.now(dt.UTC))
        return self._read(lambda conn: q.latency_per_minute(conn, profile_id, first, last), [])
