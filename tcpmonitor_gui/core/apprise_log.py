"""What Apprise logs (on its logger, ``apprise``), once this program has used it: what it
says on a thread that sends a notice is kept for that send alone (``hearing``: its warnings,
and the debug lines that say why a send failed, which only those name), nothing of what it
says on a thread that checks a URL goes anywhere (``quiet``: it would log a URL it refuses,
secret and all), and only its warnings reach the program's own logging, as before.

Apprise's logger is set to debug for good, not for the length of each send: sends overlap,
and one that put back the level it found while another was under way left Apprise's debug
lines on stderr, or silenced the other's reason."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator

_local = threading.local()
#: What Apprise said on each thread that sends a notice now (``hearing``), by thread.
_heard: dict[int, list[logging.LogRecord]] = {}
_lock = threading.Lock()


class _Filter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(_local, "quiet", False):
            return False  # a thread that checks a URL, or Apprise logging from within here
        if (heard := _heard.get(threading.get_ident())) is not None:
            heard.append(record)
        return record.levelno >= logging.WARNING


_FILTER = _Filter()


def _install() -> None:
    with _lock:
        apprise_log = logging.getLogger("apprise")
        if _FILTER not in apprise_log.filters:
            apprise_log.filters.insert(0, _FILTER)  # first: a quiet thread's goes nowhere
            apprise_log.setLevel(logging.DEBUG)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Nothing Apprise logs on this thread meanwhile goes anywhere."""
    _install()
    before, _local.quiet = getattr(_local, "quiet", False), True
    try:
        yield
    finally:
        _local.quiet = before


@contextlib.contextmanager
def hearing() -> Iterator[list[logging.LogRecord]]:
    """What Apprise logs on this thread meanwhile, every level: a send's own words."""
    _install()
    heard: list[logging.LogRecord] = []
    me = threading.get_ident()
    _heard[me] = heard
    try:
        yield heard
    finally:
        del _heard[me]
