"""Name resolution with a deadline that cannot starve other profiles.

``getaddrinfo`` blocks a thread, and ``wait_for`` cannot stop that thread: a silent resolver
holds it for 10 s or more. Three things keep one stuck name from stalling everyone else:

- IP literals never touch a thread (most monitored targets are addresses);
- lookups of the same name share one in-flight call, so a profile that retries every second
  while its resolver is silent holds one thread, not ten;
- the resolver has its own pool, not the loop's default executor, sized for stalls, and never
  queues: a lookup that finds no thread fails at once as "resolver busy" instead of waiting
  behind the stuck ones. Names that have stalled before may hold at most ``max_slow`` threads
  at a time; names that resolved lately (known good) have ``reserve`` threads of their own.
  So however many names go silent, healthy ones keep resolving.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import functools
import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from .daemon_pool import DaemonPool
from .events import NO_SUCH_NAME
from .shortage import files_short, out_of

FAMILIES = {"auto": socket.AF_UNSPEC, "ipv4": socket.AF_INET, "ipv6": socket.AF_INET6}

AddrInfo = tuple[int, Any]  # (family, sockaddr)
GetAddrInfo = Callable[..., list[tuple[Any, ...]]]


#: The addresses a lookup kept to one family asks for, by name.
_FAMILY_NAMES: dict[int, str] = {socket.AF_INET: "IPv4", socket.AF_INET6: "IPv6"}

#: getaddrinfo's errors that are the name service's answer: the name has no address.
_NOT_FOUND = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}


class DnsError(Exception):
    """The name could not be resolved; the message says why."""


class NoSuchInterface(Exception):
    """An IPv6 address's scope names a network interface this computer does not have (it
    may come later, as a VPN's does); the message says which."""


class LookupNotMade(Exception):
    """The lookup could not be made here: out of open files, glibc's resolver can read
    neither /etc/hosts nor a socket to the name server, and says "Name or service not
    known", which was told as the name not existing. The message says what ran out."""


@dataclasses.dataclass(frozen=True, slots=True)
class Resolved:
    addresses: list[AddrInfo]
    dns_ms: float


@functools.lru_cache(maxsize=4096)
def _ip_version(address: str) -> int:
    """4 or 6 for an IP literal, 0 for a name (remembered: every check of a target asks)."""
    try:
        return ipaddress.ip_address(address).version
    except ValueError:
        return 0


def is_address(host: str) -> bool:
    """Whether ``host`` is an IP address (with or without an IPv6 scope), not a name."""
    return _ip_version(host.split("%", 1)[0]) != 0


def literal(host: str, port: int, family: str) -> list[AddrInfo] | None:
    """The address itself when ``host`` is an IP literal, without any lookup."""
    version = _ip_version(host.split("%", 1)[0])
    if not version:
        return None
    if version == 4:
        return [] if family == "ipv6" else [(socket.AF_INET, (host, port))]
    if family == "ipv4":
        return []
    address, _, scope = host.partition("%")
    scope_id = 0
    if scope:
        try:
            scope_id = int(scope) if scope.isascii() and scope.isdigit() else 0
            scope_id = scope_id or socket.if_nametoindex(scope)
        except OSError:
            raise NoSuchInterface(f"no network interface {scope!r} on this computer") from None
    return [(socket.AF_INET6, (address, port, 0, scope_id))]


Key = tuple[str, int, int]
#: How long a name counts as good (it resolved) or slow (a lookup outlived its caller).
REMEMBER_S = 600.0
#: Names remembered, at most (the oldest are forgotten first).
REMEMBER_MAX = 4096


class Resolver:
    """Shared by every monitor on a loop (or across loops: it is thread-safe)."""

    def __init__(
        self,
        max_threads: int = 64,
        getaddrinfo: GetAddrInfo | None = None,
        *,
        reserve: int = 8,
        max_slow: int | None = None,
    ) -> None:
        """``max_threads`` lookups at once, ``reserve`` more for names that resolved lately,
        at most ``max_slow`` (default half of ``max_threads``) for names that stalled before."""
        # ``getaddrinfo`` is injectable so a test can stand in for a silent resolver, which
        # cannot be produced on loopback without changing the machine's resolv.conf.
        self._getaddrinfo = getaddrinfo or socket.getaddrinfo
        self._limit = max_threads
        self._reserve = reserve
        self._max_slow = max_slow if max_slow is not None else max(1, max_threads // 2)
        # Threads are made on demand (an idle resolver holds none), and never waited for
        # at exit: a lookup stuck in a silent resolver does not hold the program's end.
        self._pool = DaemonPool(max_threads + reserve, "tcpmonitor-dns")
        self._lock = threading.Lock()
        self._inflight: dict[Key, concurrent.futures.Future[list[AddrInfo]]] = {}
        self._good: dict[Key, float] = {}
        self._slow: dict[Key, float] = {}

    def close(self) -> None:
        self._pool.shutdown()

    @property
    def inflight(self) -> int:
        return len(self._inflight)

    async def resolve(self, host: str, port: int, family: str, timeout: float) -> Resolved:
        """Addresses for ``host``, in the resolver's order; raises ``DnsError`` (or
        ``LookupNotMade``: not for want of an answer)."""
        start = time.perf_counter()
        fast = literal(host, port, family)
        if fast is not None:
            if not fast:
                raise DnsError(f"{host} is not an {family} address")
            return Resolved(fast, 0.0)
        key = (host.lower(), port, FAMILIES[family])
        with self._lock:
            cfut = self._inflight.get(key)
            fresh = cfut is None
            if cfut is None:
                busy = self._busy(key)
                if busy:
                    raise DnsError(f"{host}: resolver busy ({busy})")
                cfut = self._pool.submit(self._lookup, *key)
                self._inflight[key] = cfut
        if fresh:
            # Outside the lock: a lookup that already finished runs the callback right here.
            cfut.add_done_callback(lambda f, k=key: self._forget(k, f))  # type: ignore[misc]
        # Not ``wrap_future``: cancelling its result (our timeout) would cancel the shared
        # lookup under every other profile waiting on it.
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[list[AddrInfo]] = loop.create_future()
        cfut.add_done_callback(lambda f: _hand_over(loop, f, waiter))
        try:
            async with asyncio.timeout(timeout):
                addresses = await waiter
        except TimeoutError:
            with self._lock:
                if not cfut.done():  # it outlived its caller: this name is slow
                    _remember(self._slow, key)
            raise DnsError(f"lookup of {host} got no answer within {timeout:g} s") from None
        return Resolved(addresses, (time.perf_counter() - start) * 1000.0)

    def _busy(self, key: Key) -> str:
        """Why a new lookup of ``key`` gets no thread now, or "" (called with the lock)."""
        now = time.monotonic()
        slow = now - self._slow.get(key, -REMEMBER_S) < REMEMBER_S
        if slow:
            stuck = sum(1 for k in self._inflight if k in self._slow)
            if stuck >= self._max_slow:
                return f"{stuck} lookups wait on names that did not answer before"
        good = now - self._good.get(key, -REMEMBER_S) < REMEMBER_S
        limit = self._limit + (self._reserve if good else 0)
        if len(self._inflight) >= limit:
            return f"all {len(self._inflight)} lookups are waiting for answers"
        return ""

    def _forget(self, key: Key, fut: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            if self._inflight.get(key) is fut:
                del self._inflight[key]
            if not fut.cancelled() and fut.exception() is None:
                _remember(self._good, key)
                self._slow.pop(key, None)

    def _lookup(self, host: str, port: int, family: int) -> list[AddrInfo]:
        try:
            infos = self._getaddrinfo(host, port, family, socket.SOCK_STREAM)
        except socket.gaierror as exc:
            if (short := files_short()) is not None:
                raise LookupNotMade(f"{short}, to look up {host}") from None
            if exc.errno in _NOT_FOUND:  # an answer, unlike EAI_AGAIN: no answer came
                if family in _FAMILY_NAMES:  # glibc says so too of a name with none of them
                    kind = _FAMILY_NAMES[family]
                    raise DnsError(
                        f"{host}: no {kind} address, or {NO_SUCH_NAME} ({exc.strerror or exc})"
                    ) from None
                raise DnsError(f"{host}: {NO_SUCH_NAME} ({exc.strerror or exc})") from None
            raise DnsError(f"{host}: {exc.strerror or exc}") from None
        except OSError as exc:  # Python's own files (the IDNA codec's module, first used)
            raise LookupNotMade(f"{out_of(exc.errno or 0) or exc}, to look up {host}") from None
        except UnicodeError:
            raise DnsError(f"{host}: not a valid name") from None
        seen: list[AddrInfo] = []
        for fam, _type, _proto, _canon, sockaddr in infos:
            if (fam, sockaddr) not in seen:
                seen.append((fam, sockaddr))
        if not seen:
            raise DnsError(f"{host}: no addresses")
        return seen


def _remember(names: dict[Key, float], key: Key) -> None:
    names.pop(key, None)
    names[key] = time.monotonic()  # newest last
    while len(names) > REMEMBER_MAX:
        del names[next(iter(names))]


def _hand_over(
    loop: asyncio.AbstractEventLoop,
    source: concurrent.futures.Future[list[AddrInfo]],
    waiter: asyncio.Future[list[AddrInfo]],
) -> None:
    def settle() -> None:
        if waiter.done():
            return
        if source.cancelled():
            waiter.set_exception(DnsError("lookup cancelled"))
        elif (exc := source.exception()) is not None:
            waiter.set_exception(exc)
        else:
            waiter.set_result(source.result())

    # RuntimeError: the waiting loop has closed; nobody is left to tell.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(settle)
