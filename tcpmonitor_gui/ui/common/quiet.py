"""Writing many cells of a Qt item model without a signal per cell."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from PySide6.QtCore import QObject


@contextlib.contextmanager
def quietly(model: QObject) -> Iterator[None]:
    """Block ``model``'s signals inside; the caller then tells the views what changed, once
    per range (``dataChanged``) instead of once per cell and role.

    Every signal of ``model`` is dropped meanwhile, whichever thread emits it: a signal that
    another thread emits belongs on another object (``LogModel``'s page relay)."""
    blocked = model.blockSignals(True)
    try:
        yield
    finally:
        model.blockSignals(blocked)
