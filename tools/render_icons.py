"""Render the application icon's PNGs from its SVG (run after changing the SVG).

    .venv/bin/python tools/render_icons.py

Writes ``resources/icons/hicolor/<n>x<n>.png`` for each size in
``assets.APP_ICON_SIZES`` (tests check that each exists at its size), and the 256 px
rendering as ``tcpmonitor.ico`` and ``tcpmonitor.icns`` for the Windows and macOS bundles.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QGuiApplication

from tcpmonitor_gui import assets
from tcpmonitor_gui.ui.common.icons import render_svg


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - QPixmap needs one
    svg = assets.read_text(assets.APP_ICON_SVG)
    for size in assets.APP_ICON_SIZES:
        target = assets.app_icon_png(size)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not render_svg(svg, size).save(str(target), "PNG"):
            print(f"could not write {target}", file=sys.stderr)
            return 1
        print(target)
    icons = assets.resource_path("icons")
    for fmt in ("ico", "icns"):
        target = icons / f"tcpmonitor.{fmt}"
        if not render_svg(svg, 256).save(str(target), fmt.upper()):
            print(f"could not write {target}", file=sys.stderr)
            return 1
        print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
