"""Python's cycle collector, run in the GUI thread only.

The automatic collector runs in whichever thread happens to allocate when a threshold is
crossed: here, most often an engine worker making events. A cycle it frees there may hold
a Qt object whose wrapper owns it (a dialog, a chart's scene, a model), and that object is
then destroyed outside the GUI thread, which Qt does not allow. pyqtgraph, whose items are
full of cycles, documents this and the cure (``pyqtgraph.util.garbage_collector``):
automatic collection off, and the same thresholds checked on a timer in the GUI thread.
(It also makes the moment a cycle is freed the same from run to run: that is how the gui
suite's intermittent segfault became a reproducible one and was found, see ``screen.screen_of``.)

A full collection walks every object the program holds: 60 ms of GUI thread with 5,000 rows
in the table, every few seconds under load. With ``freeze``, what survives a full collection
is frozen (``gc.freeze``), so the next walks only what came since: the table's rows, the
profiles and the log's cells are walked once. Everything is thawed and walked again every
``THAW_S`` (a cycle among objects frozen while alive, then let go of, is freed then).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

#: How often the thresholds are looked at (a collection runs only when one is crossed).
CHECK_MS = 500
#: With ``freeze``: how often a full collection walks the frozen objects too.
THAW_S = 600.0


class GuiThreadCollector(QObject):
    def __init__(
        self,
        parent: QObject,
        interval_ms: int = CHECK_MS,
        *,
        freeze: bool = False,
        clock: Callable[[], float] = time.monotonic,
        was_enabled: bool | None = None,
    ) -> None:
        """``was_enabled``: whether ``stop`` turns automatic collection back on (by default,
        whether it is on now; say so when it was turned off earlier, as start-up does)."""
        super().__init__(parent)
        self._freeze = freeze
        self._clock = clock
        self._thawed_at = clock()
        self._was_enabled = gc.isenabled() if was_enabled is None else was_enabled
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        """Collect what the automatic collector would have collected by now."""
        limit0, limit1, limit2 = gc.get_threshold()
        count0, count1, count2 = gc.get_count()
        if count0 <= limit0:
            return
        generation = 2 if count2 > limit2 else 1 if count1 > limit1 else 0
        if generation < 2 or not self._freeze:
            gc.collect(generation)
            return
        if self._clock() - self._thawed_at >= THAW_S:
            gc.unfreeze()
            self._thawed_at = self._clock()
        gc.collect(2)
        gc.freeze()  # what survived is long-lived: the next full collections skip it

    def stop(self) -> None:
        """Hand collection back to Python (at shutdown, once the other threads are gone)."""
        self._timer.stop()
        if self._freeze:
            gc.unfreeze()
        if self._was_enabled:
            gc.enable()
