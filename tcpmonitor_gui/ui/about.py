"""Help → About TCP Monitor."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from .common.i18n import Context


class About(Context):
    """The translation context of the about box."""


def show_about(parent: QWidget) -> None:
    from .. import __version__  # noqa: PLC0415

    box = QMessageBox(parent)
    box.setWindowTitle(About.tr("About TCP Monitor"))
    about = About.tr(
        "Watches TCP connections and tells you at once, with the cause, when one drops and "
        "when it comes back."
    )
    box.setText(f"<b>TCP Monitor {__version__}</b><br>{about}")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
