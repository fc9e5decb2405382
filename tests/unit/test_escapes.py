"""The send field's escapes, declared once for the command line and the dialog."""

from __future__ import annotations

import pytest

from tcpmonitor_gui.core import escapes


@pytest.mark.parametrize(
    ("typed", "send"),
    [
        (r"PING\r\n", "PING\r\n"),
        (r"a\tb", "a\tb"),
        (r"\\", "\\"),
        (r"\0", "\0"),
        (r"\x02STATUS\x03", "\x02STATUS\x03"),
        (r"\x4A\x4a", "JJ"),
        (r"C:\temp", "C:\temp"),  # \t is an escape; a Windows path wants \\t
        (r"\q \x4 \xZZ", r"\q \x4 \xZZ"),  # not an escape: stays as typed
        (r"\\n", "\\n"),  # an escaped backslash, then a plain n
        ("été", "été"),
    ],
)
def test_decode(typed: str, send: str) -> None:
    assert escapes.decode(typed) == send


@pytest.mark.parametrize("send", ["", "PING\r\n", "\\", "\\n", "\x00\x1b[0m\x7f", "a\\qé\t"])
def test_what_encode_shows_decodes_to_what_is_stored(send: str) -> None:
    shown = escapes.encode(send)
    assert "\n" not in shown and "\r" not in shown  # one line
    assert escapes.decode(shown) == send
