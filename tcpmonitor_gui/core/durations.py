"""A length of time for people, by one rule for every view of the history (the window's
details, ``tcpmonitor outages`` and ``report``, the HTML page): "12 ms", "3.5 s", "45 s",
"3 min 20 s", "2 h 5 min", "3 d 4 h". The window writes the same pattern in the user's
language (``ui.common.text.duration_text``)."""

from __future__ import annotations


def duration_parts(seconds: float) -> tuple[str, dict[str, object]]:
    """``seconds`` as a pattern and its values: milliseconds below a second, tenths below
    ten, then its two largest units (days from 48 h)."""
    if seconds < 0.9995:  # what would read "1000 ms" is "1.0 s"
        ms = max(0.0, seconds) * 1000
        return "{n} ms", {"n": f"{ms:.1f}" if ms < 10 else f"{ms:.0f}"}
    if seconds < 9.95:
        return "{n} s", {"n": f"{seconds:.1f}"}
    minutes, s = divmod(round(seconds), 60)
    if minutes == 0:
        return "{n} s", {"n": s}
    if minutes < 60:
        return ("{m} min {s} s", {"m": minutes, "s": s}) if s else ("{n} min", {"n": minutes})
    hours, m = divmod(minutes, 60)
    if hours < 48:
        return ("{h} h {m} min", {"h": hours, "m": m}) if m else ("{n} h", {"n": hours})
    days, h = divmod(hours, 24)
    return ("{d} d {h} h", {"d": days, "h": h}) if h else ("{n} d", {"n": days})


def duration(seconds: float, *, tenths: bool = False) -> str:
    """``seconds`` by ``duration_parts``; with ``tenths``, under a minute in seconds to a
    tenth (what an event's detail says: "after 0.4 s", "12.3 s after our request")."""
    if tenths and seconds < 60:
        return f"{seconds:.1f} s"
    pattern, values = duration_parts(seconds)
    return pattern.format(**values)
