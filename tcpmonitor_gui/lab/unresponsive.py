"""A loopback address whose connect() times out, without root, iptables or a remote host.

Loopback normally answers at once (a SYN-ACK or an RST), so a real connect timeout needs a
listener that drops SYNs. Linux does that when a listener's accept queue is full: it counts a
``ListenOverflows`` and drops the SYN, syncookies or not, and the client's SYN retransmits
(1 s, 3 s, ...) are dropped too for as long as nobody accepts. With ``listen(0)`` the queue
holds one connection; we fill it with our own connections and never accept.
"""

from __future__ import annotations

import select
import socket
from typing import Self

from tcpmonitor_gui.lab.loop_thread import StartStop

#: How long a dummy connect may take before we conclude that the kernel dropped its SYN.
#: On loopback the handshake completes within microseconds when there is room.
_PROBE_S = 0.05
_MAX_DUMMIES = 16


class UnresponsiveListener(StartStop):
    """A listening socket that never accepts, with its accept queue full.

    Whatever connects to ``address`` sees no SYN-ACK and no RST, exactly like a firewalled or
    vanished host, so its connect() runs into its own timeout.
    """

    def __init__(self, listen_host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = listen_host
        self._port = port
        self._listener: socket.socket | None = None
        self._dummies: list[socket.socket] = []

    def start(self) -> Self:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self._host, self._port))
            listener.listen(0)
            self._listener = listener
            self._port = listener.getsockname()[1]
            self._fill()
        except BaseException:
            self.stop()
            raise
        return self

    def _fill(self) -> None:
        """Connect dummies until one does not complete: that one's SYN was dropped.

        The dummy that does not complete is kept too: should its handshake still finish late,
        it takes the slot itself, so either way the queue stays full.
        """
        for _ in range(_MAX_DUMMIES):
            dummy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            dummy.setblocking(False)
            self._dummies.append(dummy)
            dummy.connect_ex(self.address)
            _, writable, _ = select.select([], [dummy], [], _PROBE_S)
            if not writable:
                return
            error = dummy.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if error:
                raise OSError(error, f"could not fill the accept queue of {self.address}")
        raise RuntimeError(
            f"{self.address}: the kernel accepted {_MAX_DUMMIES} connections on a listen(0) "
            "socket without dropping a SYN; this OS cannot make an unresponsive listener"
        )

    def stop(self) -> None:
        for dummy in self._dummies:
            dummy.close()
        self._dummies.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    @property
    def address(self) -> tuple[str, int]:
        return (self._host, self._port)
