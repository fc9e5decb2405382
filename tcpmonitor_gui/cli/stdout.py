"""The command's standard output, watched, so that ``main`` can tell what failed there.

A write to a full disk (``>/dev/full``) or to a closed stdout (``>&-``: Python then has no
``sys.stdout`` at all) raised from whichever command printed, as a traceback, or was not
noticed (``print`` to a missing stdout writes nothing). Every write goes through ``Stdout``,
which keeps the error it raised: ``main`` says it in one line, or, for a reader that has gone
(``| head``), ends quietly.
"""

from __future__ import annotations

import contextlib
import errno
import os
from typing import Any, TextIO


class Stdout:
    """``sys.stdout`` for the command's run: the same stream, its failures remembered."""

    def __init__(self, out: TextIO | None) -> None:
        self.wrapped = out
        #: The error a write or flush raised, once one did.
        self.failed: OSError | None = None

    def write(self, text: str) -> int:
        if not text:
            return 0
        try:
            if self.wrapped is None:  # started with stdout closed
                raise OSError(errno.EBADF, "standard output is closed")
            return self.wrapped.write(text)
        except OSError as exc:
            self.failed = exc
            raise

    def flush(self) -> None:
        if self.wrapped is None:  # nothing written, nothing lost
            return
        try:
            self.wrapped.flush()
        except OSError as exc:
            self.failed = exc
            raise

    def silence(self) -> None:
        """Point the file descriptor at /dev/null, so that what is still buffered is not
        written (and failed) once more at the interpreter's exit, with a message of its own."""
        if self.wrapped is not None:
            to_devnull(self.wrapped)

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, isatty...
        return getattr(self.wrapped, name)


def to_devnull(stream: TextIO) -> None:
    """Point ``stream``'s file descriptor at /dev/null (if it has one): what is buffered, and
    what is written later, goes nowhere instead of failing again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, stream.fileno())
        finally:
            os.close(null)
