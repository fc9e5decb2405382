"""Maintenance windows: times when a connection is expected to be down.

A profile's ``maintenance`` is a list of windows, each written the way people say it:

- weekly: ``Sun 02:00-04:00``, ``Mon-Fri 12:00-12:30``, ``Sat,Sun 23:00-01:00`` (past
  midnight: it ends the next day), ``daily 03:00-03:15``;
- one-off: ``2026-12-24 18:00 - 2026-12-27 08:00`` or ``2026-12-24 22:00-23:30``;

each optionally followed by a time zone (``Europe/Berlin``, ``UTC``); without one the window is
in this computer's local time. While a window is open the connection is still watched and
every change recorded, with ``"maintenance": true``; nobody is told about it, and its downtime
is not the target's (``eventqueries.uptime``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence

from . import validate as v

#: A profile holds at most this many windows.
MAX_WINDOWS = 20
#: One written window is at most this long.
MAX_TEXT = 100
#: A one-off window lasts at most this long.
MAX_ONE_OFF = dt.timedelta(days=366)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = {name: i for i, name in enumerate(DAYS)} | {
    name: i
    for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}
_HHMM = r"(\d{1,2}):(\d{2})"
_DATE = r"(\d{4})-(\d{2})-(\d{2})"
_ZONE = r"(?:\s+([A-Za-z][A-Za-z0-9_+\-]{0,30}(?:/[A-Za-z0-9_+\-]{1,30}){0,2}))?"
_WEEKLY = re.compile(rf"([A-Za-z,\-]{{3,60}})\s+{_HHMM}\s*-\s*{_HHMM}{_ZONE}", re.ASCII)
_ONE_OFF = re.compile(rf"{_DATE}[T ]\s*{_HHMM}\s*-\s*(?:{_DATE}[T ]\s*)?{_HHMM}{_ZONE}", re.ASCII)
_EXAMPLES = "e.g. 'Sun 02:00-04:00 Europe/Berlin' or '2026-12-24 18:00 - 2026-12-27 08:00'"


@dataclasses.dataclass(frozen=True, slots=True)
class Window:
    """One window. Weekly: ``days`` (0 = Monday) and ``start``/``end`` as minutes of the day
    (``end`` <= ``start``: it ends the next day). One-off: ``first``/``last`` (aware)."""

    text: str
    zone: str
    days: frozenset[int] = frozenset()
    start: int = 0
    end: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None

    def meaning(self) -> tuple[object, ...]:
        """What the window is, however it was written: "sun 02:00 - 04:00 utc" is the window
        "Sun 02:00-04:00 UTC" is (one added twice, one removed by another spelling)."""
        zone = "UTC" if self.zone.upper() == "UTC" else self.zone
        return (self.days, self.start, self.end, self.first, self.last, zone)

    def open_at(self, now: dt.datetime) -> dt.datetime | None:
        """When this window closes, if it is open at ``now`` (aware); else None."""
        if self.first is not None and self.last is not None:
            return self.last if self.first <= now < self.last else None
        tz = _zone(self.zone)
        local = now.astimezone(tz)
        length = (self.end - self.start) % (24 * 60) or 24 * 60
        for back in (0, 1):  # a window that began yesterday may still be open
            day = local.date() - dt.timedelta(days=back)
            if day.weekday() not in self.days:
                continue
            begin = _wall(day, self.start, tz)
            close = _wall(day, self.start + length, tz)
            if begin <= now < close:
                return close
        return None


def _wall(day: dt.date, minutes: int, tz: dt.tzinfo | None) -> dt.datetime:
    """``minutes`` after midnight of ``day`` on the wall clock of ``tz`` (None: this
    computer's local time, its DST rules included), as an aware UTC time. A time the clocks
    skip (02:30 the night summer time begins) is passed the moment they skip it: read with
    the offset before the skip it came an hour late (zoneinfo), or early (the C library's
    local time), and a window opened at a time not written."""
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)
    early, late = _instant(naive, tz, 0), _instant(naive, tz, 1)
    if _reads(early, tz) == naive:
        return early  # the first of the two where the clocks pass it twice
    low, high = sorted((int(early.timestamp()), int(late.timestamp())))
    while low < high:  # the skip is between the two readings: the first second past it
        mid = (low + high) // 2
        if _reads(dt.datetime.fromtimestamp(mid, dt.UTC), tz) >= naive:
            high = mid
        else:
            low = mid + 1
    return dt.datetime.fromtimestamp(low, dt.UTC)


def _instant(naive: dt.datetime, tz: dt.tzinfo | None, fold: int) -> dt.datetime:
    return naive.replace(fold=fold, tzinfo=tz).astimezone(dt.UTC)


def _reads(when: dt.datetime, tz: dt.tzinfo | None) -> dt.datetime:
    """What the wall clock of ``tz`` reads at ``when``."""
    return when.astimezone(tz).replace(tzinfo=None)


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> dt.tzinfo | None:
    """The time zone named (None for "": local time, as the system has it now)."""
    if not name:
        return None
    if name.upper() == "UTC":
        return dt.UTC
    import zoneinfo  # noqa: PLC0415 - with the first named zone (it loads sysconfig): few need it

    return zoneinfo.ZoneInfo(name)


def _check_zone(field: str, text: str, name: str) -> None:
    try:
        _zone(name)
    except (ValueError, OSError, KeyError):  # KeyError: zoneinfo.ZoneInfoNotFoundError
        v.fail(field, text, f"names {name!r}, which is not a time zone (e.g. Europe/Berlin, UTC)")


def _minutes(field: str, text: str, hh: str, mm: str, *, end: bool = False) -> int:
    h, m = int(hh), int(mm)
    if m > 59 or h > 24 or (h == 24 and (m or not end)):
        v.fail(field, text, f"has {hh}:{mm}, which is not a time of day (00:00 to 23:59)")
    return h * 60 + m


def _days(field: str, text: str, spec: str) -> frozenset[int]:
    word = spec.lower()
    if word in ("daily", "every-day", "everyday"):
        return frozenset(range(7))
    days: set[int] = set()
    for part in word.split(","):
        first, _, last = part.partition("-")
        if first not in _DAY_NAMES or (last and last not in _DAY_NAMES):
            v.fail(field, text, f"has {part!r}, which is not a day (Mon..Sun, Mon-Fri, daily)")
        a, b = _DAY_NAMES[first], _DAY_NAMES[last or first]
        days.update((a + i) % 7 for i in range((b - a) % 7 + 1))
    return frozenset(days)


def parse(text: object, field: str = "maintenance") -> Window:
    """One written window, checked; raises ``validate.FieldError`` naming ``field``."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        v.fail(field, text, f"is not a maintenance window ({_EXAMPLES})")
    return _parse(text, field)


@functools.lru_cache(maxsize=1024)
def _parse(text: str, field: str) -> Window:
    clean = " ".join(v.ascii_digits(text).split())  # "٠٢:٠٠" typed is 02:00
    if m := _ONE_OFF.fullmatch(clean):
        y, mo, d, h, mi, y2, mo2, d2, h2, mi2, zone = m.groups()
        zone = zone or ""
        _check_zone(field, text, zone)
        tz = _zone(zone)
        try:
            day = dt.date(int(y), int(mo), int(d))
            last_day = day if y2 is None else dt.date(int(y2), int(mo2), int(d2))
        except ValueError:
            v.fail(field, text, "has a date that does not exist")
        start = _minutes(field, text, h, mi)
        stop = _minutes(field, text, h2, mi2, end=True)
        if y2 is None and stop <= start:
            last_day += dt.timedelta(days=1)  # 22:00-01:00: ends the next day
        first, last = _wall(day, start, tz), _wall(last_day, stop, tz)
        if last == first:
            v.fail(field, text, "is no time at all (it begins when it ends)")
        if last < first:
            v.fail(field, text, "ends before it begins")
        if last - first > MAX_ONE_OFF:
            v.fail(field, text, f"is longer than {MAX_ONE_OFF.days} days")
        return Window(text=clean, zone=zone, first=first, last=last)
    if m := _WEEKLY.fullmatch(clean):
        days_text, h, mi, h2, mi2, zone = m.groups()
        zone = zone or ""
        _check_zone(field, text, zone)
        days = _days(field, text, days_text)
        start = _minutes(field, text, h, mi)
        stop = _minutes(field, text, h2, mi2, end=True)
        if stop == start:
            v.fail(field, text, "is no time at all (it begins when it ends)")
        return Window(text=clean, zone=zone, days=days, start=start, end=stop % (24 * 60))
    raise v.FieldError(field, text, f"is not a maintenance window ({_EXAMPLES})")


def parse_all(field: str, value: object) -> tuple[str, ...]:
    """A stored ``maintenance`` list, checked; the windows as written (spaces tidied)."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        v.fail(field, value, f"is not a list of maintenance windows ({_EXAMPLES})")
    if len(value) > MAX_WINDOWS:
        v.fail(field, f"{len(value)} windows", f"are more than {MAX_WINDOWS}")
    return tuple(parse(text, f"{field}[{i}]").text for i, text in enumerate(value))


def open_until(windows: Iterable[str], now: dt.datetime | None = None) -> dt.datetime | None:
    """When the open window that closes last closes, if one of ``windows`` is open at
    ``now``; else None. Windows that do not parse (never stored: profiles are checked) are
    skipped."""
    now = now or dt.datetime.now(dt.UTC)
    ends = []
    for text in windows:
        try:
            end = parse(text).open_at(now)
        except (v.FieldError, ValueError, OSError):
            continue
        if end is not None:
            ends.append(end)
    return max(ends, default=None)


def in_maintenance(windows: Sequence[str], now: dt.datetime | None = None) -> bool:
    return bool(windows) and open_until(windows, now) is not None
