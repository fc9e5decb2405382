"""Times and durations as a person reads them, shared by the window, the log and notices.

The unit patterns go through ``translate("Duration", ...)``: "{n} min" reads "{n} 分钟" in
the Chinese window.
"""

from __future__ import annotations

from ...core.durations import duration_parts
from .i18n import QT_TRANSLATE_NOOP, translate

#: The patterns ``unit_text`` is called with, listed so ``pyside6-lupdate`` finds them.
PATTERNS = (
    QT_TRANSLATE_NOOP("Duration", "{n} ms"),
    QT_TRANSLATE_NOOP("Duration", "{n} s"),
    QT_TRANSLATE_NOOP("Duration", "{n} min"),
    QT_TRANSLATE_NOOP("Duration", "{m} min {s} s"),
    QT_TRANSLATE_NOOP("Duration", "{n} h"),
    QT_TRANSLATE_NOOP("Duration", "{h} h {m} min"),
    QT_TRANSLATE_NOOP("Duration", "{n} d"),
    QT_TRANSLATE_NOOP("Duration", "{d} d {h} h"),
)


def unit_text(pattern: str, **values: object) -> str:
    """``pattern`` ("{n} s", "{m} min {s} s", "{h} h {m} min"...) in the user's language."""
    return translate("Duration", pattern).format(**values)


def unit_suffix(pattern: str) -> str:
    """What follows the number in ``pattern`` in the user's language ("{n} s" gives " s",
    or " 秒"): the suffix of a spin box, which shows the number itself."""
    return translate("Duration", pattern).partition("{n}")[2]


def duration_text(seconds: float) -> str:
    """``0.4 ms``, ``12 ms``, ``3.5 s``, ``42 s``, ``5 min 3 s``, ``2 h 10 min``, ``3 d 4 h``:
    ``core.durations``'s rule, which the command line and the report follow too."""
    pattern, values = duration_parts(seconds)
    return unit_text(pattern, **values)


def coarse_duration_text(seconds: float) -> str:
    """Coarse on purpose: "for 2 h 10 min" is read at a glance, seconds would only flicker."""
    s = max(0, int(seconds))
    if s < 60:
        return unit_text("{n} s", n=s)
    if s < 3600:
        return _minutes(s // 60)
    if s < 86400:
        return _hours(*divmod(s // 60, 60))
    return unit_text("{n} d", n=s // 86400)


def _minutes(n: int) -> str:
    return unit_text("{n} min", n=n)


def _hours(hours: int, minutes: int) -> str:
    if minutes:
        return unit_text("{h} h {m} min", h=hours, m=minutes)
    return unit_text("{n} h", n=hours)


def error_text(exc: BaseException) -> str:
    """An error as a person reads it: the system's own words for an ``OSError`` ("No space
    left on device"), else the exception's message."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
