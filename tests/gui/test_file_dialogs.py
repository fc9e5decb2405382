"""The program's file dialogs never read the files they list."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileSystemModel, QWidget
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.ui.common.file_dialogs import ask_open_file


def test_a_listed_file_is_typed_by_its_name_never_by_reading_it(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Qt's own icon provider reads a file whose name says nothing (``QMimeDatabase``), on the
    GUI thread: typing ``/proc/`` into the dialog's name field froze the window for good, on
    ``/proc/kmsg``, whose read never returns. Seen here by what the dialog says of a file with
    no suffix that is a PDF inside: it was "PDF document"."""
    (tmp_path / "notes").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 600)
    (tmp_path / "list.json").write_text("{}")
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = ask_open_file(parent, "Open", "All files (*)", lambda _path: None, start=str(tmp_path))
    model = dialog.findChild(QFileSystemModel)
    assert model is not None
    with qtbot.waitSignal(model.directoryLoaded, timeout=5000, raising=False):
        model.setRootPath(str(tmp_path))

    def type_of(name: str) -> str:
        return str(model.index(str(tmp_path / name), 2).data())

    qtbot.waitUntil(lambda: type_of("notes") != "None", timeout=5000)
    assert "PDF" not in type_of("notes")
    assert "JSON" in type_of("list.json")  # by its name: still told
    dialog.reject()
