"""``python -m tcpmonitor_gui.lab``: the fault proxy and the demo targets as processes.

Benchmarks run the proxy in a separate process so that its work never competes with the
monitor's for the GIL, and drive it over stdin with one command per line. Each answer is one
flushed line; mode changes answer with the CLOCK_MONOTONIC time at which the fault took effect,
which on Linux is the same clock in every process, so the caller can time detection with it.

    proxy --upstream HOST:PORT [--listen PORT]
        prints "listening HOST PORT", then reads: pass | refuse | reset | close | blackhole |
        delay MS | count | quit; answers "ok SECONDS", "count N" or "error MESSAGE".
    serve KIND [--port P] [--host ADDR]
        prints "listening HOST PORT" and serves until SIGINT, SIGTERM or end of stdin.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import time
from collections.abc import Callable, Iterator
from typing import TextIO

from tcpmonitor_gui.lab.proxy import MODES, FaultProxy
from tcpmonitor_gui.lab.targets import (
    BannerServer,
    HttpServer,
    LineEchoServer,
    MemcachedServer,
    RedisPingServer,
    ServerThread,
    SilentServer,
    UnresponsiveListener,
)

TARGETS: dict[str, Callable[[str, int], ServerThread | UnresponsiveListener]] = {
    "echo": lambda host, port: LineEchoServer(listen_host=host, port=port),
    "redis": lambda host, port: RedisPingServer(listen_host=host, port=port),
    "http": lambda host, port: HttpServer(listen_host=host, port=port),
    "ssh": lambda host, port: BannerServer(
        b"SSH-2.0-OpenSSH_9.2p1 Debian\r\n", listen_host=host, port=port
    ),
    "smtp": lambda host, port: BannerServer(
        b"220 mail.example ESMTP\r\n", listen_host=host, port=port
    ),
    "ftp": lambda host, port: BannerServer(
        b"220 ftp.example FTP server ready\r\n",
        noop_reply=b"200 NOOP ok\r\n",
        listen_host=host,
        port=port,
    ),
    "memcached": lambda host, port: MemcachedServer(listen_host=host, port=port),
    "silent": lambda host, port: SilentServer(listen_host=host, port=port),
    "unresponsive": UnresponsiveListener,
}


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port: {text!r} is not a number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port: {port} is not in 0..65535")
    return port


def _host_port(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise argparse.ArgumentTypeError(f"upstream: {text!r} is not HOST:PORT")
    return host.strip("[]"), _port(port)


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt, so both end a blocking read and run the cleanup."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _say(out: TextIO, line: str) -> None:
    out.write(line + "\n")
    out.flush()


def _command(proxy: FaultProxy, line: str) -> str:
    """Run one stdin command and return the answer line."""
    words = line.split()
    if not words:
        return "error empty command"
    name, args = words[0].lower(), words[1:]
    try:
        if name == "count" and not args:
            return f"count {proxy.connection_count()}"
        if name == "delay" and len(args) == 1:
            try:
                delay_ms = float(args[0])
            except ValueError:
                return f"error delay: {args[0]!r} is not a number of milliseconds"
            return f"ok {proxy.set_mode('delay', delay_ms=delay_ms):.6f}"
        if name in MODES and name != "delay" and not args:
            return f"ok {proxy.set_mode(name):.6f}"
    except (ValueError, OSError, RuntimeError) as exc:
        return f"error {exc}".replace("\n", " ")
    return f"error unknown command {line.strip()!r}"


def run_proxy(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    with (
        _sigterm_raises(),
        contextlib.suppress(KeyboardInterrupt),
        FaultProxy(args.upstream, listen_port=args.listen) as proxy,
    ):
        host, port = proxy.address
        _say(stdout, f"listening {host} {port}")
        for line in stdin:
            if line.strip().lower() == "quit":
                _say(stdout, f"ok {time.monotonic():.6f}")
                break
            _say(stdout, _command(proxy, line))
    return 0


def run_serve(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    # The signal may land anywhere, even while "listening" is still being printed: the
    # suppress() comes first so that it ends the program quietly wherever that is.
    with (
        _sigterm_raises(),
        contextlib.suppress(KeyboardInterrupt),
        TARGETS[args.kind](args.host, args.port) as target,
    ):
        host, port = target.address
        _say(stdout, f"listening {host} {port}")
        while stdin.readline():
            pass
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tcpmonitor_gui.lab",
        description="Fault-injecting TCP proxy and demo servers on loopback.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    proxy = sub.add_parser("proxy", help="run a FaultProxy driven by commands on stdin")
    proxy.add_argument("--upstream", type=_host_port, required=True, metavar="HOST:PORT")
    proxy.add_argument("--listen", type=_port, default=0, metavar="PORT")
    serve = sub.add_parser("serve", help="run a demo server until SIGINT/SIGTERM/end of stdin")
    serve.add_argument("kind", choices=sorted(TARGETS))
    serve.add_argument("--port", type=_port, default=0)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "proxy":
        return run_proxy(args, sys.stdin, sys.stdout)
    return run_serve(args, sys.stdin, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
