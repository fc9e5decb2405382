"""Turning command-line options into a validated profile, and opening the user's files."""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path
from typing import Any

from ..core import escapes
from ..core import validate as v
from ..core.jsonfile import MAX_BYTES, JsonFileError, Unread, parse_bytes, read_json
from ..core.outputs import OwnFileError, refuse_own
from ..core.profile import Profile
from ..core.profile_store import ProfileFileError, parse_document
from ..core.session import Session
from .errors import OPTION_NAMES, UsageError

#: How messages name standard input (``profiles import -``).
STDIN = "standard input"


def profile_from_args(args: argparse.Namespace, name: str, kind: str) -> Profile:
    host, port = args.target
    detector: dict[str, Any] = {"kind": kind}
    for option, field in (
        ("interval", "interval_s"),
        ("timeout", "timeout_s"),
        ("preset", "preset"),
    ):
        if getattr(args, option, None) is not None:
            detector[field] = getattr(args, option)
    if args.send is not None:
        detector["send"] = escapes.decode(args.send)
    if args.expect is not None:
        detector["expect"] = args.expect
    if args.tls:
        detector["tls"] = True
    else:
        # Without --tls no handshake is made: a check that said "Connected" would look as
        # if the certificate had been verified against the name or the CA file given.
        for option, given in (("--sni", args.sni), ("--insecure", args.insecure),
                              ("--ca-file", args.ca_file)):  # fmt: skip
            if given:
                raise UsageError(f"{option}: applies only with --tls (no TLS handshake is made)")
    if args.sni:
        detector["tls_server_name"] = args.sni
    if args.insecure:
        detector["tls_verify"] = False
    if args.ca_file:
        detector["tls_ca_file"] = args.ca_file
    data: dict[str, Any] = {"name": name, "host": host, "port": port, "detector": detector}
    data["id"] = uuid.uuid4().hex  # a new profile, a new history (not the name's stable id)
    if args.ip_family:
        data["ip_family"] = args.ip_family
    if getattr(args, "group", None):
        data["group"] = args.group
    if getattr(args, "disabled", False):
        data["enabled"] = False
    try:
        return Profile.from_dict(data)
    except v.FieldError as exc:
        raise UsageError(as_option_error(exc)) from None


def as_option_error(exc: v.FieldError) -> str:
    option = OPTION_NAMES.get(exc.field, exc.field)
    return f"{option}: {exc.shown()} {exc.problem}"


def open_session(args: argparse.Namespace, *, partial: bool = False) -> Session:
    """The files named by ``--config-dir``/``--data-dir`` (or the environment, or the
    defaults), each read when first used; a file that cannot be read raises ``SessionError``
    (one line naming it: ``main`` prints it, exit 2) and is left as it is. ``partial``: the
    profiles a newer version may have written are left out instead (``Session.partial``)."""
    return Session.from_options(args.config_dir, args.data_dir, strict=True, partial=partial)


def say_unread(error: str, done: str = "read") -> None:
    """What a file holds that this version cannot read and left out (a partial read: a newer
    version's connections or fields, ``JsonStore.unread_error``), on stderr; "" says nothing."""
    if error:
        print(
            f"tcpmonitor: {error}; the others are {done}, and the file is left as it is",
            file=sys.stderr,
            flush=True,
        )


def load_profiles_file(path: Path, unread: list[Unread] | None = None) -> list[Profile]:
    """A profiles file named on the command line (``run --profiles``, ``profiles import``);
    ``unread``: a partial read (``parse_document``), for ``run``."""
    try:
        return parse_document(read_json(path, str(path)), str(path), unread=unread)
    except (JsonFileError, ProfileFileError) as exc:
        raise UsageError(str(exc)) from None


def load_profiles_stdin() -> list[Profile]:
    """``profiles import -``: the profiles on standard input (as ``export -`` writes them)."""
    try:
        if sys.stdin is None:
            raise JsonFileError(STDIN, f"{STDIN}: cannot be read (standard input is closed)")
        try:
            raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        except OSError as exc:
            raise JsonFileError(STDIN, f"{STDIN}: cannot be read ({exc.strerror or exc})") from None
        return parse_document(parse_bytes(raw, Path(STDIN), STDIN), STDIN)
    except (JsonFileError, ProfileFileError) as exc:
        raise UsageError(str(exc)) from None


def refuse_own_output(target: str | None, own: tuple[Path, Path]) -> None:
    """A file named for output (``-`` or none: stdout) that is one of the program's own
    (``core.outputs``): one line, exit 2, before anything is read or written."""
    if target in (None, "-"):
        return
    try:
        refuse_own(Path(target), own)
    except OwnFileError as exc:
        raise UsageError(f"{target}: {exc.strerror}") from None
