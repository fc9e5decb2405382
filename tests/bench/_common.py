"""Shared by the benchmark scripts: the machine line, percentiles, child processes, tables.

The scripts import this by putting their own directory on ``sys.path`` (they are run as
``python tests/bench/X.py``, not as a package). Nothing here imports ``tcpmonitor_gui``, so
the bare-loop baseline can use it without paying for the package.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.e2e.desktop import Desktop

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_line() -> str:
    """CPU model, cores, kernel, Python and date: printed beside every result."""
    return (
        f"Machine: {cpu_model()}, {os.cpu_count()} cores, Linux {platform.release()}, "
        f"Python {platform.python_version()}, {dt.date.today().isoformat()}"
    )


def raise_nofile() -> tuple[int, int]:
    """Soft open-file limit up to the hard limit (children inherit it); returns (soft, hard)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = max(soft, 1 << 20) if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:
            print(f"note: could not raise the open-file limit: {exc}", file=sys.stderr)
    return soft, hard


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); ``math.inf`` stands for "not noticed"."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[rank - 1]


def fmt_ms(ms: float) -> str:
    if math.isnan(ms):
        return "-"
    if ms < 10:
        return f"{ms:.2f}"
    if ms < 1000:
        return f"{ms:.1f}"
    return f"{ms:,.0f}"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def lab_command(*args: str) -> list[str]:
    """``python -m tcpmonitor_gui.lab ARGS`` with this interpreter."""
    return [sys.executable, "-m", "tcpmonitor_gui.lab", *args]


def stop_process(proc: subprocess.Popen[bytes] | subprocess.Popen[str], timeout: float) -> None:
    """Close stdin, wait, then terminate and kill by pid: only the process we started."""
    if proc.stdin is not None and not proc.stdin.closed:
        with contextlib.suppress(OSError):
            proc.stdin.close()
    try:
        proc.wait(timeout)
        return
    except subprocess.TimeoutExpired:
        pass
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def flip_event(
    ts: dt.datetime,
    profile_id: str,
    name: str,
    *,
    down: bool,
    detection_ms: float,
    detail: str = "",
    address: str | None = None,
) -> Any:
    """A probe's state change: down (refused, found ``detection_ms`` after the last good
    sign) or back up (the package is imported here, for the scripts that use it)."""
    from tcpmonitor_gui.core.events import Cause, Event, Kind, State

    return Event(
        ts=ts,
        profile_id=profile_id,
        profile_name=name,
        kind=Kind.STATE,
        state=State.DOWN if down else State.UP,
        previous=State.UP if down else State.DOWN,
        cause=Cause.REFUSED if down else None,
        detector="probe",
        latency_ms=None,
        detail=detail,
        address=address,
        detection_ms=detection_ms if down else None,
    )


@contextlib.contextmanager
def private_desktop(base: Path) -> Iterator[Desktop]:
    """The end-to-end tests' desktop (Xvfb, a session bus, dunst, trayer); a missing tool
    ends the run, saying which. Imported when asked: most scripts need no desktop."""
    sys.path.insert(0, str(REPO))  # for tests.e2e
    from tests.e2e.session import start_desktop

    try:
        with start_desktop(base) as desktop:
            yield desktop
    except BaseException as exc:  # pytest's Skipped is a BaseException
        if type(exc).__name__ == "Skipped":
            sys.exit(f"cannot run: {exc}")
        raise


def best_of(runs: int, call: Callable[[], object]) -> tuple[float, object]:
    """The shortest of ``runs`` calls of ``call`` (seconds), and the last call's answer."""
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - started)
    return best, result
