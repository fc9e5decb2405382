"""The command's standard output, watched, so that ``main`` can tell what failed there.

A write to a full disk (``>/dev/full``) or to a closed stdout (``>&-``: Python then has no
``sys.stdout`` at all) raised from whichever command printed, as a traceback, or was not
noticed (``print`` to a missing stdout writes nothing). Every write goes through ``Stdout``,
which keeps the error it raised: ``main`` says it in one line, or, for a reader that has gone
(``| head``), ends quietly.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
from typing import Any, TextIO


class Stdout:
    """``sys.stdout`` for the command's run: the same stream, its failures remembered.

    A ``document`` (JSON, CSV, the HTML page, the profile file: what a script reads) is
    written in UTF-8 whatever the locale's encoding, as JSON must be between programs and as
    ``profiles import`` and the page's charset expect; text for people is in the locale's
    encoding, what it cannot show written as an escape (``\u6570``). A Latin-1 locale (or
    Windows, where a redirected stdout has the ANSI code page) wrote 'Bücher' in an export as
    a byte that import refused, and a name it could not encode was a traceback, or stopped
    everything ``run`` printed."""

    def __init__(self, out: TextIO | None, *, document: bool = False) -> None:
        self.wrapped = out
        #: The error a write or flush raised, once one did.
        self.failed: OSError | None = None
        if (reconfigure := getattr(out, "reconfigure", None)) is not None:
            utf8 = {"encoding": "utf-8"} if document else {}
            with contextlib.suppress(ValueError, LookupError):  # (a lone surrogate: \udxxx)
                reconfigure(**utf8, errors="backslashreplace")

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


def carries_document(args: argparse.Namespace) -> bool:
    """Whether what the command writes to stdout is a document that a program reads."""
    if getattr(args, "json", False) or getattr(args, "format", "text") in ("json", "csv"):
        return True
    if args.command == "report":
        return "-" in (args.csv, args.html)
    return args.command == "profiles" and args.action == "export" and args.file in (None, "-")
