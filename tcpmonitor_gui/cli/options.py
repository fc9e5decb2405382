"""Turning command-line options into a validated profile, and loading the user's files."""

from __future__ import annotations

import argparse
import re
import uuid
from pathlib import Path
from typing import Any

from ..core import paths
from ..core import validate as v
from ..core.eventlog import EventLog, EventLogError
from ..core.jsonfile import JsonFileError, read_json
from ..core.profile import Profile
from ..core.profile_store import ProfileFileError, ProfileStore, parse_document
from ..core.settings import Settings, SettingsFileError, SettingsStore
from .errors import OPTION_NAMES, UsageError

EVENTS_FILE = "events.sqlite3"
_ESCAPES = re.compile(r"\\(x[0-9A-Fa-f]{2}|[rnt\\0])")
_SIMPLE = {"r": "\r", "n": "\n", "t": "\t", "\\": "\\", "0": "\0"}


def unescape(text: str) -> str:
    """``PING\\r\\n`` typed in a shell becomes the bytes a protocol wants."""
    return _ESCAPES.sub(lambda m: chr(int(m[1][1:], 16)) if m[1][0] == "x" else _SIMPLE[m[1]], text)


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
        detector["send"] = unescape(args.send)
    if args.expect is not None:
        detector["expect"] = args.expect
    if args.tls:
        detector["tls"] = True
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
    return f"{option}: {v.show(exc.value)} {exc.problem}"


def config_dir(args: argparse.Namespace) -> Path:
    return paths.config_dir(args.config_dir)


def data_dir(args: argparse.Namespace) -> Path:
    return paths.data_dir(args.data_dir)


def load_stored_profiles(args: argparse.Namespace) -> list[Profile]:
    try:
        return ProfileStore(config_dir(args)).load()
    except ProfileFileError as exc:
        raise UsageError(str(exc)) from None


def load_profiles_file(path: Path) -> list[Profile]:
    """A profiles file named on the command line (``run --profiles``, ``profiles import``)."""
    try:
        return parse_document(read_json(path, str(path)), str(path))
    except (JsonFileError, ProfileFileError) as exc:
        raise UsageError(str(exc)) from None


def load_settings(args: argparse.Namespace) -> Settings:
    try:
        return SettingsStore(config_dir(args)).load()
    except (JsonFileError, ProfileFileError, SettingsFileError) as exc:
        raise UsageError(str(exc)) from None


def open_event_log(args: argparse.Namespace, retention_days: float) -> EventLog:
    try:
        return EventLog(data_dir(args) / EVENTS_FILE, retention_days=retention_days).start()
    except EventLogError as exc:
        raise UsageError(str(exc)) from None


def event_log_path(args: argparse.Namespace) -> Path:
    return data_dir(args) / EVENTS_FILE
