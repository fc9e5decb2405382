"""Files the program needs at run time: icons, compiled translations, the Linux desktop entry
and metainfo templates.

Their sources live in ``resources/`` at the top of the repository. A wheel (``setup.py``'s
build step) and the bundle (the PyInstaller spec) carry them inside the package as
``tcpmonitor_gui/resources/``, translations compiled; a source checkout (``make run``, an
editable install) reads the top-level folder itself, where ``make`` compiles the translations.
``resource_path`` finds whichever this installation has.
"""

from __future__ import annotations

import functools
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


#: The desktop entry and metainfo, with ``@NAME@`` placeholders (``integration/xdg.py``).
DESKTOP_ENTRY_TEMPLATE = "linux/desktop-entry.in"
METAINFO_TEMPLATE = "linux/metainfo.xml.in"


@functools.cache
def resources_root() -> Path:
    """``tcpmonitor_gui/resources`` in a wheel or a bundle, else the checkout's ``resources``."""
    packaged = Path(str(importlib.resources.files(__package__ or "tcpmonitor_gui"))) / "resources"
    if (packaged / "icons").is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(relative: str) -> Path:
    """The file at ``relative`` under the resources (which need not exist)."""
    return resources_root().joinpath(*relative.split("/"))


def read_text(relative: str) -> str:
    return resource_path(relative).read_text(encoding="utf-8")


def app_icon_png(size: int) -> Path:
    return resource_path(f"icons/hicolor/{size}x{size}.png")
