"""A process that opens an event log at the same instant as others (``test_eventlog_at_once``):
spawned by ``multiprocessing``, so it lives in a module of its own."""

from __future__ import annotations

import multiprocessing.synchronize
import sqlite3
from pathlib import Path
from typing import Any

from tcpmonitor_gui.core.eventdb import EventLogError
from tcpmonitor_gui.core.eventlog import EventLog


def open_each(paths: list[str], gate: multiprocessing.synchronize.Barrier, said: Any) -> None:
    """For each of ``paths`` in turn: wait for every other process at ``gate``, then start
    (creating it) and close the event log there; what went wrong goes on ``said``."""
    for path in paths:
        gate.wait(timeout=60)
        try:
            EventLog(Path(path)).start().close()
        except (EventLogError, sqlite3.Error, OSError) as exc:
            said.put(f"{type(exc).__name__}: {exc}")
    said.put(None)
