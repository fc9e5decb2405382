"""What one reading of this computer's links and routes costs, with many containers running.

    python tests/bench/localnet_read.py [--containers N] [--reads K]

``LocalNetwork`` reads every link, route and address again at each change the kernel tells
(a container starting is one): on a host with hundreds of containers, each a veth port of a
bridge, what it does with them runs at every such change. In a network namespace of its own
(``unshare -n``, root), an uplink, then a bridge with N containers' veths; prints the mean
time of a reading with none and with N, and their ratio. This is a benchmark: it prints, it
never fails. Run it on two checkouts (``PYTHONPATH``) to compare them.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

_CODE = """
import subprocess, time
from tcpmonitor_gui.core.localnet import LocalNetwork

def run(commands):
    subprocess.run(["ip", "-batch", "-"], input="\\n".join(commands), text=True, check=True)

def mean_ms(reads):
    local = LocalNetwork().start()
    try:
        local._update()
        began = time.perf_counter()
        for _ in range(reads):
            local._update()
        return (time.perf_counter() - began) * 1000 / reads
    finally:
        local.close()

run(["link set lo up", "link add tmx0 type veth peer name tmx1", "link set tmx1 up",
     "link set tmx0 up", "addr add 192.0.2.2/24 dev tmx0", "route add default via 192.0.2.1",
     "link add tmbr0 type bridge", "addr add 172.31.0.1/16 dev tmbr0", "link set tmbr0 up"])
alone = mean_ms({reads})
run([c for i in range({containers}) for c in (
    f"link add tmc{{i}}a type veth peer name tmc{{i}}b", f"link set tmc{{i}}a master tmbr0",
    f"link set tmc{{i}}b up", f"link set tmc{{i}}a up")])
crowded = mean_ms({reads})
print(f"one reading: {{alone:.2f}} ms with no container, {{crowded:.2f}} ms with {containers}"
      f" (ratio {{crowded / alone:.1f}})")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--containers", type=int, default=300)
    parser.add_argument("--reads", type=int, default=50)
    args = parser.parse_args()
    code = _CODE.format(containers=args.containers, reads=args.reads)
    done = subprocess.run(["unshare", "-n", sys.executable, "-c", code], check=False)
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
