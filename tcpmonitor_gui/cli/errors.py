"""How the command reports bad input: one line, exit 2, nothing written; and how its messages
count ("1 profile")."""

from __future__ import annotations

import sys

#: Profile fields as the command line spells them, so messages name what the user typed.
OPTION_NAMES = {
    "detector.interval_s": "--interval",
    "detector.timeout_s": "--timeout",
    "detector.preset": "--preset",
    "detector.send": "--send",
    "detector.expect": "--expect",
    "detector.kind": "--detector",
    "detector.tls_server_name": "--sni",
    "detector.tls_ca_file": "--ca-file",
    "group": "--group",
    "ip_family": "--ipv4/--ipv6",
    "name": "NAME",
    "host": "HOST",
    "port": "PORT",
}

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: Ended by Ctrl-C: 128 + SIGINT, as a shell counts a command the signal ended.
EXIT_INTERRUPTED = 130
#: ``run`` ended because the reader of its output went (``| head -1``): 128 + SIGPIPE, the
#: status a shell gives any other program that a closed pipe ends.
EXIT_READER_GONE = 141
#: What ``tcpmonitor --help`` says of them, for a script's author.
EXIT_STATUSES = (
    "Exit status: 0 done; 1 what was checked failed (check: the last attempt did not connect;"
    " run: no enabled profile); 2 bad usage or input, or a file that cannot be read or"
    " written, said in one line on stderr; 130 ended by Ctrl-C; 141 run ended because the"
    " reader of its output went (| head)."
)


def counted(n: int, one: str) -> str:
    """ "1 profile", "2 profiles": what the command counts, in English."""
    return f"{n} {one}" if n == 1 else f"{n} {one}s"


class UsageError(Exception):
    """Bad input: the message is the whole line printed (after ``tcpmonitor: ``)."""


def die(message: str, code: int = EXIT_USAGE) -> int:
    print(f"tcpmonitor: {message}", file=sys.stderr, flush=True)
    return code
