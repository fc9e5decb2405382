"""One connection's history for the details view (``core.profile_history.load``): what it
holds for a flapping month, and the edges of its period."""

from __future__ import annotations

import datetime as dt
import itertools
import tracemalloc
from pathlib import Path

from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Cause, State
from tcpmonitor_gui.core.profile_history import MAX_BUCKETS, load
from tests.helpers import make_profile, stored_event

NOW = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
MONTH = 30 * 86400.0
ev = stored_event


def ago(**delta: float) -> dt.datetime:
    return NOW - dt.timedelta(**delta)


def test_a_flapping_month_is_counted_not_held(tmp_path: Path) -> None:
    """10,000 outages in a month were all held (100,000: 140 MB on the I/O thread, every
    state change of the month too), then each handed to the chart, which sorted and merged
    them on the GUI thread and went through all of them for each move of the mouse. Now the
    newest are kept for the list, the rest counted, and the shading merged to a bucket."""
    flapping = make_profile("127.0.0.1", 5432, name="flapping")
    n = 10_000
    with EventLog(tmp_path / "events.sqlite3") as log:
        log.submit(
            ev(flapping, ago(days=29 * (1 - i / (2 * n))),
               State.DOWN if i % 2 == 0 else State.DEGRADED, cause=Cause.REFUSED)
            for i in range(2 * n)
        )  # fmt: skip
        assert log.flush(60)
        tracemalloc.start()
        try:
            history = load(log, flapping.id, MONTH, NOW)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 2_000_000, peak
    assert history.summary.outages == n and history.outage_count == n
    assert len(history.outages) == 500  # the newest, for the list
    assert history.outages[-1].start == ago(days=29 * (1 - (2 * n - 2) / (2 * n)))
    assert history.summary.degraded_s > 0
    for shaded in (history.shaded, history.degraded):
        assert 1 <= len(shaded) <= MAX_BUCKETS // 2 + 1, len(shaded)
        assert all(a.end <= b.start for a, b in itertools.pairwise(shaded))
    assert history.shaded[0].cause is Cause.REFUSED
