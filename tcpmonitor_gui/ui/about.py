"""Help → About TCP Monitor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from .common.i18n import Context

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget


class About(Context):
    """The translation context of the about box."""


def show_about(parent: QWidget) -> None:
    # Qt's message box types when asked for, not at start-up (see ``common.file_dialogs``).
    from PySide6.QtWidgets import QMessageBox  # noqa: PLC0415

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
