"""The loopback peer of ``engine_scale.py``: accept and close, or accept and hold in silence.

    python tests/bench/sink_server.py close|hold [--ports K]

Prints ``listening 127.0.0.1 P1 P2 ...`` and serves until its stdin ends; ``stats`` on stdin
answers ``accepted N held M``. One thread and a selector with a 4096-deep backlog on each
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
    accepted = 0
    while True:
        for key, _ in sel.select():
            if key.data == "stdin":
                line = sys.stdin.readline()
                if not line:
                    return
                if line.strip() == "stats":
                    print(f"accepted {accepted} held {len(held)}", flush=True)
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
                if mode == "hold":
                    held.append(conn)  # never read, never answer: the kernel ACKs for us
                else:
                    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("close", "hold"))
    parser.add_argument("--ports", type=int, default=4)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        serve(args.mode, args.ports)


if __name__ == "__main__":
    main()
