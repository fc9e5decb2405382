"""A SIGHUP that comes while ``tcpmonitor run`` starts: remembered, and acted on once ``run``
reads its profiles again on one.

Python takes 0.3 s (seconds, on a busy machine) to import the program, and ``run`` handles
SIGHUP (a reload) only once its loop runs; until then SIGHUP's default action ended the
process. Under systemd the unit says when it is ready (``supervisor.py``); a supervisor that
does not wait for that (runit, s6, supervisord) or a script (``tcpmonitor run & kill -HUP
$!``) lost the service to its first reload, with no word and, for a death by SIGHUP, what
systemd counts as a clean exit. The entry point now holds SIGHUP first, before the imports:
only the interpreter's own start (a few hundredths of a second) is left, which no program
written in Python can cover.

This module imports nothing of the program's: it runs before the rest is loaded.
"""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import FrameType

#: The options before the command that take a value (``tcpmonitor --data-dir DIR run``).
_VALUED = ("--config-dir", "--data-dir")

_came = False


def _remember(signum: int, frame: FrameType | None) -> None:
    global _came
    _came = True


def command_of(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names (``run``, ``events``...), read without argparse: the
    first word that is neither an option nor the value of one."""
    words = iter(argv)
    for word in words:
        if word in _VALUED:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def hold(argv: Sequence[str]) -> None:
    """For ``run``: from now on a SIGHUP is remembered (``came``) instead of ending the
    process. Other commands keep SIGHUP's default (a closed terminal ends them), and one
    that ignores SIGHUP (``nohup``) is left so."""
    sighup = getattr(signal, "SIGHUP", None)
    if sighup is None or command_of(argv) != "run":
        return
    try:
        if signal.getsignal(sighup) is signal.SIG_DFL:
            signal.signal(sighup, _remember)
    except (ValueError, OSError):  # not the main thread: nothing to hold
        pass


def came() -> bool:
    """Whether a SIGHUP came while it was held (``run`` then reads its profiles again)."""
    return _came
