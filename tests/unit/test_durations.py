"""Durations as every view writes them (``core.durations``)."""

from __future__ import annotations

import pytest

from tcpmonitor_gui.core.durations import duration


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0.0004, "0.4 ms"),
        (0.25, "250 ms"),
        (0.9994, "999 ms"),
        (0.9996, "1.0 s"),  # read "1000 ms"
        (0.99999, "1.0 s"),
        (1.04, "1.0 s"),
        (9.94, "9.9 s"),
        (9.96, "10 s"),
        (59.6, "1 min"),
        (3725, "1 h 2 min"),
        (48 * 3600, "2 d"),
    ],
)
def test_a_duration_is_written_in_the_unit_it_rounds_to(seconds: float, said: str) -> None:
    assert duration(seconds) == said
