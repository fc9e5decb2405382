"""What this computer ran out of, when a check could not be made for want of it: said as
the limit that was met, never as anything about the target."""

from __future__ import annotations

import errno
import os

from .rlimit import open_file_limit

#: Where this computer's range of ports to connect from is set (Linux; per network namespace).
PORT_RANGE = "/proc/sys/net/ipv4/ip_local_port_range"


def out_of(code: int) -> str | None:
    """What a check that could not be made ran out of, naming the limit, for an errno that
    says this computer could not make it (None for any other): no claim about the target.

    EADDRNOTAVAIL from a connect is every port to connect from taken (or no address to
    connect from, which ``Monitor.report`` tells as this computer's network where the kernel
    says so); it was told as the target "unreachable"."""
    if code == errno.EMFILE:
        limit = open_file_limit()
        return "this program is out of open files" + (
            "" if limit is None else f" (its limit, ulimit -n: {limit})"
        )
    if code == errno.ENFILE:
        return "this computer is out of open files (the system's limit, fs.file-max)"
    if code in (errno.ENOBUFS, errno.ENOMEM):
        return f"this computer is out of memory for connections ({os.strerror(code)})"
    if code == errno.EADDRNOTAVAIL:
        try:
            with open(PORT_RANGE, encoding="ascii") as file:
                ports = " (ip_local_port_range: {}-{})".format(*file.read().split())
        except (OSError, ValueError, IndexError):
            ports = ""
        return f"no local port is free to connect from{ports}"
    return None


def files_short() -> str | None:
    """What this program or computer is out of, if it cannot open a file now; None if it
    can (a failure that came meanwhile is then not known to be for want of one)."""
    try:
        fd = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        return out_of(exc.errno) if exc.errno in (errno.EMFILE, errno.ENFILE) else None
    os.close(fd)
    return None
