"""A start-up cost of PySide6 that this program does not need to pay.

PySide6 looks at every module imported after it to learn whether that module may switch on
one of its ``__feature__`` options (``snake_case``, ``true_property``): its import hook calls
``shibokensupport.feature._mod_uses_pyside``, which reads the module's whole source with
``inspect.getsource`` and searches it for "PySide6". Before the window's first frame that is
some 230 modules (asyncio, sqlite3, json, email, ours...), 30-60 ms of the GUI thread, and the
sources stay in ``linecache`` for good. This program never imports ``__feature__``, so the
answer changes nothing (a module marked "uses PySide" gets feature set 0, the default; one
marked "does not" is skipped; with no feature selected anywhere the two behave the same): it
is given from the module's name instead of its source.

Guarded: if a PySide release moves this internal, nothing is changed and start-up is as slow
as before, never wrong.
"""

from __future__ import annotations

import sys
from types import ModuleType

#: Module name prefixes that use PySide6 (the rest are marked as not using it).
USES_PYSIDE = ("tcpmonitor_gui", "PySide6", "shiboken6", "qasync", "pyqtgraph")


def uses_pyside(module: ModuleType) -> bool:
    return str(getattr(module, "__name__", "")).startswith(USES_PYSIDE)


def skip_source_scan() -> bool:
    """Answer PySide6's "does this module use PySide?" from its name; True if applied.
    Call after PySide6 is imported."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
    return True
