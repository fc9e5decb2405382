"""Files that ship inside the package: icons and compiled translations.

They live in ``tcpmonitor_gui/resources/`` (package data in the wheel, collected by the
PyInstaller spec), found through ``importlib.resources`` so an installed wheel, an editable
checkout and a bundle all work the same way.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from . import APP_ID

#: The application icon; ``APP_ID`` is also its name in the XDG icon theme.
APP_ICON_SVG = "icons/tcpmonitor.svg"
#: Sizes of the PNG renderings of the application icon (``icons/hicolor/<n>x<n>.png``).
APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: The state badge; its grey fill (``STATE_TEMPLATE_FILL``) is replaced by a state's colour.
STATE_TEMPLATE_SVG = "icons/state-template.svg"
STATE_TEMPLATE_FILL = "#8a8f98"
#: Compiled translations: ``i18n/tcpmonitor_<locale>.qm``.
I18N_DIR = "i18n"

ICON_NAME = APP_ID


def resource_path(relative: str) -> Path:
    """The file at ``relative`` under ``resources/`` (which need not exist)."""
    root = importlib.resources.files(__package__ or "tcpmonitor_gui") / "resources"
    return Path(str(root)).joinpath(*relative.split("/"))


def read_text(relative: str) -> str:
    return resource_path(relative).read_text(encoding="utf-8")


def app_icon_png(size: int) -> Path:
    return resource_path(f"icons/hicolor/{size}x{size}.png")
