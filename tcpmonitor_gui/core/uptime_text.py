"""An uptime percentage as every view writes it (the table, the details view, ``tcpmonitor
report``'s table, CSV and HTML): cut, never rounded up, so that a day with 0.2 s down reads
99.99 %, not 100 %: "100 %" says that nothing was down, and only that says it.
"""

from __future__ import annotations

import math


def cut_percent(pct: float, digits: int) -> float:
    """``pct`` to ``digits`` decimals, never rounded up, and below 100 whenever it is.

    Cut on the decimal digits, not on the float: ``int(81.85 * 100)`` is 8184, which read a
    day that was 81.85 % up as 81.84 %."""
    scale = 10**digits
    shown = math.floor(round(pct * scale, 6)) / scale
    return min(shown, 100.0 - 1 / scale) if pct < 100.0 else 100.0


def percent_text(pct: float) -> str:
    """``100 %``, ``99.95 %`` (two decimals from 99 %, where the second one matters: 99.9 %
    of a month is 43 min down, 99.99 % is 4 min), ``97.3 %``."""
    if pct >= 100.0:
        return "100 %"
    digits = 2 if pct >= 99.0 else 1
    return f"{cut_percent(pct, digits):.{digits}f} %"
