"""Typing protocol bytes on one line: the escapes of the ``send`` field, declared once.

The command line's ``--send`` and the profile dialog's Send field both take text such as
``PING\\r\\n`` and turn it into the profile's ``send`` with ``decode``, so the same typed text
gives the same bytes wherever it was typed; the dialog shows a stored ``send`` with ``encode``,
so what it shows decodes back to exactly what is stored.

Escapes: ``\\r`` ``\\n`` ``\\t`` ``\\\\`` ``\\0`` and ``\\xNN`` (two hex digits: the character
U+00NN). The profile's ``send`` is text and goes on the wire as UTF-8, so ``\\x00`` to ``\\x7f``
are single bytes; raw bytes above 0x7f are what the ``hex`` preset is for. A backslash before
anything else stays as typed, so a regular expression or a Windows path needs no doubling.
"""

from __future__ import annotations

import re

ESCAPES = {"r": "\r", "n": "\n", "t": "\t", "\\": "\\", "0": "\0"}
_DECODE = re.compile(r"\\(x[0-9A-Fa-f]{2}|[rnt\\0])")
_SHOWN = {v: f"\\{k}" for k, v in ESCAPES.items()}
#: What ``encode`` escapes: the named ones, and every other control character (as ``\xNN``).
_ENCODE = re.compile(r"[\x00-\x1f\x7f\\]")


def decode(text: str) -> str:
    """Typed text to the ``send`` it stands for (``PING\\r\\n`` to ``PING`` CR LF)."""
    return _DECODE.sub(_one, text)


def _one(match: re.Match[str]) -> str:
    code = match[1]
    return chr(int(code[1:], 16)) if code[0] == "x" else ESCAPES[code]


def encode(send: str) -> str:
    """``send`` as one line of typed text that ``decode`` turns back into ``send``."""
    return _ENCODE.sub(lambda m: _SHOWN.get(m[0]) or f"\\x{ord(m[0]):02x}", send)
