"""The status model: one row per profile, updated in place from the engine's batches."""

from __future__ import annotations

import datetime as dt
import gc
import random
from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QStandardItem
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.eventqueries import Uptime
from tcpmonitor_gui.core.events import Cause, Event, Kind, State
from tcpmonitor_gui.core.last_seen import LastSeen
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.ui.common.labels import cause_text
from tcpmonitor_gui.ui.common.text import coarse_duration_text as format_duration
from tcpmonitor_gui.ui.status.cells import format_uptime
from tcpmonitor_gui.ui.status.clock import TICK_ROWS
from tcpmonitor_gui.ui.status.marks import Tally
from tcpmonitor_gui.ui.status.model import (
    SAMPLES,
    Column,
    Role,
    StatusModel,
    format_latency,
)

pytestmark = pytest.mark.usefixtures("qapp")  # icons and palettes need a QApplication

T0 = dt.datetime(2025, 5, 1, 12, 0, 0, tzinfo=dt.UTC)


class Clock:
    """A settable "now", so time-in-state is tested without sleeping."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


def profile(name: str, **extra: Any) -> Profile:
    data: dict[str, Any] = {"id": f"id-{name}", "name": name, "host": "127.0.0.1", "port": 5000}
    return Profile.from_dict({**data, **extra})


def state(pid: str, new: State, *, ts: dt.datetime = T0, **extra: Any) -> Event:
    fields: dict[str, Any] = {"previous": None, "cause": None, "latency_ms": None, **extra}
    return Event(ts=ts, profile_id=pid, profile_name=pid, kind=Kind.STATE, state=new,
                 detector="probe", **fields)  # fmt: skip


def sample(pid: str, latency: float | None, cause: Cause | None = None) -> Event:
    return Event(ts=T0, profile_id=pid, profile_name=pid, kind=Kind.SAMPLE, state=State.UP,
                 previous=None, cause=cause, detector="probe", latency_ms=latency)  # fmt: skip


def stored(percent: float, not_counted_s: float = 0.0) -> Uptime:
    """The event log's answer for the 24 h up to T0."""
    known = 86_400.0 - not_counted_s
    return Uptime(percent, not_counted_s, 0.0, known * percent / 100, known, T0.timestamp())


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def model(clock: Clock) -> Iterator[StatusModel]:
    m = StatusModel(clock=clock)
    m.set_profiles([profile(n) for n in ("alpha", "bravo", "charlie", "delta", "echo")])
    yield m
    m.stop_clock()


def text(m: StatusModel, row: int, column: Column) -> str:
    return str(m.index(row, column).data())


def spy(signal: Any) -> list[tuple[Any, ...]]:
    calls: list[tuple[Any, ...]] = []
    signal.connect(lambda *args: calls.append(args))
    return calls


def test_model_passes_the_model_tester_empty_populated_and_while_updating(
    qtmodeltester: ModelTester, clock: Clock
) -> None:
    m = StatusModel(clock=clock)
    qtmodeltester.check(m)
    m.set_profiles([profile("alpha"), profile("bravo", group="prod", host="::1")])
    qtmodeltester.check(m)
    m.apply_events([state("id-alpha", State.DOWN, cause=Cause.RESET, detection_ms=0.4),
                    sample("id-bravo", 1.5), sample("id-nobody", 2.0)])  # fmt: skip
    m.upsert_profile(profile("charlie"))
    m.set_uptime({"id-alpha": stored(99.5)})
    m.remove_profile("id-bravo")
    qtmodeltester.check(m)


def test_model_passes_the_python_model_tester(
    qtmodeltester: ModelTester, model: StatusModel
) -> None:
    qtmodeltester.check(model, force_py=True)
    model.apply_events([state("id-bravo", State.UP), sample("id-bravo", 3.0)])
    model.remove_profile("id-alpha")
    model.upsert_profile(profile("foxtrot"))


def test_columns_show_state_target_detector_latency_and_uptime(model: StatusModel) -> None:
    model.upsert_profile(profile("v6", host="::1", port=6379, group="cache",
                                 detector={"kind": "heartbeat", "preset": "redis"}))  # fmt: skip
    row = model.row_of("id-v6")
    assert row == 5
    model.apply_events(
        [state("id-v6", State.UP), sample("id-v6", 0.4321), sample("id-v6", 123.456)]
    )
    model.set_uptime({"id-v6": stored(99.996), "id-alpha": stored(87.25, 2 * 3600 + 59)})
    assert text(model, row, Column.STATE) == "up"
    assert model.index(row, Column.STATE).data(Qt.ItemDataRole.DecorationRole) is not None
    assert text(model, row, Column.NAME) == "v6"
    assert text(model, row, Column.GROUP) == "cache"
    assert text(model, row, Column.TARGET) == "[::1]:6379"
    assert text(model, row, Column.DETECTOR) == "heartbeat/Redis PING"
    assert text(model, row, Column.LATENCY) == "123.5"
    assert text(model, row, Column.UPTIME) == "99.99 %"
    assert text(model, 0, Column.UPTIME) == "87.2 % (2 h offline not counted)"
    assert text(model, 1, Column.LATENCY) == ""  # unknown is blank, not 0
    assert format_latency(0.4321) == "0.43"
    assert model.index(row, Column.LATENCY).data(Role.SORT) == pytest.approx(123.456)
    assert model.index(row, Column.NAME).data(Role.PROFILE_ID) == "id-v6"


def test_apply_events_signals_only_the_changed_rows_in_contiguous_ranges(
    model: StatusModel,
) -> None:
    changed = spy(model.dataChanged)
    resets = spy(model.modelReset)
    model.apply_events([sample("id-alpha", 1.0), sample("id-bravo", 1.0), sample("id-delta", 1.0),
                        sample("id-alpha", 2.0), state("id-delta", State.DOWN),
                        state("id-echo", State.UP)])  # fmt: skip
    assert changed == [], "signalled by the repaint timers, not per batch"
    model.flush_states()  # what the 250 ms timer does; rows with samples go in the same repaint
    model.flush_samples()  # (nothing left for the samples' own timer)
    ranges = {
        (top.row(), bottom.row(), top.column(), bottom.column()) for top, bottom, *_ in changed
    }
    # State changes: whole rows. Samples alone: only the live columns, so the state sort holds.
    assert ranges == {(3, 4, 0, len(Column) - 1), (0, 1, Column.LATENCY, Column.CAUSE)}
    assert resets == []
    changed.clear()
    model.apply_events([sample("id-unknown", 1.0)])  # a profile the table does not show
    model.apply_events([])
    model.flush_samples()
    model.flush_states()
    assert changed == []


def test_samples_are_repainted_by_a_timer_a_few_times_a_second(
    model: StatusModel, qtbot: QtBot
) -> None:
    changed = spy(model.dataChanged)
    for i in range(20):  # twenty batches of routine samples...
        model.apply_events([sample("id-alpha", float(i))])
    assert changed == []
    qtbot.waitUntil(lambda: bool(changed), timeout=2000)
    assert len(changed) == 1  # ...one repaint


def test_state_changes_are_gathered_for_a_tenth_of_a_second(
    model: StatusModel, qtbot: QtBot
) -> None:
    changed = spy(model.dataChanged)
    for i in range(20):  # twenty batches that each move a row's state...
        model.apply_events([state("id-alpha", State.DOWN if i % 2 else State.UP)])
    assert changed == []
    assert text(model, 0, Column.STATE) == "down"  # the data is current at once
    qtbot.waitUntil(lambda: bool(changed), timeout=1000)  # within the 250 ms timer + margin
    assert [(top.row(), bottom.row()) for top, bottom, *_ in changed] == [(0, 0)]  # one repaint


def test_sparkline_keeps_the_last_60_samples_with_none_for_failures(model: StatusModel) -> None:
    model.apply_events([sample("id-alpha", float(i)) for i in range(100)])
    model.apply_events([sample("id-alpha", None, Cause.REFUSED)])
    samples = model.samples(0)
    assert len(samples) == SAMPLES
    assert samples[0] == 41.0
    assert samples[-1] is None
    assert text(model, 0, Column.LATENCY) == ""  # a failed check leaves no current latency
    assert text(model, 0, Column.CAUSE) == "refused"
    assert "1 failed" in (model.tooltip(0, Column.SPARKLINE) or "")


def test_a_watch_shows_the_latency_of_its_connect_and_says_when_it_was_timed(
    clock: Clock,
) -> None:
    """A watch's samples while it holds carry no latency (nothing was timed): the row keeps
    its connect's, the sparkline gets no made-up points, and the cell says when it was timed."""
    m = StatusModel(clock=clock)
    m.set_profiles([profile("held", detector={"kind": "watch"}), profile("asked")])
    m.apply_events([sample("id-held", 0.25), *(sample("id-held", None) for _ in range(5))])
    row = m.row_of("id-held")
    assert row is not None
    assert text(m, row, Column.LATENCY) == "0.25"
    assert m.samples(row) == [0.25]
    assert "Timed when the connection was made" in (m.tooltip(row, Column.LATENCY) or "")
    asked = m.row_of("id-asked")
    assert asked is not None and m.tooltip(asked, Column.LATENCY) is None
    m.stop_clock()


def test_counts_down_names_and_worst_state_follow_state_events(model: StatusModel) -> None:
    emitted = spy(model.countsChanged)
    assert model.counts()[State.UNKNOWN] == 5
    assert model.worst_state() is State.UNKNOWN
    model.apply_events([state("id-alpha", State.UP), state("id-bravo", State.UP),
                        state("id-charlie", State.DOWN), state("id-echo", State.DOWN),
                        state("id-delta", State.DEGRADED)])  # fmt: skip
    assert len(emitted) == 1
    counts = emitted[0][0]
    assert counts == model.counts()
    assert (counts[State.UP], counts[State.DOWN], counts[State.DEGRADED]) == (2, 2, 1)
    assert model.down_names() == ["charlie", "echo"]
    assert model.worst_state() is State.DOWN
    model.apply_events([sample("id-alpha", 1.0), state("id-bravo", State.UP)])  # no change
    assert len(emitted) == 1
    model.remove_profile("id-charlie")
    model.remove_profile("id-echo")
    assert model.worst_state() is State.DEGRADED
    assert len(emitted) == 3


def test_time_in_state_counts_from_the_last_state_event(model: StatusModel, clock: Clock) -> None:
    assert text(model, 0, Column.IN_STATE) == ""
    model.apply_events([state("id-alpha", State.DOWN, ts=T0 - dt.timedelta(seconds=3))])
    assert text(model, 0, Column.IN_STATE) == "3 s"
    clock.now = T0 + dt.timedelta(hours=2, minutes=10)
    model._tick()  # what the clock does every second
    assert text(model, 0, Column.IN_STATE) == "2 h 10 min"
    # Sorted by when the state began, earlier as longer: a key the clock does not change.
    began = (T0 - dt.timedelta(seconds=3)).timestamp()
    assert model.index(0, Column.IN_STATE).data(Role.SORT) == pytest.approx(-began)
    assert model.index(1, Column.IN_STATE).data(Role.SORT) < -began  # never in a state
    assert [format_duration(s) for s in (0, 59, 300, 3600, 3 * 86400 + 5)] == [
        "0 s", "59 s", "5 min", "1 h", "3 d",
    ]  # fmt: skip


def test_a_drop_said_again_goes_on_from_when_it_began(model: StatusModel, clock: Clock) -> None:
    """A drop said again (still down after its maintenance window, or the target's own once
    this computer's network was back) counted "for" from then, and forgot how long the drop
    took to notice: the same outage, which every history starts at the drop, read "2 s"."""
    began = T0 - dt.timedelta(minutes=10)
    model.apply_events([state("id-alpha", State.DOWN, ts=began, previous=State.UP,
                              cause=Cause.LOCAL_NETWORK, detection_ms=12.0)])  # fmt: skip
    model.apply_events([state("id-alpha", State.DOWN, ts=T0, previous=State.DOWN,
                              cause=Cause.REFUSED, detail="still down")])  # fmt: skip
    clock.now = T0 + dt.timedelta(seconds=2)
    model._tick()
    assert text(model, 0, Column.IN_STATE) == "10 min"
    assert text(model, 0, Column.CAUSE) == cause_text(Cause.REFUSED)
    assert model.index(0, Column.IN_STATE).data(Role.SORT) == pytest.approx(-began.timestamp())


def test_uptime_follows_a_drop_by_the_second_and_never_worked_is_zero(
    model: StatusModel, clock: Clock
) -> None:
    """The stored answer said 100 %; a drop after it shows at the next tick, not a minute
    later; a row that has only ever failed reads 0 %, not 100 % or nothing."""
    model.set_uptime({"id-alpha": stored(100.0)})
    model.apply_events([state("id-alpha", State.UP, ts=T0 - dt.timedelta(hours=1))])
    assert text(model, 0, Column.UPTIME) == "100 %"
    model.apply_events([state("id-alpha", State.DOWN, ts=T0, cause=Cause.REFUSED)])
    clock.now = T0 + dt.timedelta(seconds=14)
    model._tick()
    assert text(model, 0, Column.UPTIME) == "99.98 %"  # 14 s of a day
    clock.now = T0 + dt.timedelta(hours=1)
    model._tick()
    assert text(model, 0, Column.UPTIME) == "96.0 %"  # 86,400 s of 90,000 (the next answer
    # from the log slides the window)
    model.apply_events([state("id-bravo", State.CONNECTING, ts=T0)])
    assert text(model, 1, Column.UPTIME) == ""  # trying, not known yet
    model.apply_events([state("id-bravo", State.DOWN, ts=T0, cause=Cause.REFUSED)])
    model._tick()
    assert text(model, 1, Column.UPTIME) == "0.0 %"
    model.set_uptime({"id-bravo": Uptime(None, at=clock.now.timestamp())})  # an empty log
    clock.now += dt.timedelta(seconds=2)
    model._tick()
    assert text(model, 1, Column.UPTIME) == "0.0 %"  # from then on, what the row sees


@pytest.mark.parametrize("seed", range(3))
def test_uptime_skipped_between_ticks_is_never_stale(
    model: StatusModel, clock: Clock, seed: int
) -> None:
    """The tick skips rows whose text cannot have changed yet: after every tick each row
    shows what a full computation would."""
    rng = random.Random(seed)
    ids = [f"id-{n}" for n in ("alpha", "bravo", "charlie", "delta", "echo")]
    model.set_uptime({pid: stored(rng.choice([100.0, 99.5, 42.0])) for pid in ids})
    for _ in range(3000):
        clock.now += dt.timedelta(seconds=rng.choice([1, 1, 1, 7, 60]))
        if rng.random() < 0.01:
            new = rng.choice([State.UP, State.DOWN, State.DEGRADED, State.CONNECTING])
            cause = rng.choice([Cause.REFUSED, Cause.LOCAL_NETWORK]) if new is State.DOWN else None
            model.apply_events([state(rng.choice(ids), new, ts=clock.now, cause=cause,
                                      maintenance=rng.random() < 0.2)])  # fmt: skip
        model._tick()
        for row, pid in enumerate(ids):
            at = model._rows[row]
            assert at.profile.id == pid
            full = format_uptime(at.live.at(clock.now.timestamp()))
            assert text(model, row, Column.UPTIME) == full


def test_a_restart_forgets_nothing(model: StatusModel, clock: Clock) -> None:
    """What the log last knew: the sparkline, the last cause, and "for" says "and before the
    restart" when the state found is the one left (counted from the start: nothing is known of
    the time between); not when it is another."""
    before = T0 - dt.timedelta(hours=2)
    model.apply_events([state("id-charlie", State.UP, ts=T0)])  # heard before the answer
    model.restore({
        "id-alpha": LastSeen(State.DOWN, before, Cause.REFUSED, (3.0, None, 5.0)),
        "id-bravo": LastSeen(State.UP, before, Cause.RESET),
        "id-charlie": LastSeen(State.UP, before),
        "id-gone": LastSeen(State.UP, before),  # a profile no longer there
    })  # fmt: skip
    assert model.samples(0) == [3.0, None, 5.0]
    assert text(model, 0, Column.CAUSE) == "refused"
    assert text(model, 2, Column.IN_STATE) == "0 s (and before the restart)"  # up then, up now
    model.apply_events([
        state("id-alpha", State.CONNECTING, ts=T0),
        state("id-alpha", State.DOWN, ts=T0, cause=Cause.REFUSED),
        state("id-bravo", State.DOWN, ts=T0, cause=Cause.TLS_ERROR),
    ])  # fmt: skip
    assert text(model, 0, Column.IN_STATE) == "0 s (and before the restart)"  # down, down
    assert text(model, 1, Column.IN_STATE) == "0 s"  # up then, down now: a new state
    model.apply_events(
        [
            state("id-alpha", State.UP, ts=T0 + dt.timedelta(seconds=1)),
            state("id-alpha", State.DOWN, ts=T0 + dt.timedelta(seconds=2)),
        ]
    )
    clock.now = T0 + dt.timedelta(seconds=5)
    model._tick()
    assert text(model, 0, Column.IN_STATE) == "3 s"  # remembered once, not for ever


def test_a_drop_found_again_and_said_again_still_says_it_began_before(
    model: StatusModel, clock: Clock
) -> None:
    """A drop found again at a start (or a resume) and then said again, the same drop (the
    network back and the target still down, or its maintenance window closed): "for" went
    on counting from the start but lost "(and before the restart)", reading "down for 3 s"
    of a drop hours old (and the tray and details lost their "down before ... too")."""
    model.restore({"id-alpha": LastSeen(State.DOWN, T0 - dt.timedelta(hours=2), Cause.REFUSED)})
    earlier, later = T0 - dt.timedelta(minutes=5), T0 + dt.timedelta(seconds=3)
    model.apply_events([
        state("id-alpha", State.CONNECTING, ts=T0),
        state("id-alpha", State.DOWN, ts=T0, previous=State.CONNECTING, cause=Cause.UNREACHABLE),
        state("id-bravo", State.DOWN, ts=earlier, previous=State.UP, cause=Cause.REFUSED),
        state("id-bravo", State.PAUSED, ts=earlier, previous=State.DOWN),
        state("id-bravo", State.CONNECTING, ts=T0, previous=State.PAUSED),
        state("id-bravo", State.DOWN, ts=T0, previous=State.CONNECTING, cause=Cause.UNREACHABLE),
    ])  # fmt: skip
    assert text(model, 0, Column.IN_STATE) == "0 s (and before the restart)"
    assert text(model, 1, Column.IN_STATE) == "0 s (and before the pause)"
    clock.now = later
    model.apply_events([
        state(pid, State.DOWN, ts=later, previous=State.DOWN, cause=Cause.REFUSED)
        for pid in ("id-alpha", "id-bravo")
    ])  # fmt: skip
    assert text(model, 0, Column.IN_STATE) == "3 s (and before the restart)"
    assert text(model, 1, Column.IN_STATE) == "3 s (and before the pause)"
    for pid, why in (("id-alpha", "restart"), ("id-bravo", "pause")):
        known = model.in_state(pid)
        assert known is not None and known[1] == T0 and known[3] == why  # tray, details


def test_clock_ticks_the_in_state_column_only(
    model: StatusModel, clock: Clock, qtbot: QtBot
) -> None:
    model.apply_events([state(f"id-{n}", State.UP) for n in ("alpha", "bravo", "charlie",
                                                             "delta", "echo")])  # fmt: skip
    model.flush_states()
    clock.now = T0 + dt.timedelta(seconds=5)
    model.start_clock()
    with qtbot.waitSignal(model.dataChanged, timeout=3000) as blocker:
        pass
    top, bottom, _roles = blocker.args or ()
    assert (top.column(), bottom.column()) == (Column.IN_STATE, Column.IN_STATE)
    assert (top.row(), bottom.row()) == (0, 4)
    assert text(model, 0, Column.IN_STATE) == "5 s"
    model.stop_clock()
    changed = spy(model.dataChanged)
    model._tick()  # the clock has not moved: nothing shown changes, nothing is signalled
    assert changed == []


def test_tooltip_names_detail_detection_delay_and_address(model: StatusModel) -> None:
    model.apply_events([state("id-alpha", State.DOWN, cause=Cause.CLOSED_BY_PEER,
                              detail="peer closed the connection", detection_ms=0.42,
                              address="127.0.0.1:5000")])  # fmt: skip
    tip = model.tooltip(0, Column.CAUSE) or ""
    assert model.tooltip(0, Column.NAME) == "Down, not acknowledged"
    assert "peer closed the connection" in tip
    assert "noticed 0.4 ms after the last good sign" in tip
    assert "127.0.0.1:5000" in tip
    assert text(model, 0, Column.CAUSE) == "closed by peer"
    assert State(model.index(0, 0).data(Role.STATE)) is State.DOWN
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None


def test_upsert_inserts_or_updates_in_place_and_remove_drops_the_row(model: StatusModel) -> None:
    inserted, changed, resets = (
        spy(model.rowsInserted),
        spy(model.dataChanged),
        spy(model.modelReset),
    )
    model.apply_events([state("id-bravo", State.UP), sample("id-bravo", 5.0)])
    changed.clear()
    model.upsert_profile(profile("bravo", group="prod"))
    assert [(top.row(), bottom.row()) for top, bottom, *_ in changed] == [(1, 1)]
    assert text(model, 1, Column.GROUP) == "prod"
    assert text(model, 1, Column.LATENCY) == "5.00"  # live state survives an edit
    model.upsert_profile(profile("golf", enabled=False))
    assert [(parent.isValid(), first, last) for parent, first, last in inserted] == [(False, 5, 5)]
    assert text(model, 5, Column.STATE) == "paused"
    model.remove_profile("id-alpha")
    assert model.row_of("id-bravo") == 0
    assert model.row_of("id-alpha") is None
    assert model.rowCount(QModelIndex()) == 5
    assert resets == []
    assert model.groups() == ["prod"]


def live_cells() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, QStandardItem))


def test_connections_added_and_removed_for_weeks_leave_no_cells_behind(
    model: StatusModel,
) -> None:
    """Each removed row's cells stayed alive for ever (the model's wrapper kept a reference
    to every cell given to it, and Qt deleted the copies without telling PySide): a window
    whose connections came and went (an import script, a registry kept in step with a CMDB)
    grew by its rows' cells at each one, 4 KB of memory each, never given back."""

    def churn(rounds: int) -> None:
        for i in range(rounds):
            added = profile(f"churn-{i}")
            model.upsert_profile(added)
            model.remove_profile(added.id)
        model.set_profiles([profile(n) for n in ("alpha", "bravo")])  # a reset too

    churn(50)
    settled = live_cells()
    churn(200)
    assert live_cells() - settled < len(Column)  # was 202 rows' worth more: 2,222


def test_cells_of_removed_rows_leave_no_python_wrapper_behind(model: StatusModel) -> None:
    """The cells are Qt's copies of a prototype, deleted by Qt without telling PySide: a
    wrapper left registered would be handed out for the next Qt object at its address."""
    alpha = model._rows[model.row_of("id-alpha")].items  # type: ignore[index]
    assert alpha and all(shiboken6.isValid(item) for item in alpha)
    model.remove_profile("id-alpha")
    assert not any(shiboken6.isValid(item) for item in alpha)
    before = [item for row in model._rows for item in row.items]
    model.set_profiles([profile("bravo"), profile("zulu")])  # a reset: every cell is new
    assert not any(shiboken6.isValid(item) for item in before)
    assert all(shiboken6.isValid(item) for row in model._rows for item in row.items)


def test_the_counts_kept_from_changed_rows_match_a_count_of_every_row() -> None:
    """Counts, unacknowledged drops and stale acknowledgements are kept from the rows each
    batch changed (not counted over every row per batch): after any sequence of batches they
    are what counting every row says."""
    rng = random.Random(12)
    m = StatusModel(clock=Clock())
    acked = "2025-05-01T11:00:00Z"
    m.set_profiles([profile(f"p{i}", acknowledged=acked if i % 3 == 0 else "") for i in range(40)])
    states = [State.UP, State.DOWN, State.DEGRADED, State.CONNECTING, State.PAUSED]
    told: list[list[str]] = []
    m.staleAcks.connect(told.append)
    for _ in range(200):
        batch = [
            state(f"id-p{rng.randrange(40)}", rng.choice(states), maintenance=rng.random() < 0.2)
            for _ in range(rng.randrange(1, 8))
        ]
        m.apply_events(batch)
        full = Tally()
        full.recount(m._rows)
        assert m.counts() == full.counts
        assert m._unacked == full.unacked == len(m.unacknowledged())
        assert m._stale_told == full.stale
    assert told, "no acknowledgement went stale in 200 batches: the test tests nothing"


def test_the_clock_writes_a_big_table_a_piece_per_turn(qtbot: QtBot, clock: Clock) -> None:
    """5,000 rows' clock cells at once held the window 50-90 ms: ``TICK_ROWS`` per turn, and
    a row removed before its turn is left out."""
    count = 2 * TICK_ROWS + 10
    m = StatusModel(clock=clock)
    m.set_profiles([profile(f"p{i}") for i in range(count)])
    m.apply_events([state(f"id-p{i}", State.DOWN) for i in range(count)])
    clock.now = T0 + dt.timedelta(minutes=5)
    m._tick()
    assert len(m._clock._ticking) == count - TICK_ROWS  # the first piece at once, the rest later
    assert text(m, 0, Column.IN_STATE) == "5 min"
    assert text(m, count - 1, Column.IN_STATE) == "0 s"
    m.remove_profile(f"id-p{count - 1}")  # removed while its turn waits
    m._tick()  # a second comes while the last is being written: not queued twice
    assert len(m._clock._ticking) == count - TICK_ROWS
    qtbot.waitUntil(lambda: len(m._clock._ticking) == 0, timeout=5000)
    assert {text(m, row, Column.IN_STATE) for row in range(m.rowCount())} == {"5 min"}


def test_a_paused_row_shows_no_latency_until_it_is_checked_again(model: StatusModel) -> None:
    """Paused, the row kept its last check's latency ("3.0"), as if measured now."""
    row = model.row_of("id-bravo")
    assert row is not None
    model.apply_events([state("id-bravo", State.UP), sample("id-bravo", 3.0)])
    model.catch_up([row])
    assert text(model, row, Column.LATENCY) == format_latency(3.0)
    model.apply_events([state("id-bravo", State.PAUSED)])
    model.catch_up([row])
    assert text(model, row, Column.LATENCY) == format_latency(None)
    model.apply_events([state("id-bravo", State.UP), sample("id-bravo", 2.0)])
    model.catch_up([row])
    assert text(model, row, Column.LATENCY) == format_latency(2.0)
