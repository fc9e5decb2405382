"""The host and port in what people paste where a host goes.

A new user pastes what they have at hand: ``db.example.com:5432`` from a connection string,
``https://grafana.example:3000/login`` from the browser, ``[2001:db8::1]:443``, ``ssh://host``,
``root@10.0.0.5``. Each names one host and often its port; the profile dialog splits it into
its two fields (and says so), the command line takes it for ``HOST:PORT``. Anything else is
left to the host's own check, which says what is wrong with it.
"""

from __future__ import annotations

import re

from . import validate as v

#: The port a URL's scheme, or a port written as a name (``host:postgres``), stands for.
SERVICE_PORTS = {
    "ftp": 21,
    "ssh": 22,
    "sftp": 22,
    "telnet": 23,
    "smtp": 25,
    "http": 80,
    "ws": 80,
    "pop3": 110,
    "imap": 143,
    "ldap": 389,
    "https": 443,
    "wss": 443,
    "smtps": 465,
    "ldaps": 636,
    "imaps": 993,
    "pop3s": 995,
    "mssql": 1433,
    "sqlserver": 1433,
    "mqtt": 1883,
    "mysql": 3306,
    "rdp": 3389,
    "postgres": 5432,
    "postgresql": 5432,
    "amqps": 5671,
    "amqp": 5672,
    "vnc": 5900,
    "redis": 6379,
    "mqtts": 8883,
    "memcached": 11211,
    "mongodb": 27017,
}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,31}")


def split_target(text: str) -> tuple[str, int | None] | None:
    """``(host, port)`` in ``text`` when it holds more than a host (a port, a scheme, a path,
    brackets, a user name); ``port`` None where it names none. None when ``text`` (spaces
    around it aside) is a host alone or not one of these shapes, or its host is not valid."""
    text = text.strip().replace("\uff1a", ":")  # "：", as a Chinese input method types ":"
    scheme = ""
    rest = text
    if "://" in text:
        scheme, _, rest = text.partition("://")
        if not _SCHEME.fullmatch(scheme):
            return None
        rest = re.split(r"[/?#]", rest, maxsplit=1)[0]
    rest = rest.rpartition("@")[2]
    port_text = ""
    if rest.startswith("["):
        end = rest.find("]")
        if end < 0 or (rest[end + 1 :] and rest[end + 1 : end + 2] != ":"):
            return None
        host, port_text = rest[1:end], rest[end + 2 :]
    elif rest.count(":") == 1:
        host, _, port_text = rest.partition(":")
    else:
        host = rest
    if host == text or not host:
        return None
    port = _port(port_text) if port_text else SERVICE_PORTS.get(scheme.lower())
    if port_text and port is None:
        return None
    try:
        v.host("host", host)
    except v.FieldError:
        return None
    return host, port


def _port(text: str) -> int | None:
    digits = v.ascii_digits(text)
    if digits.isascii() and digits.isdigit() and len(digits) <= 5:
        return int(digits) if 1 <= int(digits) <= 65535 else None
    return SERVICE_PORTS.get(text.lower())
