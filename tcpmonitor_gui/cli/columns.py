"""The command's tables, in columns as a terminal shows them.

A cell's width was its length in characters, but a terminal gives a Chinese or Japanese
character (East Asian wide) two columns and a combining accent none: a profile named
'订单数据库' pushed the rest of its line five columns right of the heading, and every column
after it read under the wrong one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence


def shown_width(text: str) -> int:
    """The columns ``text`` takes in a terminal."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def widths(rows: Sequence[Sequence[str]]) -> list[int]:
    """Each column's width: that of its widest cell."""
    return [max(shown_width(row[i]) for row in rows) for i in range(len(rows[0]))]


def print_rows(rows: Iterable[Sequence[str]], columns: Sequence[int]) -> None:
    """Each row on a line, its cells padded to ``columns`` (a wider one pushes the rest)."""
    for row in rows:
        cells = (cell + " " * (w - shown_width(cell)) for cell, w in zip(row, columns, strict=True))
        print("  ".join(cells).rstrip())
