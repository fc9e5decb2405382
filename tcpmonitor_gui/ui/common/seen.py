"""Which rows of a model a table view over a proxy shows: models that write a row's cells
only when it is seen (``StatusModel.catch_up``, ``LogModel.catch_up``) ask this, and what
copies rows brings them up to date first (``catch_up_selected``); the views learn of paints
by watching their viewport (``watch_viewport``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QAbstractProxyModel, QObject
from PySide6.QtWidgets import QAbstractScrollArea, QTableView


@runtime_checkable
class WritesWhenSeen(Protocol):
    def catch_up(self, rows: Iterable[int]) -> None:
        """Write the cells of these rows that wait, without a signal."""


def rows_on_screen(view: QTableView, height: int | None = None) -> list[int]:
    """The source model's rows that ``view`` shows now, top to bottom ([] when hidden);
    ``height``: of the rows' area, if not the viewport's."""
    proxy = view.model()
    if not view.isVisible() or not isinstance(proxy, QAbstractProxyModel):
        return []
    # A sort or a filter lays the rows out again later, at the paint, after the paint's
    # event filters: laid out now, the rows here are the rows the paint shows.
    view.executeDelayedItemsLayout()
    first = view.rowAt(0)
    if first < 0:
        return []
    last = view.rowAt((view.viewport().height() if height is None else height) - 1)
    last = proxy.rowCount() - 1 if last < 0 else last
    return [proxy.mapToSource(proxy.index(r, 0)).row() for r in range(first, last + 1)]


def watch_viewport(view: QAbstractScrollArea, watcher: QObject) -> None:
    """Send ``view``'s viewport events (paints, tooltips) to ``watcher.eventFilter``.

    An event filter, not a Python ``viewportEvent``: an override would run every paint of
    the view inside a Python frame, holding the GIL the worker threads need. A window calls
    this once its first frame is on screen (``MainWindow.start_monitoring``): the program's
    first Python call on a viewport, a widget Qt made, has PySide look for its Python type
    among every QWidget subclass, loading each with its enums, 8-11 ms on a 2-core machine
    that the first frame does not need."""
    view.viewport().installEventFilter(watcher)


class ScreenReader:
    """Whether an assistive technology (a screen reader) reads the widgets now. It may read
    any cell, on screen or not: while one does, a model that writes rows when seen writes
    them all, and ``started`` brings up to date, once, the rows that waited before it."""

    def __init__(self, started: Callable[[], object]) -> None:
        self._started = started
        self._reading = False

    def reading(self) -> bool:
        # Named here: QAccessible's enums are some 2 ms the window's first frame need not
        # wait for (no view asks before it, see ``watch_viewport``).
        from PySide6.QtGui import QAccessible  # noqa: PLC0415

        reading = QAccessible.isActive()
        if reading and not self._reading:
            self._started()
        self._reading = reading
        return reading


def catch_up_selected(view: QTableView) -> None:
    """Bring the rows selected in ``view`` up to date, if its model writes rows when seen."""
    proxy = view.model()
    if isinstance(proxy, QAbstractProxyModel) and isinstance(
        source := proxy.sourceModel(), WritesWhenSeen
    ):
        selected = view.selectionModel().selectedRows()
        source.catch_up(proxy.mapToSource(index).row() for index in selected)
