"""One stored history, told the same by every view: the outages (``core.outages`` and
``tcpmonitor outages``), the uptime (``eventqueries.uptimes``), the report (``core.report``,
``tcpmonitor report``) and the details view's summary (``profile_history.load``), each checked
against an independent reading of the same events written here (``Truth``) for histories made
to be hard: outages across the period's edges, one ongoing, monitoring stopped in the middle of
one, paused, planned, this computer asleep or offline, degraded, and rows written out of order
by two processes."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import random
import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from tcpmonitor_gui.core import report
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.eventqueries import KNOWN_STATES, UP_STATES
from tcpmonitor_gui.core.events import Cause, Event, Kind, State, condition, iso_ms
from tcpmonitor_gui.core.outages import Outage, outages
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_history import load
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.core.uptime_text import cut_percent, percent_text
from tests.helpers import make_profile
from tests.unit._cli_process import Home, tcpmonitor

UNTIL = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
MONTH = dt.timedelta(days=30)
SINCE = UNTIL - MONTH
A = make_profile("127.0.0.1", 5432, name="orders db")
BLINK = dt.timedelta(seconds=0.2)


def at(hours: float) -> dt.datetime:
    """``hours`` after the period's start (negative: before it)."""
    return SINCE + dt.timedelta(hours=hours)


def change(hours: float, state: State, previous: State | None = None, **extra: object) -> Event:
    cause = extra.pop("cause", Cause.REFUSED if state is State.DOWN else None)
    return Event(ts=at(hours), profile_id=A.id, profile_name=A.name, kind=Kind.STATE,
                 state=state, previous=previous, cause=cause, detector="probe",  # type: ignore[arg-type]
                 latency_ms=None, **extra)  # type: ignore[arg-type]  # fmt: skip


def power(hours: float, state: State) -> Event:
    return dataclasses.replace(condition(state), ts=at(hours))


@dataclasses.dataclass(frozen=True)
class Truth:
    """The history read the plain way: the profile's state changes in time order (ties in
    the order written), each state lasting until the next; asleep, nothing is known."""

    events: Sequence[Event]
    since: dt.datetime = SINCE
    until: dt.datetime = UNTIL

    def _changes(self) -> list[Event]:
        return sorted((e for e in self.events if e.profile_id == A.id and e.kind is Kind.STATE),
                      key=lambda e: e.ts)  # stable: ties stay as written  # fmt: skip

    def _asleep(self) -> list[tuple[float, float]]:
        power = sorted((e for e in self.events if e.kind is Kind.POWER), key=lambda e: e.ts)
        spans, start = [], None
        for e in power:
            if e.state is State.SLEEP and start is None:
                start = e.ts.timestamp()
            elif e.state is State.WAKE and start is not None:
                spans.append((start, e.ts.timestamp()))
                start = None
        if start is not None:
            spans.append((start, self.until.timestamp()))
        return spans

    def spans(self) -> list[tuple[Event, float, float]]:
        """Each change with the time (clipped to the period, less any sleep) it lasted."""
        t0, t1 = self.since.timestamp(), self.until.timestamp()
        changes, asleep = self._changes(), self._asleep()
        out = []
        for e, after in zip(changes, [*changes[1:], None], strict=True):
            a = max(t0, e.ts.timestamp())
            b = min(t1, t1 if after is None else after.ts.timestamp())
            if b > a:
                slept = sum(max(0.0, min(b, s1) - max(a, s0)) for s0, s1 in asleep)
                out.append((e, a, b - slept))
        return out

    def up_known(self) -> tuple[float, float]:
        up = known = 0.0
        for e, a, b_less_sleep in self.spans():
            seconds = b_less_sleep - a
            if e.state in UP_STATES:
                up += seconds
            if e.state in KNOWN_STATES and not _local(e) and not _planned(e):
                known += seconds
        return up, known

    def degraded_s(self) -> float:
        return sum(b - a for e, a, b in self.spans() if e.state is State.DEGRADED)

    def outages(self) -> list[tuple[dt.datetime, dt.datetime | None, str, bool]]:
        """(start, end, what ended it, whether any of its down time counts against the
        target) of those overlapping the period: a drop that began in a maintenance window
        (or with this computer offline) and outlasted it counts."""
        found: list[tuple[dt.datetime, dt.datetime | None, str, bool]] = []
        before: State | None = None
        for e in self._changes():
            counts = e.state is State.DOWN and not _local(e) and not _planned(e)
            if e.state is State.DOWN and before is not State.DOWN:
                found.append((e.ts, None, "", counts))
            elif e.state is State.DOWN:
                start, _, _, counted = found[-1]
                found[-1] = (start, None, "", counted or counts)
            elif before is State.DOWN:
                start, _, _, counted = found[-1]
                found[-1] = (start, e.ts, _ENDED[e.state], counted)
            before = e.state
        return [o for o in found if o[0] < self.until and (o[1] is None or o[1] > self.since)]

    def own(self) -> list[tuple[dt.datetime, dt.datetime | None, str, bool]]:
        return [o for o in self.outages() if o[3]]


_ENDED = {
    State.UP: "recovered",
    State.DEGRADED: "recovered",
    State.PAUSED: "paused",
    State.UNKNOWN: "monitoring stopped",
    State.CONNECTING: "monitoring restarted",
}


def _local(e: Event) -> bool:
    return e.state is State.DOWN and e.cause is Cause.LOCAL_NETWORK


def _planned(e: Event) -> bool:
    return e.state is State.DOWN and e.maintenance


def write(log: EventLog, *batches: Sequence[Event]) -> None:
    """Each batch committed before the next: rows of a later batch have later ids."""
    for batch in batches:
        log.submit(batch)
        assert log.flush()


def check_views_agree(log: EventLog, truth: Truth, profiles: Sequence[Profile] = (A,)) -> None:
    """Read while the log that wrote them is open: a state still open is ongoing, not left
    by monitoring that ended without a word (``core.orphans`` ends those at the next start)."""
    want = truth.outages()
    conn = sqlite3.connect(log.path)
    try:
        got: list[Outage] = outages(conn, A.id, truth.since, truth.until)
    finally:
        conn.close()
    assert [(o.start, o.end, o.ended_by) for o in got] == [w[:3] for w in want]
    up, known = truth.up_known()
    own = truth.own()
    r = next(p for p in report.build(log, profiles, truth.since, truth.until).profiles
             if p.profile.id == A.id)  # fmt: skip
    details = load(log, A.id, MONTH.total_seconds(), now=truth.until)
    assert (r.uptime.up_s, r.uptime.known_s) == pytest.approx((up, known))
    assert details.summary.uptime["30 d"].percent == pytest.approx(r.uptime.percent)
    assert r.own_outages == details.summary.outages == len(own)
    assert details.summary.degraded_s == pytest.approx(truth.degraded_s())
    assert r.outage_count == details.outage_count == len(want)
    # What the report says was down is what its uptime left out: one count of the time.
    assert r.downtime_s == pytest.approx(known - up)
    longest = [((end or truth.until) - start).total_seconds() for start, end, _, _ in own]
    assert r.longest_s == pytest.approx(max(longest, default=0.0))
    if longest:
        assert details.summary.longest is not None
        assert details.summary.longest.duration_s(truth.until) == pytest.approx(max(longest))


EDGES = [  # down across the period's start, a recovery, one across its end: ongoing
    change(-5, State.UP, State.CONNECTING),
    change(-2, State.DOWN, State.UP),
    change(1, State.UP, State.DOWN),
    change(30 * 24 - 3, State.DOWN, State.UP, cause=Cause.RESET),
]
STOPPED = [  # the program quit inside an outage, started again, found it still down
    change(0.5, State.UP, State.CONNECTING),
    change(10, State.DOWN, State.UP),
    change(12, State.UNKNOWN, State.DOWN),
    change(20, State.CONNECTING, State.UNKNOWN),
    change(20.01, State.DOWN, State.CONNECTING, cause=Cause.CONNECT_TIMEOUT),
    change(22, State.DEGRADED, State.DOWN),
    change(23, State.UP, State.DEGRADED),
    change(30, State.DOWN, State.UP),
    change(31, State.PAUSED, State.DOWN),  # paused while down
    change(40, State.CONNECTING, State.PAUSED),
    change(40.1, State.UP, State.CONNECTING),
]
PLANNED_AND_OFFLINE = [
    change(0, State.UP, State.CONNECTING),
    change(50, State.DOWN, State.UP, maintenance=True),
    change(52, State.UP, State.DOWN),
    change(60, State.DOWN, State.UP, cause=Cause.LOCAL_NETWORK),
    change(61, State.UP, State.DOWN),
]


ASLEEP = [  # this computer slept through part of an outage, and of a time up
    change(0, State.UP, State.CONNECTING),
    change(100, State.DOWN, State.UP),
    power(101, State.SLEEP),
    power(105, State.WAKE),
    change(110, State.UP, State.DOWN),
    power(200, State.SLEEP),
    power(202, State.WAKE),
    change(300, State.DEGRADED, State.UP),
    power(300.25, State.SLEEP),
    power(300.5, State.WAKE),
    change(301, State.UP, State.DEGRADED),
]


OUTLASTED = [  # began in a maintenance window, and this computer's offline; outlasted both
    change(0, State.UP, State.CONNECTING),
    change(50, State.DOWN, State.UP, maintenance=True),
    change(51, State.DOWN, State.DOWN, detail="still down after its maintenance window"),
    change(53, State.UP, State.DOWN),
    change(60, State.DOWN, State.UP, cause=Cause.LOCAL_NETWORK),
    change(61, State.DOWN, State.DOWN, cause=Cause.REFUSED),
    change(62, State.UP, State.DOWN),
]
QUIET = [change(-100, State.UP, State.CONNECTING), change(-50, State.DOWN, State.UP)]  # all month


@pytest.mark.parametrize(
    "history",
    [
        EDGES,
        STOPPED,
        PLANNED_AND_OFFLINE,
        ASLEEP,
        QUIET,
        OUTLASTED,
        EDGES + STOPPED + PLANNED_AND_OFFLINE + ASLEEP + OUTLASTED,
    ],
    ids=["edges", "stopped-paused", "planned-offline", "asleep", "quiet", "outlasted", "all"],
)
def test_every_view_tells_the_history_as_it_happened(tmp_path: Path, history: list[Event]) -> None:
    with EventLog(tmp_path / "events.sqlite3") as log:
        write(log, history)
        check_views_agree(log, Truth(history))


def test_rows_written_late_with_earlier_times_make_no_outage_inside_another(
    tmp_path: Path,
) -> None:
    """The window and ``tcpmonitor run`` write one log: the second's rows come after the
    first's, with earlier times. By time, the profile went down at 5 h and came back at 15 h:
    one outage of 10 h, not a second one from 10 h counted over it (15 h down, 2 outages)."""
    window = [change(0, State.UP, State.CONNECTING), change(10, State.DOWN, State.UP),
              change(20, State.UP, State.DOWN)]  # fmt: skip
    run = [change(5, State.DOWN, State.UP), change(15, State.UP, State.DOWN)]
    truth = Truth(window + run)
    assert [(o[0], o[1]) for o in truth.outages()] == [(at(5), at(15))]
    with EventLog(tmp_path / "events.sqlite3") as log:
        write(log, window, run)
        check_views_agree(log, truth)


def test_an_uptime_with_any_downtime_never_reads_100_percent(tmp_path: Path) -> None:
    """A fifth of a second down in a month is 99.99999992 % up: the report's CSV said
    "100.000" (rounded), and its table and page "99.99 %" beside the window's "100 %" for a
    month without any. Every view cuts the same way now, and says 100 % only of no downtime."""
    home = Home(tmp_path / "config", tmp_path / "data")
    flawless = make_profile("127.0.0.1", 6379, name="flawless")
    ProfileStore(home.config).save([A, flawless])
    history = [
        change(-1, State.UP, State.CONNECTING),
        change(100, State.DOWN, State.UP),
        dataclasses.replace(change(100, State.UP, State.DOWN), ts=at(100) + BLINK),
        dataclasses.replace(change(-1, State.UP), profile_id=flawless.id, profile_name="flawless"),
    ]
    with EventLog(home.data / "events.sqlite3") as log:
        write(log, history)
        made = report.build(log, [A, flawless], SINCE, UNTIL)
        page = report.to_html(made)
        rows = {r["profile"]: r for r in csv.DictReader(io.StringIO(report.to_csv(made)))}
    assert rows["orders db"]["uptime_percent"] == "99.999"
    assert rows["flawless"]["uptime_percent"] == "100.000"
    assert "<td class='n'>99.99 %</td>" in page
    assert "<td class='n'>100 %</td>" in page
    period = ("--since", SINCE.isoformat(), "--until", UNTIL.isoformat())
    table = tcpmonitor(home, "report", *period)
    assert table.returncode == 0, table.stderr
    shown = dict(re.findall(r"^(orders db|flawless) +(\S+ %)", table.stdout, re.MULTILINE))
    assert shown == {"orders db": "99.99 %", "flawless": "100 %"}


@pytest.mark.parametrize(
    ("pct", "text"),
    [(100.0, "100 %"), (99.9999999, "99.99 %"), (99.995, "99.99 %"), (99.0, "99.00 %"),
     (98.99, "98.9 %"), (81.85, "81.8 %"), (0.0, "0.0 %")],
)  # fmt: skip
def test_a_percentage_is_cut_never_rounded_up(pct: float, text: str) -> None:
    assert percent_text(pct) == text
    assert cut_percent(81.85, 2) == 81.85  # int(81.85 * 100) / 100 read 81.84
    assert cut_percent(99.99999999999, 3) == 99.999


def test_a_month_of_100_000_changes_from_two_writers_is_told_the_same(tmp_path: Path) -> None:
    """Every kind of change at random, a tenth of them written late by a second process (with
    earlier times), this computer asleep now and then: the views agree with the plain
    reading to the second."""
    rng = random.Random(11)
    states = [State.UP, State.DOWN, State.DOWN, State.DEGRADED, State.PAUSED, State.UNKNOWN,
              State.CONNECTING]  # fmt: skip
    causes = [Cause.REFUSED, Cause.RESET, Cause.LOCAL_NETWORK]
    span_h = 31 * 24
    history = [
        change(
            rng.uniform(-24, span_h - 24),
            rng.choice(states),
            cause=rng.choice(causes),
            maintenance=rng.random() < 0.05,
        )
        for _ in range(100_000)
    ]
    history = [e if e.state is State.DOWN else dataclasses.replace(e, cause=None) for e in history]
    naps = sorted(rng.sample(range(0, span_h - 48, 24), 10))
    history += [power(h + rng.uniform(0, 8), s) for h in naps for s in (State.SLEEP, State.WAKE)]
    history.sort(key=lambda e: e.ts)
    first, late = history[::10], [e for i, e in enumerate(history) if i % 10]
    with EventLog(tmp_path / "events.sqlite3") as log:
        write(log, late, first)
        check_views_agree(log, Truth(late + first))


def test_a_profile_renamed_or_removed_and_added_again_is_one_history_in_every_command(
    tmp_path: Path,
) -> None:
    """'db' became 'orders'; 'cache' was removed and a new 'cache' added. ``--profile orders``
    gave ``outages`` all of its history but ``events`` only what came after the rename, and
    ``--profile cache`` gave ``events`` both caches' rows but ``outages`` the new one's. Each
    command now means the stored profile of that name, as ``report`` and the window do."""
    home = Home(tmp_path / "config", tmp_path / "data")
    orders = dataclasses.replace(A, name="orders")
    old_cache = make_profile("127.0.0.1", 6379, name="cache", id="c0" * 16)
    new_cache = make_profile("127.0.0.1", 6380, name="cache", id="c1" * 16)
    assert old_cache.id != new_cache.id
    ProfileStore(home.config).save([orders, new_cache])

    def of(p: Profile, hours: float, state: State) -> Event:
        return dataclasses.replace(change(hours, state), profile_id=p.id, profile_name=p.name)

    history = [
        of(A, 1, State.UP), of(A, 2, State.DOWN), of(A, 3, State.UP),  # as "db"
        of(orders, 10, State.DOWN), of(orders, 11, State.UP),
        of(old_cache, 1, State.UP), of(old_cache, 4, State.DOWN), of(old_cache, 5, State.UP),
        of(new_cache, 20, State.UP), of(new_cache, 21, State.DOWN), of(new_cache, 23, State.UP),
    ]  # fmt: skip
    with EventLog(home.data / "events.sqlite3") as log:
        write(log, history)
    period = ("--since", SINCE.isoformat(), "--until", UNTIL.isoformat())
    for name, profile, downs in (("orders", A, [at(2), at(10)]), ("CACHE", new_cache, [at(21)])):
        events = tcpmonitor(home, "events", "--profile", name, "--format", "json", *period)
        assert events.returncode == 0, events.stderr
        told = [(e["profile_id"], e["ts"]) for e in map(json.loads, events.stdout.splitlines())]
        assert told == [(e.profile_id, iso_ms(e.ts)) for e in history if e.profile_id == profile.id]
        found = tcpmonitor(home, "outages", "--profile", name, "--json", *period)
        rows = [json.loads(line) for line in found.stdout.splitlines()]
        assert [(r["profile_id"], r["start"]) for r in rows] == [
            (profile.id, iso_ms(when)) for when in downs
        ]
        table = tcpmonitor(home, "report", "--profile", name, "--csv", "-", *period)
        [row] = csv.DictReader(io.StringIO(table.stdout))
        assert row["outages"] == str(len(downs))
    # The removed one's history is still there, by its id.
    gone = tcpmonitor(home, "outages", "--profile", old_cache.id, "--json", *period)
    assert [json.loads(line)["start"] for line in gone.stdout.splitlines()] == [iso_ms(at(4))]


def test_an_outages_length_is_written_the_same_by_each_command(tmp_path: Path) -> None:
    """A quarter-second blip read "0.2 s" in ``tcpmonitor outages``, "0 s" in the report (and
    "250 ms" in the window); an outage of 76 h "3 d 4 h" there and "76 h" in the window."""
    home = Home(tmp_path / "config", tmp_path / "data")
    ProfileStore(home.config).save([A])
    blip = dataclasses.replace(
        change(2, State.UP, State.DOWN), ts=at(1) + dt.timedelta(seconds=0.25)
    )
    history = [change(0, State.UP), change(1, State.DOWN), blip, change(10, State.DOWN),
               change(86, State.UP)]  # fmt: skip
    with EventLog(home.data / "events.sqlite3") as log:
        write(log, history)
        page = report.to_html(report.build(log, [A], SINCE, UNTIL))
    period = ("--since", SINCE.isoformat(), "--until", UNTIL.isoformat())
    listed = tcpmonitor(home, "outages", *period)
    assert listed.returncode == 0, listed.stderr
    assert [line.split("  ")[1].strip() for line in listed.stdout.splitlines()[1:]] == [
        "250 ms",
        "3 d 4 h",
    ]
    assert "<td class=n>250 ms</td>" in page and "<td class=n>3 d 4 h</td>" in page
    table = tcpmonitor(home, "report", *period)
    assert "3 d 4 h" in table.stdout  # the longest
