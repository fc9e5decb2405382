"""Measurement hooks for ``tests/bench/gui_responsiveness.py``; off unless asked for.

``app.main()`` builds ``BenchHooks`` only when ``TCPMONITOR_BENCH_REPORT`` names a file, so a
user's program never runs any of this. When on, it records:

- how late a 10 ms ``PreciseTimer`` on the GUI thread fires: each tick's
  ``time.monotonic()``; the gap between two ticks beyond 10 ms is how long the GUI thread
  could not run it (a stall);
- the main window's first paint: when its first ``Paint`` event arrives, and when the event
  loop next delivers an event after it (by then that first frame has been painted and
  flushed to the window system);
- when the window is complete (the program calls ``watch_complete`` once the session's
  parts are attached to its first frame): the end of the next frame, as for the first;
- the phases of start-up the program marked (``app.STARTUP_MARKS``);
- and writes it all as JSON to the file, atomically: once after the first frame, so a
  benchmark can read the start-up time at once, and again at quit with every tick.

Times are ``time.monotonic()``, which on Linux is CLOCK_MONOTONIC, one clock for every
process, so the benchmark compares them with its own clock (e.g. the moment it spawned us).
"""

from __future__ import annotations

import array
import itertools
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer

REPORT_ENV = "TCPMONITOR_BENCH_REPORT"
TICK_MS = 10
_FRAME_DONE = QEvent.Type(QEvent.registerEventType())
#: ``Qt.EventPriority.HighEventPriority``, as the number ``postEvent`` takes. Naming ``Qt``
#: builds its 117 enums, about 15 ms the bare window of the start-up benchmark would not
#: otherwise spend: nothing here names it unless stall ticks are asked for.
HIGH_EVENT_PRIORITY = 1


class BenchHooks(QObject):
    """Stall ticks and first paint of ``window``, reported to ``path`` (see the module)."""

    def __init__(
        self,
        app: QCoreApplication,
        window: QObject,
        path: Path,
        marks: Sequence[tuple[str, float]] = (),
        *,
        stalls: bool = True,
    ) -> None:
        """``marks``: ``(phase, time.monotonic())`` as start-up ended each phase (the
        program's ``app.STARTUP_MARKS``), reported as they are when the report is written;
        ``stalls``: run the stall timer (the bare window's start-up needs none)."""
        super().__init__(app)
        self.path = path
        self.marks = marks
        self.installed_at = time.monotonic()
        self.first_paint: float | None = None
        self.first_frame: float | None = None
        #: The end of the first frame after ``watch_complete``: the table and the log shown.
        self.complete: float | None = None
        self._watched = window
        self._completing = False
        #: ``time.monotonic()`` of every tick of the 10 ms timer, in order.
        self.ticks = array.array("d")
        self._timer = QTimer(self)
        if stalls:
            from PySide6.QtCore import Qt  # noqa: PLC0415 - see HIGH_EVENT_PRIORITY

            self._timer.setTimerType(Qt.TimerType.PreciseTimer)
            self._timer.setInterval(TICK_MS)
            self._timer.timeout.connect(self._tick)
            self._timer.start()
        window.installEventFilter(self)
        app.aboutToQuit.connect(self.finish)

    @property
    def active(self) -> bool:
        """Whether the stall timer still runs (until ``finish``)."""
        return self._timer.isActive()

    def _tick(self) -> None:
        self.ticks.append(time.monotonic())

    def watch_complete(self) -> None:
        """Record the end of the window's next frame as ``complete`` (the program calls
        this once the window has all its parts)."""
        self._completing = True
        self._watched.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._completing:
            watched.removeEventFilter(self)
            QCoreApplication.postEvent(self, QEvent(_FRAME_DONE), HIGH_EVENT_PRIORITY)
        elif event.type() == QEvent.Type.Paint and self.first_paint is None:
            self.first_paint = time.monotonic()
            watched.removeEventFilter(self)
            # Delivered once this paint, the rest of the window's and the flush are done;
            # ahead of whatever the program queued meanwhile (a zero timer would come after
            # the work the program starts once its first frame is shown, and time that too).
            QCoreApplication.postEvent(self, QEvent(_FRAME_DONE), HIGH_EVENT_PRIORITY)
        return False

    def event(self, event: QEvent) -> bool:
        if event.type() == _FRAME_DONE:
            if self._completing:
                self._completing = False
                self.complete = time.monotonic()
            elif self.first_frame is None:
                self.first_frame = time.monotonic()
            self.write()
            return True
        return super().event(event)

    def finish(self) -> None:
        self._timer.stop()
        self.write()

    def report(self) -> dict[str, object]:
        return {
            "pid": os.getpid(),
            "tick_ms": TICK_MS,
            "installed_at": self.installed_at,
            "first_paint": self.first_paint,
            "first_frame": self.first_frame,
            "complete": self.complete,
            "marks": list(self.marks),
            "ticks": self.ticks.tolist(),
        }

    def write(self) -> None:
        """Replace the report file, so a reader never sees half of one."""
        temp = self.path.with_name(self.path.name + ".tmp")
        temp.write_text(json.dumps(self.report()))
        os.replace(temp, self.path)


def lateness_ms(ticks: Sequence[float], tick_ms: float = TICK_MS) -> list[float]:
    """How late each tick came after the one before: the gap beyond ``tick_ms``, at least 0."""
    return [max(0.0, (b - a) * 1000.0 - tick_ms) for a, b in itertools.pairwise(ticks)]
