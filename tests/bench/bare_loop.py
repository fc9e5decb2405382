"""The baseline of ``engine_scale.py``: a bare asyncio loop doing the engine's network work.

    python tests/bench/bare_loop.py PROFILES_FILE [--sample-held]

Reads the same profiles file as ``tcpmonitor run`` and, until SIGINT or SIGTERM:

- ``probe`` profiles: every ``interval_s`` (first check at a random point of the first
  second, like the engine's stagger) connect a non-blocking socket with ``timeout_s``, close
  it and print one JSON line per attempt;
- ``watch`` profiles: connect once with the same socket options as the engine (TCP_NODELAY,
  keepalive idle/interval/count, TCP_USER_TIMEOUT), keep a read pending (an
  ``asyncio.Protocol``) and print one JSON line when established; with ``--sample-held``
  also one line per ``interval_s`` saying it is up, with no latency (nothing was timed), as
  the engine's ``watch`` does.

The lines have the fields of the engine's events, formatted the same way (``json.dumps``,
compact, ISO 8601 UTC with milliseconds) and flushed each, so that the cost of printing is
the same on both sides. No state machine, no event log, no resolver: this is what any
asyncio program doing the same connects must pay. Nothing here imports the package.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import random
import resource
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any


def iso_now() -> str:
    now = dt.datetime.now(dt.UTC)
    return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Out:
    def __init__(self) -> None:
        self.out = sys.stdout

    def emit(self, p: dict[str, Any], kind: str, state: str, **fields: Any) -> None:
        record = {
            "ts": iso_now(),
            "profile_id": p["id"],
            "profile_name": p["name"],
            "kind": kind,
            "state": state,
            "previous": fields.get("previous"),
            "cause": fields.get("cause"),
            "detector": p["detector"]["kind"],
            "latency_ms": fields.get("latency_ms"),
            "detail": fields.get("detail", ""),
            "detection_ms": None,
            "address": f"{p['host']}:{p['port']}",
        }
        self.out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.out.flush()


def cause_of(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "connect_timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, ConnectionResetError):
        return "reset"
    return "local_error"


async def probe(p: dict[str, Any], out: Out) -> None:
    loop = asyncio.get_running_loop()
    d = p["detector"]
    interval, timeout = float(d.get("interval_s", 5)), float(d.get("timeout_s", 3))
    address = (p["host"], int(p["port"]))
    await asyncio.sleep(random.uniform(0, min(1.0, interval)))
    tick = loop.time()
    while True:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        start = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                await loop.sock_connect(sock, address)
            latency = (time.perf_counter() - start) * 1000.0
            out.emit(p, "sample", "up", latency_ms=round(latency, 3))
        except OSError as exc:  # TimeoutError is an OSError too
            out.emit(p, "sample", "down", cause=cause_of(exc), detail=str(exc))
        finally:
            sock.close()
        tick += interval
        now = loop.time()
        tick = max(tick, now)
        await asyncio.sleep(tick - now)


class Held(asyncio.Protocol):
    def __init__(self) -> None:
        self.lost = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        pass

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.lost.done():
            self.lost.set_result(exc)


def hold_options(sock: socket.socket, d: dict[str, Any]) -> None:
    ka = d.get("keepalive", {})
    idle, intvl, count = ka.get("idle_s", 10), ka.get("interval_s", 3), ka.get("count", 3)
    user = d.get("user_timeout_s")
    user = max(1.0, idle + intvl * count - 1.0) if user is None else float(user)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, idle)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, intvl)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, count)
    if user > 0:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, int(user * 1000))


async def hold(p: dict[str, Any], out: Out, sample: bool) -> None:
    loop = asyncio.get_running_loop()
    d = p["detector"]
    interval, timeout = float(d.get("interval_s", 5)), float(d.get("timeout_s", 3))
    address = (p["host"], int(p["port"]))
    await asyncio.sleep(random.uniform(0, min(1.0, interval)))
    while True:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            hold_options(sock, d)
            async with asyncio.timeout(timeout):
                await loop.sock_connect(sock, address)
            transport, proto = await loop.create_connection(Held, sock=sock)
        except OSError as exc:
            sock.close()
            out.emit(p, "sample", "down", cause=cause_of(exc), detail=str(exc))
            await asyncio.sleep(interval)
            continue
        out.emit(p, "state", "up", previous="connecting", detail=f"connected to {address}")
        try:
            while True:
                done, _ = await asyncio.wait([proto.lost], timeout=interval if sample else None)
                if done:
                    break
                out.emit(p, "sample", "up")
        finally:
            transport.abort()
        out.emit(p, "state", "down", previous="up", cause="closed_by_peer")
        await asyncio.sleep(interval)


async def run(profiles: list[dict[str, Any]], sample: bool) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    out = Out()
    tasks = set()
    for p in profiles:
        if not p.get("enabled", True):
            continue
        kind = p.get("detector", {}).get("kind", "probe")
        coro = probe(p, out) if kind == "probe" else hold(p, out, sample)
        tasks.add(loop.create_task(coro))
    await stop.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("profiles", type=Path)
    parser.add_argument("--sample-held", action="store_true")
    args = parser.parse_args()
    profiles = json.loads(args.profiles.read_text())["profiles"]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = len(profiles) + 256
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    with contextlib.suppress(BrokenPipeError):
        asyncio.run(run(profiles, args.sample_held))


if __name__ == "__main__":
    main()
