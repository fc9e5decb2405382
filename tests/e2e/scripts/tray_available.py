"""Print, as JSON, what Qt in a fresh process thinks of the system tray on this display."""

from __future__ import annotations

import json
import sys

from PySide6.QtWidgets import QApplication, QSystemTrayIcon


def main() -> int:
    QApplication(sys.argv[:1])
    print(
        json.dumps(
            {
                "available": QSystemTrayIcon.isSystemTrayAvailable(),
                "supports_messages": QSystemTrayIcon.supportsMessages(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
