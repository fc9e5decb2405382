"""The profile form's host field, which takes apart what people paste into it.

``db.example.com:5432``, ``https://grafana.example:3000/login`` or ``[2001:db8::1]:443`` in
the host field was "not a valid host name", and the user had to work out why. Pasted (or
dropped), or typed and the field left, it is split (``core.pasted.split_target``): the host
stays, the port goes in its box, and a note below says what was taken from what.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QSpinBox

from ...core.pasted import split_target
from ...core.validate import show


class HostEdit(QLineEdit):
    """A ``QLineEdit`` for a host; ``splits_into`` gives it the port box and its note."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: tuple[QSpinBox, QLabel, QFormLayout] | None = None
        # The text's length and what was selected of it before an edit: Qt emits textEdited
        # before textChanged and selectionChanged.
        self._size = self._selected = 0
        self.textChanged.connect(lambda text: setattr(self, "_size", len(text)))
        self.selectionChanged.connect(lambda: setattr(self, "_selected", len(self.selectedText())))
        self.textEdited.connect(self._edited)
        self.editingFinished.connect(self.split)

    def splits_into(self, port: QSpinBox, note: QLabel, form: QFormLayout) -> None:
        self._parts = (port, note, form)
        form.setRowVisible(note, False)

    def _edited(self, text: str) -> None:
        """A paste or a drop puts in more than one character at once (over what was
        selected, if anything); a key, one."""
        if self._parts is not None:
            self._parts[2].setRowVisible(self._parts[1], False)  # said of an earlier text
        if len(text) - (self._size - self._selected) > 1:
            self.split()

    def split(self) -> None:
        """The host and the port of what the field holds, each in its own field, when it is
        more than a host; the note says what came from what."""
        found = split_target(self.text())
        if found is None or self._parts is None:
            return
        port_box, note, form = self._parts
        pasted, (host, port) = self.text(), found
        self.setText(host)
        if port is None:
            text = self.tr("Taken from {text}: the host {host}; it names no port")
        else:
            port_box.setValue(port)
            text = self.tr("Taken from {text}: the host {host} and the port {port}")
        note.setText(text.format(text=show(pasted.strip()), host=host, port=port))
        form.setRowVisible(note, True)
