"""One profile's history over a period, as the details view and reports show it: latency per
minute (gathered into wider buckets for long periods), outages, time degraded, and a summary
(uptime over 24 h / 7 d / 30 d, outage count, mean time to recover, longest outage).

Built by ``load`` from the event log on whatever thread calls it (the desktop program's I/O
thread); nothing here knows Qt.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import math
from collections.abc import Iterator, Sequence

from . import eventqueries as q
from .eventlog import EventLog
from .eventqueries import MinuteStat, Uptime
from .outages import Outage, Shade, each_outage, shade

#: The periods the details view offers, by label: seconds.
PERIODS: dict[str, float] = {
    "1 h": 3600.0,
    "24 h": 86400.0,
    "7 d": 7 * 86400.0,
    "30 d": 30 * 86400.0,
}
#: Uptime is summarised over these.
UPTIME_WINDOWS = ("24 h", "7 d", "30 d")
#: A chart shows at most about this many buckets: minutes are gathered beyond it.
MAX_BUCKETS = 1500
#: The outage list shows at most the newest this many.
MAX_LISTED = 500


@dataclasses.dataclass(frozen=True)
class Bucket:
    """Minutes ``start`` .. ``start + width``: the checks' latency (None when no check
    answered) and how many checks failed."""

    start: float  # Unix seconds
    lat_min: float | None
    lat_avg: float | None
    lat_max: float | None
    ok: int
    fail: int


@dataclasses.dataclass(frozen=True)
class Summary:
    """Over the longest window (30 d): the target's outages (``Outage.counted``: not only this
    computer's network's, not only planned), their mean and longest duration, and the time
    spent degraded; ``local`` and ``planned``: the others."""

    uptime: dict[str, Uptime]
    outages: int
    mean_recovery_s: float | None
    longest: Outage | None
    degraded_s: float
    local: int
    planned: int


@dataclasses.dataclass(frozen=True)
class ProfileHistory:
    profile_id: str
    since: dt.datetime
    until: dt.datetime
    bucket_s: float
    buckets: list[Bucket]
    #: The newest ``MAX_LISTED`` of the outages overlapping the period, oldest first.
    outages: list[Outage]
    #: How many outages overlap the period (all of them: ``outages`` holds the newest).
    outage_count: int
    #: The outages of the period as the chart shades them, oldest first.
    shaded: list[Shade]
    #: Time spent degraded in the period (works, with trouble: counted as up), shaded.
    degraded: list[Shade]
    summary: Summary


def bucket_width(period_s: float) -> float:
    """Seconds per bucket: one minute, or whole minutes so that at most ``MAX_BUCKETS`` fit."""
    return 60.0 * max(1, math.ceil(period_s / 60 / MAX_BUCKETS))


def gather(minutes: Sequence[MinuteStat], width_s: float) -> list[Bucket]:
    """Per-minute aggregates into buckets of ``width_s`` seconds (aligned to the epoch):
    lowest of the lows, highest of the highs, the mean weighted by answered checks."""
    buckets: dict[float, list[MinuteStat]] = {}
    for m in minutes:
        start = math.floor(m.minute.timestamp() / width_s) * width_s
        buckets.setdefault(start, []).append(m)
    out = []
    for start in sorted(buckets):
        group = buckets[start]
        lows = [m.lat_min for m in group if m.lat_min is not None]
        highs = [m.lat_max for m in group if m.lat_max is not None]
        weighted = [(m.lat_avg, m.ok) for m in group if m.lat_avg is not None and m.ok]
        answered = sum(n for _, n in weighted)
        avg = sum(a * n for a, n in weighted) / answered if answered else None
        out.append(
            Bucket(
                start,
                min(lows) if lows else None,
                avg,
                max(highs) if highs else None,
                sum(m.ok for m in group),
                sum(m.fail for m in group),
            )
        )
    return out


@dataclasses.dataclass
class _Tally:
    """One profile's outages of the month, added one at a time (oldest first): the summary,
    the period's count, newest and shading, in the same memory for ten as for a million."""

    since: dt.datetime
    now: dt.datetime
    gap: float
    targets: int = 0
    local: int = 0
    planned: int = 0
    ended_s: float = 0.0
    ended: int = 0
    longest: Outage | None = None
    in_period: int = 0
    newest: collections.deque[Outage] = dataclasses.field(
        default_factory=lambda: collections.deque(maxlen=MAX_LISTED)
    )
    shaded: list[Shade] = dataclasses.field(default_factory=list)

    def add(self, o: Outage) -> None:
        if not o.counted and o.local:
            self.local += 1
        elif not o.counted:
            self.planned += 1
        else:
            self.targets += 1
            if o.recovered:
                self.ended_s += o.duration_s(self.now)
                self.ended += 1
            if self.longest is None or o.duration_s(self.now) > self.longest.duration_s(self.now):
                self.longest = o
        end = min(o.end or self.now, self.now)
        if end <= self.since:
            return
        self.in_period += 1
        self.newest.append(o)
        start = max(o.start, self.since).timestamp()
        shade(self.shaded, start, max(start, end.timestamp()), self.gap, o.cause)


#: Each span of ``degraded`` (as Unix seconds) of one profile between ``:start`` and ``:end``,
#: oldest first, and how much of it this computer slept (not known, as the uptime says): the
#: state at ``:start`` is that of the last state change before it.
_DEGRADED_SQL = f"""
WITH seg(ts, id, state) AS (
  SELECT :start, 0, (SELECT state FROM events WHERE profile_id = :pid AND ts < :start
                     AND coalesce(kind, 'state') = 'state' ORDER BY ts DESC, id DESC LIMIT 1)
  UNION ALL
  SELECT ts, id, state FROM events WHERE profile_id = :pid AND ts >= :start AND ts < :end
    AND coalesce(kind, 'state') = 'state'
),
{q.ASLEEP}
SELECT t0, t1, {q.SLEPT} FROM (
  SELECT state, ts AS t0, LEAD(ts, 1, :end) OVER (ORDER BY ts, id) AS t1 FROM seg
) WHERE state = 'degraded' AND t1 > t0
"""


def degraded_spans(
    log: EventLog, profile_id: str, since: dt.datetime, until: dt.datetime
) -> Iterator[tuple[float, float, float]]:
    """When the profile was degraded between ``since`` and ``until`` (Unix seconds), oldest
    first, and the seconds of each this computer slept; read one span at a time in SQL (a
    flapping month's 100,000 changes took 1.8 s as events in Python)."""
    params = {"pid": profile_id, "start": since.timestamp(), "end": until.timestamp()}
    return q.stream(log.path, lambda conn: iter(conn.execute(_DEGRADED_SQL, params)))


def load(
    log: EventLog, profile_id: str, period_s: float, now: dt.datetime | None = None
) -> ProfileHistory:
    """The history of ``profile_id`` over the last ``period_s`` seconds (and its summary):
    the month's outages and changes are read one at a time, never all held."""
    now = now or dt.datetime.now(dt.UTC)
    since = now - dt.timedelta(seconds=period_s)
    month = now - dt.timedelta(seconds=PERIODS["30 d"])
    width = bucket_width(period_s)
    minutes = log.latency_per_minute(profile_id, since, now)
    tally = _Tally(since, now, width)
    for o in q.stream(log.path, lambda conn: each_outage(conn, profile_id, month, now)):
        tally.add(o)
    uptime = {
        label: log.uptimes([profile_id], dt.timedelta(seconds=PERIODS[label]), now)[profile_id]
        for label in UPTIME_WINDOWS
    }
    degraded_s, degraded = 0.0, list[Shade]()
    since_s = since.timestamp()
    for start, end, slept in degraded_spans(log, profile_id, month, now):
        degraded_s += end - start - slept
        if end > since_s:
            shade(degraded, max(start, since_s), end, width, None)
    summary = Summary(
        uptime=uptime,
        outages=tally.targets,
        mean_recovery_s=tally.ended_s / tally.ended if tally.ended else None,
        longest=tally.longest,
        degraded_s=degraded_s,
        local=tally.local,
        planned=tally.planned,
    )
    return ProfileHistory(
        profile_id=profile_id,
        since=since,
        until=now,
        bucket_s=width,
        buckets=gather(minutes, width),
        outages=list(tally.newest),
        outage_count=tally.in_period,
        shaded=tally.shaded,
        degraded=degraded,
        summary=summary,
    )
