"""Python's cycle collector, run in the GUI thread only.

The automatic collector runs in whichever thread happens to allocate when a threshold is
crossed: here, most often an engine worker making events. A cycle it frees there may hold
a Qt object whose wrapper owns it (a dialog, a chart's scene, a model), and that object is
then destroyed outside the GUI thread, which Qt does not allow. pyqtgraph, whose items are
full of cycles, documents this and the cure (``pyqtgraph.util.garbage_collector``):
automatic collection off, and the same thresholds checked on a timer in the GUI thread.
(It also makes the moment a cycle is freed the same from run to run: that is how the gui
suite's intermittent segfault became a reproducible one and was found, see ``fit.screen_of``.)
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: How often the thresholds are looked at (a collection runs only when one is crossed).
CHECK_MS = 500


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject, interval_ms: int = CHECK_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        """Collect what the automatic collector would have collected by now."""
        limit0, limit1, limit2 = gc.get_threshold()
        count0, count1, count2 = gc.get_count()
        if count0 > limit0:
            generation = 2 if count2 > limit2 else 1 if count1 > limit1 else 0
            gc.collect(generation)

    def stop(self) -> None:
        """Hand collection back to Python (at shutdown, once the other threads are gone)."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
