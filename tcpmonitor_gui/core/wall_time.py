"""Moments as a person reads them on this computer's clock, said so that they cannot be read
two ways: in the hour the clocks pass twice when they go back (02:30 in Berlin on the last
Sunday of October is two moments an hour apart) a local time alone names neither, and a
report read in another zone names the wrong one. The UTC offset says which.

``time`` functions where a caller writes one line per event (``twice``): ``datetime``'s
``astimezone`` costs several times more.
"""

from __future__ import annotations

import datetime as dt
import time

_DAY = 86_400


def offset(seconds: float) -> str:
    """A UTC offset as ISO 8601 writes it: ``+02:00``, ``-03:30``, ``+00:00``."""
    sign = "-" if seconds < 0 else "+"
    hours, minutes = divmod(round(abs(seconds)) // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def local(when: dt.datetime) -> dt.datetime:
    """``when`` (naive: UTC, as the log stores it) on this computer's clock."""
    return (when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)).astimezone()


def with_offset(when: dt.datetime, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """``when`` on this computer's clock with its UTC offset: ``2026-10-25 02:30:00 +02:00``."""
    shown = local(when)
    return f"{shown.strftime(fmt)} {offset(_seconds(shown))}"


def offset_if_twice(when: dt.datetime, fmt: str) -> str:
    """``when`` on this computer's clock, with its UTC offset only where the clock read the
    same at another moment (the autumn hour): what a narrow cell or a short message says."""
    shown = local(when)
    text = shown.strftime(fmt)
    return f"{text} {offset(_seconds(shown))}" if twice(shown.timestamp()) else text


def twice(ts: float, own: int | None = None) -> bool:
    """This computer's clock read at ``ts`` (Unix seconds) what it read at another moment too:
    the clocks went back over it. Offsets are compared a day either side (no zone changes its
    offset twice in a day). ``own``: the offset at ``ts``, where the caller has it."""
    own = time.localtime(ts).tm_gmtoff if own is None else own
    before, after = time.localtime(ts - _DAY).tm_gmtoff, time.localtime(ts + _DAY).tm_gmtoff
    if before == own == after:
        return False  # the clocks were not changed within a day: all but a day or two a year
    wall = ts + own
    return any(o != own and time.localtime(wall - o).tm_gmtoff == o for o in (before, after))


def _seconds(shown: dt.datetime) -> float:
    delta = shown.utcoffset()
    return 0.0 if delta is None else delta.total_seconds()
