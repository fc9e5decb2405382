"""A length of time for people: "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h"."""

from __future__ import annotations


def duration(seconds: float, *, tenths: bool = False) -> str:
    """``seconds`` in its two largest units; under a minute in seconds (to a tenth with
    ``tenths``)."""
    if seconds < 60:
        return f"{seconds:.1f} s" if tenths else f"{seconds:.0f} s"
    minutes, s = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {s} s" if s else f"{minutes} min"
    hours, m = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {m} min" if m else f"{hours} h"
    return f"{hours // 24} d {hours % 24} h"
