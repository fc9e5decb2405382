"""Snoozing one connection's notices: until when, said the ways people say it.

A profile's ``snooze_until`` is "" (not snoozed), ``"forever"`` (until unmuted) or a UTC time
in ISO 8601 (``2026-12-03T14:30:00Z``). While it lasts the connection is still watched and
every change recorded; only its notices are held back. It lives in the profile, so it is
saved with it, survives a restart, and the window and ``tcpmonitor profiles snooze`` see the
same thing.
"""

from __future__ import annotations

import datetime as dt
import re

from . import validate as v
from .wall_time import offset_if_twice

FOREVER = "forever"
#: The longest a timed snooze may be (longer is "forever").
MAX_DAYS = 366
#: "Until tomorrow" ends at this local hour of the next day.
TOMORROW_HOUR = 8

_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?", re.ASCII)


def parse_until(field: str, value: object) -> str:
    """Validate a stored ``snooze_until``; returns it normalised ("" / forever / UTC ...Z)."""
    if value in ("", None):
        return ""
    if value == FOREVER:
        return FOREVER
    return parse_time(field, value, 'is not a time (2026-12-03T14:30:00Z), "forever" or ""')


def parse_time(
    field: str, value: object, problem: str = 'is not a time (2026-12-03T14:30:00Z) or ""'
) -> str:
    """A stored UTC time or ""; returns it normalised (``...Z``, whole seconds)."""
    if value in ("", None):
        return ""
    if not isinstance(value, str) or len(value) > 40:
        v.fail(field, value, problem)
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        v.fail(field, value, problem)
    if when.tzinfo is None:
        v.fail(field, value, "has no time zone (write it in UTC, ending in Z)")
    return iso(when)


def iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def until_for(text: str, now: dt.datetime | None = None) -> str:
    """``15m``, ``1h``, ``2h30m``, ``1d``, ``tomorrow`` (8:00 local, the next day) or
    ``forever``, as a ``snooze_until`` value; raises ``validate.FieldError`` naming
    DURATION."""
    now = now or dt.datetime.now(dt.UTC)
    word = v.ascii_digits(text.strip().lower())  # "٣٠m" typed is 30m
    if word in (FOREVER, "until-unmuted", "unmuted"):
        return FOREVER
    if word == "tomorrow":
        # A naive time is read by tomorrow's own rules: ``now.astimezone()`` carries
        # tonight's offset, and the night the clocks changed "08:00" came at 09:00 or 07:00.
        day = now.astimezone().date() + dt.timedelta(days=1)
        return iso(dt.datetime.combine(day, dt.time(TOMORROW_HOUR)).astimezone())
    m = _DURATION.fullmatch(word)
    if not word or m is None or not any(m.groups()):
        v.fail("DURATION", text, "is not a duration (15m, 1h, 2h30m, 1d), tomorrow or forever")
    # Counted in minutes: "999999d" is a duration too, only too long (never int() or
    # timedelta() a number of any length).
    digits = [(g or "0").lstrip("0") or "0" for g in m.groups()]
    days, hours, minutes = (int(g) if len(g) <= 9 else 10**9 for g in digits)
    total = days * 1440 + hours * 60 + minutes
    if total <= 0:
        v.fail("DURATION", text, "is no time at all")
    if total > MAX_DAYS * 1440:
        v.fail("DURATION", text, f"is longer than {MAX_DAYS} days, the most (use forever)")
    return iso(now + dt.timedelta(minutes=total))


def snoozed(until: str, now: dt.datetime | None = None) -> bool:
    """Whether a ``snooze_until`` value holds notices back at ``now``."""
    if not until:
        return False
    if until == FOREVER:
        return True
    try:
        end = dt.datetime.fromisoformat(until)
    except ValueError:
        return False
    return (now or dt.datetime.now(dt.UTC)) < end


def describe(until: str, now: dt.datetime | None = None) -> str:
    """``until 14:30`` (today, local), ``until Fri 08:00``, ``until unmuted``; "" if none.
    In the hour the clocks pass twice, with the UTC offset: ``until 02:30 +01:00``."""
    if until == FOREVER:
        return "until unmuted"
    now = now or dt.datetime.now(dt.UTC)
    if not snoozed(until, now):
        return ""
    end = dt.datetime.fromisoformat(until)
    days = end.astimezone().date() - now.astimezone().date()
    fmt = "%H:%M" if not days else "%a %H:%M" if days < dt.timedelta(days=7) else "%Y-%m-%d %H:%M"
    return f"until {offset_if_twice(end, fmt)}"
