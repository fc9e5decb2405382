"""Writing many cells of a Qt item model without a signal per cell."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Iterator, Sequence

from PySide6.QtCore import QAbstractItemModel, QObject

#: More runs of changed rows than this are told as one range.
MAX_RANGES = 8


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


def rows_changed(
    model: QAbstractItemModel,
    rows: Iterable[int],
    first: int,
    last: int,
    roles: Sequence[int] = (),
) -> None:
    """One ``dataChanged`` per contiguous run of ``rows`` (columns ``first``..``last``;
    ``roles`` if only those changed): what ``quietly`` held back, told once per range.

    Rows scattered over many runs are told as one range from the first to the last: a
    sorting proxy answers every signal with a re-sort and a layout change of its views, so
    a burst (half of a thousand rows changing state at once) cost a tenth of a second in
    signals where one range costs a pass over the rows."""
    ordered = sorted(rows)
    if not ordered:
        return
    if _runs(ordered) > MAX_RANGES:
        top, bottom = model.index(ordered[0], first), model.index(ordered[-1], last)
        model.dataChanged.emit(top, bottom, list(roles))
        return
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        top, bottom = model.index(ordered[i], first), model.index(ordered[j], last)
        model.dataChanged.emit(top, bottom, list(roles))
        i = j + 1


def _runs(ordered: Sequence[int]) -> int:
    return 1 + sum(1 for a, b in itertools.pairwise(ordered) if b != a + 1)
