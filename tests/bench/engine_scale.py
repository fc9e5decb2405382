"""CPU and memory of the real ``tcpmonitor run --json`` beside a bare asyncio loop.

    python tests/bench/engine_scale.py [--quick] [--window S] [--markdown FILE]

Scenario A: 1,000 ``probe`` profiles, interval 1 s, timeout 2 s, against an accept-and-close
server in another process (``sink_server.py``, four ports). Scenario B: 5,000 ``watch``
profiles (the defaults: interval 5 s, keepalive 10 s + 3 x 3 s) held open by an accept-and-hold
server; a ``watch`` reports a sample every interval (alive, no latency: it times nothing
while it holds), 1,000 samples a second here.
Scenario C: the same connections with an interval of an hour, so only the cost of holding
them is measured. The baseline is ``bare_loop.py`` reading the same profiles file and doing the same
connects, printing the same JSON line per attempt (A) or per connection established (B).
For B a second baseline (``--sample-held``) also prints the one line per held connection and
interval that the engine's ``watch`` prints, so the engine's own overhead can be told from
the cost of that design.

Each program starts with a soft open-file limit of 1024 (a common default), so the engine's
own ``raise_open_file_limit`` is what gives it room for 5,000 connections. Warm-up ends when
every profile has reported (A: a sample; B: the connection is up), counted from its output;
then CPU (user + system, all threads) and RSS are sampled over a fixed window. A benchmark:
it prints PASS/MISS beside each target and always exits 0.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import HERE, machine_line, markdown_table, raise_nofile, stop_process

ENGINE = Path(sys.executable).parent / "tcpmonitor"
CHILD_NOFILE = 1024
SERVER_PORTS = 4
WARMUP_DEADLINE_S = 90.0
STOP_DEADLINE_S = 30.0
CPU_RATIO_TARGET = 1.5
RSS_TARGET_MB = 250.0
ID = re.compile(rb'"profile_id":"([^"]+)"')


@dataclasses.dataclass
class Scenario:
    key: str
    title: str
    kind: str
    count: int
    server_mode: str
    detector: dict[str, object]
    #: Which output lines mean "this profile has reported": the warm-up is over when every
    #: profile has printed one.
    warm: Callable[[bytes], bool]


@dataclasses.dataclass
class Measure:
    runner: str
    cpu_pct: float = 0.0
    rss_peak_mb: float = 0.0
    rss_end_mb: float = 0.0
    lines_per_s: float = 0.0
    samples: int = 0
    ok: int = 0
    warmup_s: float = 0.0
    window_s: float = 0.0
    server_cpu_pct: float = 0.0
    nofile_soft: int = 0
    fds_peak: int = 0
    threads: int = 0
    error: str = ""

    @property
    def ok_fraction(self) -> float:
        return self.ok / self.samples if self.samples else float("nan")


class OutputReader(threading.Thread):
    """Reads a child's stdout, counting lines, samples and ok samples; collects warm-up ids."""

    def __init__(self, stream: object, warm: Callable[[bytes], bool]) -> None:
        super().__init__(daemon=True, name="output reader")
        self.stream = stream
        self.warm = warm
        self.lock = threading.Lock()
        self.lines = self.samples = self.ok = 0
        self.ids: set[bytes] = set()
        self.warming = True

    def run(self) -> None:
        for line in self.stream:  # type: ignore[attr-defined]
            is_sample = b'"kind":"sample"' in line
            with self.lock:
                self.lines += 1
                if is_sample:
                    self.samples += 1
                    if b'"cause":null' in line:
                        self.ok += 1
            if self.warming and self.warm(line):
                m = ID.search(line)
                if m:
                    self.ids.add(m.group(1))

    def counts(self) -> tuple[int, int, int]:
        with self.lock:
            return self.lines, self.samples, self.ok


class RssSampler(threading.Thread):
    def __init__(self, proc: psutil.Process, period_s: float = 0.25) -> None:
        super().__init__(daemon=True, name="rss sampler")
        self.proc = proc
        self.period_s = period_s
        self.peak = 0
        self.fds_peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.period_s):
            try:
                self.peak = max(self.peak, self.proc.memory_info().rss)
                self.fds_peak = max(self.fds_peak, self.proc.num_fds())
            except psutil.Error:
                return


def cpu_seconds(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


def vm_hwm(pid: int) -> int:
    """The kernel's record of the process's peak RSS, in bytes (0 if unknown)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def nofile_soft(pid: int) -> int:
    try:
        soft, _hard = psutil.Process(pid).rlimit(psutil.RLIMIT_NOFILE)
        return int(soft)
    except (psutil.Error, AttributeError):
        return 0


def child_limits() -> None:
    """In the child before exec: start from a typical desktop soft limit of 1024 files."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(CHILD_NOFILE, hard), hard))


def start_server(mode: str) -> tuple[subprocess.Popen[bytes], list[int]]:
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "sink_server.py"), mode, "--ports", str(SERVER_PORTS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdout is not None
    words = proc.stdout.readline().decode().split()
    if not words or words[0] != "listening":
        stop_process(proc, 5)
        raise RuntimeError(f"sink server did not start: {words}")
    return proc, [int(w) for w in words[2:]]


def write_profiles(path: Path, scenario: Scenario, ports: list[int]) -> None:
    profiles = [
        {
            "id": f"{scenario.kind}-{i:05d}",
            "name": f"{scenario.kind} {i:05d}",
            "host": "127.0.0.1",
            "port": ports[i % len(ports)],
            "detector": scenario.detector,
        }
        for i in range(scenario.count)
    ]
    path.write_text(json.dumps({"version": 1, "profiles": profiles}))


def command(runner: str, profiles: Path, workdir: Path) -> list[str]:
    if runner == "engine":
        return [
            str(ENGINE),
            "run",
            "--json",
            "--profiles",
            str(profiles),
            "--config-dir",
            str(workdir / "config"),
            "--data-dir",
            str(workdir / "data"),
        ]
    extra = ["--sample-held"] if runner == "bare + samples" else []
    return [sys.executable, str(HERE / "bare_loop.py"), str(profiles), *extra]


def measure(
    scenario: Scenario, runner: str, workdir: Path, window_s: float, settle_s: float
) -> Measure:
    result = Measure(runner)
    server, ports = start_server(scenario.server_mode)
    server_ps = psutil.Process(server.pid)
    profiles = workdir / f"{scenario.key}-profiles.json"
    write_profiles(profiles, scenario, ports)
    stderr_path = workdir / f"{scenario.key}-{runner.replace(' ', '')}.stderr"
    with stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            command(runner, profiles, workdir),
            stdout=subprocess.PIPE,
            stderr=stderr,
            preexec_fn=child_limits,  # noqa: PLW1509 - only setrlimit, before exec
        )
    ps = psutil.Process(proc.pid)
    reader = OutputReader(proc.stdout, scenario.warm)
    reader.start()
    sampler = RssSampler(ps)
    sampler.start()
    started = time.monotonic()
    try:
        while len(reader.ids) < scenario.count:
            if proc.poll() is not None or time.monotonic() - started > WARMUP_DEADLINE_S:
                result.error = (
                    f"warm-up: {len(reader.ids)}/{scenario.count} reported "
                    f"(exit {proc.poll()}); stderr: {stderr_path.read_text()[-500:]}"
                )
                return result
            time.sleep(0.05)
        reader.warming = False
        result.warmup_s = time.monotonic() - started
        time.sleep(settle_s)
        lines0, samples0, ok0 = reader.counts()
        cpu0, server0, t0 = cpu_seconds(ps), cpu_seconds(server_ps), time.monotonic()
        time.sleep(window_s)
        cpu1, server1, t1 = cpu_seconds(ps), cpu_seconds(server_ps), time.monotonic()
        lines1, samples1, ok1 = reader.counts()
        result.window_s = t1 - t0
        result.cpu_pct = (cpu1 - cpu0) / (t1 - t0) * 100.0
        result.server_cpu_pct = (server1 - server0) / (t1 - t0) * 100.0
        result.lines_per_s = (lines1 - lines0) / (t1 - t0)
        result.samples, result.ok = samples1 - samples0, ok1 - ok0
        rss_end = ps.memory_info().rss
        result.rss_end_mb = rss_end / 2**20
        result.rss_peak_mb = max(sampler.peak, rss_end, vm_hwm(proc.pid)) / 2**20
        result.nofile_soft = nofile_soft(proc.pid)
        result.fds_peak = max(sampler.fds_peak, ps.num_fds())
        result.threads = ps.num_threads()
        if result.error == "" and stderr_path.stat().st_size:
            result.error = "stderr: " + stderr_path.read_text()[-300:].replace("\n", " | ")
    finally:
        sampler.stop.set()
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(STOP_DEADLINE_S)
            except subprocess.TimeoutExpired:
                result.error += f" did not stop within {STOP_DEADLINE_S:g} s of SIGINT"
                proc.kill()
                proc.wait()
        reader.join(5)
        stop_process(server, 5)
    return result


def is_sample(line: bytes) -> bool:
    return b'"kind":"sample"' in line


def is_up(line: bytes) -> bool:
    return b'"kind":"state"' in line and b'"state":"up"' in line


def scenarios(quick: bool) -> list[Scenario]:
    return [
        Scenario(
            "A",
            f"A: {200 if quick else 1000:,} probe profiles, 1 s interval",
            "probe",
            200 if quick else 1000,
            "close",
            {"kind": "probe", "interval_s": 1, "timeout_s": 2},
            is_sample,
        ),
        Scenario(
            "B",
            f"B: {500 if quick else 5000:,} idle watch connections, default 5 s samples",
            "watch",
            500 if quick else 5000,
            "hold",
            {"kind": "watch"},
            is_up,
        ),
        Scenario(
            "C",
            f"C: {500 if quick else 5000:,} idle watch connections, samples hourly",
            "watch",
            500 if quick else 5000,
            "hold",
            {"kind": "watch", "interval_s": 3600},
            is_up,
        ),
    ]


def pass_miss(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(results: dict[str, list[Measure]], scens: list[Scenario], elapsed_s: float) -> str:
    header = [
        "scenario",
        "runner",
        "CPU % of one core",
        "RSS peak MB",
        "RSS end MB",
        "lines/s",
        "checks ok",
        "warm-up s",
        "peer's CPU %",
    ]
    rows = []
    for s in scens:
        for m in results[s.key]:
            if m.error and not m.window_s:
                rows.append([s.title, m.runner, f"failed: {m.error}", *("-" for _ in header[3:])])
                continue
            ok = f"{m.ok_fraction:.2%}" if m.samples else "-"
            rows.append(
                [
                    s.title,
                    m.runner,
                    f"{m.cpu_pct:.1f}",
                    f"{m.rss_peak_mb:.0f}",
                    f"{m.rss_end_mb:.0f}",
                    f"{m.lines_per_s:,.0f}",
                    ok,
                    f"{m.warmup_s:.1f}",
                    f"{m.server_cpu_pct:.1f}",
                ]
            )
    verdicts = []
    for s in scens:
        by = {m.runner: m for m in results[s.key] if m.window_s}
        engine, bare = by.get("engine"), by.get("bare loop")
        # Where the engine prints a sample per interval, the fair baseline prints them too.
        silent_bare = by.get("bare loop") if "bare + samples" in by else None
        bare = by.get("bare + samples", bare)
        if engine is None or bare is None:
            verdicts.append(f"- {s.title}: no ratio (a run failed)")
            continue
        # CPU times tick at 10 ms: below 0.1 % over the window the baseline is idle.
        idle = bare.cpu_pct < 0.1
        both_idle = idle and engine.cpu_pct < 0.1
        cpu_ratio = engine.cpu_pct / bare.cpu_pct if not idle else float("inf")
        if both_idle:
            cpu_ratio = 1.0
        rss_ratio = engine.rss_peak_mb / bare.rss_peak_mb if bare.rss_peak_mb else float("inf")
        shown = f"{cpu_ratio:.2f}x" if not idle else f"n/a (bare loop idle, {bare.cpu_pct:.1f} %)"
        if both_idle:
            shown = "both idle (< 0.1 % of a core)"
        name = "bare loop printing the same samples" if silent_bare else "bare loop"
        line = (
            f"- {s.title}: engine / {name} CPU **{shown}** "
            f"(target <= {CPU_RATIO_TARGET:g}x: {pass_miss(cpu_ratio <= CPU_RATIO_TARGET)}), "
            f"peak RSS {rss_ratio:.2f}x"
        )
        if s.key == "A":
            line += (
                f"; engine peak RSS {engine.rss_peak_mb:.0f} MB (target <= {RSS_TARGET_MB:g} MB "
                f"with 1,000 profiles: {pass_miss(engine.rss_peak_mb <= RSS_TARGET_MB)})"
            )
        if silent_bare is not None:
            line += (
                f"; a bare loop that only holds the connections uses "
                f"{silent_bare.cpu_pct:.1f} % (peak RSS {silent_bare.rss_peak_mb:.0f} MB): the "
                "engine's CPU here is the samples it reports, not the holding (see C)"
            )
        verdicts.append(line)
        verdicts.append(
            f"  - engine: soft open-file limit {engine.nofile_soft:,} (raised by itself from "
            f"{CHILD_NOFILE:,}), {engine.fds_peak:,} fds at peak, {engine.threads} threads"
        )
    lines = [
        "Engine scale: `tcpmonitor run --json` beside a bare asyncio loop doing the same "
        "connects and printing the same JSON lines; CPU (user + system, all threads) over a "
        f"{_window_of(results):.0f} s window after warm-up; RSS peak (VmHWM) and at the end.",
        "",
        markdown_table(header, rows),
        "",
        *verdicts,
        f"- {machine_line()}",
        f"- Run time: {elapsed_s:.0f} s",
    ]
    return "\n".join(lines)


def _window_of(results: dict[str, list[Measure]]) -> float:
    windows = [m.window_s for ms in results.values() for m in ms if m.window_s]
    return max(windows, default=0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--window", type=float, default=None, help="seconds measured (20)")
    parser.add_argument("--only", choices=("A", "B", "C"), help="run one scenario")
    parser.add_argument("--no-sampled-baseline", action="store_true")
    parser.add_argument("--markdown", metavar="FILE", help="also write the markdown block here")
    args = parser.parse_args()
    window_s = args.window if args.window is not None else (4.0 if args.quick else 20.0)
    settle_s = 1.0 if args.quick else 2.0
    started = time.monotonic()
    soft, hard = raise_nofile()
    print(machine_line(), flush=True)
    print(f"bench open-file limit {soft}/{hard}; engine {ENGINE}", flush=True)
    if not ENGINE.exists():
        sys.exit(f"{ENGINE} not found: install the package in this venv (pip install -e .)")
    scens = [s for s in scenarios(args.quick) if args.only in (None, s.key)]
    results: dict[str, list[Measure]] = {}
    with tempfile.TemporaryDirectory(prefix="tcpmonitor-bench-") as tmp:
        for s in scens:
            runners = ["engine", "bare loop"]
            if s.key == "B" and not args.no_sampled_baseline:
                runners.append("bare + samples")
            results[s.key] = []
            for runner in runners:
                workdir = Path(tmp) / f"{s.key}-{runner.replace(' ', '')}"
                os.makedirs(workdir)
                m = measure(s, runner, workdir, window_s, settle_s)
                results[s.key].append(m)
                status = m.error or "ok"
                print(
                    f"  {s.key} {runner}: CPU {m.cpu_pct:.1f}%  RSS peak {m.rss_peak_mb:.0f} MB"
                    f"  end {m.rss_end_mb:.0f} MB  {m.lines_per_s:,.0f} lines/s  ok "
                    f"{m.ok}/{m.samples}  warm-up {m.warmup_s:.1f} s  ({status})",
                    flush=True,
                )
    text = report(results, scens, time.monotonic() - started)
    print("\n" + text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n")


if __name__ == "__main__":
    main()
