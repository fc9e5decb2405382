"""Open every dialog (and the main window with its details) on this X screen, check each fits
the screen's free area with its OK button in reach, and save a screenshot of each:
``dialogs_fit.py OUT_DIR``. Prints one JSON line per window; exit 1 if any does not fit.

Run with ``QT_SCALE_FACTOR`` to try a HiDPI screen (1366 × 768 at 150 %: 911 × 512)."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QRect, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget

from tcpmonitor_gui.ui.common.screen import screen_of


def settle(ms: int = 300) -> None:
    """Let the window manager (none here) and Qt lay the window out and paint it."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def check(name: str, window: QWidget, out: Path) -> bool:
    window.show()
    settle()
    screen = screen_of(window)
    assert screen is not None
    free = screen.availableGeometry()
    frame = window.frameGeometry()
    fits = free.contains(frame)
    buttons = window.findChild(QDialogButtonBox)
    ok_visible = True
    if buttons is not None:
        box = QRect(buttons.mapToGlobal(buttons.rect().topLeft()), buttons.size())
        ok_visible = free.contains(box) and buttons.isVisible()
    shot = out / f"{name}.png"
    screen.grabWindow(0).save(str(shot), "PNG")
    print(
        json.dumps(
            {
                "window": name,
                "fits": fits,
                "ok_visible": ok_visible,
                "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
                "screen": [free.width(), free.height()],
                "shot": str(shot),
            }
        ),
        flush=True,
    )
    window.close()
    return fits and ok_visible


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    from tcpmonitor_gui.composition import compose
    from tcpmonitor_gui.core.session import Session
    from tcpmonitor_gui.core.settings import Settings
    from tcpmonitor_gui.ui.profiles.dialog import ProfileDialog
    from tcpmonitor_gui.ui.settings.dialog import SettingsDialog

    home = Path(tempfile.mkdtemp())
    session = Session(home / "config", home / "data", strict=False)
    session.open_eventlog()
    parts = compose(session)
    window = parts.window
    good = check("main window", window, out)
    window.show()
    window.details.show()
    good &= check("main window with details", window, out)
    good &= check("add connection", ProfileDialog(None, groups=["prod", "lab"]), out)
    good &= check("settings", SettingsDialog(Settings()), out)
    window.shutdown()
    parts.engine.shutdown()
    session.close()
    del app
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
