"""Where a check or a profile connects: ``HOST:PORT``, or ``HOST PORT`` as tcping, nc and
telnet take it (``tcping db 5432``). The port given after the host was refused with "'db' is
not HOST:PORT (the port is missing)"; two that differ are refused, naming both."""

from __future__ import annotations

import argparse
import ipaddress
from typing import NoReturn

from ..core import validate as v
from ..core.profile import parse_target

TARGET_HELP = (
    "where to connect: db.example.com:5432, [::1]:22; or the host alone, its port after it"
)
PORT_HELP = "the port, when it follows the host as a word of its own (check db.example.com 5432)"


def target_arguments(parser: argparse.ArgumentParser) -> None:
    """``HOST:PORT [PORT]``, put together by ``join_target`` once the command is parsed (a
    positional's own action is not called for an absent one on every Python)."""
    parser.add_argument("target", metavar="HOST:PORT", help=TARGET_HELP)
    parser.add_argument("port", nargs="?", metavar="PORT", help=PORT_HELP)
    parser.set_defaults(target_of=parser)


def join_target(args: argparse.Namespace) -> None:
    """``args.target`` as ``(host, port)``; bad usage is said by the command's own parser."""
    parser: argparse.ArgumentParser | None = vars(args).pop("target_of", None)
    if parser is None:
        return
    named = parser.prog.endswith(" add")  # "profiles add NAME HOST PORT"
    try:
        args.target = _joined(args.target, vars(args).pop("port", None), named)
    except _Refused as exc:
        parser.error(str(exc))


class _Refused(Exception):
    """The line after ``tcpmonitor COMMAND: ``."""


def _joined(text: str, port: str | None, named: bool) -> tuple[str, int]:
    if port is None:
        if v.ascii_digits(text).isdigit():  # "check 5432"; "profiles add db 5432", no NAME
            forms = "NAME HOST:PORT, or NAME HOST PORT: the name comes first"
            raise _Refused(
                f"argument HOST:PORT: {v.show(text)} is a port without its host"
                f" ({forms if named else 'HOST:PORT, or HOST PORT'})"
            )
        return _parsed(text, "HOST:PORT")
    bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text  # "[::1] 22"
    try:
        alone: tuple[str, int] | None = parse_target(v.port_digits(text))
    except v.FieldError:
        if ":" in bare and not _ipv6(bare):  # "db:abc 5432": what is wrong with the first
            _parsed(text, "HOST:PORT")
        alone = None
    host = bare if alone is None else alone[0]
    given = _parsed(f"[{host}]:{port}" if _ipv6(host) else f"{host}:{port}", "PORT")
    if alone is not None and alone != given:
        raise _Refused(
            f"{v.show(text)} names port {alone[1]} and PORT is {given[1]}: give one port"
            " (HOST:PORT, or HOST PORT)"
        )
    return given


def _parsed(text: str, named: str) -> tuple[str, int]:
    try:
        return parse_target(v.port_digits(text))
    except v.FieldError as exc:
        _refuse(exc, named)


def _refuse(exc: v.FieldError, named: str) -> NoReturn:
    if exc.field == "port" and named == "PORT":
        raise _Refused(f"argument PORT: {v.show(exc.value)} {exc.problem}") from None
    shown = f"{v.show(exc.value)} {exc.problem}" if exc.field == "HOST:PORT" else str(exc)
    raise _Refused(f"argument HOST:PORT: {shown}") from None


def _ipv6(text: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(text), ipaddress.IPv6Address)
    except ValueError:
        return False
