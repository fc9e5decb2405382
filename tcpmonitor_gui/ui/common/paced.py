"""Work handed to the GUI thread in bounded pieces: a burst is spread over turns of the loop.

When a thousand connections drop together (an office network going away), the engine's
batches carry a thousand events, and showing them all in one go stalls the window for a
tenth of a second or more. ``Paced`` hands them on ``per_turn`` at a time, in order: the
first piece at once (a small batch is never delayed), the rest one piece per turn of the
event loop, so input, painting and timers are served in between.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, QTimer

T = TypeVar("T")


class Paced(QObject, Generic[T]):
    def __init__(self, take: Callable[[list[T]], object], per_turn: int, parent: QObject) -> None:
        super().__init__(parent)
        if per_turn < 1:
            raise ValueError("per_turn must be positive")
        self._take = take
        self._per_turn = per_turn
        self._queue: collections.deque[T] = collections.deque()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)  # the next turn of the event loop
        self._timer.timeout.connect(self._next)

    def __len__(self) -> int:
        """Items received and not handed on yet."""
        return len(self._queue)

    def put(self, items: Iterable[T]) -> None:
        self._queue.extend(items)
        if not self._timer.isActive():
            self._next()

    def clear(self) -> None:
        """Forget what waits (it will not be handed on)."""
        self._queue.clear()
        self._timer.stop()

    def _next(self) -> None:
        queue = self._queue
        if not queue:
            return
        piece = [queue.popleft() for _ in range(min(self._per_turn, len(queue)))]
        if queue:
            self._timer.start()
        self._take(piece)
