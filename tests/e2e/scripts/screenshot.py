"""Save the whole X screen as a PNG: ``screenshot.py PATH``.

Qt grabs the root window itself, so a screenshot needs no package beyond what the program
already uses (no ImageMagick, no xwd).
"""

from __future__ import annotations

import sys

from PySide6.QtGui import QGuiApplication


def main() -> int:
    app = QGuiApplication(sys.argv[:1])
    screen = app.primaryScreen()
    if screen is None:
        print("no screen", file=sys.stderr)
        return 1
    return 0 if screen.grabWindow(0).save(sys.argv[1], "PNG") else 1


if __name__ == "__main__":
    sys.exit(main())
