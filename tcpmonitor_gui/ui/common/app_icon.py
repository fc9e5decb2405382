"""The application's own icon, apart from the state icons (``icons``, which draw with QtSvg and
QPainter): the first frame needs only this one."""

from __future__ import annotations

import functools

from PySide6.QtGui import QIcon

from ... import assets


@functools.cache
def app_icon() -> QIcon:
    """The application's own icon: the window manager's, the desktop entry's and the
    notifications'; the PNG renderings where they exist, else the SVG."""
    icon = QIcon()
    for size in assets.APP_ICON_SIZES:
        png = assets.app_icon_png(size)
        if png.is_file():
            icon.addFile(str(png))
    if icon.isNull():
        icon.addFile(str(assets.resource_path(assets.APP_ICON_SVG)))
    return icon
