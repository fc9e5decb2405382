"""Routes that leave this computer in more than one way, read for real in a namespace of
their own (``unshare -n``): whether this computer is online, and has a route to a target."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.netns

#: Run in a namespace of its own: a link up, a default route of two nexthops through it
#: (``ip route add default nexthop ... nexthop ...``: multipath, as a multi-WAN setup makes).
_MULTIPATH = """
import subprocess
from tcpmonitor_gui.core.localnet import LocalNetwork
for command in ("ip link set lo up", "ip link add tmx0 type veth peer name tmx1",
                "ip link set tmx1 up", "ip link set tmx0 up", "ip addr add 192.0.2.2/24 dev tmx0",
                "ip route add default nexthop via 192.0.2.1 dev tmx0"
                " nexthop via 192.0.2.3 dev tmx0{extra}"):
    subprocess.run(command.split(), check=True)
local = LocalNetwork().start()
print(local.online, local.local_failure("198.51.100.7"), sep="|")
local.close()
"""


@pytest.mark.parametrize("uplink", ["beside its own subnet", "alone"])
def test_a_default_route_of_several_nexthops_is_a_way_out(uplink: str) -> None:
    """A multipath route has no outgoing link of its own (each of its nexthops has one): it
    was taken for no route, so a server's timeout was put down to "this computer has no route
    to 198.51.100.7", and with no other route this computer was "offline"."""
    extra = "" if uplink == "beside its own subnet" else '", "ip route del 192.0.2.0/24 dev tmx0'
    code = _MULTIPATH.replace("{extra}", extra)
    argv = ["unshare", "-n", sys.executable, "-c", code]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    if done.returncode != 0 and "unshare" in done.stderr:
        pytest.skip(f"no network namespace: {done.stderr.strip()}")
    assert done.stdout.strip() == "True|None", done.stdout + done.stderr
