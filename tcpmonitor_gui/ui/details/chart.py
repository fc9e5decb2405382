"""The details view's latency chart, drawn with pyqtgraph: the min–max band and the mean per
bucket, outages shaded red and time degraded shaded amber on the same time axis; zoom and
pan along time with the mouse; hovering says the time and the values there.

Imported only when the details view first opens: pyqtgraph (and numpy) take ~0.5 s to import,
which start-up does not pay.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QDateTime, QLocale, QPointF, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...core.profile_history import ProfileHistory
from ...core.wall_time import offset_if_twice
from ..common.i18n import Context
from ..common.labels import cause_text
from ..common.spoken import named
from ..status.cells import format_latency as format_ms

#: Shaded spans drawn at most (a flapping target's month): closer ones are merged first.
MAX_SPANS = 400
OUTAGE_BRUSH = QColor(220, 40, 40, 70)
DEGRADED_BRUSH = QColor(230, 160, 0, 60)
BAND_BRUSH = QColor(40, 120, 220, 110)
MEAN_COLOR = QColor(40, 120, 220)


class Chart(Context):
    """The translation context of the chart."""


class DateAxis(pg.DateAxisItem):  # type: ignore[misc]  # pyqtgraph is untyped
    """pyqtgraph's time axis, with the names of days and months in the user's language: it
    writes them with ``strftime`` in the C locale, and the Chinese window's week read "Fri 05".
    """

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        spec = next((s for s in self.zoomLevel.tickSpecs if s.spacing == spacing), None)
        if spec is None or ("%a" not in spec.format and "%b" not in spec.format):
            numbers: list[str] = super().tickStrings(values, scale, spacing)
            return numbers
        shown = spec.format.replace("%a", "ddd").replace("%b", "MMM").replace("%d", "dd")
        locale = QLocale()
        return [
            locale.toString(QDateTime.fromMSecsSinceEpoch(round(v * 1000)), shown) for v in values
        ]


class LatencyChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        palette = self.palette()
        self.plot = pg.PlotWidget(
            # No fixed offset: pyqtgraph then asks Qt for each moment's own (summer time or
            # not). The one given was in hours where it takes seconds: the axis said UTC.
            axisItems={"bottom": DateAxis()},
            background=palette.color(QPalette.ColorRole.Base),
        )
        self.plot.setObjectName("latencyChart")
        for part in (self.plot, self.plot.viewport()):  # a screen reader's name, not "graphic"
            named(part, Chart.tr("Latency and outages chart"))
        self.plot.setMinimumHeight(160)
        item = self.plot.getPlotItem()
        text = palette.color(QPalette.ColorRole.Text)
        for axis in ("left", "bottom"):
            item.getAxis(axis).setTextPen(text)
            item.getAxis(axis).setPen(text)
        item.setLabel("left", Chart.tr("latency"), units="ms")
        item.getAxis("left").enableAutoSIPrefix(False)
        item.showGrid(x=True, y=True, alpha=0.15)
        item.setMouseEnabled(x=True, y=False)  # zoom and pan along time; latency fits itself
        item.getViewBox().setLimits(yMin=0)
        item.setMenuEnabled(False)
        # The lowest and highest as thin lines around the mean. Not pyqtgraph's FillBetweenItem:
        # a QGraphicsPathItem, not a QObject, whose wrapper outlives its deleted scene unseen
        # (a suspect in the segfaults PySide6 and pyqtgraph are known for at collection).
        self.low = pg.PlotDataItem(connect="finite", pen=pg.mkPen(BAND_BRUSH, width=1))
        self.high = pg.PlotDataItem(connect="finite", pen=pg.mkPen(BAND_BRUSH, width=1))
        self.mean = pg.PlotDataItem(connect="finite", pen=pg.mkPen(MEAN_COLOR, width=1.5))
        # A bucket with a latency between two without is a line from nowhere to nowhere: a
        # dot. A watch times only its handshakes, each such a bucket; its chart was empty.
        self.lone = pg.ScatterPlotItem(size=5, pen=None, brush=pg.mkBrush(MEAN_COLOR))
        for each in (self.low, self.high, self.mean, self.lone):
            item.addItem(each)
        item.enableAutoRange(y=True)
        self.spans: list[pg.LinearRegionItem] = []
        self.readout = QLabel(" ")
        self.readout.setObjectName("chartReadout")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.readout)
        self._history: ProfileHistory | None = None
        self._starts: list[float] = []
        self._shade_starts: list[float] = []
        self._hover = pg.SignalProxy(
            self.plot.scene().sigMouseMoved, rateLimit=30, slot=self._moved
        )

    def show_history(self, history: ProfileHistory) -> None:
        self._history = history
        buckets = history.buckets
        self._starts = [b.start for b in buckets]
        half = history.bucket_s / 2
        xs = [b.start + half for b in buckets]
        self.low.setData(xs, [_nan(b.lat_min) for b in buckets])
        self.high.setData(xs, [_nan(b.lat_max) for b in buckets])
        means = [_nan(b.lat_avg) for b in buckets]
        self.mean.setData(xs, means)
        lone = lone_points(means)
        self.lone.setData([xs[i] for i in lone], [means[i] for i in lone])
        item = self.plot.getPlotItem()
        for span in self.spans:
            item.removeItem(span)
        outages = [(s.start, s.end) for s in history.shaded]
        degraded = [(s.start, s.end) for s in history.degraded]
        self._shade_starts = [s.start for s in history.shaded]
        self.spans = [
            *(_span(a, b, DEGRADED_BRUSH) for a, b in merged(degraded, history.bucket_s)),
            *(_span(a, b, OUTAGE_BRUSH) for a, b in merged(outages, history.bucket_s)),
        ]
        for span in self.spans:
            item.addItem(span)
        item.setXRange(history.since.timestamp(), history.until.timestamp(), padding=0)
        item.getViewBox().setLimits(
            xMin=history.since.timestamp() - history.bucket_s,
            xMax=history.until.timestamp() + history.bucket_s,
        )
        # With no latency at all, no scale: the one kept from what was shown before (another
        # period, another connection) put its numbers beside a port that never answered.
        timed = any(b.lat_avg is not None for b in buckets)
        item.getAxis("left").setStyle(showValues=timed)
        if timed:
            item.enableAutoRange(y=True)
        else:
            item.setYRange(0, 1, padding=0)
        if not buckets:
            self.readout.setText(Chart.tr("No checks were stored in this period."))
        elif not timed:
            self.readout.setText(Chart.tr("No check measured a latency in this period."))
        else:
            self.readout.setText(" ")

    def release(self) -> None:
        """Take the chart apart now, while its scene is alive (the window is going): its
        items and their Python wrappers go together, not at some later garbage collection."""
        item = self.plot.getPlotItem()
        for span in self.spans:
            item.removeItem(span)
        self.spans = []
        item.clear()
        self._history = None
        self.plot.close()
        self.plot.deleteLater()

    def text_at(self, x: float) -> str:
        """What hovering at time ``x`` (Unix seconds) says."""
        history = self._history
        if history is None:
            return ""
        parts = [offset_if_twice(dt.datetime.fromtimestamp(x, dt.UTC), "%Y-%m-%d %H:%M")]
        at = bisect.bisect_right(self._starts, x) - 1
        if at >= 0 and x < self._starts[at] + history.bucket_s:
            b = history.buckets[at]
            if b.lat_avg is not None and b.lat_min is not None and b.lat_max is not None:
                parts.append(
                    Chart.tr("min {low} · mean {mean} · max {high} ms").format(
                        low=format_ms(b.lat_min),
                        mean=format_ms(b.lat_avg),
                        high=format_ms(b.lat_max),
                    )
                )
            if b.fail:
                parts.append(Chart.tr("%n checks failed", "", b.fail))
        at = bisect.bisect_right(self._shade_starts, x) - 1
        if at >= 0 and x < (shaded := history.shaded[at]).end:
            parts.append(Chart.tr("down: {cause}").format(cause=cause_text(shaded.cause)))
        return " · ".join(parts)

    def _moved(self, pos: QPointF) -> None:
        item = self.plot.getPlotItem()
        if not item.sceneBoundingRect().contains(pos):
            return
        x = item.getViewBox().mapSceneToView(pos).x()
        self.readout.setText(self.text_at(x) or " ")


def lone_points(values: Sequence[float]) -> list[int]:
    """The indexes of the numbers in ``values`` with no number beside them (NaN or the end),
    which a line joining numbers does not draw."""
    finite = [not math.isnan(v) for v in values]
    last = len(values) - 1
    return [
        i
        for i, here in enumerate(finite)
        if here and (i == 0 or not finite[i - 1]) and (i == last or not finite[i + 1])
    ]


def merged(spans: Sequence[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    """Spans joined where less than ``gap`` apart, and then still no more than ``MAX_SPANS``
    (the gap doubles until they fit): a month of flapping draws a few hundred shapes."""
    ordered = sorted(spans)
    while True:
        out: list[tuple[float, float]] = []
        for start, end in ordered:
            if out and start - out[-1][1] < gap:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((start, end))
        if len(out) <= MAX_SPANS:
            return out
        gap *= 2


def _span(start: float, end: float, brush: QColor) -> pg.LinearRegionItem:
    region = pg.LinearRegionItem(
        values=(start, end), movable=False, brush=brush, pen=pg.mkPen(None)
    )
    region.setZValue(-10)
    return region


def _nan(value: float | None) -> float:
    return math.nan if value is None else value
