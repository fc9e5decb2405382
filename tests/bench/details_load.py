"""How fast a flapping connection's details load: ``profile_history.load`` beside a plain scan.

    python tests/bench/details_load.py [--outages N]

Writes a month in which one profile drops ``N`` times (100,000 by default) and comes back,
every other time only as far as ``degraded``, into a fresh event log through the real writer.
Then times, best of 3, what the details view loads on the I/O thread when it opens on that
profile over 30 days (``profile_history.load``: the chart's buckets, the outages listed and
shaded, uptime over 24 h, 7 d and 30 d, the time degraded), and its parts. The baseline is
the simplest way to the outage count and the time degraded: read every change of the month
in order (``EventLog.events``) and pair them in Python. A benchmark: it prints the times and
the ratio, and always exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import best_of, machine_line

from tcpmonitor_gui.core import eventqueries as q
from tcpmonitor_gui.core import profile_history as ph
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Cause, Event, Kind, State
from tcpmonitor_gui.core.outages import each_outage

PID = "flapping"
MONTH = dt.timedelta(days=30)
BATCH = 20_000


def changes(outages: int, now: dt.datetime) -> list[Event]:
    """Down, then up or degraded by turns, evenly over the 29 days before ``now``."""
    start, step = now - dt.timedelta(days=29), dt.timedelta(days=29) / (2 * outages)
    out = []
    for i in range(2 * outages):
        state = State.DOWN if i % 2 == 0 else State.DEGRADED if i % 4 == 1 else State.UP
        out.append(Event(ts=start + i * step, profile_id=PID, profile_name=PID,
                         kind=Kind.STATE, state=state, previous=None,
                         cause=Cause.REFUSED if state is State.DOWN else None,
                         detector="probe", latency_ms=None))  # fmt: skip
    return out


def baseline(log: EventLog, since: dt.datetime, now: dt.datetime) -> tuple[int, float]:
    """Every change of the month in order, paired in Python: outages and seconds degraded."""
    count, degraded_s = 0, 0.0
    state, at = None, since
    for e in log.events(profile=PID, since=since):
        if e.kind is not Kind.STATE:
            continue
        if e.state is State.DOWN and state is not State.DOWN:
            count += 1
        if state is State.DEGRADED:
            degraded_s += (e.ts - at).total_seconds()
        state, at = e.state, e.ts
    if state is State.DEGRADED:
        degraded_s += (now - at).total_seconds()
    return count, degraded_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outages", type=int, default=100_000)
    args = parser.parse_args()
    print(machine_line())
    now = dt.datetime.now(dt.UTC)
    since = now - MONTH
    events = changes(args.outages, now)
    with tempfile.TemporaryDirectory() as tmp:
        log = EventLog(Path(tmp) / "events.sqlite3", retention_days=40)
        log.start()
        for i in range(0, len(events), BATCH):
            log.submit(events[i : i + BATCH])
            assert log.flush(timeout=120)
        print(f"one profile, 30 days: {len(events):,} changes, {args.outages:,} outages")
        t_load, loaded = best_of(3, lambda: ph.load(log, PID, MONTH.total_seconds(), now))
        t_base, (count, degraded_s) = best_of(3, lambda: baseline(log, since, now))  # type: ignore[misc]
        parts = {
            "uptime over 30 d": lambda: log.uptimes([PID], MONTH, now),
            "outages (streamed)": lambda: sum(
                1 for _ in q.stream(log.path, lambda c: each_outage(c, PID, since, now))
            ),
            "time degraded": lambda: sum(1 for _ in ph.degraded_spans(log, PID, since, now)),
        }
        timed = {name: best_of(3, call)[0] for name, call in parts.items()}
        log.close()
    history: ph.ProfileHistory = loaded  # type: ignore[assignment]
    assert history.summary.outages == count, (history.summary.outages, count)
    assert abs(history.summary.degraded_s - degraded_s) < 1.0, (history.summary, degraded_s)
    print(f"details loaded (profile_history.load): {t_load * 1000:,.0f} ms; baseline (every "
          f"change, paired in Python; outages and time degraded only) {t_base * 1000:,.0f} ms "
          f"-> {t_load / t_base:.2f}x")  # fmt: skip
    print("  of which: " + ", ".join(f"{k} {v * 1000:,.0f} ms" for k, v in timed.items()))


if __name__ == "__main__":
    main()
