"""Every refusal of ``Profile.from_dict`` names the field path, shows the value and says what
is allowed: the user reads these messages in the profile dialog, on stderr and in file errors.
"""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import pytest

from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.validate import HIDDEN, FieldError

PROFILE_KEYS = (
    "known: acknowledged, actions, detector, enabled, fail_after, group, host, id, ip_family, "
    "maintenance, name, notes, notify, port, recover_after, snooze_until, warn_latency_ms"
)
DETECTOR_KEYS = (
    "known: expect, interval_s, keepalive, kind, max_backoff_s, preset, send, timeout_s, tls, "
    "tls_ca_file, tls_server_name, tls_verify, user_timeout_s"
)
PRESETS = "is not one of echo, redis, http, memcached, smtp, ftp, ssh, hex, custom"


def make(detector: Any = None, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": "Orders DB", "host": "db.internal", "port": 5432}
    data.update(fields)
    if detector is not None:
        data["detector"] = detector
    return data


def without(key: str) -> dict[str, Any]:
    data = make()
    del data[key]
    return data


def refusal(data: Any) -> FieldError:
    with pytest.raises(FieldError) as caught:
        Profile.from_dict(data)
    return caught.value


CASES: list[tuple[str, Any, str, str, str]] = [
    # (id, data, field, value as shown, what is allowed / what is wrong)
    ("not-an-object", 5, "profile", "5", "is not an object"),
    ("unknown-key", make(colour="red"), "colour", HIDDEN, PROFILE_KEYS),  # a newer one's: a secret?
    ("missing-name", without("name"), "name", "null", "is missing (it is required)"),
    ("missing-host", without("host"), "host", "null", "is missing (it is required)"),
    ("missing-port", without("port"), "port", "null", "is missing (it is required)"),
    ("name-not-text", make(name=5), "name", "5", "is not text"),
    ("name-blank", make(name="   "), "name", "'   '", "is empty (it is required)"),
    # An override turns what follows around: "db \u202enwod si" shows as "db is down".
    ("name-bidi", make(name="db \u202enwod si"), "name", "'db", "bidirectional control"),
    ("group-bidi", make(group="\u2067prod"), "group", "'", "bidirectional control"),
    ("name-too-long", make(name="n" * 101), "name", "'nnnn", "101 characters, allowed at most 100"),
    ("host-empty", make(host=""), "host", "''", "is not a host name or IP address"),
    ("host-not-text", make(host=42), "host", "42", "is not a host name or IP address"),
    ("host-bad-label", make(host="-db-.x"), "host", "'-db-.x'", "is not a valid host name"),
    ("host-space", make(host="db one"), "host", "'db one'", "is not a valid host name"),
    # "$" matched before a last newline: a host copied from a terminal with its line end was
    # saved, and never resolved ("a.b\n.c" with one inside, too).
    ("host-newline", make(host="db.internal\n"), "host", "'db.internal\\n'", "is not a valid host"),
    ("host-inner-newline", make(host="a.b\n.c"), "host", "'a.b\\n.c'", "is not a valid host"),
    ("host-bad-ipv4", make(host="999.1.1.1"), "host", "'999.1.1.1'", "is not a valid IP address"),
    # The resolver reads "0x7f.1" as 127.0.0.1 (inet_aton's forms), as it reads "1.2.3": it
    # was saved, and checked 127.0.0.1, a host the user never named.
    ("host-hex-ipv4", make(host="0x7f.1"), "host", "'0x7f.1'", "is not a valid IP address"),
    ("host-hex-ipv4-long", make(host="0XC0.0xa8.0.1"), "host", "'0XC0", "is not a valid IP"),
    ("host-too-long", make(host="a" * 254), "host", "'aaaa", "is not a valid host name"),
    # Internationalized names are taken where IDNA can write them in ASCII; not with a
    # right-to-left override (which would show the name reversed), nor a label over 63.
    ("host-idn-bidi", make(host="exa\u202emple.com"), "host", "'exa", "is not a valid host"),
    ("host-idn-long-label", make(host="ü" * 70 + ".de"), "host", "'üüü", "is not a valid host"),
    ("host-idn-empty-label", make(host="ä..de"), "host", "'ä..de'", "is not a valid host"),
    ("port-zero", make(port=0), "port", "0", "is out of range (allowed 1 to 65535)"),
    ("port-high", make(port=65536), "port", "65536", "is out of range (allowed 1 to 65535)"),
    ("port-text", make(port="80"), "port", "'80'", "is not a whole number (allowed 1 to 65535)"),
    (
        "port-fraction",
        make(port=80.5),
        "port",
        "80.5",
        "is not a whole number (allowed 1 to 65535)",
    ),
    ("port-bool", make(port=True), "port", "true", "is not a whole number (allowed 1 to 65535)"),
    ("id-space", make(id="a b"), "id", "'a b'", "is not an id (1 to 64 letters, digits"),
    ("id-too-long", make(id="i" * 65), "id", "'iiii", "is not an id (1 to 64 letters, digits"),
    ("id-number", make(id=7), "id", "7", "is not an id (1 to 64 letters, digits"),
    ("group-too-long", make(group="g" * 101), "group", "'gggg", "allowed at most 100"),
    ("group-not-text", make(group=[]), "group", "list", "is not text"),
    ("enabled-text", make(enabled="yes"), "enabled", "'yes'", "is not true or false"),
    ("notes-too-long", make(notes="x" * 10_001), "notes", "'xxxx", "allowed at most 10000"),
    ("ip-family", make(ip_family="v4"), "ip_family", "'v4'", "is not one of auto, ipv4, ipv6"),
    ("fail-after-0", make(fail_after=0), "fail_after", "0", "(allowed 1 to 100)"),
    ("fail-after-101", make(fail_after=101), "fail_after", "101", "(allowed 1 to 100)"),
    ("recover-after-0", make(recover_after=0), "recover_after", "0", "(allowed 1 to 100)"),
    ("recover-after-1.5", make(recover_after=1.5), "recover_after", "1.5", "not a whole number"),
    ("warn-negative", make(warn_latency_ms=-1), "warn_latency_ms", "-1", "(allowed 0 to 600000)"),
    ("warn-text", make(warn_latency_ms="5"), "warn_latency_ms", "'5'", "is not a number"),
    ("notify-not-object", make(notify=[]), "notify", "list", "is not an object"),
    ("notify-unknown", make(notify={"sound": 1}), "notify.sound", "1", "known: on_down, on_up"),
    ("notify-on-down", make(notify={"on_down": "no"}), "notify.on_down", "'no'", "true or false"),
    ("notify-on-up", make(notify={"on_up": None}), "notify.on_up", "null", "true or false"),
    (
        "ipv4-family-with-ipv6-host",
        make(host="::1", ip_family="ipv4"),
        "ip_family",
        "'ipv4'",
        "does not fit the IPv6 address ::1",
    ),
    (
        "ipv6-family-with-ipv4-host",
        make(host="192.0.2.1", ip_family="ipv6"),
        "ip_family",
        "'ipv6'",
        "does not fit the IPv4 address 192.0.2.1",
    ),
    ("detector-not-object", make(detector=5), "detector", "5", "is not an object"),
    (
        "kind",
        make({"kind": "ping"}),
        "detector.kind",
        "'ping'",
        "not one of probe, heartbeat, watch",
    ),
    ("detector-unknown", make({"colour": 1}), "detector.colour", "1", DETECTOR_KEYS),
    ("preset", make({"preset": "telnet"}), "detector.preset", "'telnet'", PRESETS),
    ("keepalive-not-object", make({"keepalive": 3}), "detector.keepalive", "3", "not an object"),
    (
        "keepalive-unknown",
        make({"keepalive": {"probes": 3}}),
        "detector.keepalive.probes",
        "3",
        "known: count, idle_s, interval_s",
    ),
    (
        "keepalive-idle",
        make({"keepalive": {"idle_s": 0}}),
        "detector.keepalive.idle_s",
        "0",
        "(allowed 1 to 32767)",
    ),
    (
        "keepalive-interval",
        make({"keepalive": {"interval_s": 40000}}),
        "detector.keepalive.interval_s",
        "40000",
        "(allowed 1 to 32767)",
    ),
    (
        "keepalive-count",
        make({"keepalive": {"count": 128}}),
        "detector.keepalive.count",
        "128",
        "(allowed 1 to 127)",
    ),
    (
        "user-timeout",
        make({"user_timeout_s": -1}),
        "detector.user_timeout_s",
        "-1",
        "(allowed 0 to 3600)",
    ),
    ("interval-0", make({"interval_s": 0}), "detector.interval_s", "0", "(allowed 0.1 to 86400)"),
    (
        "interval-text",
        make({"interval_s": "5"}),
        "detector.interval_s",
        "'5'",
        "is not a number (allowed 0.1 to 86400)",
    ),
    ("timeout", make({"timeout_s": 0.01}), "detector.timeout_s", "0.01", "(allowed 0.05 to 600)"),
    ("send-too-long", make({"send": "s" * 4097}), "detector.send", "(not shown", "at most 4096"),
    ("expect-not-text", make({"expect": 5}), "detector.expect", "5", "is not text"),
    ("tls", make({"tls": "yes"}), "detector.tls", "'yes'", "is not true or false"),
    (
        "tls-server-name",
        make({"tls_server_name": "t" * 254}),
        "detector.tls_server_name",
        "'tttt",
        "at most 253",
    ),
    # A URL or host:port pasted as the server name was saved, and every check then failed
    # on the certificate's names ("hostname mismatch"), far from the field to blame.
    (
        "tls-server-name-url",
        make({"tls_server_name": "https://db.example"}),
        "detector.tls_server_name",
        "'https://db.example'",
        "is not a valid host name",
    ),
    (
        "tls-server-name-port",
        make({"tls_server_name": "db.example:443"}),
        "detector.tls_server_name",
        "'db.example:443'",
        "is not a valid host name",
    ),
    ("tls-verify", make({"tls_verify": 1}), "detector.tls_verify", "1", "is not true or false"),
    ("tls-ca-file", make({"tls_ca_file": "c" * 4097}), "detector.tls_ca_file", "'cccc", "4096"),
    (
        "max-backoff",
        make({"max_backoff_s": 0.5}),
        "detector.max_backoff_s",
        "0.5",
        "(allowed 1 to 3600)",
    ),
    (
        "hex-send",
        make({"kind": "heartbeat", "preset": "hex", "send": "zz", "expect": "00"}),
        "detector.send",
        "(not shown: it may hold a password)",  # what is sent may log in
        "is not hex bytes (pairs of 0-9a-f, spaces allowed)",
    ),
    (
        "hex-expect",
        make({"preset": "hex", "send": "00", "expect": "0g"}),
        "detector.expect",
        "'0g'",
        "is not hex bytes (pairs of 0-9a-f, spaces allowed)",
    ),
    (
        "bad-regex",
        make({"preset": "custom", "send": "hi\n", "expect": "(unclosed"}),
        "detector.expect",
        "'(unclosed'",
        "is not a valid regular expression (missing ): (unclosed)",
    ),
    (
        "catastrophic-backtracking-is-fine-but-backreferences-are-not",
        make({"preset": "custom", "send": "hi\n", "expect": r"(a)\1"}),
        "detector.expect",
        "'(a)\\\\1'",
        "invalid escape sequence: \\1; lookaround and backreferences are not supported",
    ),
    (
        "heartbeat-without-send",
        make({"kind": "heartbeat", "preset": "custom"}),
        "detector.send",
        "''",
        "is empty: a heartbeat needs something to send",
    ),
    (
        "heartbeat-without-preset-or-send",
        make({"kind": "heartbeat", "preset": None}),
        "detector.send",
        "''",
        "is empty: a heartbeat needs something to send",
    ),
    (
        "heartbeat-ssh",
        make({"kind": "heartbeat", "preset": "ssh"}),
        "detector.preset",
        "'ssh'",
        "sends nothing, so a heartbeat cannot use it; use probe or watch",
    ),
    (
        "watch-preset",
        make({"kind": "watch", "preset": "redis"}),
        "detector.preset",
        "'redis'",
        "does not apply to watch (it sends nothing)",
    ),
]


@pytest.mark.parametrize(
    ("data", "field", "shown", "allowed"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_refusal_names_field_value_and_what_is_allowed(
    data: Any, field: str, shown: str, allowed: str
) -> None:
    error = refusal(data)
    message = str(error)
    assert error.field == field
    assert message.startswith(f"{field}: {shown}")
    assert allowed in message
    assert "\n" not in message


def test_send_on_watch_is_reported_under_send() -> None:
    assert refusal(make({"kind": "watch", "send": "hello"})).field == "detector.send"


@pytest.mark.parametrize("name", ["قاعدة البيانات", "שרת ראשי", "db\u200f (RLM)"])
def test_right_to_left_names_need_no_control_and_are_kept(name: str) -> None:
    assert Profile.from_dict(make(name=name)).name == name


@pytest.mark.parametrize("host", ["bücher.example", "例子.测试", "bücher.example."])
def test_an_internationalized_host_name_is_kept_as_written(host: str) -> None:
    """The resolver and TLS write it in ASCII themselves (IDNA): the user's own spelling is
    what the table, the log and the notices show."""
    profile = Profile.from_dict(make(host=host))
    assert profile.host == host
    assert Profile.from_dict(json.loads(json.dumps(profile.to_dict()))) == profile


def test_a_400_digit_port_is_refused_with_a_message() -> None:
    assert refusal(make(port=10**400)).field == "port"


def test_field_error_under_prefixes_the_position() -> None:
    error = refusal(make({"interval_s": 0})).under("profiles[2]")
    assert str(error) == (
        "profiles[2].detector.interval_s: 0 is out of range (allowed 0.1 to 86400)"
    )


ROUND_TRIP = {
    "probe": make(
        {"kind": "probe", "interval_s": 2.5, "timeout_s": 1, "tls": True, "preset": "http"},
        id="probe-1",
        group="prod",
        notes="päivä ✓",
        ip_family="ipv4",
        warn_latency_ms=250,
        notify={"on_down": True, "on_up": False},
    ),
    "heartbeat": make(
        {
            "kind": "heartbeat",
            "preset": "redis",
            "keepalive": {"idle_s": 20, "interval_s": 5, "count": 4},
            "user_timeout_s": 30,
            "max_backoff_s": 120,
        },
        id="hb",
        host="2001:db8::1",
        ip_family="ipv6",
        fail_after=3,
        recover_after=2,
    ),
    "heartbeat-hex": make(
        {"kind": "heartbeat", "preset": "hex", "send": "01 02", "expect": "0a0b"}, enabled=False
    ),
    "watch": make({"kind": "watch", "tls": True, "tls_server_name": "db.example"}, id="w.1"),
}


@pytest.mark.parametrize("data", ROUND_TRIP.values(), ids=ROUND_TRIP.keys())
def test_round_trip_through_dict_and_json(data: dict[str, Any]) -> None:
    profile = Profile.from_dict(data)
    assert Profile.from_dict(profile.to_dict()) == profile
    assert Profile.from_dict(json.loads(json.dumps(profile.to_dict()))) == profile


def test_each_detector_gets_its_own_defaults() -> None:
    assert Profile.from_dict(make({"kind": "probe"})).fail_after == 2
    heartbeat = Profile.from_dict(make({"kind": "heartbeat"}))
    assert (heartbeat.fail_after, heartbeat.detector.preset) == (1, "echo")
    assert Profile.from_dict(make({"kind": "watch"})).fail_after == 1


@pytest.mark.parametrize(
    ("send", "problem"),
    [
        ("AUTH s3cret-pass\r\nPING\r\n" + "x" * 5000, "is too long (5024 characters"),
        ("AUTH s3cret-pass\r\n\ud800", "contains a lone surrogate (U+D800)"),
    ],
)
def test_what_a_heartbeat_sends_is_not_repeated_in_a_refusal(send: str, problem: str) -> None:
    """The text sent may log in (Redis's ``AUTH password``, SMTP's ``AUTH PLAIN ...``): a
    refusal of it was printed and logged (a service's journal) with its first 57 characters,
    the password among them. The field and the problem say enough."""
    data = {"name": "cache", "host": "127.0.0.1", "port": 6379,
            "detector": {"kind": "heartbeat", "send": send}}  # fmt: skip
    with pytest.raises(FieldError) as caught:
        Profile.from_dict(data)
    said = str(caught.value)
    assert said.startswith("detector.send: ") and problem in said
    assert "s3cret" not in said
    assert "s3cret" not in str(caught.value.under("profiles[0]"))


@pytest.mark.skipif(
    not hasattr(socket, "TCP_USER_TIMEOUT"), reason="the keepalive count decides here"
)
@pytest.mark.parametrize(
    ("user_timeout_s", "noticed_s"),
    [(None, 19), (60, 61), (18, 19), (12, 13), (2, 13)],
    ids=["auto", "beyond-keepalive", "at-the-last-probe", "between-probes", "before-the-first"],
)
def test_a_watch_s_silent_drop_is_noticed_when_the_kernel_gives_up(
    user_timeout_s: float | None, noticed_s: float
) -> None:
    """Linux gives up on a silent keepalive connection by TCP_USER_TIMEOUT alone once it is
    set, ignoring the probe count (tcp_keepalive_timer), and looks at it only as a probe
    falls due, after the first. With keepalive 10 + 3 x 3, a user timeout of 60 s was said
    "noticed within 19 s" (the count's), and one of 18 s "within 18 s" (the next probe is at
    19 s)."""
    profile = Profile.from_dict(
        {"name": "w", "host": "localhost", "port": 1,
         "detector": {"kind": "watch", "user_timeout_s": user_timeout_s,
                      "keepalive": {"idle_s": 10, "interval_s": 3, "count": 3}}}
    )  # fmt: skip
    assert profile.worst_case_silent_drop_s() == noticed_s


@pytest.mark.parametrize("pasted", ["".join(chr(0x4E00 + i) for i in range(12_000)), "ü" * 32_767])
def test_a_paragraph_pasted_as_the_host_is_refused_at_once(pasted: str) -> None:
    """Python's IDNA codec takes quadratic time: 12,000 Chinese characters (a paragraph
    pasted into the host field, which is checked on every edit, on the GUI thread) took about
    30 s to refuse and froze the window meanwhile; 32,767 (what the field holds) minutes."""
    started = time.monotonic()
    error = refusal(make(host=pasted))
    assert time.monotonic() - started < 5  # a deadline, not a measurement: now microseconds
    assert error.field == "host"
    assert "is not a valid host name" in str(error)
