"""The end of ``tcpmonitor run``'s output (``cli.output.Output.close``) with a reader that
stopped reading."""

from __future__ import annotations

import contextlib
import os
import sys
import threading

import pytest

from tcpmonitor_gui.cli.output import Output
from tests.unit._cli_process import DEADLINE_S


def test_what_the_reader_missed_is_not_said_where_it_would_wait_for_good(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``run --json 2>&1 | sleep``: at the end, what the reader of stdout did not get was
    said on stderr, the same full pipe, and the run waited there for good. It is said only
    where it can be written at once."""
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    with contextlib.suppress(BlockingIOError):
        while True:  # full: not one byte more fits
            os.write(write_end, b"x" * 4096)
    with contextlib.suppress(BlockingIOError):
        while True:
            os.write(write_end, b"x")
    os.set_blocking(write_end, True)
    both = open(write_end, "w", closefd=False)  # noqa: SIM115 - closed below
    monkeypatch.setattr(sys, "stderr", both)
    output = Output(both)
    output.put("a line no one reads")
    ending = threading.Thread(target=output.close, kwargs={"timeout": 0.1}, daemon=True)
    ending.start()
    ending.join(DEADLINE_S)
    try:
        assert not ending.is_alive(), "the end waited for a reader that does not read"
    finally:
        os.set_blocking(read_end, False)
        while ending.is_alive() or output._thread.is_alive():  # let them go
            with contextlib.suppress(BlockingIOError):
                os.read(read_end, 65536)
        both.close()
        os.close(write_end)
        os.close(read_end)
