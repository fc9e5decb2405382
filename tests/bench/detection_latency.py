"""How long each failure takes to be noticed: our detectors beside two naive monitors.

    python tests/bench/detection_latency.py [--quick] [--trials N] [--cap S] [--markdown FILE]

Failures are made for real by the lab's fault proxy (a separate process) in front of a line
echo server (another process): peer RST (``reset``), peer FIN (``close``) and a hung peer
(``blackhole``: the proxy keeps the sockets open and forwards nothing, its kernel still ACKs).
Run as root with ``ip`` and ``iptables``, a fourth row drops every packet of the connection in
a private network namespace (its own loopback only): a silent drop the kernel can see.

Approaches, each with N connections at once (one proxy, all faulted by one ``set_mode``),
every connection at a random phase of its own schedule:

- ours, ``heartbeat`` (interval 1 s, timeout 1 s) and ``watch`` (keepalive idle 1 s,
  interval 1 s, count 2, TCP_USER_TIMEOUT 2 s), through the real ``MonitorSet``; the time is
  taken when the ``down`` state event is emitted;
- naive A: a thread per connection blocking in ``recv()`` with a 5 s timeout, looping on the
  timeout; ``b""`` or an exception is the drop;
- naive B: a thread per connection sending a line every 5 s, never reading; only a send
  error is noticed.

Latency = the event's ``time.monotonic()`` minus the instant the proxy says the fault took
effect (CLOCK_MONOTONIC is shared by every process on Linux). A trial not noticed within the
cap counts as not noticed; percentiles are nearest-rank over all N, so a p95 that falls on an
unnoticed trial reads "> cap". This is a benchmark: it prints, it never fails.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import dataclasses
import json
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fmt_ms, lab_command, machine_line, markdown_table, percentile

from tcpmonitor_gui.core.events import Event, Kind, State
from tcpmonitor_gui.core.monitor import MonitorSet
from tcpmonitor_gui.core.profile import Profile

APPROACHES = ("heartbeat", "watch", "naive_a", "naive_b")
TITLES = {
    "heartbeat": "ours: heartbeat (1 s / 1 s)",
    "watch": "ours: watch (keepalive 1 s + 2 x 1 s, user timeout 2 s)",
    "naive_a": "naive A: blocking recv, 5 s timeout",
    "naive_b": "naive B: send every 5 s, never read",
}
FAILURES = ("reset", "close", "blackhole")
ROWS = {
    "reset": "peer RST (proxy `reset`)",
    "close": "peer FIN (proxy `close`)",
    "blackhole": "hung peer (proxy `blackhole`)",
    "netns": "silent drop (netns + iptables DROP)",
}
NAIVE_TIMEOUT_S = 5.0
NAIVE_PERIOD_S = 5.0
SETUP_DEADLINE_S = 15.0
Fault = Callable[[], Awaitable[float]]


@dataclasses.dataclass
class Result:
    """One (failure, approach): latency per trial in ms (``inf``: not noticed within cap)."""

    latencies_ms: list[float]
    causes: dict[str, int]
    early: int = 0
    #: From asking for the fault to the instant it is stamped with: how sharp that instant is.
    fault_window_ms: float = 0.0

    @property
    def noticed(self) -> int:
        return sum(1 for x in self.latencies_ms if math.isfinite(x))

    def to_json(self) -> dict[str, object]:
        return {
            "latencies_ms": [x if math.isfinite(x) else None for x in self.latencies_ms],
            "causes": self.causes,
            "early": self.early,
            "fault_window_ms": self.fault_window_ms,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Result:
        raw = data["latencies_ms"]
        assert isinstance(raw, list)
        causes = data["causes"]
        assert isinstance(causes, dict)
        return cls(
            [math.inf if x is None else float(x) for x in raw],
            {str(k): int(v) for k, v in causes.items()},
            int(str(data.get("early", 0))),
            float(str(data.get("fault_window_ms", 0.0))),
        )


# -- Peers in other processes ----------------------------------------------------------------


class LabProcess:
    """``python -m tcpmonitor_gui.lab ...`` driven over its stdin/stdout without blocking."""

    def __init__(self, proc: asyncio.subprocess.Process, host: str, port: int) -> None:
        self.proc = proc
        self.address = (host, port)

    @classmethod
    async def start(cls, *args: str) -> LabProcess:
        proc = await asyncio.create_subprocess_exec(
            *lab_command(*args), stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), SETUP_DEADLINE_S)).decode()
        words = line.split()
        if len(words) != 3 or words[0] != "listening":
            proc.kill()
            raise RuntimeError(f"lab {args[0]} did not start: {line!r}")
        return cls(proc, words[1], int(words[2]))

    async def command(self, text: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(text.encode() + b"\n")
        await self.proc.stdin.drain()
        line = await asyncio.wait_for(self.proc.stdout.readline(), SETUP_DEADLINE_S)
        return line.decode().strip()

    async def set_mode(self, mode: str) -> float:
        """The proxy's CLOCK_MONOTONIC instant at which the fault took effect."""
        answer = await self.command(mode)
        if not answer.startswith("ok "):
            raise RuntimeError(f"proxy {mode}: {answer}")
        return float(answer.split()[1])

    async def wait_count(self, n: int, deadline_s: float = SETUP_DEADLINE_S) -> None:
        end = time.monotonic() + deadline_s
        while True:
            answer = await self.command("count")
            if int(answer.split()[1]) >= n:
                return
            if time.monotonic() > end:
                raise RuntimeError(f"proxy has {answer}, wanted {n}")
            await asyncio.sleep(0.02)

    async def close(self) -> None:
        proc = self.proc
        if proc.returncode is None and proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.write(b"quit\n")
                proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 5)
        except TimeoutError:
            proc.kill()
            await proc.wait()


# -- Our detectors ---------------------------------------------------------------------------


def make_profile(approach: str, i: int, address: tuple[str, int]) -> Profile:
    if approach == "heartbeat":
        detector: dict[str, object] = {
            "kind": "heartbeat",
            "interval_s": 1,
            "timeout_s": 1,
            "preset": "echo",
        }
    else:
        detector = {
            "kind": "watch",
            "keepalive": {"idle_s": 1, "interval_s": 1, "count": 2},
            "user_timeout_s": 2,
        }
    host, port = address
    return Profile.from_dict(
        {
            "id": f"{approach}-{i}",
            "name": f"{approach} {i}",
            "host": host,
            "port": port,
            "detector": detector,
        }
    )


async def wait_for(predicate: Callable[[], bool], deadline_s: float, what: str) -> None:
    end = time.monotonic() + deadline_s
    while not predicate():
        if time.monotonic() > end:
            raise RuntimeError(f"setup: {what} not reached within {deadline_s:g} s")
        await asyncio.sleep(0.01)


async def run_ours(
    approach: str,
    *,
    address: tuple[str, int],
    fault: Fault,
    ready: Callable[[], Awaitable[None]] | None,
    n: int,
    cap_s: float,
) -> Result:
    ups: set[str] = set()
    downs: dict[str, tuple[float, str]] = {}
    armed = False
    early = 0
    all_down = asyncio.Event()

    def emit(event: Event) -> None:
        nonlocal early
        now = time.monotonic()
        if event.kind is not Kind.STATE:
            return
        if event.state is State.UP:
            ups.add(event.profile_id)
        elif event.state is State.DOWN:
            if not armed:
                early += 1
            elif event.profile_id not in downs:
                downs[event.profile_id] = (now, str(event.cause))
                if len(downs) == n:
                    all_down.set()

    monitors = MonitorSet(emit)
    profiles = [make_profile(approach, i, address) for i in range(n)]
    try:
        for profile in profiles:
            monitors.add(profile)  # staggered start: a random phase for each trial
        await wait_for(lambda: len(ups) == n, SETUP_DEADLINE_S, f"{n} {approach} monitors up")
        if ready is not None:
            await ready()
        armed = True
        asked_at = time.monotonic()
        fault_at = await fault()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_down.wait(), max(0.0, fault_at + cap_s - time.monotonic()))
    finally:
        await monitors.close()
    latencies = []
    for p in profiles:
        seen = downs.get(p.id)
        ok = seen is not None and seen[0] - fault_at <= cap_s
        latencies.append((seen[0] - fault_at) * 1000.0 if ok and seen else math.inf)
    causes = collections.Counter(cause for _, cause in downs.values())
    return Result(latencies, dict(causes), early, (fault_at - asked_at) * 1000.0)


# -- Naive monitors --------------------------------------------------------------------------


class NaiveMonitor(threading.Thread):
    """One connection watched the way a quick script would, on its own thread."""

    def __init__(
        self, kind: str, address: tuple[str, int], stop: threading.Event, phase_s: float
    ) -> None:
        super().__init__(daemon=True, name=f"{kind} {address}")
        self.kind = kind
        self.address = address
        self.stop = stop
        self.phase_s = phase_s
        self.connected = threading.Event()
        self.sock: socket.socket | None = None
        self.noticed_at: float | None = None
        self.why = ""
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.sock = socket.create_connection(self.address, timeout=NAIVE_TIMEOUT_S)
        except OSError as exc:
            self.error = exc
            return
        finally:
            self.connected.set()
        if self.kind == "naive_a":
            self._recv_loop(self.sock)
        else:
            self._send_loop(self.sock)

    def _recv_loop(self, sock: socket.socket) -> None:
        # The first timeout ends at a random point of the 5 s cycle: a random phase.
        sock.settimeout(self.phase_s)
        while not self.stop.is_set():
            try:
                data = sock.recv(4096)
            except TimeoutError:
                sock.settimeout(NAIVE_TIMEOUT_S)
                continue  # what naive code does: nothing came, so all must be well
            except OSError as exc:
                self._noticed(type(exc).__name__)
                return
            if not data:
                self._noticed("EOF")
                return

    def _send_loop(self, sock: socket.socket) -> None:
        delay = self.phase_s
        while not self.stop.wait(delay):
            try:
                sock.sendall(b"naive ping\n")
            except OSError as exc:
                self._noticed(type(exc).__name__)
                return
            delay = NAIVE_PERIOD_S

    def _noticed(self, why: str) -> None:
        if not self.stop.is_set():
            self.noticed_at = time.monotonic()
            self.why = why

    def shut(self) -> None:
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes a recv() blocked in this thread


async def run_naive(
    kind: str,
    *,
    address: tuple[str, int],
    fault: Fault,
    ready: Callable[[], Awaitable[None]] | None,
    n: int,
    cap_s: float,
) -> Result:
    stop = threading.Event()
    period = NAIVE_TIMEOUT_S if kind == "naive_a" else NAIVE_PERIOD_S
    threads = [NaiveMonitor(kind, address, stop, random.uniform(0.01, period)) for _ in range(n)]
    for t in threads:
        t.start()
    try:
        await wait_for(
            lambda: all(t.connected.is_set() for t in threads), SETUP_DEADLINE_S, "connected"
        )
        errors = [t.error for t in threads if t.error is not None]
        if errors:
            raise RuntimeError(f"{kind}: {len(errors)} connects failed: {errors[0]!r}")
        if ready is not None:
            await ready()
        armed_at = time.monotonic()
        early = sum(1 for t in threads if t.noticed_at is not None)
        fault_at = await fault()
        window_ms = (fault_at - armed_at) * 1000.0
        end = fault_at + cap_s
        while time.monotonic() < end and not all(
            t.noticed_at is not None or not t.is_alive() for t in threads
        ):
            await asyncio.sleep(0.01)
    finally:
        stop.set()
        for t in threads:
            t.shut()
        for t in threads:
            t.join(2)
            if t.sock is not None:
                t.sock.close()
    latencies = []
    causes: collections.Counter[str] = collections.Counter()
    for t in threads:
        at = t.noticed_at
        if at is not None and at >= armed_at and at - fault_at <= cap_s:
            latencies.append((at - fault_at) * 1000.0)
            causes[t.why] += 1
        else:
            latencies.append(math.inf)
    return Result(latencies, dict(causes), early, window_ms)


async def run_approach(
    approach: str,
    *,
    address: tuple[str, int],
    fault: Fault,
    ready: Callable[[], Awaitable[None]] | None,
    n: int,
    cap_s: float,
) -> Result:
    runner = run_ours if approach in ("heartbeat", "watch") else run_naive
    return await runner(approach, address=address, fault=fault, ready=ready, n=n, cap_s=cap_s)


# -- Silent drop in a network namespace -------------------------------------------------------


def netns_unavailable() -> str | None:
    """Why the silent-drop row cannot run here, or None."""
    if not sys.platform.startswith("linux"):
        return "not Linux"
    if os.geteuid() != 0:
        return "needs root (network namespace and iptables)"
    for tool in ("ip", "iptables"):
        if shutil.which(tool) is None:
            return f"`{tool}` not found"
    return None


async def netns_child(n: int, cap_s: float) -> None:
    """Inside the namespace: every approach against its own echo server, then a DROP rule.

    Only this namespace's loopback is used; the rule matches the server's port both ways,
    so neither side hears from the other again and neither kernel says so.
    """
    results: dict[str, object] = {}
    spreads: list[float] = []
    for approach in APPROACHES:
        server = await LabProcess.start("serve", "echo")
        port = server.address[1]

        async def drop(port: int = port) -> float:
            before = time.monotonic()
            proc = await asyncio.create_subprocess_exec(
                "iptables", "-I", "INPUT", "-i", "lo", "-p", "tcp",
                "-m", "multiport", "--ports", str(port), "-j", "DROP",
            )  # fmt: skip
            if await proc.wait() != 0:
                raise RuntimeError("iptables failed")
            after = time.monotonic()
            spreads.append((after - before) * 1000.0)
            return after

        try:
            result = await run_approach(
                approach, address=server.address, fault=drop, ready=None, n=n, cap_s=cap_s
            )
        finally:
            await server.close()
        results[approach] = result.to_json()
        print(f"  netns {approach}: {summary(result, cap_s)}", file=sys.stderr, flush=True)
    results["iptables_ms"] = max(spreads, default=0.0)
    print(json.dumps(results), flush=True)


async def run_netns_row(n: int, cap_s: float) -> tuple[dict[str, Result], str]:
    """Results per approach, and a note; empty results with the reason when skipped."""
    reason = netns_unavailable()
    if reason is not None:
        return {}, f"skipped: {reason}"
    name = f"tcpmb-{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True, check=False)
    if made.returncode != 0:
        return {}, f"skipped: `ip netns add` failed: {made.stderr.strip()}"
    try:
        subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True)
        proc = await asyncio.create_subprocess_exec(
            "ip", "netns", "exec", name, sys.executable, __file__,
            "--netns-child", "--trials", str(n), "--cap", str(cap_s),
            stdout=subprocess.PIPE,
        )  # fmt: skip
        out, _ = await proc.communicate()
        if proc.returncode != 0:
            return {}, f"skipped: the namespace run failed (exit {proc.returncode})"
        data = json.loads(out.decode().strip().splitlines()[-1])
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)
    spread = float(data.pop("iptables_ms"))
    results = {k: Result.from_json(v) for k, v in data.items()}
    note = (
        "a private namespace, its loopback only; the fault instant is when `iptables -I` "
        f"returned (the rule is in place by then; the command took at most {spread:.0f} ms)"
    )
    return results, note


# -- Report ----------------------------------------------------------------------------------


def summary(result: Result, cap_s: float) -> str:
    n, total = result.noticed, len(result.latencies_ms)
    if n == 0:
        return f"not noticed within {cap_s:g} s (0/{total})"
    med = percentile(result.latencies_ms, 50)
    p95 = percentile(result.latencies_ms, 95)

    def show(ms: float) -> str:
        return fmt_ms(ms) if math.isfinite(ms) else f"> {cap_s * 1000:,.0f}"

    return f"{show(med)} / {show(p95)} ms ({n}/{total} noticed)"


def cell(failure: str, approach: str, result: Result | None, cap_s: float) -> str:
    if result is None:
        return "-"
    text = summary(result, cap_s)
    if result.noticed == 0 and approach == "watch" and failure == "blackhole":
        text = (
            f"not noticed within {cap_s:g} s (0/{len(result.latencies_ms)}; hung peer: "
            "its kernel still ACKs, by design only a heartbeat sees it)"
        )
    return text


#: Below this, two medians are the same for this bench: one proxy faults N connections in a
#: burst and stamps the instant after the last packet left.
RESOLUTION_MS = 5.0


def ratio_text(results: dict[str, Result]) -> str:
    """The best naive median over the best of ours: how many times later naive code notices."""
    ours = [percentile(results[a].latencies_ms, 50) for a in ("heartbeat", "watch") if a in results]
    naive = [
        percentile(results[a].latencies_ms, 50) for a in ("naive_a", "naive_b") if a in results
    ]
    if not ours or not naive:
        return "-"
    best_ours, best_naive = min(ours), min(naive)
    if not math.isfinite(best_ours):
        return "neither noticed" if not math.isfinite(best_naive) else "naive only"
    if not math.isfinite(best_naive):
        return "naive never noticed"
    if max(best_ours, best_naive) < RESOLUTION_MS:
        return f"same (both < {RESOLUTION_MS:g} ms)"
    return f"{best_naive / max(best_ours, 1e-3):,.1f}x"


def report(
    table: dict[str, dict[str, Result]],
    notes: dict[str, str],
    n: int,
    cap_s: float,
    elapsed_s: float,
) -> str:
    header = ["failure", *(TITLES[a] for a in APPROACHES), "best naive / best ours (median)"]
    rows = []
    for failure in (*FAILURES, "netns"):
        results = table.get(failure, {})
        if not results:
            why = notes.get(failure, "skipped")
            rows.append([ROWS[failure], why, *("-" for _ in APPROACHES[1:]), "-"])
            continue
        cells = [cell(failure, a, results.get(a), cap_s) for a in APPROACHES]
        rows.append([ROWS[failure], *cells, ratio_text(results)])
    windows = [r.fault_window_ms for f in FAILURES for r in table.get(f, {}).values()]
    lines = [
        f"Detection latency: {n} concurrent trials per cell, each at a random phase of its "
        f"schedule; median / p95 (nearest rank) in ms from the fault to the drop being "
        f"noticed; a trial not noticed within {cap_s:g} s counts as not noticed.",
        "",
        markdown_table(header, rows),
        "",
        "- Proxy rows: the proxy (its own process) stamps the fault after the last of its "
        f"{n} RSTs/FINs has left, so code that wakes at once can read a little below zero; "
        "from asking for the fault to that stamp took "
        f"{fmt_ms(percentile(windows, 50))} ms median, {fmt_ms(max(windows, default=math.nan))}"
        " ms at most.",
    ]
    if "netns" in notes:
        lines.append(f"- {ROWS['netns']}: {notes['netns']}")
    lines.append(f"- {machine_line()}")
    lines.append(f"- Run time: {elapsed_s:.0f} s")
    return "\n".join(lines)


def causes_text(table: dict[str, dict[str, Result]]) -> str:
    out = []
    for failure, results in table.items():
        for approach, r in results.items():
            causes = ", ".join(f"{k} x{v}" for k, v in sorted(r.causes.items())) or "none"
            early = f"; {r.early} noticed BEFORE the fault (setup trouble)" if r.early else ""
            out.append(f"  {failure:9} {approach:9} causes: {causes}{early}")
    return "\n".join(out)


async def main_async(args: argparse.Namespace) -> None:
    started = time.monotonic()
    n, cap_s = args.trials, args.cap
    if args.netns_child:
        await netns_child(n, cap_s)
        return
    print(machine_line(), flush=True)
    table: dict[str, dict[str, Result]] = {}
    notes: dict[str, str] = {}
    echo = await LabProcess.start("serve", "echo")
    try:
        for failure in FAILURES:
            table[failure] = {}
            for approach in APPROACHES:
                proxy = await LabProcess.start(
                    "proxy", "--upstream", f"{echo.address[0]}:{echo.address[1]}"
                )

                async def fault(proxy: LabProcess = proxy, failure: str = failure) -> float:
                    return await proxy.set_mode(failure)

                async def ready(proxy: LabProcess = proxy) -> None:
                    await proxy.wait_count(n)

                try:
                    result = await run_approach(
                        approach,
                        address=proxy.address,
                        fault=fault,
                        ready=ready,
                        n=n,
                        cap_s=cap_s,
                    )
                finally:
                    await proxy.close()
                table[failure][approach] = result
                print(f"  {failure} {approach}: {summary(result, cap_s)}", flush=True)
    finally:
        await echo.close()
    if args.no_netns:
        notes["netns"] = "skipped: --no-netns"
    else:
        results, note = await run_netns_row(n, cap_s)
        notes["netns"] = note
        if results:
            table["netns"] = results
        else:
            print(f"  silent drop row {note}", flush=True)
    print("\nCauses reported (a sanity check):")
    print(causes_text(table))
    text = report(table, notes, n, cap_s, time.monotonic() - started)
    print("\n" + text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--trials", type=int, default=None, help="trials per cell (25)")
    parser.add_argument("--cap", type=float, default=None, help="seconds per trial (15)")
    parser.add_argument("--seed", type=int, default=None, help="seed the random phases")
    parser.add_argument("--no-netns", action="store_true", help="skip the silent-drop row")
    parser.add_argument("--markdown", metavar="FILE", help="also write the markdown block here")
    parser.add_argument("--netns-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.trials is None:
        args.trials = 5 if args.quick else 25
    if args.cap is None:
        args.cap = 3.0 if args.quick else 15.0
    if args.seed is not None:
        random.seed(args.seed)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
