"""A tray icon that shows a message when told: ``tray_balloon.py TITLE BODY``.

Prints ``icon`` once the icon is shown; each ``message`` line on stdin calls
``QSystemTrayIcon.showMessage(TITLE, BODY)`` and prints ``message``; the end of stdin quits.
The application name is ``balloon-probe``, so its windows carry that WM_CLASS.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QSocketNotifier
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

APP_NAME = "balloon-probe"
MESSAGE_MS = 30_000


def main() -> int:
    title, body = sys.argv[1], sys.argv[2]
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setQuitOnLastWindowClosed(False)
    pixmap = QPixmap(22, 22)
    pixmap.fill(QColor("crimson"))
    icon = QSystemTrayIcon(QIcon(pixmap))
    icon.show()
    print("icon", flush=True)

    def on_stdin() -> None:
        line = sys.stdin.readline()
        if not line:
            notifier.setEnabled(False)
            app.quit()
        elif line.strip() == "message":
            icon.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information, MESSAGE_MS)
            print("message", flush=True)

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(on_stdin)
    code = app.exec()
    icon.hide()
    return code


if __name__ == "__main__":
    sys.exit(main())
