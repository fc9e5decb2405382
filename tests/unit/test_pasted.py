"""What people paste where a host goes (``core.pasted``): the dialog's host field and the
command line's HOST:PORT read the host and port out of it, or leave it to the host's check."""

from __future__ import annotations

import pytest

from tcpmonitor_gui.core.pasted import split_target


@pytest.mark.parametrize(
    ("pasted", "found"),
    [
        ("db.example.com:5432", ("db.example.com", 5432)),
        ("postgres://app:secret@db.internal:6432/orders", ("db.internal", 6432)),
        ("https://grafana.example/login?next=/", ("grafana.example", 443)),
        ("[fe80::1%eth0]:22", ("fe80::1%eth0", 22)),
        ("bücher.example:８０", ("bücher.example", 80)),  # full-width digits, as pasted
        ("db.example.com：5432", ("db.example.com", 5432)),  # a Chinese input method's colon
        ("root@10.0.0.5", ("10.0.0.5", None)),
        ("mongodb+srv://cluster0.example.net/db", ("cluster0.example.net", None)),
    ],
)
def test_the_host_and_port_are_read_out_of_a_paste(
    pasted: str, found: tuple[str, int | None]
) -> None:
    assert split_target(pasted) == found


@pytest.mark.parametrize(
    "pasted",
    [
        "db.internal",
        "  db.internal \n",
        "2001:db8::1",
        "host.",
        "db one:22",
        "host:0",
        "host:99999",
        "host:nosuchservice",
        "https://",
        "[::1]x",
        "a:b:c",
        "x" * 100_000 + ":80",
    ],
)
def test_a_host_alone_or_no_host_and_port_is_left_to_the_hosts_check(pasted: str) -> None:
    assert split_target(pasted) is None
