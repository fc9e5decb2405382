"""This computer's time zone, when the program's times cannot be in it.

POSIX lets TZ put the clock up to 24 hours from UTC (``TZ=UTC+24``, ``<X>-24``), and the C
library takes it; Python's datetime takes offsets under 24 hours only. Every local time the
command read or showed (a table's times, ``--since 08:00``, ``snooze tomorrow``, a maintenance
window in local time) then ended in a traceback, or was taken as the end of time: 'events
--since' said "no events". The command refuses it in one line, before anything is read. The
window, which must watch all the same, shows its times in UTC and says so (its details
pane, tooltips and the tray's times ended in a traceback, half drawn).
"""

from __future__ import annotations

import logging
import os
import time

log = logging.getLogger(__name__)
_DAY_S = 86_400


def unusable_setting() -> str | None:
    """The setting that makes this computer's time zone unusable (``TZ='UTC+24'``, or ""
    when no TZ is set and the system's zone is at fault), or None when it can be used."""
    offsets = (time.timezone, time.altzone if time.daylight else time.timezone)
    if all(abs(offset) < _DAY_S for offset in offsets):
        return None
    return f"TZ={os.environ['TZ']!r}" if "TZ" in os.environ else ""


def unusable_zone() -> str | None:
    """Why this computer's time zone cannot be used, or None when it can."""
    if (setting := unusable_setting()) is None:
        return None
    where = setting or "this computer's time zone"
    return (
        f"{where} puts the clock 24 hours or more from UTC,"
        " which no time zone does and which times cannot be shown in; set TZ to a zone such"
        " as Europe/Berlin, or unset it"
    )


def use_utc() -> None:
    """Local times in UTC from here on, for this process and what it starts (before Qt reads
    the zone: it keeps the first it reads)."""
    os.environ["TZ"] = "UTC"
    if hasattr(time, "tzset"):  # (POSIX: the only systems where TZ can say such a thing)
        time.tzset()


def utc_if_unusable() -> str | None:
    """Local times in UTC if this computer's zone cannot be used (logged, and the caller says
    so where it is seen): the setting at fault, as ``unusable_setting``, or None."""
    if (setting := unusable_setting()) is not None:
        why = unusable_zone()
        use_utc()  # first: the warning's own time is in UTC
        log.warning("%s; times are shown in UTC", why)
    return setting
