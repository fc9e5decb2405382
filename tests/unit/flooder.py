"""A peer that floods whoever connects, in a process of its own (so that its CPU is not
ours): prints its port, then sends 64 KiB chunks as fast as the client takes them, until a
line on stdin says how to end: ``fin`` (close) or ``rst`` (reset)."""

from __future__ import annotations

import socket
import struct
import sys
import threading


def main() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    print(server.getsockname()[1], flush=True)
    conn, _ = server.accept()
    conn.settimeout(0.05)  # a send blocked by the closed window looks at stdin's word
    how: list[str] = []
    threading.Thread(target=lambda: how.append(sys.stdin.readline().strip()), daemon=True).start()
    chunk = b"x" * 65536
    while not how:
        try:
            conn.send(chunk)
        except TimeoutError:
            continue
        except OSError:
            break
    if how and how[0] == "rst":
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()
    print("ended", flush=True)


if __name__ == "__main__":
    main()
