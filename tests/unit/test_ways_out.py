"""Links that are up but lead nowhere out of this computer, read for real in a namespace of
their own (``unshare -n``): containers' bridges and VPN tunnels, while the uplink goes.

Each case runs ``LocalNetwork`` in a fresh namespace, the uplink a veth pair whose far end is
taken down (the cable out: no carrier, the kernel keeps its routes marked ``linkdown``), and
prints what it says before and after.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.netns

#: What a script run in a namespace of its own uses.
_PRELUDE = """
import fcntl, os, struct, subprocess, time
from tcpmonitor_gui.core.localnet import LocalNetwork

def run(*commands):
    for command in commands:
        subprocess.run(command.split(), check=True)

def carrier(link, present=True):  # the kernel sets it a moment later (its linkwatch)
    deadline = time.monotonic() + 10
    while present == ("NO-CARRIER" in subprocess.run(["ip", "link", "show", link], check=True,
                                                     capture_output=True, text=True).stdout):
        assert time.monotonic() < deadline, f"{link}: carrier not {present}"
        time.sleep(0.02)  # ok-sleep: polling the kernel's link state, with a deadline

def tun(name):  # a VPN's device, held open as its program holds it: it has a carrier
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, 0x400454CA, struct.pack("16sH", name.encode(), 0x0001 | 0x1000))
    return fd

def told_until(told, subnet):  # a route out added: what is told, up to it (told once what
    run(f"ip route add {subnet} via 192.0.2.1")  # came before it is)
    while subnet not in (said := told.get(timeout=10)):
        print(said)
    print(said)

def say(targets):
    local = LocalNetwork().start()
    print(local.online, local.reason, *(local.local_failure(t) for t in targets), sep="|")
    local.close()
"""
#: An uplink (192.0.2.2/24, default via 192.0.2.1), then ``{setup}``.
_UPLINK = """
run("ip link set lo up", "ip link add tmx0 type veth peer name tmx1", "ip link set tmx1 up",
    "ip link set tmx0 up", "ip addr add 192.0.2.2/24 dev tmx0",
    "ip route add default via 192.0.2.1")
carrier("tmx0")
{setup}
"""
#: ``_UPLINK``, and what ``LocalNetwork`` says with the uplink, and with it gone.
_SCRIPT = (
    _PRELUDE
    + _UPLINK
    + """
say({targets})
run("ip link set tmx1 down")  # the cable out
carrier("tmx0", present=False)
say({targets})
"""
)


#: What ``told_until`` prints of two routes out added, where nothing else is told.
_TWO_ROUTES_TOLD = [
    ["this computer's network changed: new route 198.51.100.0/24 via 192.0.2.1 dev tmx0"],
    ["this computer's network changed: new route 203.0.113.0/24 via 192.0.2.1 dev tmx0"],
]


def _said(setup: str, targets: list[str], script: str = _SCRIPT) -> list[list[str]]:
    """What ``LocalNetwork`` says with the uplink and without it: online, reason, and
    ``local_failure`` of each of ``targets``, each as printed."""
    code = script.replace("{setup}", setup).replace("{targets}", repr(targets))
    argv = ["unshare", "-n", sys.executable, "-c", code]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0 and "unshare" in done.stderr:
        pytest.skip(f"no network namespace: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    return [line.split("|") for line in done.stdout.splitlines()]


def test_a_bridge_of_running_containers_is_not_a_way_out() -> None:
    """docker0 with a container running (its veth a port of the bridge, up): the bridge has
    a carrier and its subnet's route, taken for a way out. With the cable out, this computer
    was still online, and every server's timeout "this computer has no route to" it; it is
    offline, and a container's own failure is still the container's."""
    setup = """
run("ip link add tmbr0 type bridge", "ip link add tmc0 type veth peer name tmc1",
    "ip link set tmc0 master tmbr0", "ip link set tmc1 up", "ip link set tmc0 up",
    "ip addr add 172.31.250.1/24 dev tmbr0", "ip link set tmbr0 up")
carrier("tmbr0")
"""
    _online_then_offline_but_on_it(setup, "172.31.250.9")


def _online_then_offline_but_on_it(setup: str, on_it: str) -> None:
    """``setup`` done, online; the cable out, offline: a server's failure is this
    computer's, and that of ``on_it`` (on the link ``setup`` made) is not."""
    online, offline = _said(setup, ["198.51.100.7", on_it])
    assert online == ["True", "", "None", "None"]
    state, reason, server, there = offline
    assert state == "False"
    assert reason.startswith("this computer's network is down"), reason
    assert [server, there] == [reason, "None"]


#: A container routed to (Calico's pods, LXC's routed mode, ``ip netns``): a veth of no bridge,
#: its address and the /30 route to the container's end.
_ROUTED = """
run("ip link add tmp0 type veth peer name tmp1", "ip link set tmp1 up", "ip link set tmp0 up",
    "ip addr add 10.213.5.1/30 dev tmp0")
carrier("tmp0")
"""


def test_a_container_routed_to_through_a_veth_of_its_own_is_not_a_way_out() -> None:
    """A pod's veth with its route (no bridge) was taken for a way out: with the cable out,
    this computer was still online, each server's timeout put on the server."""
    _online_then_offline_but_on_it(_ROUTED, "10.213.5.2")


def test_a_container_routed_to_coming_and_going_is_no_change_of_this_computers_network() -> None:
    """Each pod started or stopped (its veth, address and route) was "this computer's network
    changed: new route 10.213.5.0/30 dev tmp0": every monitor checked again, and the window
    held back any drop of the next 5 s. A change of the routes out is still told."""
    script = (
        """
import queue
told = queue.Queue()
local = LocalNetwork(lambda online, why: told.put(why), told.put).start()
"""
        + _ROUTED
        + """
for step, subnet in (("made", "198.51.100.0/24"), ("gone", "203.0.113.0/24")):
    if step == "gone":
        run("ip link del tmp0")
    told_until(told, subnet)
local.close()
"""
    )
    assert _said(script, [], _PRELUDE + _UPLINK) == _TWO_ROUTES_TOLD


def test_a_bridge_of_containers_with_the_default_route_through_it_is_a_way_out() -> None:
    """A bridge of veths only, the default route through it (a router container, or a
    namespace whose veth uplink is the bridge's port): it leads out, the cable's going
    aside."""
    setup = """
run("ip link add tmbr0 type bridge", "ip link add tmc0 type veth peer name tmc1",
    "ip link set tmc0 master tmbr0", "ip link set tmc1 up", "ip link set tmc0 up",
    "ip addr add 172.31.250.1/24 dev tmbr0", "ip link set tmbr0 up")
carrier("tmbr0")
run("ip route replace default via 172.31.250.2")
"""
    online, still = _said(setup, ["198.51.100.7"])
    assert online == ["True", "", "None"]
    assert still == ["True", "", "None"]


def test_a_vpn_whose_uplink_is_gone_does_not_keep_this_computer_online() -> None:
    """A VPN (tun0, held open by its program, as OpenVPN holds it while it retries) routes
    everything (0/1 and 128/1, its server through the uplink): the cable out, its routes
    stay, so this computer was online and every server's timeout was the server's. It is
    offline, naming the tunnel; with the uplink, the tunnel's routes lead out again."""
    setup = """
held = tun("tmtun0")
run("ip link set tmtun0 up", "ip addr add 10.8.0.2/24 dev tmtun0",
    "ip route add 203.0.113.1/32 via 192.0.2.1", "ip route add 0.0.0.0/1 dev tmtun0",
    "ip route add 128.0.0.0/1 dev tmtun0", "ip route del default")
carrier("tmtun0")
"""
    online, offline = _said(setup, ["198.51.100.7", "10.8.0.9"])
    assert online == ["True", "", "None", "None"]
    down = (
        "this computer's network is down (only the tunnel tmtun0 is up, with no link out under it)"
    )
    assert offline == ["False", down, down, down]


def test_a_tunnel_with_no_other_link_here_at_all_is_the_way_out() -> None:
    """A rootless container's namespace: loopback and a tap, carried by slirp4netns or pasta
    from outside it, and the default route through it. No link here is under it, and none
    can be seen: it is the way out, not a VPN whose uplink is gone."""
    setup = """
run("ip link set lo up")
held = tun("tmtap0")
run("ip link set tmtap0 up", "ip addr add 10.0.2.100/24 dev tmtap0",
    "ip route add default via 10.0.2.2")
carrier("tmtap0")
say({targets})
"""
    [said] = _said(setup, ["198.51.100.7"], _PRELUDE + "{setup}")
    assert said == ["True", "", "None"]


#: Ethernet (tmx0, 192.0.2.2/24) and Wi-Fi (tmy0, 198.18.0.2/24) up, the default route
#: through the ethernet (metric 0) and another through the Wi-Fi (600).
_TWO_UPLINKS = """
run("ip link set lo up")
for eth, net in (("tmx", "192.0.2"), ("tmy", "198.18.0")):
    run(f"ip link add {eth}0 type veth peer name {eth}1", f"ip link set {eth}1 up",
        f"ip link set {eth}0 up", f"ip addr add {net}.2/24 dev {eth}0")
    carrier(eth + "0")
run("ip route add default via 192.0.2.1", "ip route add default via 198.18.0.1 metric 600")
"""


def test_a_route_the_kernel_still_takes_through_a_link_without_carrier_is_this_computers() -> None:
    """Ethernet and Wi-Fi both up, the default route through the ethernet (metric 0) and
    another through the Wi-Fi (600). The cable out, the kernel keeps the ethernet's routes
    (``linkdown``) and still takes them, until something removes them: every connection out
    goes nowhere. This computer was online (the Wi-Fi's route), so each server's timeout
    was its own ("still down, no longer for this computer's network"). Where the kernel is
    told to pass over such routes (``ignore_routes_with_linkdown``), the Wi-Fi carries them,
    and a failure is the server's again."""
    script = """
say({targets})
run("ip link set tmx1 down")  # the cable out
carrier("tmx0", present=False)
say({targets})
run("sysctl -qw net.ipv4.conf.tmx0.ignore_routes_with_linkdown=1")
say({targets})
"""
    targets = ["203.0.113.7", "192.0.2.9", "198.18.0.9"]
    online, cut_off, passed_over = _said("", targets, _PRELUDE + _TWO_UPLINKS + script)
    assert online == ["True", "", "None", "None", "None"]
    dead_end = "this computer's route to {} goes through tmx0, which has no carrier"
    assert cut_off == ["True", "", *(dead_end.format(t) for t in targets[:2]), "None"]
    assert passed_over == ["True", "", "None", "None", "None"]


def test_a_connection_cut_from_an_address_on_a_link_that_is_down_says_so() -> None:
    """The cable out beside a Wi-Fi that is up: the connections held from the ethernet's
    address are cut (nothing carries them), as "this computer's address 192.0.2.2 is gone",
    though it is there, on a link without carrier (``ip addr`` shows it). It says where it
    is; an address deleted is gone."""
    script = """
run("ip link set tmx1 down")  # the cable out
carrier("tmx0", present=False)
local = LocalNetwork().start()
print(local.address_gone("192.0.2.2"), local.address_gone("192.0.2.2", to="192.0.2.2"), sep="|")
local.close()
run("ip addr del 192.0.2.2/24 dev tmx0")
local = LocalNetwork().start()
print(local.address_gone("192.0.2.2"))
local.close()
"""
    down, deleted = _said("", [], _PRELUDE + _TWO_UPLINKS + script)
    assert down == ["cut: this computer's address 192.0.2.2 is on tmx0, which is down", "None"]
    assert deleted == ["cut: this computer's address 192.0.2.2 is gone"]


def test_a_container_starting_or_stopping_is_no_change_of_this_computers_network() -> None:
    """docker0 gains a carrier when a container starts (its route with it) and loses it when
    the last one stops. Each was told as "this computer's network changed: new route
    172.31.250.0/24 dev tmbr0" (or "route gone"): every monitor checked again, and any drop
    in the next 5 s was put down to it, though nothing that leaves this computer goes that
    way. A change of the routes out (here, a new one) is still told, and nothing else."""
    script = """
import queue
run("ip link add tmbr0 type bridge", "ip link add tmct0 type veth peer name tmct1",
    "ip link set tmct0 master tmbr0", "ip addr add 172.31.250.1/24 dev tmbr0",
    "ip link set tmbr0 up")
told = queue.Queue()
local = LocalNetwork(lambda online, why: told.put(why), told.put).start()
for container, subnet in (("up", "198.51.100.0/24"), ("down", "203.0.113.0/24")):
    run(f"ip link set tmct1 {container}", f"ip link set tmct0 {container}")
    carrier("tmbr0", present=container == "up")
    told_until(told, subnet)
local.close()
"""
    assert _said(script, [], _PRELUDE + _UPLINK) == _TWO_ROUTES_TOLD


def test_a_device_on_a_cable_of_its_own_is_not_blamed_on_this_computer_being_offline() -> None:
    """A PLC or a camera on a cable of its own, at a link-local address (169.254.x.x, as
    devices without DHCP take, or fe80::...%eth1), the computer's Wi-Fi off: no route leaves
    it, so it is offline, and the device's own failure was "this computer's network is
    down", though the link to it is up. It is the device's; beyond that link, offline."""
    script = """
run("ip link set lo up", "ip link add tmx0 type veth peer name tmx1", "ip link set tmx1 up",
    "ip link set tmx0 up", "ip addr add 169.254.7.2/16 dev tmx0")
carrier("tmx0")
say({targets})
"""
    targets = ["169.254.7.9", "fe80::9%tmx0", "fe80::9%tmy0", "198.51.100.7"]
    [said] = _said("", targets, _PRELUDE + script)
    down = "this computer's network is down (no route leaves it)"
    assert said == ["False", down, "None", "None", down, down]


def test_a_second_uplink_flapping_is_one_change_told_not_one_each_time() -> None:
    """Ethernet up, and a Wi-Fi beside it whose link flaps (down and up again every few
    tenths of a second, a weak signal): each time its routes went or came, settled, was a
    change told, six in two seconds, each one making every monitor check again at once. The
    first is told, and the rest once the routes hold (here, the flapping ends with both
    links going: offline, told at once, says the rest)."""
    script = """
import queue
told = queue.Queue()
local = LocalNetwork(lambda online, why: told.put(online), told.put).start()
for _ in range(10):
    run("ip link set tmy1 down")
    time.sleep(0.12)  # ok-sleep: makes the scenario (a link that flaps), waits for nothing
    run("ip link set tmy1 up", "ip route replace default via 198.18.0.1 metric 600")
    time.sleep(0.12)  # ok-sleep: makes the scenario
run("ip link set tmx1 down", "ip link set tmy1 down")
said = []
while (news := told.get(timeout=10)) is not False:
    said.append(news)
print(len(said))
local.close()
"""
    [[changes]] = _said("", [], _PRELUDE + _TWO_UPLINKS + script)
    assert int(changes) <= 3, f"{changes} changes told"  # 6 before: one a flap


@pytest.mark.parametrize(
    ("link", "made"),
    [
        ("tmd0", "ip link add tmd0 type dummy"),
        ("vboxnet0", "ip link add vboxnet0 type veth peer name tmvb1"),
        ("vmnet1", "ip link add vmnet1 type veth peer name tmvb1"),
    ],
    ids=["dummy", "virtualbox-host-only", "vmware-host-only"],
)
def test_a_dummy_link_or_a_host_only_adapter_is_not_a_way_out(link: str, made: str) -> None:
    """A dummy link (a service's address on it, its subnet's route through it), or a
    VirtualBox or VMware host-only adapter (vboxnet0, vmnet1: to this computer's VMs only;
    here a veth of that name, as its driver gives it no kind of link to tell it by) is up,
    with a carrier, and was taken for a way out: the cable out, this computer was still
    online, and every server's timeout "this computer has no route to" it. It is offline,
    and what is on that link is still not put down to it."""
    if link == "tmd0":
        argv = ["unshare", "-n", *made.split()]
        made_here = subprocess.run(argv, capture_output=True, text=True, check=False)
        if "Unknown device type" in made_here.stderr:
            pytest.skip("this kernel has no dummy links (CONFIG_DUMMY)")
    setup = f"""
run("{made}", "ip link set {link} up", "ip addr add 10.99.0.1/24 dev {link}")
if "{link}" != "tmd0":
    run("ip link set tmvb1 up")
carrier("{link}")
"""
    _online_then_offline_but_on_it(setup, "10.99.0.9")
