"""This computer's time zone, refused when the program's times cannot be in it.

POSIX lets TZ put the clock up to 24 hours from UTC (``TZ=UTC+24``, ``<X>-24``), and the C
library takes it; Python's datetime takes offsets under 24 hours only. Every local time the
command read or showed (a table's times, ``--since 08:00``, ``snooze tomorrow``, a maintenance
window in local time) then ended in a traceback, or was taken as the end of time: 'events
--since' said "no events". One line now names the setting, before anything is read.
"""

from __future__ import annotations

import os
import time

_DAY_S = 86_400


def unusable_zone() -> str | None:
    """Why this computer's time zone cannot be used, or None when it can."""
    offsets = (time.timezone, time.altzone if time.daylight else time.timezone)
    if all(abs(offset) < _DAY_S for offset in offsets):
        return None
    where = f"TZ={os.environ['TZ']!r}" if "TZ" in os.environ else "this computer's time zone"
    return (
        f"{where} puts the clock 24 hours or more from UTC, which no time zone does and"
        " which times cannot be shown in; set TZ to a zone such as Europe/Berlin, or unset it"
    )
