"""The command's standard error, which never stops it.

stderr is only for messages. One that cannot be written (the terminal it went to was closed:
EIO; a full disk; a closed pipe) raised from whatever printed: the closed terminal's SIGHUP
made ``run`` read its profiles again and say so there, the failure ended the task that follows
the profiles, and ``run`` exited 1 on the SIGTERM after it. A failed write is now dropped, and
the descriptor pointed at /dev/null: what is still buffered, and later messages, go nowhere
instead of failing again (at the interpreter's exit too, which would make it exit 120).
"""

from __future__ import annotations

import contextlib
from typing import Any, TextIO

from .stdout import to_devnull


class Stderr:
    """``sys.stderr`` for the command's run: the same stream, whose failures are dropped."""

    def __init__(self, wrapped: TextIO | None) -> None:
        self.wrapped = wrapped
        #: The error a write or flush raised, once one did (nothing is written after it).
        self.failed: OSError | ValueError | None = None

    def write(self, text: str) -> int:
        if self.wrapped is None or self.failed is not None:
            return len(text)
        try:
            return self.wrapped.write(text)
        except (OSError, ValueError) as exc:
            self._lost(exc)
            return len(text)

    def flush(self) -> None:
        if self.wrapped is None or self.failed is not None:
            return
        try:
            self.wrapped.flush()
        except (OSError, ValueError) as exc:
            self._lost(exc)

    def _lost(self, exc: OSError | ValueError) -> None:
        self.failed = exc
        assert self.wrapped is not None
        to_devnull(self.wrapped)
        with contextlib.suppress(OSError, ValueError):
            self.wrapped.flush()  # what is buffered goes to /dev/null now

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, isatty...
        return getattr(self.wrapped, name)
