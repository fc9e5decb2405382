"""The profile form's field widgets and how a value goes in and out of each.

Number boxes take the range of the profile field they edit from ``core.profile.FIELDS`` (one
declaration for the file, the dialog and the command line); ``put_value``/``take_value`` move a
file-format value into and out of any field widget; ``on_edit`` calls back on any user edit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QKeyEvent, QPalette, QValidator
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from ...core.profile import field_range
from ...core.validate import ascii_digits

if TYPE_CHECKING:
    _SpinBox = QAbstractSpinBox
else:
    _SpinBox = object  # a mixin: a Python class between two Qt ones crashes PySide


#: A number too large for its box, as typed (at most 12 digits: never a 5,000-digit one).
_OVER = re.compile(r"\d{1,12}(?:[.,]\d{0,3})?")


class _Typed(_SpinBox):
    """What both number boxes do with what is typed: digits of any script are taken, and
    Enter on text the box cannot hold ("0 s" below its least, nothing at all) is left to the
    dialog, whose OK is off then, instead of putting the last value back just before OK."""

    def validate(self, text: str, pos: int, /) -> tuple[QValidator.State, str, int]:
        state, shown, at = super().validate(ascii_digits(text), pos)
        if state is QValidator.State.Invalid and _OVER.fullmatch(self._number_in(shown)):
            # Past its most ("99999" in the port): refused key by key, the box kept "9999", a
            # valid port the user did not ask for. Shown, said beside it, OK off.
            return QValidator.State.Intermediate, shown, at
        return state, shown, at

    def _number_in(self, text: str) -> str:
        prefix, suffix = self.prefix(), self.suffix()  # type: ignore[attr-defined]
        text = text.removeprefix(prefix) if prefix else text
        return (text.removesuffix(suffix) if suffix else text).strip()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not self.hasAcceptableInput():
            event.ignore()
            return
        super().keyPressEvent(event)


class Number(_Typed, QDoubleSpinBox):
    """A number field with the range its profile field declares (``core.profile.FIELDS``).

    Three decimals, so that a profile from a file comes back unchanged, shown as "5" not
    "5.000"."""

    def __init__(self, path: str, suffix: str) -> None:
        super().__init__()
        spec = field_range(path)
        self.setDecimals(3)
        self.setRange(spec.lo, spec.hi)
        self.setSuffix(suffix)

    def textFromValue(self, value: float) -> str:
        text = super().textFromValue(value)
        point = self.locale().decimalPoint()
        return text.rstrip("0").rstrip(point) if point in text else text


class Whole(_Typed, QSpinBox):
    """A whole-number field (see ``spin_box``)."""


#: What a box of lines holds at most, as a line field does (``QLineEdit.maxLength``): Qt lays a
#: line out in time that grows with its square, and a megabyte pasted as one line into Notes
#: held the window 73 s. Every field's own limit is far below it (notes: 10,000).
MOST_CHARACTERS = 32767


class Lines(QPlainTextEdit):
    """A box of lines that takes at most ``MOST_CHARACTERS``: what is pasted or dropped past
    that is cut there, as a line field cuts it; the field then says it is too long."""

    def insertFromMimeData(self, source: QMimeData) -> None:
        text = source.text() if source.hasText() else ""
        kept = len(self.toPlainText()) - len(self.textCursor().selectedText())
        room = max(0, MOST_CHARACTERS - kept)
        if len(text) <= room:
            super().insertFromMimeData(source)
        else:
            self.insertPlainText(text[:room])


def spin_box(path: str, suffix: str = "", *, unset: bool = False) -> QSpinBox:
    """A whole-number field with the range its profile field declares; ``unset``: one below
    it is allowed too, shown as "—" (not chosen yet: the message beside it says why)."""
    spec = field_range(path)
    spin = Whole()
    spin.setRange(int(spec.lo) - 1 if unset else int(spec.lo), int(spec.hi))
    if unset:
        spin.setSpecialValueText("—")
    spin.setSuffix(suffix)
    return spin


def counted_box(path: str, one: str, many: Callable[[int], str]) -> QSpinBox:
    """A count of checks, "1 good check" but "2 good checks" (``one``, and ``many(n)``: a
    translation may have several plural forms)."""
    spin = spin_box(path, one)
    spin.valueChanged.connect(lambda n: spin.setSuffix(one if n == 1 else many(n)))
    return spin


def note(text: str = "") -> QLabel:
    label = QLabel(text)  # one line: a wrapped label in a form row takes its (taller) size hint
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def line_of(*widgets: QWidget) -> QWidget:
    body = QWidget()
    line = QHBoxLayout(body)
    line.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        line.addWidget(widget)
    return body


def on_edit(widget: QWidget, edited: Callable[..., object]) -> None:
    """Call ``edited`` whenever the user changes ``widget``'s value."""
    if isinstance(widget, QComboBox) and widget.isEditable():
        widget.editTextChanged.connect(edited)
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(edited)
    elif isinstance(widget, QLineEdit | QPlainTextEdit):
        widget.textChanged.connect(edited)
    elif isinstance(widget, QAbstractButton):
        widget.toggled.connect(edited)
    elif isinstance(widget, QSpinBox | QDoubleSpinBox):
        widget.valueChanged.connect(edited)
        # And its editor's text: the box says nothing of text it cannot hold (``typed_value``).
        widget.lineEdit().textChanged.connect(edited)


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def put_value(widget: QWidget, value: Any) -> None:
    """Set a field's widget; combo boxes hold the file's value as item data."""
    if isinstance(widget, QComboBox) and widget.isEditable():
        widget.setCurrentText(value)
    elif isinstance(widget, QComboBox):
        widget.setCurrentIndex(max(0, widget.findData(value)))
    elif isinstance(widget, QLineEdit):
        widget.setText(value)
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(value)
    elif isinstance(widget, QAbstractButton):
        widget.setChecked(value)
    elif isinstance(widget, QSpinBox | QDoubleSpinBox):
        widget.setValue(value)


def take_value(widget: QWidget) -> Any:
    if isinstance(widget, QComboBox):
        return widget.currentText() if widget.isEditable() else widget.currentData()
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QAbstractButton):
        return widget.isChecked()
    assert isinstance(widget, QSpinBox | QDoubleSpinBox)
    return widget.value() if widget.hasAcceptableInput() else typed_value(widget)


def typed_value(box: QSpinBox | QDoubleSpinBox) -> Any:
    """What ``box`` shows when it cannot hold it ("0 s" where 0.05 is the least, nothing):
    the box keeps its last value meanwhile, which OK saved unseen. As typed, the profile's
    check names the field, the value and the range."""
    text = ascii_digits(box.cleanText().strip())
    number, ok = box.locale().toDouble(text)
    if not ok or not math.isfinite(number):
        return text
    return int(number) if number.is_integer() else number
