"""Times and durations as a person reads them, shared by the window, the log and notices."""

from __future__ import annotations


def duration_text(seconds: float) -> str:
    """``0.4 ms``, ``12 ms``, ``3.5 s``, ``42 s``, ``5 min 3 s``, ``2 h 10 min``."""
    if seconds < 1:
        ms = seconds * 1000
        return f"{ms:.1f} ms" if ms < 10 else f"{ms:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
