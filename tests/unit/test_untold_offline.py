"""A team's webhook beyond this computer's cable: the drops it could not be told while the
cable was out are told when it is back, for real, in a network namespace.

``tcpmonitor run`` runs in a namespace whose only way out is a veth pair to this host, where
the servers and the webhook listen. The cable pulled, both connections drop and their
notices cannot leave; meanwhile one server stops for good. Plugged back, the one that comes
back is told "back up" with the drop the service missed, and the one still down, which
changes no more, is told too: the service never hears of a recovery before its drop, nor
misses a connection that is down.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tcpmonitor_gui.lab import LineEchoServer
from tests.helpers import make_profile
from tests.netns import Namespace
from tests.netns_process import JsonLines, back_from_down, cable, routed_namespace, state_of
from tests.unit._cli_process import TCPMONITOR, Home
from tests.unit.test_notify_actions import Receiver

pytestmark = pytest.mark.netns


@pytest.fixture
def ns() -> Iterator[Namespace]:
    with routed_namespace() as made:
        yield made


def sent(event: dict[str, Any], profile_id: str) -> bool:
    return event["kind"] == "action" and event["profile_id"] == profile_id


def test_what_a_webhook_missed_while_offline_is_told_when_the_network_is_back(
    ns: Namespace, tmp_path: Path
) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    service = Receiver(host=ns.host_ip)
    url = f"json://{ns.host_ip}:{service.port}/"
    actions = [{"on": on, "notify": url, "timeout_s": 5} for on in ("down", "up")]
    with (
        LineEchoServer(listen_host=ns.host_ip) as kept,
        LineEchoServer(listen_host=ns.host_ip) as lost,
    ):
        profiles = [
            make_profile(*server.address, "probe", name=name, id=pid, interval_s=1,
                         timeout_s=0.5, fail_after=1).to_dict() | {"actions": actions}
            for server, name, pid in ((kept, "Orders DB", "kept"), (lost, "Cache", "lost"))
        ]  # fmt: skip
        file = tmp_path / "profiles.json"
        file.write_text(json.dumps({"version": 1, "profiles": profiles}))
        argv = [str(TCPMONITOR), "run", "--json", "--profiles", str(file), *home.options]
        run = JsonLines(ns, argv, home.env, tmp_path / "stderr.txt")
        try:
            for pid in ("kept", "lost"):
                run.until(state_of(pid, "up"), 15)
            cable(ns, plugged=False)
            for pid in ("kept", "lost"):
                run.until(state_of(pid, "down"), 15)
                _, failed = run.until(lambda e, p=pid: sent(e, p), 15)
                assert "not sent" in failed["detail"], failed
            lost.stop()  # down for good, while nobody could be told
            cable(ns, plugged=True)
            run.until(back_from_down("kept"), 15)
            for pid in ("kept", "lost"):
                run.until(lambda e, p=pid: sent(e, p) and "sent in " in e["detail"], 15)
            heard = [(told["title"], told["message"]) for _, _, told in service.wait(1)]
        finally:
            run.stop()
            service.shutdown()
            service.server_close()
    text = "\n".join(f"{title}\n{body}" for title, body in heard)
    assert "Not delivered at " in text and "Cache (" in text and "Orders DB (" in text, text
    dropped = [
        i for i, (_, body) in enumerate(heard) if "Orders DB (" in body and "is down" in body
    ]
    back = [i for i, (title, _) in enumerate(heard) if title == "Connection back up: Orders DB"]
    assert dropped and back and dropped[0] <= back[0], heard  # never back before the drop
    cache = [body for _, body in heard if "Cache (" in body]
    assert cache and "is down: local network" in cache[0], heard
