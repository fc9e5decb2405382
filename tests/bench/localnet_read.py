"""What this computer's links and routes cost ``LocalNetwork`` to follow, with many containers.

    python tests/bench/localnet_read.py [--containers N] [--reads K] [--churn C]

On a host with hundreds of containers, each a veth port of a bridge, ``LocalNetwork`` once
read every link, route and address again at each change the kernel told (a container
starting is a dozen notices); it now reads them whole at start (and after notices were
lost), and takes in each change from its notices. In a network namespace of its own
(``unshare -n``, root), an uplink, then a bridge with N containers' veths; prints:

- a whole reading, with none and with N (what each change once cost);
- one change (a container's veth coming, its notices as the kernel sent them) taken in from
  its notices, with N, and the ratio of the whole reading to it;
- the CPU of the watcher's thread over a churn of C veths added then removed under the
  bridge, one at a time (each taken in before the next, as containers start and stop),
  following the notices, and reading whole at each batch of them as before, and their
  ratio.

This is a benchmark: it prints, it never fails.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

_CODE = """
import os, select, subprocess, threading, time
from pyroute2 import IPRoute
from tcpmonitor_gui.core.localnet import LocalNetwork
from tcpmonitor_gui.core.rtnl import Notices

def run(commands):
    subprocess.run(["ip", "-batch", "-"], input="\\n".join(commands), text=True, check=True)

def whole_ms(local, reads):
    local._update()
    began = time.perf_counter()
    for _ in range(reads):
        local._update()
    return (time.perf_counter() - began) * 1000 / reads

def notices_of(commands):
    notices = Notices(1 << 22)
    run(commands)
    found, deadline = [], time.monotonic() + 2
    while time.monotonic() < deadline:  # the kernel's notices of them, as the watcher gets them
        if select.select([notices], [], [], 0.2)[0]:
            found.extend(notices.read())
        elif found:
            break
    notices.close()
    return found

def thread_cpu_s(thread):
    with open(f"/proc/self/task/{thread.native_id}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def churn_cpu_s(count, markers):
    local = LocalNetwork().start()
    try:
        began = thread_cpu_s(local._thread)
        for i in range(count):  # one container at a time, as they start and stop
            for step in ([f"link add tmk{i}a type veth peer name tmk{i}b",
                          f"link set tmk{i}a master tmbr0", f"link set tmk{i}b up",
                          f"link set tmk{i}a up"], [f"link del tmk{i}a"]):
                marker = next(markers)
                run(step + [f"addr add {marker}/32 dev lo"])
                deadline = time.monotonic() + 600
                while marker not in local._anywhere:  # every notice before it taken in
                    assert time.monotonic() < deadline, "the watcher never saw the churn"
                    time.sleep(0.01)  # ok-sleep: polling the watcher's state, with a deadline
        return thread_cpu_s(local._thread) - began
    finally:
        local.close()

MARKERS = iter(f"127.0.{i // 250 + 1}.{i % 250 + 1}" for i in range(10000))

run(["link set lo up", "link add tmx0 type veth peer name tmx1", "link set tmx1 up",
     "link set tmx0 up", "addr add 192.0.2.2/24 dev tmx0", "route add default via 192.0.2.1",
     "link add tmbr0 type bridge", "addr add 172.31.0.1/16 dev tmbr0", "link set tmbr0 up"])
local = LocalNetwork()  # not started: no watcher beside these readings
local._query = IPRoute()
alone = whole_ms(local, __READS__)
run([c for i in range(__CONTAINERS__) for c in (
    f"link add tmc{i}a type veth peer name tmc{i}b", f"link set tmc{i}a master tmbr0",
    f"link set tmc{i}b up", f"link set tmc{i}a up")])
crowded = whole_ms(local, __READS__)
print(f"a whole reading: {alone:.2f} ms with no container, {crowded:.2f} ms with"
      f" __CONTAINERS__ (ratio {crowded / alone:.1f})")
one = notices_of(["link add tmcXa type veth peer name tmcXb", "link set tmcXa master tmbr0",
                  "link set tmcXb up", "link set tmcXa up"])
local._update()
began = time.perf_counter()
for _ in range(__READS__):
    local._update(one)
change = (time.perf_counter() - began) * 1000 / __READS__
print(f"one change ({len(one)} notices of a container's veth) with __CONTAINERS__:"
      f" {crowded:.2f} ms read whole (before), {change:.2f} ms from its notices (after);"
      f" ratio {crowded / change:.1f}")
local._close_sockets()
following = churn_cpu_s(__CHURN__, MARKERS)
follow = LocalNetwork._update
LocalNetwork._update = lambda self, messages=None: follow(self)  # read whole, as before
whole = churn_cpu_s(__CHURN__, MARKERS)
print(f"the watcher's CPU over a churn of __CHURN__ veths added and removed, one at a time,"
      f" with __CONTAINERS__:"
      f" {whole:.2f} s read whole at each batch of notices (before), {following:.2f} s"
      f" following them (after); ratio {whole / max(following, 0.01):.1f}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--containers", type=int, default=300)
    parser.add_argument("--reads", type=int, default=20)
    parser.add_argument("--churn", type=int, default=20)
    args = parser.parse_args()
    code = (
        _CODE.replace("__CONTAINERS__", str(args.containers))
        .replace("__READS__", str(args.reads))
        .replace("__CHURN__", str(args.churn))
    )
    done = subprocess.run(["unshare", "-n", sys.executable, "-c", code], check=False)
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
