"""How fast a year of history turns into outages: ``EventLog.outages`` beside a plain scan.

    python tests/bench/outages_query.py [--quick] [--profiles N] [--per-day N]

Writes a year of state changes for 200 profiles (by default 12 outages a profile a day, so
1,752,000 changes and 876,000 outages) into a fresh event log through the real writer, then
times, best of 3: all outages of the year, and how long the first of them takes to come
(``tcpmonitor outages`` prints it then); one profile's last 7 days; everyone's last 24 h.
The baseline is the simplest way to the same answer: read every change of the year in order
(``EventLog.events``) and pair them in Python. Target (issue #11): the whole year for 200
profiles in under a second, and a week of one profile in under 50 ms. A benchmark: it prints
PASS/MISS and always exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import best_of, flip_event, machine_line

from tcpmonitor_gui.core import eventqueries
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Event, State
from tcpmonitor_gui.core.outages import Outage, each_outage

YEAR_TARGET_S = 1.0
WEEK_TARGET_S = 0.05
BATCH = 20_000


def history(profiles: int, per_day: int, days: int) -> list[Event]:
    """Each profile goes down and comes back ``per_day`` times a day, at random moments."""
    rng = random.Random(7)
    end = dt.datetime.now(dt.UTC)
    start = end - dt.timedelta(days=days)
    span = (end - start).total_seconds()
    events: list[Event] = []
    for p in range(profiles):
        pid = f"p{p:03d}"
        moments = sorted(rng.uniform(0, span) for _ in range(per_day * days * 2))
        for i, offset in enumerate(moments):
            down = i % 2 == 0
            at = start + dt.timedelta(seconds=offset)
            events.append(flip_event(at, pid, f"profile {p:03d}", down=down, detection_ms=3.0))
    events.sort(key=lambda e: e.ts)
    return events


def paired(log: EventLog, since: dt.datetime) -> int:
    """The baseline: every change in order, paired in Python."""
    open_at: dict[str, dt.datetime] = {}
    count = 0
    for event in log.events(since=since):
        if event.state is State.DOWN and event.previous is not State.DOWN:
            open_at[event.profile_id] = event.ts
        elif event.profile_id in open_at:
            del open_at[event.profile_id]
            count += 1
    return count + len(open_at)


def first(log: EventLog, since: dt.datetime) -> Outage | None:
    """The first outage as ``tcpmonitor outages`` streams it, the rest left unread."""
    found = eventqueries.stream(log.path, lambda conn: each_outage(conn, None, since, None))
    try:
        return next(found, None)
    finally:
        found.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a month, not a year")
    parser.add_argument("--profiles", type=int, default=200)
    parser.add_argument("--per-day", type=int, default=12)
    args = parser.parse_args()
    days = 30 if args.quick else 365
    print(machine_line())
    events = history(args.profiles, args.per_day, days)
    with tempfile.TemporaryDirectory() as tmp:
        log = EventLog(Path(tmp) / "events.sqlite3", retention_days=days + 1)
        log.start()
        started = time.perf_counter()
        for i in range(0, len(events), BATCH):
            log.submit(events[i : i + BATCH])
            assert log.flush(timeout=120)
        wrote = time.perf_counter() - started
        size = (Path(tmp) / "events.sqlite3").stat().st_size
        print(f"{args.profiles} profiles, {days} days, {len(events):,} changes written in "
              f"{wrote:.1f} s ({size / 2**20:.0f} MB)")  # fmt: skip
        now = dt.datetime.now(dt.UTC)
        year = now - dt.timedelta(days=days + 1)
        t_year, all_outages = best_of(3, lambda: log.outages(since=year))
        t_first, _ = best_of(3, lambda: first(log, year))
        t_base, base_count = best_of(3, lambda: paired(log, year))
        week = now - dt.timedelta(days=7)
        t_week, one = best_of(3, lambda: log.outages(profile="p007", since=week))
        t_day, day = best_of(3, lambda: log.outages(since=now - dt.timedelta(days=1)))
        log.close()
    n = len(all_outages)  # type: ignore[arg-type]
    assert n == base_count, (n, base_count)
    year_ok = "PASS" if t_year < YEAR_TARGET_S else "MISS"
    week_ok = "PASS" if t_week < WEEK_TARGET_S else "MISS"
    print(f"all outages ({n:,}): {t_year * 1000:,.0f} ms; baseline (every change, paired in "
          f"Python) {t_base * 1000:,.0f} ms -> {t_year / t_base:.2f}x  "
          f"target < {YEAR_TARGET_S:g} s: {year_ok}")  # fmt: skip
    print(f"the first of them: {t_first * 1000:,.1f} ms")
    print(f"one profile, 7 days ({len(one):,}): {t_week * 1000:.1f} ms  "  # type: ignore[arg-type]
          f"target < {WEEK_TARGET_S * 1000:g} ms: {week_ok}")  # fmt: skip
    print(f"everyone, 24 h ({len(day):,}): {t_day * 1000:.1f} ms")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
