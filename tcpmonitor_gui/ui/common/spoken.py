"""What a screen reader calls a control that has no label of its own beside it.

On Linux Qt names a control by the label whose buddy it is, and looks for that label among
the control's siblings only: a filter with a placeholder and no label, a table, or a spin box
set in a box with its error message beside it was read as just "edit", "table" or "spin
box", and a combo box by its value alone ("All states"), not by what it picks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """``widget``, called ``name`` (translated) for a screen reader."""
    widget.setAccessibleName(name)
    return widget


def spoken_together(parts: Sequence[str]) -> str:
    """``parts`` in one name, each heard: a name that said only the first of several was a
    screen reader user told one thing where the eye saw them all."""
    #: What separates the things a screen reader reads in one name.
    return QCoreApplication.translate("Spoken", "; ").join(parts)
