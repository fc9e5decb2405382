"""What a flooding peer costs the engine, beside the same connections to quiet peers.

    python tests/bench/flood.py [--quick] [--rounds N] [--window S]

Issue #12, item 3: a ``watch`` whose peer sends as fast as it can once cost 63 % of a core,
and ten cost 97 %; the detector now stops reading past a bound and lets TCP's flow control
hold the peer back, so its FIN or RST still arrives (``tests/unit/test_detect_local.py``
proves that within the detector's bound).

Scenarios: 1 and 10 ``watch`` profiles (interval 1 s) held to ``sink_server.py flood``
(64 KiB chunks as fast as the kernel takes them, never reading), each beside the same
profiles held to ``sink_server.py hold`` (accept, then silence), in interleaved rounds. Each
run is the real ``tcpmonitor run --json`` (stdout read and counted); after every profile has
reported ``up``, the engine's CPU (user + system, all threads) is measured over the window,
and the flooder's count of bytes the kernel took from it over the same window says whether
the engine kept reading (it drains up to 10 MB/s from each, so that a FIN queued behind the
flood is found: ``core/wire.py``). Target: a flooding peer costs at most 2 % of a core, that is
(CPU with the floods - CPU with the quiet peers) / N <= 2 %. A benchmark: it prints PASS/MISS
and always exits 0.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import HERE, machine_line, markdown_table, stop_process

ENGINE = Path(sys.executable).parent / "tcpmonitor"
COUNTS = (1, 10)
INTERVAL_S = 1.0
WARMUP_DEADLINE_S = 30.0
PER_PEER_TARGET_PCT = 2.0


@dataclasses.dataclass
class Run:
    cpu_pct: float = float("nan")
    taken_mb_s: float = float("nan")
    samples: int = 0
    error: str = ""


class Peer:
    """``sink_server.py`` in its own process, one port; ``sent()`` asks for its byte count."""

    def __init__(self, mode: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "sink_server.py"), mode, "--ports", "1"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        words = self.proc.stdout.readline().split()
        if not words or words[0] != "listening":
            stop_process(self.proc, 5)
            raise RuntimeError(f"sink server did not start: {words}")
        self.port = int(words[2])

    def sent(self) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("stats\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline().split()[-1])

    def stop(self) -> None:
        stop_process(self.proc, 5)


def profiles_file(path: Path, count: int, port: int) -> None:
    profiles = [
        {"id": f"w{i:03d}", "name": f"watch {i:03d}", "host": "127.0.0.1", "port": port,
         "detector": {"kind": "watch", "interval_s": INTERVAL_S}}
        for i in range(count)
    ]  # fmt: skip
    path.write_text(json.dumps({"version": 1, "profiles": profiles}))


class Reader(threading.Thread):
    """Reads the engine's JSON lines: which profiles are up, how many samples came."""

    def __init__(self, stream: object, count: int) -> None:
        super().__init__(daemon=True, name="engine output")
        self.stream, self.count = stream, count
        self.up: set[str] = set()
        self.samples = 0
        self.all_up = threading.Event()

    def run(self) -> None:
        for line in self.stream:  # type: ignore[attr-defined]
            event = json.loads(line)
            if event["kind"] == "sample":
                self.samples += 1
            if event["kind"] == "state":
                if event["state"] == "up":
                    self.up.add(event["profile_id"])
                else:
                    self.up.discard(event["profile_id"])
                if len(self.up) == self.count:
                    self.all_up.set()


def one_run(work: Path, peer: Peer, count: int, window_s: float) -> Run:
    profiles = work / f"profiles-{count}.json"
    profiles_file(profiles, count, peer.port)
    with (work / "stderr.txt").open("wb") as stderr:
        engine = subprocess.Popen(
            [str(ENGINE), "run", "--json", "--profiles", str(profiles),
             "--config-dir", str(work / "config"), "--data-dir", str(work / "data")],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr,
        )  # fmt: skip
    reader = Reader(engine.stdout, count)
    reader.start()
    try:
        if not reader.all_up.wait(WARMUP_DEADLINE_S):
            return Run(error=f"{len(reader.up)} of {count} up after {WARMUP_DEADLINE_S:g} s")
        time.sleep(INTERVAL_S)  # the flooder fills the socket buffers; then the window
        proc = psutil.Process(engine.pid)
        cpu0, sent0, samples0, t0 = _cpu(proc), peer.sent(), reader.samples, time.monotonic()
        time.sleep(window_s)  # a measuring window, not a wait for something
        cpu1, sent1, samples1, t1 = _cpu(proc), peer.sent(), reader.samples, time.monotonic()
        if len(reader.up) != count:
            return Run(error=f"only {len(reader.up)} of {count} up at the window's end")
        return Run(
            cpu_pct=100 * (cpu1 - cpu0) / (t1 - t0),
            taken_mb_s=(sent1 - sent0) / (t1 - t0) / 1e6,
            samples=samples1 - samples0,
        )
    finally:
        engine.terminate()
        try:
            engine.wait(10)
        except subprocess.TimeoutExpired:
            engine.kill()
            engine.wait()


def _cpu(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one round, a short window")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--window", type=float, default=10.0, help="seconds measured per run")
    args = parser.parse_args()
    rounds, window = (1, 4.0) if args.quick else (args.rounds, args.window)
    print(machine_line())
    print(f"{rounds} interleaved rounds, {window:g} s windows, watch profiles at {INTERVAL_S:g} s")
    runs: dict[tuple[str, int], list[Run]] = {}
    peers = {mode: Peer(mode) for mode in ("flood", "hold")}
    try:
        with tempfile.TemporaryDirectory(prefix="tcpmonitor-flood-") as tmp:
            for r in range(rounds):
                for count in COUNTS:
                    for mode, peer in peers.items():
                        work = Path(tmp) / f"{mode}-{count}-{r}"
                        work.mkdir()
                        run = one_run(work, peer, count, window)
                        runs.setdefault((mode, count), []).append(run)
                        took = f"taken {run.taken_mb_s:.3f} MB/s {run.error}"
                        print(f"  round {r + 1}, {count} x {mode}: CPU {run.cpu_pct:.2f} %, {took}")
    finally:
        for peer in peers.values():
            peer.stop()
    print("\n" + report(runs))


def report(runs: dict[tuple[str, int], list[Run]]) -> str:
    rows = []
    for count in COUNTS:
        flood = [r for r in runs[("flood", count)] if not r.error]
        quiet = [r for r in runs[("hold", count)] if not r.error]
        errors = [r.error for r in runs[("flood", count)] + runs[("hold", count)] if r.error]
        if not flood or not quiet:
            rows.append([f"{count} flooding watch", "failed: " + "; ".join(errors), "-", "-", "-"])
            continue
        f_cpu = statistics.median(r.cpu_pct for r in flood)
        q_cpu = statistics.median(r.cpu_pct for r in quiet)
        taken = statistics.median(r.taken_mb_s for r in flood)
        per_peer = (f_cpu - q_cpu) / count
        verdict = "PASS" if per_peer <= PER_PEER_TARGET_PCT else "MISS"
        rows.append(
            [f"{count} watch profile{'s' if count > 1 else ''}, peers flooding (median of "
             f"{len(flood)}); the engine took {taken:.3f} MB/s from them",
             f"{f_cpu:.2f} %", f"{q_cpu:.2f} % (the same, peers quiet)",
             f"<= {PER_PEER_TARGET_PCT:g} % of a core per flooding peer",
             f"{verdict} (**{per_peer:.2f} %** per peer)"]
        )  # fmt: skip
    header = ["Measure", "TCP Monitor", "Baseline", "Target", "Result"]
    return markdown_table(header, rows)


if __name__ == "__main__":
    main()
