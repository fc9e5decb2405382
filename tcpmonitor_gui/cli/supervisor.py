"""What ``tcpmonitor run`` tells the supervisor that started it (systemd's ``Type=notify``,
the ``sd_notify`` protocol): that it is ready, and that it is stopping.

Started as ``Type=exec``, systemd took the service as ready the moment it was executed and let
``systemctl reload`` (SIGHUP) through at once, while Python was still importing the program
(0.3 s, seconds at a busy boot) and SIGHUP's default was to end it: a death by SIGHUP is a
clean exit to systemd, so ``Restart=on-failure`` did not start it again. Ready is said once
SIGHUP reads the profiles again; until then systemd holds a reload back (and ``systemctl
start`` reports a run that ended before it, with a bad profile file, as failed).
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)

#: The longest a message to the supervisor may wait for room in its queue.
SEND_TIMEOUT_S = 1.0


class Supervisor:
    """``$NOTIFY_SOCKET``'s supervisor, or nobody. The variable is taken out of the
    environment (as ``sd_notify`` does with ``unset_environment``): a command started by an
    action is another program, whose messages are not the service's."""

    def __init__(self) -> None:
        self._address = os.environ.pop("NOTIFY_SOCKET", "")

    def tell(self, *lines: str) -> None:
        """Each of ``lines`` (``READY=1``, ``STATUS=...``) in one message; a supervisor that
        cannot be told is logged, and changes nothing else."""
        if not self._address or not hasattr(socket, "AF_UNIX"):
            return
        address = self._address
        if address.startswith("@"):  # an abstract socket's name
            address = "\0" + address[1:]
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                # A supervisor that stops reading fills its queue, and a datagram to it then
                # waits: never for long, on the loop that monitors.
                sock.settimeout(SEND_TIMEOUT_S)
                sock.sendto("\n".join(lines).encode(), address)
        except OSError as exc:
            log.warning("cannot tell the supervisor %s (%s)", lines[0], exc)
