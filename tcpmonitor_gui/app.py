"""The ``tcpmonitor-gui`` entry point.

Until the desktop program lands (a later issue) this shows a plain window titled "TCP Monitor".
Nothing is built at import: ``main()`` is the composition root.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import APP_ID, __version__

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QMainWindow


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tcpmonitor-gui", description="TCP Monitor")
    parser.add_argument("--version", action="version", version=f"tcpmonitor-gui {__version__}")
    parser.add_argument("--config-dir", metavar="DIR")
    parser.add_argument("--data-dir", metavar="DIR")
    parser.add_argument("--minimized", action="store_true")
    parser.add_argument(
        "--quit-after",
        type=float,
        metavar="S",
        help=argparse.SUPPRESS,  # tests: close the window after S seconds
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from PySide6.QtCore import QTimer  # noqa: PLC0415 - Qt only once we know we need it
    from PySide6.QtWidgets import QApplication  # noqa: PLC0415

    app = QApplication(sys.argv[:1])
    app.setApplicationName("TCP Monitor")
    app.setDesktopFileName(APP_ID)
    if args.quit_after is not None:
        QTimer.singleShot(int(args.quit_after * 1000), app.quit)
    return run_window(app, minimized=args.minimized)


def run_window(app: QApplication, *, minimized: bool = False) -> int:
    """Show the main window and run the event loop until the user quits."""
    window = build_window()
    if not minimized:
        window.show()
    return app.exec()


def build_window() -> QMainWindow:
    from PySide6.QtWidgets import QLabel, QMainWindow  # noqa: PLC0415

    window = QMainWindow()
    window.setWindowTitle("TCP Monitor")
    label = QLabel(
        "TCP Monitor: the desktop window is coming. Use the tcpmonitor command meanwhile."
    )
    label.setMargin(24)
    window.setCentralWidget(label)
    window.resize(640, 240)
    return window
