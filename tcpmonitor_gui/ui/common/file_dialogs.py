"""File dialogs that never block the event loop: ``open()``, never ``exec()`` or the static
``getOpenFileName`` (each of which runs a nested loop that the qasync loop and the engine's
batches wait behind). They start in the user's documents folder, not wherever the program was
launched from, unless a starting path is given.

Qt's dialog types are imported when a dialog is asked for: PySide builds a Python class, and
a Python enum for each of its enums, the first time a Qt class is named, a few tenths of a
millisecond each that the window's first frame need not wait for.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

if TYPE_CHECKING:
    from PySide6.QtGui import QAbstractFileIconProvider
    from PySide6.QtWidgets import QFileDialog, QWidget


def documents_dir() -> str:
    from PySide6.QtCore import QStandardPaths  # noqa: PLC0415

    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)


def _dialog(parent: QWidget, title: str, name_filter: str, start: str) -> QFileDialog:
    from PySide6.QtWidgets import QFileDialog  # noqa: PLC0415

    dialog = QFileDialog(parent, title, start or documents_dir())
    _quiet_icons(dialog)
    dialog.setNameFilter(name_filter)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return dialog


def ask_open_file(
    parent: QWidget,
    title: str,
    name_filter: str,
    chosen: Callable[[Path], object],
    *,
    start: str = "",
) -> QFileDialog:
    """Ask for an existing file; ``chosen(path)`` once the user picked one (never on cancel)."""
    dialog = _dialog(parent, title, name_filter, start)
    dialog.setFileMode(dialog.FileMode.ExistingFile)
    dialog.fileSelected.connect(lambda name: chosen(Path(name)))
    dialog.open()
    return dialog


def ask_save_file(
    parent: QWidget,
    title: str,
    name_filter: str,
    chosen: Callable[[Path], object],
    *,
    suggested: str = "",
    suffix: str = "",
) -> QFileDialog:
    """Ask where to save; ``chosen(path)`` once the user accepted (the dialog has already
    asked before replacing a file)."""
    start = str(Path(documents_dir()) / suggested) if suggested else ""
    dialog = _dialog(parent, title, name_filter, start)
    dialog.setAcceptMode(dialog.AcceptMode.AcceptSave)
    if suffix:
        dialog.setDefaultSuffix(suffix)
    dialog.fileSelected.connect(lambda name: chosen(Path(name)))
    dialog.open()
    return dialog


_PROVIDER: list[QAbstractFileIconProvider] = []


def _quiet_icons(dialog: QFileDialog) -> None:
    """Icons and types told by name, never by reading the file: Qt's own provider asks
    ``QMimeDatabase``, which reads a file whose name says nothing, on the GUI thread, and a
    file whose read never returns (``/proc/kmsg``) froze the window for good once the user
    typed its folder."""
    if not _PROVIDER:
        _PROVIDER.append(_by_name_provider())
    dialog.setIconProvider(_PROVIDER[0])


def _by_name_provider() -> QAbstractFileIconProvider:
    from PySide6.QtCore import QCoreApplication, QFileInfo, QMimeDatabase  # noqa: PLC0415
    from PySide6.QtGui import QAbstractFileIconProvider, QIcon  # noqa: PLC0415
    from PySide6.QtWidgets import QFileIconProvider  # noqa: PLC0415

    kinds = QAbstractFileIconProvider.IconType

    class ByName(QFileIconProvider):
        def icon(self, of: QFileInfo | QAbstractFileIconProvider.IconType) -> QIcon:
            if isinstance(of, QFileInfo):
                of = kinds.Folder if of.isDir() else kinds.File
            return super().icon(of)

        def type(self, info: QFileInfo) -> str:
            if info.isDir():
                return QCoreApplication.translate(
                    "QAbstractFileIconProvider", "Folder", "All other platforms"
                )
            mime = QMimeDatabase().mimeTypeForFile(info, QMimeDatabase.MatchMode.MatchExtension)
            return mime.comment() or mime.name()

    return ByName()
