"""Child processes that a test owns from start to reaping: no strays, no leaked pipes.

Every child runs in a process group of its own (``start_new_session``), so stopping it also
stops whatever it forked (dunst's scripts, a program's helpers); it also gets SIGKILL from the
kernel if the test process dies first (``PR_SET_PDEATHSIG``), so even a pytest killed by a CI
time-out leaves no X server behind. Waits are on events with deadlines, never fixed sleeps.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self, TypeVar

T = TypeVar("T")

#: How long a stopped child gets after SIGTERM before SIGKILL, and after SIGKILL to be reaped.
STOP_S = 5.0
#: Between two looks at something that has no event to wait on (a window, a D-Bus name).
POLL_S = 0.02

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent() -> None:
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def poll_until(check: Callable[[], T | None], timeout: float, what: str) -> T:
    """Call ``check`` until it returns something truthy and return that; fail at the deadline.

    For states that send no event we could wait on (a window mapped by another process, a
    bus name owned): a look every ``POLL_S``, bounded by ``timeout``.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(POLL_S)  # ok-sleep: the interval of a poll bounded by the deadline


def read_line(fd: int, timeout: float, what: str) -> str:
    """One newline-terminated line from a pipe, read as it arrives, within ``timeout``."""
    deadline = time.monotonic() + timeout
    data = b""
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while not data.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(left):
                raise AssertionError(f"{what}: no line within {timeout:g} s (got {data!r})")
            chunk = os.read(fd, 4096)
            if not chunk:
                raise AssertionError(f"{what}: closed before a full line (got {data!r})")
            data += chunk
    return data.decode().strip()


class Child:
    """A process in its own group whose stderr goes to ``log``, and its stdout too unless
    ``stdout_log`` names a file of its own or ``stdout_pipe`` lets the test read its lines.

    ``stdin_pipe`` gives it a stdin the test writes lines to (closing it is the child's cue to
    quit). ``stop`` (also on ``__exit__``) ends the group, reaps it and closes every file.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: dict[str, str],
        log: Path,
        stdout_log: Path | None = None,
        stdin_pipe: bool = False,
        stdout_pipe: bool = False,
        pass_fds: Sequence[int] = (),
        name: str | None = None,
    ) -> None:
        self.name = name or Path(argv[0]).name
        self.log = log
        self._pending = b""
        self._files: list[IO[bytes]] = [log.open("wb")]
        if stdout_log is not None:
            self._files.append(stdout_log.open("wb"))
        try:
            self.proc = subprocess.Popen(
                list(argv),
                env=env,
                stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL,
                stdout=subprocess.PIPE if stdout_pipe else self._files[-1],
                stderr=self._files[0],
                pass_fds=tuple(pass_fds),
                start_new_session=True,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 - only a prctl, no locks taken
            )
        except BaseException:
            self._close_files()
            raise

    def _close_files(self) -> None:
        for file in self._files:
            file.close()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def running(self) -> bool:
        return self.proc.poll() is None

    def log_text(self, tail: int = 4000) -> str:
        """The end of what the child wrote to stderr (and to stdout, unless kept apart)."""
        return self.log.read_text(errors="replace")[-tail:]

    def send_line(self, line: str) -> None:
        assert self.proc.stdin is not None, "started without stdin_pipe"
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def expect_line(self, wanted: str | Callable[[str], bool], timeout: float = 10.0) -> str:
        """Read stdout lines until one equals ``wanted`` (or satisfies it); return that line."""
        match = wanted if callable(wanted) else wanted.__eq__
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            line = self._next_line(deadline)
            if line is None:
                raise AssertionError(
                    f"{self.name}: no line {wanted!r} within {timeout:g} s; "
                    f"read {seen}; running: {self.running()}; log: {self.log_text()!r}"
                )
            if match(line):
                return line
            seen.append(line)

    def _next_line(self, deadline: float) -> str | None:
        """The next stdout line, or None at the deadline or the end of output."""
        assert self.proc.stdout is not None, "started without stdout_pipe"
        fd = self.proc.stdout.fileno()
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._pending:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    return None
                chunk = os.read(fd, 4096)
                if not chunk:
                    return None
                self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return line.decode(errors="replace").rstrip("\r")

    def wait(self, timeout: float) -> int:
        """Wait for the child to end by itself; fail (it keeps running) at the deadline."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.name} still running after {timeout:g} s") from None

    def stop(self, timeout: float = STOP_S) -> int:
        """End the whole group: stdin closed, then SIGTERM, SIGKILL at the deadline; reap it."""
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.close()
            # A child told to quit through its stdin gets the chance to do so cleanly.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout)
        # The leader is gone; anything it forked that ignored SIGTERM goes now.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._close_files()
        return self.proc.returncode

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
