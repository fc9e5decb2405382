"""TCP Monitor beside its peers, per check: the same 1,000 connect checks a second against one
loopback listener, in interleaved rounds.

    python tests/bench/peers.py [--quick] [--rounds N] [--window S]

Contenders, each its own process, measured one after another within a round (CPU: user +
system of that process over the window; RSS at its end; checks actually done a second):

- ``tcpmonitor run --json`` with 1,000 ``probe`` profiles at 1 s;
- Prometheus's blackbox_exporter (Debian ``prometheus-blackbox-exporter``), ``tcp_connect``
  module, fed 1,000 ``/probe`` requests a second by this process over keep-alive connections
  (the feeder's CPU is not counted); "skipped" when it is not installed;
- a bare asyncio loop doing the connects, one JSON line per check (``bare_loop.py``);
- the seed article's way: one thread per connection, a blocking connect, ``time.sleep`` to the
  next second, one JSON line per check (``thread_loop.py``).

The listener is ``sink_server.py close`` (accept and close, another process). Targets (issue
#12): TCP Monitor at or below the thread-per-connection loop (1.0x) and at or below half the
exporter (0.5x). A contender that falls behind its schedule (fewer than 97 % of its checks)
is said so. A benchmark: it prints PASS/MISS and always exits 0.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import HERE, machine_line, stop_process
from engine_scale import ENGINE, OutputReader, cpu_seconds, start_server

COUNT = 1000
INTERVAL_S = 1.0
FEEDERS = 40
WARMUP_S = 3.0
THREAD_RATIO_TARGET = 1.0
EXPORTER_RATIO_TARGET = 0.5
BLACKBOX = next(
    (p for p in ("prometheus-blackbox-exporter", "blackbox_exporter") if shutil.which(p)), None
)


def profiles_file(path: Path, ports: list[int]) -> None:
    profiles = [
        {"id": f"p{i:05d}", "name": f"probe {i:05d}", "host": "127.0.0.1",
         "port": ports[i % len(ports)],
         "detector": {"kind": "probe", "interval_s": INTERVAL_S, "timeout_s": 2}}
        for i in range(COUNT)
    ]  # fmt: skip
    path.write_text(json.dumps({"version": 1, "profiles": profiles}))


class Feeder:
    """``FEEDERS`` threads with a keep-alive connection each, asking the exporter to probe
    the listener on a fixed schedule: ``COUNT`` probes a second in all."""

    def __init__(self, port: int, targets: list[str]) -> None:
        self.port, self.targets = port, targets
        self.done = self.ok = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                        for i in range(FEEDERS)]  # fmt: skip

    def start(self) -> Feeder:
        for t in self.threads:
            t.start()
        return self

    def counts(self) -> tuple[int, int]:
        with self.lock:
            return self.done, self.ok

    def _run(self, index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        per_thread = COUNT / FEEDERS
        tick = time.monotonic() + index / COUNT
        n = index
        while not self.stop.is_set():
            target = self.targets[n % len(self.targets)]
            n += FEEDERS
            try:
                conn.request("GET", f"/probe?module=tcp_connect&target={target}")
                body = conn.getresponse().read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                body = b""
            with self.lock:
                self.done += 1
                self.ok += b"probe_success 1" in body
            tick = max(tick + 1 / per_thread, time.monotonic())
            self.stop.wait(max(0.0, tick - time.monotonic()))


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_one(name: str, profiles: Path, ports: list[int], work: Path, window_s: float) -> dict:
    """Start a contender, warm it up, measure it over the window; its numbers."""
    feeder = None
    if name == "tcpmonitor":
        argv = [str(ENGINE), "run", "--json", "--profiles", str(profiles),
                "--config-dir", str(work / "config"), "--data-dir", str(work / "data")]  # fmt: skip
    elif name == "asyncio loop":
        argv = [sys.executable, str(HERE / "bare_loop.py"), str(profiles)]
    elif name == "thread per connection":
        argv = [sys.executable, str(HERE / "thread_loop.py"), str(profiles)]
    else:
        assert BLACKBOX is not None
        config = work / "blackbox.yml"
        config.write_text("modules:\n  tcp_connect:\n    prober: tcp\n    timeout: 2s\n")
        port = free_port()
        argv = [BLACKBOX, f"--config.file={config}", f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=error"]  # fmt: skip
    with (work / f"{name.replace(' ', '-')}.stderr").open("wb") as err:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err)
    ps = psutil.Process(proc.pid)
    reader = OutputReader(proc.stdout, lambda _line: False)
    reader.warming = False
    reader.start()
    try:
        if name == "blackbox_exporter":
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
                    break
                except OSError:
                    time.sleep(0.05)  # ok-sleep: waiting for its port, with a deadline
            feeder = Feeder(port, [f"127.0.0.1:{p}" for p in ports]).start()
        time.sleep(WARMUP_S)  # ok-sleep: every contender gets the same warm-up
        done0 = feeder.counts()[0] if feeder else reader.counts()[0]
        cpu0, t0 = cpu_seconds(ps), time.monotonic()
        time.sleep(window_s)  # ok-sleep: the measuring window
        cpu1, t1 = cpu_seconds(ps), time.monotonic()
        done1 = feeder.counts()[0] if feeder else reader.counts()[0]
        rss = ps.memory_info().rss / 2**20
    finally:
        if feeder is not None:
            feeder.stop.set()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        reader.join(5)
    return {
        "cpu": (cpu1 - cpu0) / (t1 - t0) * 100,
        "rss": rss,
        "checks": (done1 - done0) / (t1 - t0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one round, 5 s windows")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--window", type=float, default=10.0)
    args = parser.parse_args()
    rounds, window = (1, 5.0) if args.quick else (args.rounds, args.window)
    names = ["tcpmonitor", "asyncio loop", "thread per connection"]
    if BLACKBOX:
        names.insert(1, "blackbox_exporter")
    print(machine_line())
    print(f"{COUNT} connect checks a second against one loopback listener; {rounds} rounds, "
          f"{window:g} s windows after {WARMUP_S:g} s of warm-up")  # fmt: skip
    if not BLACKBOX:
        print("blackbox_exporter: skipped (install Debian's prometheus-blackbox-exporter)")
    server, ports = start_server("close")
    results: dict[str, list[dict]] = {n: [] for n in names}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            profiles = work / "profiles.json"
            profiles_file(profiles, ports)
            for r in range(rounds):
                order = names[r % len(names) :] + names[: r % len(names)]  # interleaved
                for name in order:
                    results[name].append(run_one(name, profiles, ports, work, window))
    finally:
        stop_process(server, 5)
    ours = statistics.median(m["cpu"] for m in results["tcpmonitor"])
    print()
    print(f"{'contender':<24}{'CPU %':>8}{'vs TCP Monitor':>16}{'checks/s':>10}{'RSS MB':>8}")
    for name in names:
        cpu = statistics.median(m["cpu"] for m in results[name])
        checks = statistics.median(m["checks"] for m in results[name])
        rss = statistics.median(m["rss"] for m in results[name])
        behind = "  (behind its schedule)" if checks < 0.97 * COUNT / INTERVAL_S else ""
        print(f"{name:<24}{cpu:>8.1f}{cpu / ours if ours else 0:>15.2f}x{checks:>10.0f}"
              f"{rss:>8.0f}{behind}")  # fmt: skip
    thread = statistics.median(m["cpu"] for m in results["thread per connection"])
    ratio = ours / thread if thread else float("inf")
    verdict = "PASS" if ratio <= THREAD_RATIO_TARGET else "MISS"
    print(f"\nTCP Monitor / thread per connection: {ratio:.2f}x "
          f"(target <= {THREAD_RATIO_TARGET:g}x): {verdict}")  # fmt: skip
    if BLACKBOX:
        exporter = statistics.median(m["cpu"] for m in results["blackbox_exporter"])
        ratio = ours / exporter if exporter else float("inf")
        verdict = "PASS" if ratio <= EXPORTER_RATIO_TARGET else "MISS"
        print(f"TCP Monitor / blackbox_exporter: {ratio:.2f}x "
              f"(target <= {EXPORTER_RATIO_TARGET:g}x): {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
