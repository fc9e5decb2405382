"""A peer in its own network namespace, behind a veth pair, that can vanish for real.

The lab's fault proxy cannot make a silent drop: its kernel still acknowledges keepalive
probes. Here the peer's kernel is a separate network stack, so a DROP rule inside the
namespace silences it completely (no FIN, no RST, no ACK), and a REJECT rule makes it
answer with ICMP, as a router would for a host that is gone.

Everything is built and removed by the test: the namespace, the veth pair, one /30 private
address on each end and the iptables rules (which live in the namespace and go with it).
Nothing outside the namespace is touched but our own end of the veth pair, and a subnet that
any existing route already covers is never used.

Needs root, iproute2 and iptables. Without them the tests skip, saying why, unless
``TCPMONITOR_REQUIRE_NETNS=1`` (set by CI), where a missing prerequisite fails instead.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import itertools
import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import NoReturn

import pytest

REQUIRE_ENV = "TCPMONITOR_REQUIRE_NETNS"
COMMAND_TIMEOUT_S = 10.0
SERVER_START_S = 10.0
SERVER_STOP_S = 5.0

#: The lab's ``serve`` command listens on 127.0.0.1 only; the namespace's peer must listen on
#: its veth address, so the same echo server is started with the host given.
_serial = itertools.count()


def unavailable(reason: str) -> NoReturn:
    """Skip the test, or fail it where the environment says the namespace is required."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1)", pytrace=False)
    pytest.skip(reason)


class CommandFailed(Exception):
    def __init__(self, argv: list[str], detail: str) -> None:
        super().__init__(f"{' '.join(argv)}: {detail}")


def _run(argv: list[str]) -> str:
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CommandFailed(argv, str(exc)) from None
    if done.returncode != 0:
        raise CommandFailed(argv, f"exit {done.returncode}: {done.stderr.strip()}")
    return done.stdout


#: Route types that ``ip route`` prints before the destination.
_ROUTE_TYPES = {
    "unicast",
    "local",
    "broadcast",
    "multicast",
    "anycast",
    "unreachable",
    "blackhole",
    "prohibit",
    "throw",
    "nat",
}


def _free_subnet(ip: str) -> ipaddress.IPv4Network:
    """A 10.213.X.0/30 that no address or route on this machine overlaps."""
    taken: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for line in _run([ip, "-4", "-o", "route", "show", "table", "all"]).splitlines():
        words = line.split()
        if words and words[0] in _ROUTE_TYPES:
            words = words[1:]
        if not words or words[0] == "default":
            continue
        with contextlib.suppress(ValueError):
            taken.append(ipaddress.ip_network(words[0], strict=False))
    for line in _run([ip, "-4", "-o", "addr", "show"]).splitlines():
        words = line.split()
        if "inet" in words:
            taken.append(ipaddress.ip_interface(words[words.index("inet") + 1]).network)
    start = os.getpid() + next(_serial)
    for i in range(256):
        subnet = ipaddress.IPv4Network(f"10.213.{(start + i) % 256}.0/30")
        if not any(subnet.overlaps(net) for net in taken):
            return subnet
    raise CommandFailed([ip, "route"], "every 10.213.X.0/30 is already in use here")


@dataclasses.dataclass
class Namespace:
    """A namespace ``name`` whose end of the veth pair has ``peer_ip``; ours has ``host_ip``."""

    name: str
    host_if: str
    host_ip: str
    peer_ip: str
    ip: str
    iptables_cmd: str

    def run(self, *argv: str) -> str:
        """Run a command inside the namespace."""
        return _run([self.ip, "netns", "exec", self.name, *argv])

    def iptables(self, *args: str) -> float:
        """Apply one iptables command in the namespace; returns the monotonic time it began.

        The rule takes effect somewhere during the command (a few ms), so times measured
        from the returned instant are upper bounds.
        """
        began = time.monotonic()
        self.run(self.iptables_cmd, "-w", *args)
        return began

    def drop_everything(self) -> float:
        """The peer vanishes: nothing in, nothing out, no answer of any kind."""
        began = self.iptables("-A", "INPUT", "-j", "DROP")
        self.iptables("-A", "OUTPUT", "-j", "DROP")
        return began

    def reject_with(self, icmp_type: str) -> float:
        """Every TCP segment to the peer is answered with an ICMP error instead."""
        return self.iptables("-A", "INPUT", "-p", "tcp", "-j", "REJECT", "--reject-with", icmp_type)

    def restore(self) -> float:
        """The path comes back: every rule this namespace has is removed."""
        began = self.iptables("-F", "INPUT")
        self.iptables("-F", "OUTPUT")
        return began

    def rules(self) -> str:
        return self.run(self.iptables_cmd, "-w", "-S")


def _link_exists(ip: str, name: str) -> bool:
    try:
        _run([ip, "link", "show", "dev", name])
    except CommandFailed:
        return False
    return True


def _netns_exists(ip: str, name: str) -> bool:
    return name in _run([ip, "netns", "list"]).split()


def _remove(ip: str, name: str, host_if: str) -> list[str]:
    """Remove our veth pair and namespace, whatever state they are in; returns what failed.

    The link goes first: deleting one end of a veth pair removes both at once, whereas a
    namespace is torn down asynchronously after ``ip netns del`` returns.
    """
    problems = []
    if _link_exists(ip, host_if):
        try:
            _run([ip, "link", "del", "dev", host_if])
        except CommandFailed as exc:
            problems.append(str(exc))
    if _netns_exists(ip, name):
        try:
            _run([ip, "netns", "del", name])
        except CommandFailed as exc:
            problems.append(str(exc))
    return problems


@contextlib.contextmanager
def namespace() -> Iterator[Namespace]:
    """Build the namespace and the veth pair; remove both on the way out, also on failure."""
    if sys.platform != "linux":
        unavailable(f"network namespaces need Linux, this is {sys.platform}")
    if os.geteuid() != 0:
        unavailable("building a network namespace needs root")
    ip = shutil.which("ip")
    iptables_cmd = shutil.which("iptables")
    if ip is None:
        unavailable("`ip` (iproute2) is not installed")
    if iptables_cmd is None:
        unavailable("`iptables` is not installed")
    tag = f"{os.getpid()}x{next(_serial)}"
    name = f"tcpmon-{tag}"
    host_if, peer_if = f"tmh{tag}"[:15], f"tmp{tag}"[:15]
    try:
        subnet = _free_subnet(ip)
    except CommandFailed as exc:
        unavailable(f"cannot pick a subnet for the namespace: {exc}")
    host_addr, peer_addr = list(subnet.hosts())
    ns = Namespace(name, host_if, str(host_addr), str(peer_addr), ip, iptables_cmd)
    try:
        try:
            _run([ip, "netns", "add", name])
            _run([ip, "link", "add", host_if, "type", "veth", "peer", "name", peer_if])
            _run([ip, "link", "set", peer_if, "netns", name])
            _run([ip, "addr", "add", f"{host_addr}/{subnet.prefixlen}", "dev", host_if])
            _run([ip, "link", "set", host_if, "up"])
            _run([ip, "-n", name, "addr", "add", f"{peer_addr}/{subnet.prefixlen}", "dev", peer_if])
            _run([ip, "-n", name, "link", "set", peer_if, "up"])
            _run([ip, "-n", name, "link", "set", "lo", "up"])
            ns.rules()  # iptables works in the namespace (the kernel has netfilter)
        except CommandFailed as exc:
            unavailable(f"cannot build the network namespace: {exc}")
        yield ns
    finally:
        problems = _remove(ip, name, host_if)
        assert not problems, f"namespace {name} not removed cleanly: {problems}"


class PeerServer:
    """The lab's echo server, run as a process inside the namespace on its veth address."""

    def __init__(self, ns: Namespace) -> None:
        self.ns = ns
        self.port = 0
        self._proc = subprocess.Popen(
            [
                ns.ip,
                "netns",
                "exec",
                ns.name,
                sys.executable,
                "-m",
                "tcpmonitor_gui.lab",
                "serve",
                "echo",
                "--host",
                ns.peer_ip,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_listening(self, timeout: float) -> None:
        assert self._proc.stdout is not None
        ready, _, _ = select.select([self._proc.stdout], [], [], timeout)
        line = self._proc.stdout.readline() if ready else ""
        words = line.split()
        if len(words) != 3 or words[0] != "listening":
            self._proc.kill()
            _, err = self._proc.communicate(timeout=SERVER_STOP_S)
            raise RuntimeError(
                f"peer server in {self.ns.name} did not start within {timeout} s: "
                f"{line!r} {err.strip()!r}"
            )
        self.port = int(words[2])

    def stop(self) -> None:
        """End of stdin ends the server; kill it if it has not gone by the deadline."""
        if self._proc.poll() is None:
            with contextlib.suppress(OSError):
                assert self._proc.stdin is not None
                self._proc.stdin.close()
            try:
                self._proc.wait(SERVER_STOP_S)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(SERVER_STOP_S)
        for pipe in (self._proc.stdin, self._proc.stdout, self._proc.stderr):
            if pipe is not None:
                pipe.close()


@contextlib.contextmanager
def echo_server(ns: Namespace) -> Iterator[PeerServer]:
    """An echo server listening on ``ns.peer_ip``; stopped (killed if need be) on the way out.

    It must be gone before the namespace is removed: a namespace lives on while any process
    is inside it, even after ``ip netns del``.
    """
    server = PeerServer(ns)
    try:
        server.wait_listening(SERVER_START_S)
        yield server
    finally:
        server.stop()
