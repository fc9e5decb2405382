"""PySide6-Essentials 6.12.0 on CPython 3.11 drops a reference to ``True`` on every signal
emission and the process aborts after a few hundred (DESIGN.md, Threads). The dependency
excludes that release; this test catches it, or a release like it, if it ever comes back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    batch = Signal(list)
    flag = Signal(bool)


def test_ten_thousand_emits_leave_the_refcount_of_true_alone() -> None:
    emitter = Emitter()
    received: list[int] = []
    emitter.batch.connect(lambda items: received.append(len(items)))
    before = sys.getrefcount(True)
    for i in range(10_000):
        emitter.batch.emit([i])
        emitter.flag.emit(True)
    after = sys.getrefcount(True)
    assert len(received) == 10_000
    # Other code may hold a few references more or less; the bug loses one per emit.
    assert abs(after - before) < 100, f"refcount of True went from {before} to {after}"
