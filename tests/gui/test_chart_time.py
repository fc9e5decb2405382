"""The details chart's time axis says the local time of each moment, in zones an odd number
of minutes off UTC and on both sides of a change of the clocks. Each zone is a process of its
own (``TZ``): Qt and the C library read the zone once."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest

#: Builds the chart and prints, for each hourly tick in ``FROM .. TO`` (Unix seconds), the
#: label the axis gives it and the local time it is.
SCRIPT = """
import datetime as dt, json, sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from tcpmonitor_gui.ui.details.chart import LatencyChart
chart = LatencyChart()
chart.resize(900, 300)
chart.show()
app.processEvents()  # the axis has its font once shown
axis = chart.plot.getAxis("bottom")
start, end = float(sys.argv[1]), float(sys.argv[2])
out = []
for spacing, ticks in axis.tickValues(start, end, 900):
    ticks = [t for t in ticks if start <= t <= end]
    for tick, label in zip(ticks, axis.tickStrings(ticks, 1, spacing)):
        out.append([spacing, label, f"{dt.datetime.fromtimestamp(tick).astimezone():%H:%M}"])
chart.close()
print(json.dumps(out))
"""


def _labels(zone: str, start: dt.datetime, end: dt.datetime) -> list[list[object]]:
    env = {**os.environ, "TZ": zone, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(start.timestamp()), str(end.timestamp())],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        ("Asia/Kathmandu", dt.datetime(2026, 12, 5, 6, 0, tzinfo=dt.UTC)),  # +05:45
        ("America/St_Johns", dt.datetime(2026, 12, 5, 6, 0, tzinfo=dt.UTC)),  # -03:30
        ("Europe/Berlin", dt.datetime(2026, 10, 24, 20, 0, tzinfo=dt.UTC)),  # 03:00 -> 02:00
        ("Australia/Lord_Howe", dt.datetime(2026, 10, 3, 10, 0, tzinfo=dt.UTC)),  # +10:30 -> +11
    ],
)
def test_each_hour_on_the_axis_is_labelled_with_its_local_time(
    zone: str, start: dt.datetime
) -> None:
    """The offset was handed to pyqtgraph in hours where it takes seconds: the axis said UTC
    (12:00 at 12:00 UTC, in Kathmandu 17:45), beside a hover readout and an outage list in
    local time."""
    hourly = [
        (label, local)
        for spacing, label, local in _labels(zone, start, start + dt.timedelta(hours=10))
        if spacing == 3600
    ]
    assert len(hourly) >= 5, hourly
    assert all(label == local for label, local in hourly), hourly
