"""A program running inside a test's network namespace, whose only way out is a veth pair to
this host, where real servers listen: pulling that cable is this computer going offline.

``JsonLines`` runs a command there (``tcpmonitor run --json``, or the window's harness) and
reads its JSON lines as they come; ``routed_namespace`` makes the namespace with a default
route through the host; ``cable`` takes the link down or brings it back.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from tcpmonitor_gui.core.profile import Profile
from tests.helpers import make_profile
from tests.netns import CommandFailed, Namespace, _run, namespace, unavailable

Match = Callable[[dict[str, Any]], bool]


class JsonLines:
    """``argv`` inside the namespace (``env`` its environment), its stdout's JSON lines read
    as they come; stderr goes to ``stderr_file``, shown when a wait fails."""

    def __init__(
        self, ns: Namespace, argv: Sequence[str], env: dict[str, str], stderr_file: Path
    ) -> None:
        self.stderr_file = stderr_file
        self._stderr = stderr_file.open("wb")
        self.proc = subprocess.Popen(
            [ns.ip, "netns", "exec", ns.name, *argv],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[tuple[float, dict[str, Any]]] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.events.put(json.loads(line))

    def send(self, line: str) -> None:
        stdin: IO[str] | None = self.proc.stdin
        assert stdin is not None
        stdin.write(line + "\n")
        stdin.flush()

    def until(
        self, match: Match, timeout: float, *, start: int = 0
    ) -> tuple[float, dict[str, Any]]:
        """The first line (seen from ``self.seen[start]`` on, or to come) that ``match``es,
        with when it was read."""
        deadline = time.monotonic() + timeout
        for at, event in self.seen[start:]:
            if match(event):
                return at, event
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                seen = [json.dumps(e)[:200] for _, e in self.seen[-30:]]
                errors = self.stderr_file.read_text(errors="replace")[-3000:]
                raise AssertionError(
                    f"no matching line within {timeout} s; last seen:\n"
                    + "\n".join(seen)
                    + f"\nstderr:\n{errors}"
                )
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            at = time.monotonic()
            self.seen.append((at, event))
            if match(event):
                return at, event

    def stop(self, at_eof_s: float = 0.0) -> None:
        """Close stdin and give the program ``at_eof_s`` to end at that, then terminate it."""
        with contextlib.suppress(OSError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(at_eof_s)
        if self.proc.returncode is None:
            self.proc.terminate()
        try:
            self.proc.wait(10)
        finally:
            if self.proc.stdout is not None:
                self.proc.stdout.close()
            self._stderr.close()


@contextlib.contextmanager
def routed_namespace() -> Iterator[Namespace]:
    """A namespace whose default route leads through the veth pair to this host."""
    with namespace() as made:
        made.run(made.ip, "route", "add", "default", "via", made.host_ip)
        yield made


_pairs = itertools.count()


@contextlib.contextmanager
def two_namespaces() -> Iterator[tuple[Namespace, Namespace]]:
    """A client namespace and a server namespace, joined by a veth pair on 10.50.0.0/24 (each
    namespace is a network of its own: no address on this host is involved): the server has
    10.50.0.1, the client 10.50.0.2 and a default route through the server. The client's
    secondary addresses are promoted when its primary goes, as a DHCP renewal with a new
    address does. Both are removed on the way out (stop their processes first)."""
    ip, iptables_cmd = shutil.which("ip"), shutil.which("iptables")
    if os.geteuid() != 0 or ip is None or iptables_cmd is None:
        unavailable("two network namespaces need root, iproute2 and iptables")
    tag = f"{os.getpid()}y{next(_pairs)}"
    client = Namespace(f"tcpmon-c{tag}", "tmc", "10.50.0.1", "10.50.0.2", ip, iptables_cmd)
    server = Namespace(f"tcpmon-s{tag}", "tms", "10.50.0.2", "10.50.0.1", ip, iptables_cmd)
    try:
        try:
            for ns in (client, server):
                _run([ip, "netns", "add", ns.name])
            _run([ip, "-n", client.name, "link", "add", "tmc", "type", "veth", "peer", "name",
                  "tms", "netns", server.name])  # fmt: skip
            client.run("sysctl", "-qw", "net.ipv4.conf.tmc.promote_secondaries=1")
            for ns, dev in ((client, "tmc"), (server, "tms")):
                _run([ip, "-n", ns.name, "addr", "add", f"{ns.peer_ip}/24", "dev", dev])
                _run([ip, "-n", ns.name, "link", "set", dev, "up"])
                _run([ip, "-n", ns.name, "link", "set", "lo", "up"])
            _run([ip, "-n", client.name, "route", "add", "default", "via", server.peer_ip])
        except CommandFailed as exc:
            unavailable(f"cannot build the network namespaces: {exc}")
        yield client, server
    finally:
        for ns in (client, server):
            with contextlib.suppress(CommandFailed):
                _run([ip, "netns", "del", ns.name])


def cable(ns: Namespace, plugged: bool) -> float:
    """Take the namespace's link down (a pulled cable) or bring it back with its default
    route; returns when it was done (``time.monotonic()``)."""
    at = time.monotonic()
    veth = ns.run(ns.ip, "-o", "link", "show").split("\n")
    name = next(line.split(": ")[1].split("@")[0] for line in veth if "tmp" in line)
    ns.run(ns.ip, "link", "set", name, "up" if plugged else "down")
    if plugged:
        ns.run(ns.ip, "route", "replace", "default", "via", ns.host_ip)
    return at


#: The 20 profiles of a pulled-cable test: every detector, on one server.
KINDS = ["probe"] * 7 + ["heartbeat"] * 7 + ["watch"] * 6


def mixed_profiles(host: str, port: int, interval_s: float, file: Path) -> list[Profile]:
    """``KINDS`` profiles on ``host:port``, written to ``file`` as a profiles file."""
    keepalive = {"idle_s": 1, "interval_s": 1, "count": 1}  # a watch's silent drop: ~2 s
    profiles = [
        make_profile(host, port, kind, name=f"{kind}-{i}", id=f"p{i}", interval_s=interval_s,
                     timeout_s=0.5, **({"keepalive": keepalive} if kind == "watch" else {}))
        for i, kind in enumerate(KINDS)
    ]  # fmt: skip
    file.write_text(json.dumps({"version": 1, "profiles": [p.to_dict() for p in profiles]}))
    return profiles


def state_of(profile_id: str, state: str, previous: str | None = None) -> Match:
    """Matches a state event of ``profile_id`` into ``state`` (from ``previous``)."""
    return lambda e: (
        e.get("kind") == "state"
        and e.get("profile_id") == profile_id
        and e.get("state") == state
        and (previous is None or e.get("previous") == previous)
    )


def back_from_down(profile_id: str) -> Match:
    """Matches ``profile_id`` leaving "down" once its cable is back: to "up", or to "degraded"
    when the first connect is slow (the kernel resolves the server's neighbour entry again
    first; a CI run saw 505 ms, which is truly slow, and truly back)."""
    return lambda e: (
        e.get("kind") == "state"
        and e.get("profile_id") == profile_id
        and e.get("previous") == "down"
        and e.get("state") in ("up", "degraded")
    )
