"""The seed article's way, as a contender of ``peers.py``: one thread per connection, a
blocking connect with a timeout, ``time.sleep`` to the next tick, one JSON line per check.

    python tests/bench/thread_loop.py PROFILES_FILE

Reads the ``probe`` profiles of the file; prints the same line per check as ``bare_loop.py``
(its ``Out``), until SIGINT or SIGTERM. Nothing here imports the package.
"""

from __future__ import annotations

import json
import random
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import raise_nofile
from bare_loop import Out, cause_of


def watch(p: dict[str, Any], out: Out, lock: threading.Lock, stop: threading.Event) -> None:
    d = p["detector"]
    interval, timeout = float(d.get("interval_s", 5)), float(d.get("timeout_s", 3))
    address = (p["host"], int(p["port"]))
    if stop.wait(random.uniform(0, min(1.0, interval))):
        return
    tick = time.monotonic()
    while not stop.is_set():
        start = time.perf_counter()
        try:
            socket.create_connection(address, timeout=timeout).close()
            latency = (time.perf_counter() - start) * 1000.0
            with lock:
                out.emit(p, "sample", "up", latency_ms=round(latency, 3))
        except OSError as exc:
            with lock:
                out.emit(p, "sample", "down", cause=cause_of(exc), detail=str(exc))
        tick = max(tick + interval, time.monotonic())
        time.sleep(max(0.0, tick - time.monotonic()))  # ok-sleep: the seed's own schedule


def main() -> None:
    raise_nofile()
    threading.stack_size(256 * 1024)  # a thousand threads: their stacks, not their default 8 MiB
    profiles = json.loads(Path(sys.argv[1]).read_text())["profiles"]
    out, lock, stop = Out(), threading.Lock(), threading.Event()
    for p in profiles:
        if p["detector"]["kind"] == "probe":
            threading.Thread(target=watch, args=(p, out, lock, stop), daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
