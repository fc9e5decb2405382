"""What a burst costs the event log pane: a thousand lines at once, as the window hands them.

    python tests/bench/log_burst.py [--bursts N] [--lines N]

The real ``LogPane`` (its model, filter proxy and view; offscreen, shown at 1000 x 450) is
handed a batch of ``--lines`` state changes at once, as the window's quarter-second flush
does when every connection drops or comes back together, and the event loop runs until every
line is shown and painted. Measured: the process's CPU time per burst (median over the bursts
after the first four, which fill the store) and how often the view was painted per burst.

The baseline, beside it in the same run: Qt alone taking the same lines, a plain
``QStandardItemModel`` of seven text columns under a plain ``QTableView`` of the same size,
every line appended in one turn and painted once; the ratio says what the pane adds to that
(the order, the filter, the colours and icons, the reading position, pacing). A benchmark,
not a test: it prints and exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from _common import flip_event, machine_line

from tcpmonitor_gui.core.events import Event
from tcpmonitor_gui.ui.log.pane import LogPane
from tests.gui.paints import Paints

WARM_UP = 4
SIZE = (1000, 450)


def burst(count: int, at: dt.datetime, down: bool) -> list[Event]:
    return [
        flip_event(
            at + dt.timedelta(microseconds=i), f"p{i}", f"Server {i}", down=down,
            detection_ms=0.3, detail="connection refused" if down else "",
            address=f"127.0.0.1:{10000 + i % 5}",
        )
        for i in range(count)
    ]  # fmt: skip


def run_until(app: QApplication, done: object) -> None:
    """Run the event loop until ``done()`` is true, then once more (the last paint)."""
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: done() and loop.quit())  # type: ignore[operator]
    timer.start(1)
    loop.exec()
    timer.stop()
    app.processEvents()


def pane_bursts(app: QApplication, bursts: int, lines: int) -> tuple[list[float], list[int]]:
    pane = LogPane(max_rows=10_000)
    pane.resize(*SIZE)
    pane.show()
    app.processEvents()
    paints = Paints(pane.view.viewport())
    base = dt.datetime.now(dt.UTC)
    cpu, painted = [], []
    for n in range(bursts):
        events = burst(lines, base + dt.timedelta(seconds=n), down=n % 2 == 0)
        paints.count = 0
        began = time.process_time()
        pane.add_events(events)
        run_until(app, lambda: not pane.model.waiting)
        cpu.append((time.process_time() - began) * 1000)
        painted.append(paints.count)
    pane.close()
    return cpu, painted


def bare_bursts(app: QApplication, bursts: int, lines: int) -> list[float]:
    model = QStandardItemModel(0, 7)
    view = QTableView()
    view.setModel(model)
    view.resize(*SIZE)
    view.show()
    app.processEvents()
    base = dt.datetime.now(dt.UTC)
    cpu = []
    for n in range(bursts):
        events = burst(lines, base + dt.timedelta(seconds=n), down=n % 2 == 0)
        began = time.process_time()
        for e in events:
            texts = (e.ts.strftime("%H:%M:%S"), e.profile_name, str(e.state), str(e.cause or ""),
                     "0.3" if e.detection_ms else "", e.address or "", e.detail)  # fmt: skip
            model.appendRow([QStandardItem(text) for text in texts])
            if model.rowCount() > 10_000:
                model.removeRow(0)
        app.processEvents()
        cpu.append((time.process_time() - began) * 1000)
    view.close()
    return cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bursts", type=int, default=16, help="bursts of each (16)")
    parser.add_argument("--lines", type=int, default=1000, help="lines a burst (1000)")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    bare = bare_bursts(app, args.bursts, args.lines)
    pane, painted = pane_bursts(app, args.bursts, args.lines)
    bare_ms, pane_ms = statistics.median(bare[WARM_UP:]), statistics.median(pane[WARM_UP:])
    print(f"Log pane, a burst of {args.lines:,} lines (offscreen, {SIZE[0]} x {SIZE[1]})")
    print(machine_line())
    print(f"  bare Qt (QStandardItemModel + QTableView, one turn): {bare_ms:.0f} ms CPU a burst")
    print(f"  LogPane: {pane_ms:.0f} ms CPU a burst, painted {statistics.median(painted)} times")
    print(f"  LogPane / bare Qt: {pane_ms / bare_ms:.2f}x (reported only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
