"""Why the kernel says a script that is right there is "No such file or directory": the
interpreter its ``#!`` line names is missing (or named with a Windows line end)."""

from __future__ import annotations

import contextlib
import os
import shutil


def missing_interpreter(program: str) -> str:
    """The interpreter that a script's ``#!`` line names, when the script is there and that
    is not: the kernel says "No such file or directory" of a script that is right there."""
    found = shutil.which(program)
    if found is None:
        return ""
    with contextlib.suppress(OSError), open(found, "rb") as script:
        line = script.readline(256).rstrip(b"\n")
        # As the kernel reads it: the name ends at a space or tab only (a "\r" is part of it).
        name = next((w for w in line[2:].replace(b"\t", b" ").split(b" ") if w), b"")
        interpreter = os.fsdecode(name) if line.startswith(b"#!") else ""
        if interpreter.endswith("\r") and os.path.exists(interpreter[:-1]):
            return f"{interpreter[:-1]} and a carriage return (Windows line ends)"
        return "" if not interpreter or os.path.exists(interpreter) else interpreter
    return ""
