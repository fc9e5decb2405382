"""Send/expect presets that ``probe`` and ``heartbeat`` share.

A preset says what a healthy server of a given protocol looks like: what it sends first on
connect (``greeting``), what we send to ask whether it is alive (``send``), what its answer
must match (``expect``) and how to tell that the answer is complete (``terminator``), so that
a wrong reply is reported as soon as it is whole rather than at the timeout.
"""

from __future__ import annotations

import dataclasses
import re

from .patterns import Pattern, compile_pattern


@dataclasses.dataclass(frozen=True)
class Preset:
    name: str
    title: str
    send: str | None
    expect: str | None
    greeting: str | None = None
    terminator: bytes | None = b"\n"
    #: A reply by which the server ends the connection in good order (SMTP's and FTP's 421,
    #: "closing transmission channel"): to a heartbeat, what a FIN between questions is.
    closing: str | None = None
    #: How many questions a heartbeat asks on one connection before it ends it itself (with
    #: ``goodbye``) and opens the next: where the server counts them against us.
    per_connection: int | None = None
    goodbye: str | None = None
    #: What a whole greeting looks like, right or wrong (a reply's last line: SMTP's and
    #: FTP's "421 Too many connections"): one that is whole and not ``greeting`` is wrong at
    #: once, not at the timeout.
    greeting_done: str | None = None


#: The last line of an SMTP or FTP reply that is not a preliminary one: its code and a space
#: (RFC 5321, 4.2; RFC 959, 4.2). An FTP server may say "120 ready in 5 minutes" before 220.
_LAST_REPLY_LINE = r"(?m)^[2-5]\d\d( .*)?\r?\n"

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("echo", "Line echo", "tcpmonitor ping\n", r"^tcpmonitor ping\r?\n"),
        # A Redis with a password answers every command before AUTH with NOAUTH: alive.
        Preset("redis", "Redis PING", "PING\r\n", r"^(\+PONG|-NOAUTH )"),
        Preset(
            "http",
            "HTTP HEAD (kept alive)",
            "HEAD / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: tcpmonitor\r\n"
            "Connection: keep-alive\r\n\r\n",
            # 2xx-4xx, and 501: a server that does not implement HEAD (Python's
            # BaseHTTPRequestHandler with only do_GET, say) answered; other 5xx are failures.
            r"^HTTP/1\.[01] ([1-4]\d\d|501)",
            terminator=b"\r\n\r\n",
        ),
        Preset("memcached", "memcached version", "version\r\n", r"^VERSION "),
        # Postfix counts every NOOP past the 100th of a session as an error (1 under
        # stress; smtpd_junk_command_limit), answers slowly from the 10th error and ends
        # the session with "421 ... too many errors" at the 20th; Sendmail slows down after
        # 20 (MaxNOOPCommands). So a session asks 15 and says QUIT.
        Preset(
            "smtp",
            "SMTP NOOP",
            "NOOP\r\n",
            r"^250",
            greeting=r"(?m)^220 ",
            closing=r"^421[ -]",
            per_connection=15,
            goodbye="QUIT\r\n",
            greeting_done=_LAST_REPLY_LINE,
        ),
        # ProFTPD ends a session that moved no file after 300 s (TimeoutNoTransfer) with 421.
        # vsftpd answers every command but USER, PASS and QUIT before a login with "530
        # Please login with USER and PASS.": alive.
        Preset(
            "ftp",
            "FTP NOOP",
            "NOOP\r\n",
            r"^(200|530)[ -]",
            greeting=r"(?m)^220 ",
            closing=r"^421[ -]",
            greeting_done=_LAST_REPLY_LINE,
        ),
        Preset("ssh", "SSH banner (sends nothing)", None, None, greeting=r"(?m)^SSH-(2\.0|1\.99)-"),
        Preset("hex", "Raw bytes (hex)", None, None, terminator=None),
        Preset("custom", "Custom text", None, None),
    )
}


@dataclasses.dataclass(frozen=True)
class Exchange:
    """A preset resolved against one profile: bytes to send and patterns to match."""

    greeting: Pattern | None
    send: bytes | None
    expect: Pattern | None
    expect_len: int | None
    terminator: bytes | None
    closing: Pattern | None = None
    per_connection: int | None = None
    goodbye: bytes | None = None
    greeting_done: Pattern | None = None

    @property
    def is_empty(self) -> bool:
        return self.greeting is None and self.send is None and self.expect is None

    def verdict(self, reply: bytes) -> bool | None:
        """True if ``reply`` answers the send, False if it cannot, None if more may come."""
        if self.expect is None:
            return True if reply else None
        if self.expect.search(reply):
            return True
        if self.expect_len is not None:
            return False if len(reply) >= self.expect_len else None
        if self.terminator is not None and self.terminator in reply:
            return False
        return None

    def cut_short(self, reply: bytes) -> bool:
        """Whether ``reply`` may be an answer that stopped halfway: no line end yet (where
        answers end one), or fewer bytes than the raw answer expected."""
        if self.terminator is not None:
            return self.terminator not in reply
        return self.expect_len is not None and len(reply) < self.expect_len


def compile_exchange(preset: str | None, send: str, expect: str, host: str) -> Exchange:
    """Build the exchange; ``send``/``expect`` override the preset's when not empty.

    Raises ``ValueError`` naming what is wrong (bad hex, bad regular expression:
    ``patterns.PatternError``).
    """
    p = PRESETS.get(preset or "custom", PRESETS["custom"])
    if p.name == "hex":
        data = bytes.fromhex(send) if send else None
        want = bytes.fromhex(expect) if expect else None
        return _speaks_first(
            Exchange(
                greeting=None,
                send=data or None,
                expect=compile_pattern(b"^" + re.escape(want)) if want else None,
                expect_len=len(want) if want else None,
                terminator=None,
            )
        )
    send_text = send or p.send
    expect_text = expect or p.expect
    return _speaks_first(
        Exchange(
            greeting=compile_pattern(p.greeting.encode()) if p.greeting else None,
            send=send_text.replace("{host}", host).encode() if send_text else None,
            expect=compile_pattern(expect_text.encode()) if expect_text else None,
            expect_len=None,
            terminator=p.terminator,
            closing=compile_pattern(p.closing.encode()) if p.closing else None,
            per_connection=p.per_connection,
            goodbye=p.goodbye.encode() if p.goodbye else None,
            greeting_done=compile_pattern(p.greeting_done.encode()) if p.greeting_done else None,
        )
    )


def _speaks_first(exchange: Exchange) -> Exchange:
    """With nothing to send, what is expected is what the server says first: its greeting
    (the ssh preset's own, replaced). Kept as a reply to a request that is never sent, it was
    never looked at, and any server passed ("--expect '^XYZ'" against an SSH server)."""
    if exchange.send is not None or exchange.expect is None:
        return exchange
    return dataclasses.replace(exchange, greeting=exchange.expect, expect=None, expect_len=None)
