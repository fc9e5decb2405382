"""Running the installed ``tcpmonitor`` command the way a script or a shell would.

The CLI tests run the console script that the package installs next to the interpreter, not
``main()`` in-process: what they pin down is what a caller sees (exit code, stdout, stderr,
the files left behind), including flushing, signals and the script entry point itself.
A long-running command's stdout is read line by line with a deadline, never by sleeping.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

TCPMONITOR = Path(sys.executable).parent / "tcpmonitor"

#: How long a test waits for a line it expects, or for the command to end. Generous: the
#: lines normally come within milliseconds, and a deadline is not a measurement.
DEADLINE_S = 10.0


@dataclasses.dataclass(frozen=True)
class Home:
    """The config and data dirs of one test; the command creates them, if anything does."""

    config: Path
    data: Path

    @property
    def options(self) -> list[str]:
        return ["--config-dir", str(self.config), "--data-dir", str(self.data)]

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "TCPMONITOR_CONFIG_DIR": str(self.config),
            "TCPMONITOR_DATA_DIR": str(self.data),
        }


def command(home: Home, args: tuple[str, ...], flags: bool) -> list[str]:
    """The argv: the dirs go after the subcommand, where every subcommand takes them."""
    return [str(TCPMONITOR), *args, *(home.options if flags else [])]


def tcpmonitor(
    home: Home, *args: str, flags: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run to completion. The dirs are passed as options (unless ``flags`` is false) and
    always as environment variables (``env`` replaces those)."""
    return subprocess.run(
        command(home, args, flags),
        env=home.env if env is None else env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


class Running:
    """A ``tcpmonitor`` that runs while the test reads its stdout lines with deadlines.

    Two threads drain stdout and stderr, so the child never blocks on a full pipe; ``close``
    (also on ``__exit__``) kills a child that is still running, reaps it and closes the pipes,
    so that no test leaks a process or a file.
    """

    def __init__(
        self,
        home: Home,
        *args: str,
        flags: bool = True,
        open_files: tuple[int, int] | None = None,
        stderr: int = subprocess.PIPE,
        slept: Path | None = None,
        prelude: str = "",
        env: dict[str, str] | None = None,
    ) -> None:
        """``open_files``: the child's soft and hard open-file limits (``ulimit -n``);
        ``stderr``: a file descriptor of the test's instead of a pipe read here; ``slept``:
        a file whose number the child's clocks read as its time asleep (``SLEPT_CLOCK``),
        and ``prelude`` code the child runs first (with ``slept`` only); ``env``: added to
        the dirs' environment."""
        argv = command(home, args, flags)
        if open_files is not None:  # as `prlimit --nofile=SOFT:HARD COMMAND` runs it
            argv = [sys.executable, "-c", LIMIT_FILES, *map(str, open_files), *argv]
        if slept is not None:
            argv = [sys.executable, "-c", SLEPT_CLOCK, str(slept), prelude, *argv]
        self._proc = subprocess.Popen(
            argv,
            env={**home.env, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
        )
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._stderr: list[str] = []
        self._stderr_seen = threading.Condition()
        self._eof = False
        #: Every stdout line read so far, without its newline.
        self.lines: list[str] = []
        self._threads = [
            threading.Thread(target=self._pump_stdout, name="cli-stdout", daemon=True),
        ]
        if self._proc.stderr is not None:
            self._threads.append(
                threading.Thread(target=self._pump_stderr, name="cli-stderr", daemon=True)
            )
        for thread in self._threads:
            thread.start()

    def _pump_stdout(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self._queue.put(line.removesuffix("\n"))
        self._queue.put(None)

    def _pump_stderr(self) -> None:
        assert self._proc.stderr is not None
        for line in self._proc.stderr:
            with self._stderr_seen:
                self._stderr.append(line)
                self._stderr_seen.notify_all()

    def wait_stderr(self, match: Callable[[str], bool], timeout: float = DEADLINE_S) -> str:
        """The first stderr line that matches, waiting for it until the deadline."""

        def found() -> str | None:
            return next((line for line in self._stderr if match(line)), None)

        with self._stderr_seen:
            if not self._stderr_seen.wait_for(lambda: found() is not None, timeout):
                raise AssertionError(f"no such stderr line in time; stderr: {self.stderr!r}")
            line = found()
        assert line is not None
        return line.removesuffix("\n")

    @property
    def stderr(self) -> str:
        """What the child wrote to stderr; complete once ``wait`` has returned."""
        return "".join(self._stderr)

    def read_until(self, match: Callable[[str], bool], timeout: float = DEADLINE_S) -> str:
        """Read stdout lines until one matches and return it; fail at the deadline or EOF."""
        deadline = time.monotonic() + timeout
        while True:
            line = self._next(deadline)
            if line is None:
                code = self._proc.wait(DEADLINE_S)
                raise AssertionError(
                    f"tcpmonitor ended (exit {code}) before the expected line; "
                    f"last lines: {self.lines[-10:]}; stderr: {self.stderr!r}"
                )
            self.lines.append(line)
            if match(line):
                return line

    def _next(self, deadline: float) -> str | None:
        if self._eof:
            return None
        try:
            line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(
                f"no expected line within the deadline; last lines: {self.lines[-10:]}; "
                f"{self._threads_now()}"
            ) from None
        self._eof = line is None
        return line

    def _threads_now(self) -> str:
        """What the child's tasks and threads are doing (``run`` prints them on SIGUSR2 and
        SIGUSR1), and its stderr:
        for a failure message, when an expected line does not come."""
        if self._proc.poll() is not None:
            return f"exited {self._proc.returncode}; stderr: {self.stderr!r}"
        self._proc.send_signal(signal.SIGUSR2)  # ``run``'s tasks, if its loop answers
        with contextlib.suppress(AssertionError):
            self.wait_stderr(lambda line: "end of tasks" in line, 5.0)
        self._proc.send_signal(signal.SIGUSR1)
        with contextlib.suppress(AssertionError):
            self.wait_stderr(lambda line: "most recent call first" in line, 5.0)
        # Ended, so that its stderr is complete: gently if its loop still answers.
        self._proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(5.0)
        self._proc.kill()
        self._proc.wait()
        self._join()
        return f"stderr: {self.stderr!r}"

    @property
    def pid(self) -> int:
        return self._proc.pid

    def send_signal(self, sig: signal.Signals) -> None:
        self._proc.send_signal(sig)

    def wait(self, timeout: float = DEADLINE_S) -> int:
        """Wait for the exit (failing at the deadline) and read the rest of the output."""
        code = self._proc.wait(timeout)
        self._join()
        while (line := self._next(time.monotonic() + timeout)) is not None:
            self.lines.append(line)
        return code

    def _join(self) -> None:
        for thread in self._threads:
            thread.join(DEADLINE_S)
            assert not thread.is_alive(), f"{thread.name} still reading after the exit"

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait(DEADLINE_S)
        self._join()
        for pipe in (self._proc.stdout, self._proc.stderr):
            if pipe is not None:
                pipe.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


#: The command in a process of its own that says its peak resident memory (VmHWM, KiB) last on
#: stderr: since exec, unlike the rusage a parent sees, which counts the parent's own pages.
PEAK = """import sys
from tcpmonitor_gui.cli.main import main
try:
    code = main(sys.argv[1:])
finally:
    with open("/proc/self/status") as status:
        print([line for line in status if line.startswith("VmHWM")][0].split()[1], file=sys.stderr)
sys.exit(code)
"""


def peak_rss_kb(home: Home, *args: str) -> int:
    result = subprocess.run(
        [sys.executable, "-c", PEAK, *args, *home.options],
        env=home.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return int(result.stderr.split()[-1])


#: Runs ``argv[3:]`` with the open-file limits ``argv[1]`` (soft) and ``argv[2]`` (hard).
#: Runs the command with ``power.slept_s`` (``CLOCK_BOOTTIME - CLOCK_MONOTONIC``) read from
#: the file named first: a test makes the computer "sleep" by writing a larger number there.
#: The code given second runs next.
SLEPT_CLOCK = """import pathlib, runpy, sys
import tcpmonitor_gui.core.power as power
clock = pathlib.Path(sys.argv[1])
power.slept_s = lambda: float(clock.read_text())
exec(sys.argv[2])
sys.argv = sys.argv[3:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""

LIMIT_FILES = """import os, resource, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (int(sys.argv[1]), int(sys.argv[2])))
os.execv(sys.argv[3], sys.argv[3:])
"""
