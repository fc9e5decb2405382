"""The start-up baseline of ``gui_responsiveness.py``: a bare PySide6 window, nothing else.

    TCPMONITOR_BENCH_REPORT=FILE python tests/bench/bare_window.py

A ``QApplication`` and an empty ``QMainWindow`` titled and sized like the program's, with the
program's own measurement hook (``tcpmonitor_gui.ui.bench_hooks``, the only import from the
package), so both first paints are recorded by the same code; without the hook's stall
timer, which would name ``Qt`` (117 enums, some 15 ms a bare window does not spend). Quits
once its first frame is painted; the report file then holds the times.
"""

from __future__ import annotations

import time

#: The program's start-up phases where the bare window has them (``app.STARTUP_MARKS``).
MARKS = [("python and this module", time.monotonic())]

import os  # noqa: E402 - after the first mark
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402

from tcpmonitor_gui.ui.bench_hooks import REPORT_ENV, BenchHooks  # noqa: E402

WIDTH, HEIGHT = 1200, 720  # the program's default size (MainWindow._restore_ui_state)


def main() -> int:
    app, window = app_and_window(MARKS)
    MARKS.append(("window built", time.monotonic()))
    return show_until_painted(app, window, MARKS)


def app_and_window(marks: list[tuple[str, float]]) -> tuple[QApplication, QMainWindow]:
    """The application and an empty window titled and sized like the program's."""
    marks.append(("PySide6", time.monotonic()))
    app = QApplication(sys.argv[:1])
    app.setApplicationName("TCP Monitor")
    marks.append(("QApplication", time.monotonic()))
    window = QMainWindow()
    window.setWindowTitle("TCP Monitor")
    window.resize(WIDTH, HEIGHT)
    return app, window


def show_until_painted(
    app: QApplication, window: QMainWindow, marks: list[tuple[str, float]]
) -> int:
    """Show ``window`` under the program's hook and quit once its first frame is painted
    (``floor_window.py`` ends the same way)."""
    probes = BenchHooks(app, window, Path(os.environ[REPORT_ENV]), marks, stalls=False)
    window.show()
    marks.append(("shown", time.monotonic()))

    def quit_when_painted() -> None:
        if probes.first_frame is not None:
            app.quit()

    poll = QTimer(app)
    poll.timeout.connect(quit_when_painted)
    poll.start(5)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
