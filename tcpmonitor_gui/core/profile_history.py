"""One profile's history over a period, as the details view and reports show it: latency per
minute (gathered into wider buckets for long periods), outages, time degraded, and a summary
(uptime over 24 h / 7 d / 30 d, outage count, mean time to recover, longest outage).

Built by ``load`` from the event log on whatever thread calls it (the desktop program's I/O
thread); nothing here knows Qt.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence

from .eventlog import EventLog
from .eventqueries import MinuteStat, Uptime
from .events import Kind, State
from .outages import Outage

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
    """Over the longest window (30 d): the target's outages (not this computer's network's,
    not planned ones), their mean and longest duration, and the time spent degraded."""

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
    #: Overlapping the period, oldest first.
    outages: list[Outage]
    #: Spans spent degraded in the period (works, with trouble: counted as up).
    degraded: list[tuple[dt.datetime, dt.datetime]]
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


def summarise(
    outages: Sequence[Outage], uptime: dict[str, Uptime], degraded_s: float, now: dt.datetime
) -> Summary:
    targets = [o for o in outages if not o.local and not o.maintenance]
    ended = [o.duration_s(now) for o in targets if o.recovered]
    longest = max(targets, key=lambda o: o.duration_s(now), default=None)
    return Summary(
        uptime=uptime,
        outages=len(targets),
        mean_recovery_s=sum(ended) / len(ended) if ended else None,
        longest=longest,
        degraded_s=degraded_s,
        local=sum(1 for o in outages if o.local),
        planned=sum(1 for o in outages if o.maintenance and not o.local),
    )


def degraded_spans(
    log: EventLog, profile_id: str, since: dt.datetime, until: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """When the profile was degraded between ``since`` and ``until``."""
    before = log.events(profile=profile_id, until=since, newest_first=True, limit=1)
    changes = [e for e in (*before, *log.events(profile=profile_id, since=since, until=until))
               if e.kind is Kind.STATE]  # fmt: skip
    spans = []
    for at, e in enumerate(changes):
        after = changes[at + 1] if at + 1 < len(changes) else None
        if e.state is State.DEGRADED:
            start = max(e.ts, since)
            end = until if after is None else min(after.ts, until)
            if end > start:
                spans.append((start, end))
    return spans


def load(
    log: EventLog, profile_id: str, period_s: float, now: dt.datetime | None = None
) -> ProfileHistory:
    """The history of ``profile_id`` over the last ``period_s`` seconds (and its summary)."""
    now = now or dt.datetime.now(dt.UTC)
    since = now - dt.timedelta(seconds=period_s)
    month = now - dt.timedelta(seconds=PERIODS["30 d"])
    width = bucket_width(period_s)
    minutes = log.latency_per_minute(profile_id, since, now)
    outages = log.outages(profile_id, month, now)
    uptime = {
        label: log.uptimes([profile_id], dt.timedelta(seconds=PERIODS[label]), now)[profile_id]
        for label in UPTIME_WINDOWS
    }
    degraded = degraded_spans(log, profile_id, month, now)
    degraded_s = sum((end - start).total_seconds() for start, end in degraded)
    return ProfileHistory(
        profile_id=profile_id,
        since=since,
        until=now,
        bucket_s=width,
        buckets=gather(minutes, width),
        outages=[o for o in outages if (o.end or now) > since],
        degraded=[(max(a, since), b) for a, b in degraded if b > since],
        summary=summarise(outages, uptime, degraded_s, now),
    )
