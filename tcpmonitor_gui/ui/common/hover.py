"""A table cell's tooltip, worked out when the pointer rests on it.

The tables' models store no tooltips (a burst writes a thousand rows, and a tooltip read
through a Python ``data()`` would wrap every paint in Python): their views ask on hover.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QAbstractItemView, QToolTip

from .plain import plain


def show_cell_tooltip(
    view: QAbstractItemView, event: QHelpEvent, text_of: Callable[[QModelIndex], str | None]
) -> None:
    """Show what ``text_of`` says of the cell under ``event`` (a viewport's ``ToolTip``
    event), or hide the tooltip if it says nothing or there is no cell there."""
    index = view.indexAt(event.pos())
    text = text_of(index) if index.isValid() else None
    if text:
        QToolTip.showText(event.globalPos(), plain(text), view.viewport(), view.visualRect(index))
    else:
        QToolTip.hideText()
