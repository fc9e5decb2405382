"""What the command's arguments are: bad usage said in one line (exit 2), the checks of the
values options take, the options several commands share."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from ..core import validate as v
from ..core.paths import named
from ..core.presets import PRESETS
from ..core.profile import field_range
from ..core.validate import parse_listen
from .errors import EXIT_USAGE

_NUMBER = re.compile(r"-\d+(\.\d*)?([eE][-+]?\d+)?")
_NO_VALUE = re.compile(r"argument (-[^ :/]+)(?:/-[^ :]+)*: expected one argument")
_UNKNOWN = "unrecognized arguments: "
#: What tcping, ping and nc users type, and this command's option for it. Named, not taken:
#: nc's -n is "no DNS" and ping's -w a deadline, so an alias would do what was not meant.
_HABITS = {
    "-4": "--ipv4",
    "-6": "--ipv6",
    "-n": "--count N (-c N)",
    "-t": "--count 0 (until interrupted)",
    "-w": "--timeout S",
    "-i": "--interval S",
}


class Parser(argparse.ArgumentParser):
    """argparse, but bad usage is one line on stderr and exit 2 (the command's contract)."""

    #: The arguments parsed (``parse_args`` sets them): an error names one taken for an option.
    argv: Sequence[str] = ()

    def error(self, message: str) -> NoReturn:
        where = self.prog.removeprefix("tcpmonitor").strip()  # "" for the top level
        message = self._commands(message) or message
        print(
            f"tcpmonitor: {where + ': ' if where else ''}{message}"
            f"{self._dash_hint(message) or self._habit_hint(message)}",
            file=sys.stderr,
        )
        sys.exit(EXIT_USAGE)

    def _commands(self, message: str) -> str | None:
        """A missing or unknown command, said with the ones there are: argparse names its
        dest ("the following arguments are required: action", of 'tcpmonitor actions';
        "argument action: invalid choice: 'lst'", of 'tcpmonitor profiles lst')."""
        for action in self._actions:
            if not isinstance(action, argparse._SubParsersAction) or not action.choices:
                continue
            there = f"{', '.join(action.choices)} ('{self.prog} --help' says what each does)"
            if message == f"the following arguments are required: {action.dest}":
                return f"a command is needed: {there}"
            unknown = f"argument {action.dest}: invalid choice: "
            if message.startswith(unknown):
                value = message.removeprefix(unknown).split(" (choose from ", 1)[0]
                return f"{value} is not a command; they are {there}"
        return None

    def _habit_hint(self, message: str) -> str:
        """What another tool's option is here, for a check or a profile's target: argparse
        said only "unrecognized arguments: -4", or took '-4' first for the host."""
        words = list(self.argv)
        words = words[: words.index("--")] if "--" in words else words
        if not ("check" in words or ("profiles" in words and "add" in words)):
            return ""
        if message.endswith("required: HOST:PORT") and self.prog.endswith(" add"):
            return " (NAME HOST:PORT: the name comes first)"  # "profiles add db:5432"
        if known := next((w for w in words if w in _HABITS), None):
            return f" ({v.show(known)} is {_HABITS[known]} here)"
        extra = message.removeprefix(_UNKNOWN).split() if message.startswith(_UNKNOWN) else []
        if extra and v.ascii_digits(extra[0]).isdigit():  # "check db --count 1 5432"
            return " (HOST PORT: one port, right after the host)"
        return ""

    def _dash_hint(self, message: str) -> str:
        """Why a value such as a NAME "-x" went missing: argparse reads anything that begins
        with '-' as an option, and says only that NAME is required."""
        if m := _NO_VALUE.fullmatch(message):
            return f" (a value that begins with '-' is written {m[1]}=VALUE)"
        if not message.startswith("the following arguments are required"):
            return ""
        words = list(self.argv)
        words = words[: words.index("--")] if "--" in words else words
        taken = [
            w
            for w in words
            if w.startswith("-")
            and not w.startswith("--")
            and w != "-"
            and w not in self._option_string_actions
            and not _NUMBER.fullmatch(w)
        ]
        if not taken:
            return ""
        return (
            f" ({v.show(taken[0])} was read as an option: a value that begins with '-' goes"
            " after '--')"
        )


def ranged(lo: float, hi: float, *, integer: bool = False) -> Any:
    def parse(text: str) -> float:
        try:
            value: float = int(text) if integer else float(text)
        except ValueError:
            kind = "a whole number" if integer else "a number"
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {kind} (allowed {v.fmt(lo)} to {v.fmt(hi)})"
            ) from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(
                f"{text} is out of range (allowed {v.fmt(lo)} to {v.fmt(hi)})"
            )
        return value

    return parse


def _field(path: str) -> Any:
    """The check of an option that sets the profile field ``path`` (its range declared once,
    in ``core.profile``)."""
    spec = field_range(path)
    return ranged(spec.lo, spec.hi, integer=spec.integer)


def listen_address(text: str) -> tuple[str, int]:
    try:
        return parse_listen("--metrics-listen", v.port_digits(text))
    except v.FieldError as exc:
        raise argparse.ArgumentTypeError(f"{v.show(exc.value)} {exc.problem}") from None


def common_options(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    """The options every command takes; ``prefix`` names the top level's copies of them
    (before the command), which ``parse_args`` merges into the command's."""
    parser.add_argument(
        "--config-dir",
        dest=f"{prefix}config_dir",
        type=named("a folder"),
        metavar="DIR",
        help="profiles and settings live here",
    )
    parser.add_argument(
        "--data-dir",
        dest=f"{prefix}data_dir",
        type=named("a folder"),
        metavar="DIR",
        help="the event log lives here",
    )
    parser.add_argument(
        "-v", "--verbose", dest=f"{prefix}verbose", action="store_true", help="log what happens"
    )


class Once(argparse.Action):
    """An option given once: a second ``--profile`` was taken in the first's place, and the
    first profile's outages read as none (``report`` takes several; these take one)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if (first := getattr(namespace, self.dest, None)) is not None:
            parser.error(
                f"{option_string}: one at a time here ({v.show(first)} and {v.show(values)} "
                "were given; 'tcpmonitor report' takes several)"
            )
        setattr(namespace, self.dest, values)


def probe_options(parser: argparse.ArgumentParser, interval: str, timeout: str) -> None:
    parser.add_argument(
        "--interval", type=_field("detector.interval_s"), metavar="S", help=interval
    )
    parser.add_argument(
        "--timeout",
        type=_field("detector.timeout_s"),
        metavar="S",
        help=f"seconds to wait for the connect, and for a reply ({timeout})",
    )
    parser.add_argument("--preset", choices=sorted(PRESETS), help="send/expect preset")
    parser.add_argument("--send", help="text to send (\\r \\n \\t \\xNN understood)")
    parser.add_argument(
        "--expect",
        help="regular expression the reply must match (with nothing to send: what the server "
        "sends first)",
    )
    parser.add_argument("--tls", action="store_true", help="TLS handshake after connect")
    parser.add_argument("--sni", metavar="NAME", help="TLS server name (default: the host)")
    parser.add_argument("--insecure", action="store_true", help="do not verify the certificate")
    parser.add_argument(
        "--ca-file", type=named("a file"), metavar="FILE", help="trust the CAs in this PEM file"
    )
    family = parser.add_mutually_exclusive_group()
    # No -4/-6: argparse would then read every negative number as an option, and
    # "--count -1" would fail without naming the value.
    family.add_argument("--ipv4", dest="ip_family", action="store_const", const="ipv4",
                        help="connect over IPv4 only")  # fmt: skip
    family.add_argument("--ipv6", dest="ip_family", action="store_const", const="ipv6",
                        help="connect over IPv6 only")  # fmt: skip
