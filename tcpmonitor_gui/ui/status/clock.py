"""The status table's cells are written for the rows a view shows, and its once-a-second
cells ("for", uptime, the marks) ticked for those only.

A view says which rows it shows (``StatusModel.set_seen``). In a burst (a thousand rows
dropping and recovering every few seconds) folding events into rows and ticking the clock
cells were a third of the GUI thread's Python samples (py-spy), mostly writing cells of rows
nobody saw, thirty being on screen. A row not seen gets at once only what sorts and filters
it (the state cell, the filter's text) and is marked ``stale``; its other cells, and its
clock cells, are written (``catch_up``) before a view paints or copies it, so what is shown
is never stale. Sorted by a column whose key moves with events or the clock (latency,
uptime...), the view says "every row", and every row is written and ticked as before.

The clock cells count on a clock that nobody sets (``Times``): the wall clock set back an
hour froze "for" for an hour, set forward a day it jumped by a day, and the live uptime
gained or lost the step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QObject, Qt, QTimer

from ...core.events import Event, State, steady, utc_now
from ..common.icons import state_icon
from ..common.labels import state_text
from ..common.paced import Paced
from ..common.quiet import quietly
from .cells import (
    Column,
    Role,
    Row,
    muted_color,
    put_cell,
    state_key,
    write_in_state,
    write_live,
    write_search,
    write_uptime,
)
from .marks import tick, write_marks

TICK_ROWS = 500  # rows whose clock cells are written per turn of the event loop, at most

#: ``(rows, first column, last column)``: tell the views these rows changed.
Emit = Callable[[Iterable[int], int, int], None]


class Times:
    """The wall clock (``wall``: what a person reads, and what the log stamps) and a clock
    that nobody sets (``elapsed``: ``events.steady``) for the time between two moments: "for"
    and the live uptime count on it. Given only a wall clock (tests), that one is both."""

    def __init__(
        self, wall: Callable[[], dt.datetime], elapsed: Callable[[], float] | None = None
    ) -> None:
        own = elapsed is None and wall is not utc_now
        self.wall = wall
        self.elapsed: Callable[[], float] = (
            (lambda: wall().timestamp()) if own else (elapsed or steady)
        )
        self._stamps = not own  # an event's ``elapsed`` is on this clock

    def began(self, ts: dt.datetime, event: Event | None = None) -> float:
        """When something stamped ``ts`` on the wall clock happened, on ``elapsed``: by the
        event's own reading where it has one (its ``ts`` may be off the wall clock by a step
        it was stamped across), else by how long ago the wall clock says."""
        now = self.elapsed()
        if event is not None and event.elapsed is not None and self._stamps:
            return min(event.elapsed, now)
        return now - (self.wall() - ts).total_seconds()


class Clock(QObject):
    """Ticks the clock cells of ``rows()`` (the model's rows, in store order) each second, as
    of ``now()`` (``Times.elapsed``)."""

    def __init__(
        self,
        model: QObject,
        rows: Callable[[], Sequence[Row]],
        row_of: Callable[[str], int | None],
        now: Callable[[], float],
        emit: Emit,
    ) -> None:
        super().__init__(model)
        self._model, self._rows, self._row_of, self._now, self._emit = (
            model, rows, row_of, now, emit,
        )  # fmt: skip
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick)
        self._ticking: Paced[Row] = Paced(self._tick_rows, TICK_ROWS, self)
        self._tick_no = 0
        self._seen: Callable[[], Iterable[int] | None] | None = None
        #: Writes a stale row's cells whole (the model's).
        self.write: Callable[[Row], None] = lambda row: None

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def set_seen(self, seen: Callable[[], Iterable[int] | None] | None) -> None:
        self._seen = seen

    def seen_now(self) -> set[int] | None:
        """The rows seen now (None: every row)."""
        seen = None if self._seen is None else self._seen()
        return None if seen is None else set(seen)

    def tick(self) -> None:
        """What the timer does each second: ``TICK_ROWS`` rows a turn (5,000 took 50-90 ms)."""
        if len(self._ticking):  # the last second's rows are still being written
            return
        self._tick_no += 1
        shown = self._rows()
        seen = self.seen_now()
        if seen is None:
            self._ticking.put(shown)
        else:
            self._ticking.put(shown[at] for at in seen if 0 <= at < len(shown))

    def catch_up(self, rows: Iterable[int]) -> None:
        now, tick_no, shown = None, self._tick_no, self._rows()
        with quietly(self._model):
            for at in rows:
                if not 0 <= at < len(shown):
                    continue
                row = shown[at]
                if row.stale:
                    self.write(row)
                if row.ticked < tick_no:
                    now = now or self._now()
                    row.ticked = tick_no
                    tick([(at, row)], now)

    def _tick_rows(self, rows: list[Row]) -> None:
        shown = self._rows()  # a row gone since the tick began is left out
        here = [(at, r) for r in rows if (at := self._row_of(r.profile.id)) is not None]
        here = [(at, r) for at, r in here if shown[at] is r]
        for _, row in here:
            row.ticked = self._tick_no
        with quietly(self._model):
            in_state, counted, marked = tick(here, self._now())
        self._emit(in_state, Column.IN_STATE, Column.IN_STATE)
        self._emit(counted, Column.UPTIME, Column.UPTIME)
        self._emit(marked, 0, len(Column) - 1)


def write_keys(row: Row) -> None:
    """What a state event changes that sorts and filters the row: the state cell and the
    filter's text; the rest waits until the row is seen (``catch_up``)."""
    items, state = row.items, row.state
    if put_cell(row, Column.STATE, state_text(state), state_key(row)):
        items[Column.STATE].setData(state_icon(state), Qt.ItemDataRole.DecorationRole)
        items[Column.STATE].setData(str(state), Role.STATE)
    write_search(row)
    row.stale = True


def write_state(row: Row, now: float) -> None:
    """Everything a state event changes: the state and detail cells, the muted colour,
    the time in state, and the live cells (``now`` on ``Times.elapsed``)."""
    write_keys(row)
    row.stale = False
    items, state = row.items, row.state
    put_cell(row, Column.DETAIL, row.detail, row.detail.casefold())
    muted = state is State.PAUSED
    if muted != row.muted:  # a paused row is muted, not coloured
        if muted or row.muted is not None:  # fresh cells have no colour to take away
            color = muted_color() if muted else None
            for column, item in enumerate(items):
                if column != Column.CAUSE:
                    item.setData(color, Qt.ItemDataRole.ForegroundRole)
        row.muted = muted
    # A cause that is history (the row is up again) is muted too.
    cause_muted = muted or state not in (State.DOWN, State.DEGRADED, State.CONNECTING)
    items[Column.CAUSE].setData(
        muted_color() if cause_muted else None, Qt.ItemDataRole.ForegroundRole
    )
    write_in_state(row, now)
    write_uptime(row, now)
    write_live(row)
    write_marks(row)
