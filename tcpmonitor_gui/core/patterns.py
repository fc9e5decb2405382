"""Regular expressions that a peer cannot turn against us.

An ``expect`` pattern is the user's, but the text it runs on is the peer's: with Python's
backtracking engine, ``^(a+)+$`` against 28 ``a`` and a ``!`` takes seconds, and the match
holds the monitoring loop (and every monitor on it) that long. So patterns run on RE2
(``google-re2``), whose time grows with the text, never exponentially, with a bounded memory
budget. RE2 has no backreferences and no lookaround: a pattern that needs them is refused when
the profile is checked, with RE2's own words.

Where RE2 is not available (a platform without a wheel), Python's ``re`` is used on at most
``FALLBACK_LIMIT`` bytes of reply, which bounds the common cases but not the worst: README says so.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Protocol

#: Memory RE2 may use for one pattern (its default is 8 MiB).
MAX_MEM = 8 << 20
#: What Python's ``re`` gets to see when RE2 is missing.
FALLBACK_LIMIT = 4096


@functools.cache
def _re2() -> Any:
    """RE2, loaded with the first pattern (not at start-up, which compiles none); None where
    no wheel exists."""
    try:
        import re2  # noqa: PLC0415
    except ImportError:  # pragma: no cover
        return None
    return re2


class PatternError(ValueError):
    """The pattern is not one we run; the message says why."""


class Pattern(Protocol):
    def search(self, data: bytes, /) -> object | None: ...


class _Capped:
    def __init__(self, pattern: re.Pattern[bytes]) -> None:
        self._pattern = pattern

    def search(self, data: bytes, /) -> object | None:
        return self._pattern.search(data[:FALLBACK_LIMIT])


def compile_pattern(pattern: bytes) -> Pattern:
    """Compile a byte pattern for searching peer data; ``PatternError`` if it cannot be."""
    if (re2 := _re2()) is not None:
        options = re2.Options()
        options.log_errors = False  # it would print to stderr on every refused pattern
        options.max_mem = MAX_MEM
        try:
            compiled: Pattern = re2.compile(pattern, options)
        except re2.error as exc:
            why = exc.args[0] if exc.args else exc
            why = why.decode("utf-8", "replace") if isinstance(why, bytes) else str(why)
            if "perl operator" in why or "escape sequence" in why:
                why += "; lookaround and backreferences are not supported"
            raise PatternError(why) from None
        return compiled
    try:  # pragma: no cover - where no wheel exists
        return _Capped(re.compile(pattern))
    except re.error as exc:  # pragma: no cover
        raise PatternError(str(exc)) from None
