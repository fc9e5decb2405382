"""The loopback peer of ``engine_scale.py`` and ``flood.py``: accept and close, accept and
hold in silence, or accept and flood.

    python tests/bench/sink_server.py close|hold|flood [--ports K]

Prints ``listening 127.0.0.1 P1 P2 ...`` and serves until its stdin ends; ``stats`` on stdin
answers ``accepted N held M sent B``. ``flood`` sends 64 KiB chunks to each connection as
fast as the client takes them (``sent`` counts the bytes the kernel took), never reading:
a hostile peer. One thread and a selector with a 4096-deep backlog on each
port: a thousand connects a second cost it a few percent of a core, so it keeps up and
what the benchmark measures is the monitor, not its peer. Nothing here imports the package.
"""

from __future__ import annotations

import argparse
import contextlib
import selectors
import socket
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import raise_nofile

BACKLOG = 4096
CHUNK = b"x" * 65536


def serve(mode: str, ports: int) -> None:
    raise_nofile()
    sel = selectors.DefaultSelector()
    listeners = []
    for _ in range(ports):
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(BACKLOG)
        lsock.setblocking(False)
        sel.register(lsock, selectors.EVENT_READ, "listen")
        listeners.append(lsock)
    sel.register(sys.stdin, selectors.EVENT_READ, "stdin")
    print("listening 127.0.0.1 " + " ".join(str(s.getsockname()[1]) for s in listeners))
    sys.stdout.flush()
    held: list[socket.socket] = []
    accepted = sent = 0
    while True:
        for key, _ in sel.select():
            if key.data == "stdin":
                line = sys.stdin.readline()
                if not line:
                    return
                if line.strip() == "stats":
                    print(f"accepted {accepted} held {len(held)} sent {sent}", flush=True)
                continue
            if key.data == "flood":
                sent += _flood(sel, key.fileobj)
                continue
            lsock = key.fileobj
            assert isinstance(lsock, socket.socket)
            for _ in range(BACKLOG):
                try:
                    conn, _addr = lsock.accept()
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:  # the client gave up already (ECONNABORTED), or no fds left
                    continue
                accepted += 1
                if mode == "close":
                    conn.close()
                    continue
                held.append(conn)  # never read: the kernel ACKs for us
                if mode == "flood":
                    conn.setblocking(False)
                    sel.register(conn, selectors.EVENT_WRITE, "flood")


def _flood(sel: selectors.BaseSelector, conn: object) -> int:
    """One chunk's worth to a writable connection; bytes taken (0, and unwatched, once the
    client is gone)."""
    assert isinstance(conn, socket.socket)
    try:
        return conn.send(CHUNK)
    except (BlockingIOError, InterruptedError):
        return 0
    except OSError:  # the client closed or reset: stop writing to it
        sel.unregister(conn)
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("close", "hold", "flood"))
    parser.add_argument("--ports", type=int, default=4)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        serve(args.mode, args.ports)


if __name__ == "__main__":
    main()
