"""``tcpmonitor run``'s standard output, written by a thread of its own.

Whoever reads our output may stop reading (a paused pager, a stalled pipeline, a closed
terminal); a write to a full pipe blocks, and on the monitoring loop it would stop detection
itself — a drop recorded seconds late while its ``detection_ms`` claimed milliseconds. So the
loop only puts lines in a bounded queue, and this thread writes them:

- samples wait in at most ``MAX_LINES`` lines; past that they are dropped, state changes are
  kept (up to ``MAX_STATE_LINES``), and stderr says how many lines were dropped once the
  reader takes lines again;
- a state change is printed only once the event log has stored it (a state change printed
  is a state change stored, even if the process is killed the next moment), unless the log
  reports that it cannot write;
- a reader that still does not read when the run ends is waited for 5 s; then stderr says how
  many lines it did not get, and how many of those were changes (which the event log has):
  the run exited 0 and said nothing, its last changes never printed (``close``);
- a reader that has gone for good (a broken pipe: ``run --json | head``) ends the run, as a
  pipeline expects, with a line on stderr and exit 141 (``errors.EXIT_READER_GONE``: exit 0
  told a supervisor or a script that it had stopped as asked); an output that cannot be
  written at all (stdout closed) is said once on stderr and monitoring goes on, into the
  event log;
- an output on a disk that is full (``run --json >> events.jsonl``) is written again once
  there is room: the lines that did not fit are dropped and counted (stderr says how many
  once it works again), and a line cut by the full disk is finished first, so that every
  line stays whole. It was given up for good: the file had nothing more, drops included,
  until the run was started again.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import logging
import os
import select
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

log = logging.getLogger(__name__)

MAX_LINES = 10_000
MAX_STATE_LINES = 100_000
#: How long a state line waits for the event log to store it before it is printed anyway.
STORED_WITHIN_S = 5.0
#: Lines are gathered this long after the first of a batch, then written together.
GATHER_S = 0.01

#: ``(text, ticket)``: the ticket is the event log's (``EventLog.submit``), None for samples.
Line = tuple[str, int | None]

#: Write errors that pass (the disk has room again): the output is written again after them.
PASSING = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


class Output:
    def __init__(
        self,
        out: TextIO | None,
        *,
        stored: Callable[[int, float], bool] | None = None,
        reader_gone: Callable[[], object] = lambda: None,
    ) -> None:
        """``stored(ticket, timeout)`` waits until the event log holds a state change;
        ``reader_gone()`` is called (from this thread) once a broken pipe ends the output."""
        self._out = out
        self._stored = stored
        self._reader_gone = reader_gone
        self._cond = threading.Condition()
        self._lines: collections.deque[Line] = collections.deque()
        self._notes: list[str] = []  # for stderr (``note``)
        self._dropped = 0
        self._told = 0  # of those, how many stderr has said
        #: The lines being written, and the count of whole lines written before them.
        self._batch: list[Line] = []
        self._batch_from = 0
        self._closing = False
        self._dead = False
        self._raw = RawOutput.of(out)
        #: Whether a broken pipe ended the output (its reader went for good).
        self.reader_gone = False
        self._thread = threading.Thread(target=self._run, name="tcpmonitor-stdout", daemon=True)
        self._thread.start()

    @property
    def dropped(self) -> int:
        with self._cond:
            return self._dropped

    def put(self, text: str, ticket: int | None = None) -> None:
        """Queue one line (``ticket``: a state change's, to print once stored); never blocks."""
        with self._cond:
            if self._dead or self._closing:
                return
            limit = MAX_LINES if ticket is None else MAX_STATE_LINES
            if len(self._lines) >= limit:
                self._dropped += 1
                return
            self._lines.append((text, ticket))
            if len(self._lines) == 1:
                self._cond.notify()

    def note(self, text: str) -> None:
        """A line for stderr, written by this thread after the lines queued before it: a
        reader of both that stops reading (``run 2>&1 | sleep``) must not stop the loop.
        Once stdout could not be written (this thread has ended), it is written at once."""
        with self._cond:
            if self._closing:
                return
            if not self._dead:
                self._notes.append(text)
                self._cond.notify()
                return
        _say(text)

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (within ``timeout``) and stop the thread; what a reader that
        did not read meanwhile never got is said on stderr."""
        with self._cond:
            self._closing = True
            self._cond.notify()
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._say_unwritten()

    def _say_unwritten(self) -> None:
        with self._cond:
            self._dead = True  # (the thread, if it ever writes again, writes no more)
            queued, dropped = list(self._lines), self._dropped - self._told
            batch = self._batch
        written = self._raw.lines - self._batch_from if self._raw is not None else 0
        left = batch[max(0, written) :] + queued  # a line cut short is not written
        changes = sum(1 for _text, ticket in left if ticket is not None)
        before = f"; {dropped} more were dropped before, while it did not read" if dropped else ""
        _say_at_once(
            f"{len(left)} lines of output were not written: the reader of stdout was not reading"
            f" when the run ended ({changes} of them changes, which the event log has){before}"
        )

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._lines or self._notes or self._closing)
                if not self._lines and not self._notes:
                    return
            # Lines come a thousand a second on a busy run: gathered for a moment, they are
            # written in one go, and the loop's ``put`` wakes this thread once per batch
            # instead of once per line (a tenth of the run's CPU went to that hand-over).
            if not self._closing:
                time.sleep(GATHER_S)  # ok-sleep: a batching delay, not a wait for an event
            with self._cond:
                batch = list(self._lines)
                self._lines.clear()
                notes, self._notes = self._notes, []
                dropped = self._dropped
                self._batch = batch
                self._batch_from = self._raw.lines if self._raw is not None else 0
            tickets = [ticket for _text, ticket in batch if ticket is not None]
            if tickets and self._stored is not None:  # the batch's state changes are stored
                self._stored(max(tickets), STORED_WITHIN_S)
            written = not batch or self._write("".join(text + "\n" for text, _ in batch))
            with self._cond:
                self._batch = []
            for note in notes:
                _say(note)
            if not written:
                return
            if dropped > self._told and not self._lines:  # the reader caught up: say it now
                print(
                    f"tcpmonitor: {dropped - self._told} lines of output were dropped while the "
                    "reader of stdout did not read (the event log has every state change)",
                    file=sys.stderr,
                    flush=True,
                )
                self._told = dropped

    def _write(self, data: str) -> bool:
        try:
            if self._raw is not None:
                self._raw.write(data)
                return True
            if self._out is None:  # started with stdout closed: Python has none to give
                raise OSError(9, "standard output is closed")
            self._out.write(data)
            self._out.flush()
        except BrokenPipeError:  # the reader is gone for good: end the run
            self._give_up()
            self.reader_gone = True
            self._reader_gone()
            return False
        except (OSError, ValueError) as exc:  # stdout closed or unusable: monitoring goes on
            self._give_up()
            why = getattr(exc, "strerror", None) or str(exc)
            print(
                f"tcpmonitor: standard output cannot be written ({why}); monitoring goes on "
                "and events go to the event log",
                file=sys.stderr,
                flush=True,
            )
            return False
        return True

    def _give_up(self) -> None:
        with self._cond:
            self._dead = True
            self._lines.clear()
            notes, self._notes = self._notes, []
        for note in notes:
            _say(note)


class RawOutput:
    """Standard output's file descriptor, written directly: after a write that failed, a
    text stream's buffer holds bytes that may or may not go out later, half a line among
    them; here what was written is known to the byte."""

    def __init__(self, fd: int, encoding: str, errors: str) -> None:
        self._fd = fd
        self._encoding = encoding
        self._errors = errors
        self._rest = b""  # the end of the line a failed write cut, written first
        self._mid_line = False  # the output ends inside a line
        self._failing: str | None = None  # why writes fail for now
        self._lost = 0  # lines not written meanwhile
        #: Whole lines written so far (read by another thread while a write blocks).
        self.lines = 0

    @classmethod
    def of(cls, out: TextIO | None) -> RawOutput | None:
        """For ``out``, if it has a descriptor (on POSIX: Windows' text mode ends lines in
        CR LF); None where the stream is to be written as it is."""
        if out is None or os.name != "posix":
            return None
        try:
            out.flush()
            fd = out.fileno()
        except (OSError, ValueError, AttributeError):
            return None
        return cls(
            fd, getattr(out, "encoding", None) or "utf-8", getattr(out, "errors", None) or "strict"
        )

    def write(self, text: str) -> None:
        """Write ``text`` (whole lines), or raise the error that stops the output for good;
        an error that passes (``PASSING``) drops what could not be written, counted."""
        pending = self._rest + text.encode(self._encoding, self._errors)
        try:
            while pending:
                n = os.write(self._fd, pending)
                if n <= 0:  # (a file system that takes nothing, and says nothing)
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                self._mid_line = pending[n - 1 : n] != b"\n"
                self.lines += pending.count(b"\n", 0, n)
                pending = pending[n:]
        except OSError as exc:
            if exc.errno not in PASSING:
                raise
            cut = pending.find(b"\n") + 1 if self._mid_line else 0
            self._rest = pending[:cut]
            self._lost += pending[cut:].count(b"\n")
            if self._failing is None:
                self._failing = exc.strerror or str(exc)
                _say(
                    f"standard output cannot be written ({self._failing}); monitoring goes "
                    "on, and the output goes on once it can be written"
                )
            return
        self._rest = b""
        if self._failing is not None:
            _say(
                f"standard output is written again; {self._lost} lines were not written while"
                f" it could not be ({self._failing}; the event log has every state change)"
            )
            self._failing, self._lost = None, 0


def _say(message: str) -> None:
    print(f"tcpmonitor: {message}", file=sys.stderr, flush=True)


def _say_at_once(message: str) -> None:
    """``_say``, unless stderr is a pipe with no room (``run 2>&1 | sleep``: the reader that
    stopped reading stdout reads stderr too), where the run's end would wait for it for good."""
    with contextlib.suppress(AttributeError, OSError, ValueError):  # no descriptor: said
        if not select.select([], [sys.stderr.fileno()], [], 0)[1]:
            return
    _say(message)
