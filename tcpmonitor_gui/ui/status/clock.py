"""The status table's once-a-second cells: "for", uptime and the marks, which change with the
clock and not only with events.

Written for the rows a view shows, when it says which (``StatusModel.set_seen``): in a burst
(a thousand rows dropping and recovering every few seconds) the clock cells of every row were
a tenth of the GUI thread's work, for the thirty rows on screen. A row left out is brought up
to date (``catch_up``) before a view paints or copies it, so what is shown is never stale.
Sorting by a column whose key moves with the clock (uptime) ticks every row again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QObject, QTimer

from ..common.paced import Paced
from ..common.quiet import quietly
from .cells import Column, Row
from .marks import tick

TICK_ROWS = 500  # rows whose clock cells are written per turn of the event loop, at most

#: ``(rows, first column, last column)``: tell the views these rows changed.
Emit = Callable[[Iterable[int], int, int], None]


class Clock(QObject):
    """Ticks the clock cells of ``rows()`` (the model's rows, in store order) each second."""

    def __init__(
        self,
        model: QObject,
        rows: Callable[[], Sequence[Row]],
        row_of: Callable[[str], int | None],
        now: Callable[[], dt.datetime],
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

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def set_seen(self, seen: Callable[[], Iterable[int] | None] | None) -> None:
        self._seen = seen

    def tick(self) -> None:
        """What the timer does each second: ``TICK_ROWS`` rows a turn (5,000 took 50-90 ms)."""
        if len(self._ticking):  # the last second's rows are still being written
            return
        self._tick_no += 1
        shown = self._rows()
        seen = None if self._seen is None else self._seen()
        if seen is None:
            self._ticking.put(shown)
        else:
            self._ticking.put(shown[at] for at in seen if 0 <= at < len(shown))

    def catch_up(self, rows: Iterable[int]) -> None:
        now, tick_no, shown = None, self._tick_no, self._rows()
        with quietly(self._model):
            for at in rows:
                if 0 <= at < len(shown) and (row := shown[at]).ticked < tick_no:
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
