"""rtnetlink, as ``localnet`` uses it: the kernel's notices of links, addresses and routes,
and the main table's routes through one link (Linux only; ``pyroute2`` decodes).

The notices are read here, not through ``pyroute2``'s socket: that one kept datagrams it had
read in a queue of its own, which ``select`` cannot see (a notice then waited for the next),
and after a burst past its buffer (``ENOBUFS``) it failed for good, which ended the watcher.
Here, every notice waiting is read at once, and a loss is said (``None``) and survived.

``pyroute2``'s ``get_routes`` dumps every route of a family and keeps those asked for in
Python: on a host of 300 containers, each veth with its fe80::/64 route, that is some 1,800
routes decoded (a fifth of a second) to learn the one or two of a link that changed. Asked
with ``NETLINK_GET_STRICT_CHK`` (Linux 4.20 on), the kernel sends only the routes of that
table through that link; an older one sends them all, and they are sorted out here.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import struct
from typing import Any

_NETLINK_ROUTE = 0
_SOL_NETLINK = 270
_NETLINK_GET_STRICT_CHK = 12
_RTM_GETROUTE = 26
_NLM_F_REQUEST, _NLM_F_DUMP = 0x1, 0x300
_NLMSG_ERROR, _NLMSG_DONE = 0x2, 0x3
_HEADER = struct.Struct("=IHHII")
#: ``RTMGRP_LINK``, ``RTMGRP_IPV4_IFADDR``, ``RTMGRP_IPV4_ROUTE``, ``RTMGRP_IPV6_IFADDR``,
#: ``RTMGRP_IPV6_ROUTE``.
_GROUPS = 0x1 | 0x10 | 0x40 | 0x100 | 0x400
#: Read at most this much of the notices in one go (``Notices.read``): what is waiting beyond
#: it stays readable, and is read at the next turn of the watcher.
READ_AT_MOST = 4 << 20
#: The main routes table (``rtm_table``; ``RTA_TABLE`` says it too).
MAIN_TABLE = 254


def _socket() -> socket.socket:
    return socket.socket(getattr(socket, "AF_NETLINK", 16), socket.SOCK_RAW, _NETLINK_ROUTE)


class Notices:
    """A socket bound to the kernel's notices of links, addresses and routes."""

    def __init__(self, rcvbuf: int) -> None:
        from pyroute2.netlink.rtnl.marshal import MarshalRtnl  # noqa: PLC0415 - Linux only

        self._marshal = MarshalRtnl()
        self._sock = _socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self._sock.bind((0, _GROUPS))
        self._sock.setblocking(False)

    def fileno(self) -> int:
        return self._sock.fileno()

    def close(self) -> None:
        self._sock.close()

    def read(self) -> list[Any] | None:
        """Every notice waiting, decoded; None when some were lost (the socket's buffer
        overflowed: what changed then is to be read whole)."""
        messages: list[Any] = []
        lost = False
        taken = 0
        while taken < READ_AT_MOST:  # a kernel churning without end: the rest, next turn
            try:
                data = self._sock.recv(1 << 17)
            except BlockingIOError:
                break
            except OSError as exc:
                if exc.errno != errno.ENOBUFS:
                    raise
                lost = True
                continue
            if not data:
                break
            taken += len(data)
            messages.extend(self._marshal.parse(data))
        return None if lost else messages


class RouteDumper:
    """A netlink socket of its own, used by one thread at a time."""

    def __init__(self) -> None:
        self._sock = _socket()
        with contextlib.suppress(OSError):  # before 4.20: all are sent, sorted out here
            self._sock.setsockopt(_SOL_NETLINK, _NETLINK_GET_STRICT_CHK, 1)
        self._sock.bind((0, 0))
        self._seq = 0

    def close(self) -> None:
        self._sock.close()

    def routes(self, family: int, oif: int | None = None) -> list[Any]:
        """The main table's routes of ``family`` (``AF_INET``, ``AF_INET6``), those through
        ``oif`` (a nexthop of a multipath one too) where given, as ``pyroute2`` decodes them."""
        from pyroute2.netlink.rtnl.rtmsg import rtmsg  # noqa: PLC0415 - Linux only

        request = rtmsg()
        request["header"]["type"] = _RTM_GETROUTE
        request["header"]["flags"] = _NLM_F_REQUEST | _NLM_F_DUMP
        self._seq += 1
        request["header"]["sequence_number"] = self._seq
        request["family"], request["table"] = family, MAIN_TABLE
        request["attrs"] = [("RTA_TABLE", MAIN_TABLE)]
        if oif is not None:
            request["attrs"].append(("RTA_OIF", oif))
        request.encode()
        self._sock.send(request.data)
        return [
            message
            for message in self._replies(rtmsg)
            if table_of(message) == MAIN_TABLE and (oif is None or oif in oifs_of(message))
        ]

    def _replies(self, kind: Any) -> list[Any]:
        replies: list[Any] = []
        while True:
            data = self._sock.recv(1 << 17)
            offset = 0
            while offset + _HEADER.size <= len(data):
                length, kind_of, _, seq, _ = _HEADER.unpack_from(data, offset)
                if length < _HEADER.size:
                    raise OSError("a malformed netlink reply")
                chunk, offset = data[offset : offset + length], offset + ((length + 3) & ~3)
                if seq != self._seq:
                    continue  # a late reply to an earlier request
                if kind_of == _NLMSG_DONE:
                    return replies
                if kind_of == _NLMSG_ERROR:
                    (error,) = struct.unpack_from("=i", chunk, _HEADER.size)
                    if error:
                        raise OSError(-error, os.strerror(-error))
                    continue
                message = kind(chunk)
                message.decode()
                replies.append(message)


def table_of(route: Any) -> int:
    """The table a route is in (``RTA_TABLE`` for those past 255)."""
    return int(route.get_attr("RTA_TABLE") or route["table"])


def oifs_of(route: Any) -> list[int]:
    """The links a route goes through (each nexthop's, for a multipath one)."""
    hops = route.get_attr("RTA_MULTIPATH")
    if hops:
        return [h["oif"] for h in hops if h["oif"]]
    oif = route.get_attr("RTA_OIF")
    return [oif] if oif is not None else []
