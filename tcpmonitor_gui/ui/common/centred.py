"""A widget in the middle of an otherwise empty area, from layouts alone."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget


def centred(widget: QWidget) -> QWidget:
    """``widget`` in the middle of a new, otherwise empty area: stretches around it, not
    ``Qt``'s alignment flags (naming ``Qt`` builds its 117 enums, milliseconds that the
    first frame, which shows this as its "Loading…", would wait for)."""
    area = QWidget()
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(widget)
    row.addStretch(1)
    column = QVBoxLayout(area)
    column.addStretch(1)
    column.addLayout(row)
    column.addStretch(1)
    return area
