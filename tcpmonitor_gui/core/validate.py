"""Field validation whose messages name the field, the value and what is allowed.

Shared by the profile model, the settings file and the command line, so that a bad port reads
the same wherever it was typed.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

#: Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they reorder what
#: follows them on the line. Right-to-left names (Arabic, Hebrew) need none of them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: How text from elsewhere (a peer's reply, a command's output) is kept and shown: each control
#: character (C0, DEL, C1), line or paragraph separator and bidirectional control as an escape,
#: so that no terminal, spreadsheet or line it is printed on is driven or turned around by it.
CONTROL_ESCAPES = (
    {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
    | {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r", 0x2028: "\\u2028", 0x2029: "\\u2029"}
    | {ord(c): f"\\u{ord(c):04x}" for c in BIDI_CONTROLS}
)
#: Characters that show as nothing (zero-width space, word joiner, BOM, soft hyphen, the
#: zero-width (non-)joiners, invisible operators): ``name_key`` leaves them out.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"))
_INVISIBLE.update(dict.fromkeys(range(0x2061, 0x2065)))  # invisible operators
_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")  # fullmatch: "$" matches before a "\n"


def ascii_digits(text: str) -> str:
    """``text`` with every decimal digit as 0-9: "٨٠" or "８０" typed or pasted is 80."""
    return "".join(
        str(unicodedata.decimal(c)) if not c.isascii() and c.isdecimal() else c for c in text
    )


def port_digits(text: str) -> str:
    """``[HOST:]PORT`` as typed, its port's digits as 0-9 (``ascii_digits``); the host is
    left as it is (a name's digits are part of the name)."""
    host_part, sep, port_text = text.rpartition(":")
    return f"{host_part}{sep}{ascii_digits(port_text)}"


#: Fields whose text may hold a secret (what a heartbeat sends may log in: Redis's ``AUTH
#: password``): a refusal, printed and logged, names the field and the problem, not the text.
SECRET_FIELDS = frozenset({"send"})
#: What a message shows in place of a value that may be a secret.
HIDDEN = "(not shown: it may hold a password)"


class FieldError(ValueError):
    """One bad field: ``field`` is a dotted path (``detector.interval_s``)."""

    def __init__(self, field: str, value: Any, problem: str) -> None:
        self.field = field
        self.value = value
        self.problem = problem
        super().__init__(f"{field}: {self.shown()} {problem}")

    def shown(self) -> str:
        """The value as a message shows it (``show``), unless it may hold a secret."""
        secret = self.field.rpartition(".")[2] in SECRET_FIELDS
        if secret and isinstance(self.value, str) and self.value:
            return HIDDEN
        return show(self.value)

    def under(self, prefix: str) -> FieldError:
        """The same error with ``prefix`` put before the field path."""
        return type(self)(
            f"{prefix}.{self.field}" if self.field else prefix, self.value, self.problem
        )


class UnknownField(FieldError):
    """A field this program does not know: a typo, or a newer version's (fields are added to
    the profile and settings formats without raising their ``version``)."""

    def shown(self) -> str:
        """Text, a list or an object not shown: a newer version's field may be a password
        (this version cannot know which are), said on a service's stderr (its journal) at
        every start and reload, and in the window's banner."""
        if isinstance(self.value, str | list | dict) and self.value:
            return HIDDEN
        return super().shown()


#: How like a known field's name an unknown one must be to be named as its likely typo
#: (``difflib``'s ratio): 'interval' for 'interval_s' is 0.89, 'on_dwn' for 'on_down' 0.92.
TYPO_CUTOFF = 0.8


class UnknownChoice(UnknownField):
    """A name this program does not know where it knows a list of them (``choice``): a typo,
    or a newer version's, which adds a detector, a preset or a language so, as it adds
    fields, without raising ``version``."""

    def shown(self) -> str:
        return FieldError.shown(self)  # a name (a detector's, a language's), not a secret


def show(value: Any) -> str:
    """A value as the user wrote it, short enough for one line."""
    text = repr(value) if isinstance(value, str) else _json_like(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _json_like(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, int | float) else type(value).__name__


def fail(field: str, value: Any, problem: str) -> NoReturn:
    raise FieldError(field, value, problem)


def number(field: str, value: Any, lo: float, hi: float, *, integer: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        kind = "a whole number" if integer else "a number"
        fail(field, value, f"is not {kind} (allowed {fmt(lo)} to {fmt(hi)})")
    if integer and isinstance(value, float) and not value.is_integer():
        fail(field, value, f"is not a whole number (allowed {fmt(lo)} to {fmt(hi)})")
    if not lo <= value <= hi:
        fail(field, value, f"is out of range (allowed {fmt(lo)} to {fmt(hi)})")
    return value


def integer(field: str, value: Any, lo: int, hi: int) -> int:
    return int(number(field, value, lo, hi, integer=True))


def fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def boolean(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        fail(field, value, "is not true or false")
    return value


def text(
    field: str, value: Any, *, max_len: int, allow_empty: bool = True, one_line: bool = False
) -> str:
    """Text of at most ``max_len`` characters that can be stored and shown: no lone surrogate
    (``"\\ud800"`` in JSON, which Python reads but no file, database or terminal takes), and
    with ``one_line`` no control character (a name printed to a terminal must not be able to
    drive it)."""
    if not isinstance(value, str):
        fail(field, value, "is not text")
    if not allow_empty and not value.strip():
        fail(field, value, "is empty (it is required)")
    if len(value) > max_len:
        fail(field, value, f"is too long ({len(value)} characters, allowed at most {max_len})")
    for ch in value:
        if "\ud800" <= ch <= "\udfff":
            fail(field, value, f"contains a lone surrogate (U+{ord(ch):04X}), which is not text")
        if one_line and (ch < " " or "\x7f" <= ch < "\xa0" or ch in "\u2028\u2029"):
            fail(field, value, f"contains a control character (U+{ord(ch):04X})")
        if one_line and ch in BIDI_CONTROLS:
            fail(
                field,
                value,
                f"contains a bidirectional control character (U+{ord(ch):04X}), which makes "
                'the text around it read in another order (in a notice, "up" could read '
                "as something else)",
            )
    return value


def name_key(name: str) -> str:
    """What tells two profile names apart: not case, not how an accent was typed ("é" as one
    character or as "e" and a combining accent), not characters that show as nothing. Names
    that look the same were two profiles, told apart by nobody reading them."""
    if name.isascii():  # nothing to normalise or leave out (the common case: 20x faster)
        return name.strip().casefold()
    folded = unicodedata.normalize("NFC", name.strip()).casefold()
    return unicodedata.normalize("NFC", folded.translate(_INVISIBLE))


def choice(field: str, value: Any, allowed: Iterable[str]) -> str:
    options = list(allowed)
    if value not in options:
        problem = f"is not one of {', '.join(options)}"
        if isinstance(value, str) and value:  # a name, not a missing or mistyped value
            raise UnknownChoice(field, value, problem)
        fail(field, value, problem)
    return str(value)


def mapping(field: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        fail(field, value, "is not an object")
    return value


def no_unknown_keys(field: str, data: Mapping[str, Any], known: Iterable[str]) -> None:
    """Each field of ``data`` is one of ``known``. One that is not, but close to one (a
    typo), names it: "is not a known field (known: ...)" was read as a newer version's file."""
    allowed = sorted(set(known))
    for key in data:
        if key not in allowed:
            path = f"{field}.{key}" if field else str(key)
            if close := difflib.get_close_matches(str(key), allowed, n=1, cutoff=TYPO_CUTOFF):
                problem = f"is not a field this version knows; did you mean {close[0]!r}?"
                raise UnknownField(path, data[key], problem)
            known_ones = ", ".join(allowed)
            raise UnknownField(path, data[key], f"is not a known field (known: {known_ones})")


#: A label the resolver reads as a number (decimal, 0x hex): a name of only such labels is an
#: IPv4 address in one of inet_aton's forms ("1.2.3", "0x7f.1"), which it connects to.
_NUMBER = re.compile(r"[0-9]+|0[xX][0-9a-fA-F]*")


def host(field: str, value: Any) -> str:
    """A DNS name or an IP literal (IPv6 without brackets)."""
    if not isinstance(value, str) or not value:
        fail(field, value, "is not a host name or IP address")
    address, percent, scope = value.partition("%")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        pass
    else:
        if percent and (ip.version == 4 or not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", scope)):
            fail(field, value, "has a scope that is not a network interface's name or number")
        return value
    name = value[:-1] if value.endswith(".") else value
    # Checked before IDNA, which takes quadratic time (a pasted paragraph took minutes): an
    # ASCII form is as long as its name or longer (but for characters that map to nothing).
    if len(name) > 253:
        fail(field, value, "is not a valid host name or IP address")
    if not name.isascii():
        # An internationalized name ("bücher.example"), kept as written: the resolver and
        # TLS ask for its ASCII form (IDNA) themselves. Its ASCII form must be a host name.
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            fail(field, value, "is not a valid host name or IP address")
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in name.split(".")):
        fail(field, value, "is not a valid host name or IP address")
    if all(_NUMBER.fullmatch(label) for label in name.split(".")):  # the resolver's IPv4
        fail(field, value, "is not a valid IP address")
    return value


def parse_listen(field: str, text: object) -> tuple[str, int]:
    """``[HOST:]PORT`` to serve on: the host is 127.0.0.1 when left out, port 0 any free one;
    an IPv6 address in brackets. Raises ``validate.FieldError`` naming ``field``."""
    if not isinstance(text, str) or not text or len(text) > 300:
        fail(field, text, "is not [HOST:]PORT (e.g. 9464, 0.0.0.0:9464, [::1]:9464)")
    address, port_text = "127.0.0.1", text
    if not (text.isascii() and text.isdigit()):
        if text.startswith("["):
            end = text.find("]")
            if end < 0 or text[end + 1 : end + 2] != ":":
                missing = "']'" if end < 0 else "the port"
                fail(field, text, f"is not [ADDR]:PORT ({missing} is missing: e.g. [::1]:9464)")
            name, sep, port_text = text[1:end], ":", text[end + 2 :]
        else:
            name, sep, port_text = text.rpartition(":")
            if ":" in name:
                too_many_colons(field, text, name)
        if not sep or not name:
            fail(field, text, "is not [HOST:]PORT (e.g. 9464, 0.0.0.0:9464, [::1]:9464)")
        address = host(field, name)
    if not (port_text.isascii() and port_text.isdigit()) or len(port_text) > 5:
        fail(field, port_text, "is not a port (0 to 65535)")
    if int(port_text) > 65535:
        fail(field, port_text, "is out of range (allowed 0 to 65535)")
    return address, int(port_text)


def too_many_colons(field: str, text: str, host_part: str) -> NoReturn:
    """``text`` is HOST:PORT with a ':' in its HOST (``host_part``): an IPv6 address without
    brackets, or one ':' too many (``127.0.0.1:80:80``)."""
    for candidate in (text, host_part):  # "::1" alone, or "::1:80"
        try:
            ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        fail(field, text, "has an IPv6 address without brackets (write [ADDR]:PORT)")
    fail(field, text, "has more than one ':' (HOST:PORT, or [ADDR]:PORT for IPv6)")
