"""A target of two address families, from a computer that has a route for one of them only,
for real: ``tcpmonitor run`` in a namespace whose only way out is IPv4 (or IPv6), its
``/etc/hosts`` (``/etc/netns/NAME/hosts``, which ``ip netns exec`` puts in place) naming a
server by an address of each family.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcpmonitor_gui.lab import LineEchoServer
from tests.helpers import make_profile
from tests.netns import Namespace
from tests.netns_process import JsonLines, routed_namespace, state_of
from tests.unit._cli_process import TCPMONITOR, Home

pytestmark = pytest.mark.netns


@contextlib.contextmanager
def _hosts(ns: Namespace, lines: str) -> Iterator[None]:
    """``lines`` as the namespace's own ``/etc/hosts``; removed after."""
    folder = Path("/etc/netns") / ns.name
    folder.mkdir(parents=True)
    try:
        (folder / "hosts").write_text(lines)
        yield
    finally:
        shutil.rmtree(folder)
        with contextlib.suppress(OSError):
            folder.parent.rmdir()  # only if no other namespace has its own files there


def test_a_server_that_refuses_is_not_this_computers_for_want_of_a_route_to_its_other_family(
    tmp_path: Path,
) -> None:
    """A server named by an IPv4 and an IPv6 address (as most are), from a computer with no
    IPv6 route (most home networks): its service stopped, the IPv4 connect is refused, and
    the IPv6 one cannot leave (no route). The last failure was reported, so the drop was
    "this computer has no route to 2001:db8::7" (``local_network``): this computer blamed,
    the outage not counted as the server's, though a refusal proves the network works."""
    home = Home(tmp_path / "config", tmp_path / "data")
    with routed_namespace() as ns:
        with LineEchoServer(listen_host=ns.host_ip) as server:
            _, port = server.address  # the service stops: its port refuses
        with _hosts(ns, f"{ns.host_ip} dual.test\n2001:db8::7 dual.test\n"):
            profile = make_profile("dual.test", port, "probe", id="p", interval_s=1.0,
                                   timeout_s=0.5, fail_after=1)  # fmt: skip
            file = tmp_path / "profiles.json"
            file.write_text(json.dumps({"version": 1, "profiles": [profile.to_dict()]}))
            argv = [str(TCPMONITOR), "run", "--json", "--profiles", str(file), *home.options]
            run = JsonLines(ns, argv, home.env, tmp_path / "stderr.txt")
            try:
                _, down = run.until(state_of("p", "down"), 15)
            finally:
                run.stop()
    assert down["cause"] == "refused", f"{down['cause']}: {down['detail']}"
    assert "[2001:db8::7]" in down["detail"], down  # the other family is still named
