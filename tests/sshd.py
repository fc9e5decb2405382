"""A real OpenSSH server on loopback for tests: its own host key, config and log in the
test's directory (Debian: ``openssh-server``; it needs its privilege separation directory,
``/run/sshd``, which ``.ci/run`` makes)."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from tests.redis import READY_S, free_port, unavailable

PRIVSEP_DIR = Path("/run/sshd")


@dataclasses.dataclass(frozen=True)
class Sshd:
    port: int
    log: Path

    @property
    def address(self) -> tuple[str, int]:
        return "127.0.0.1", self.port

    def lines(self) -> list[str]:
        """What sshd has logged so far (``-e``: to its stderr, kept in ``log``)."""
        return self.log.read_text(errors="replace").splitlines()


@contextlib.contextmanager
def running_sshd(directory: Path) -> Iterator[Sshd]:
    found = shutil.which("sshd") or shutil.which("sshd", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        unavailable("sshd is not installed (Debian: apt install openssh-server)")
    if not PRIVSEP_DIR.is_dir():
        unavailable(f"sshd's privilege separation directory {PRIVSEP_DIR} is missing")
    binary = str(Path(str(found)).resolve())  # sshd re-executes itself: an absolute path
    key = directory / "host_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    port = free_port()
    config = directory / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {key}\n"
        f"PidFile {directory / 'sshd.pid'}\nUsePAM no\nLogLevel INFO\n"
    )
    log = directory / "sshd.log"
    with log.open("wb") as err:
        process = subprocess.Popen([binary, "-D", "-e", "-f", str(config)], stderr=err)
    try:
        deadline = time.monotonic() + READY_S
        while "Server listening on" not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                unavailable(f"sshd did not listen on port {port}: {log.read_text()[-500:]}")
            time.sleep(0.05)  # ok-sleep: polling a child process that has no ready signal
        yield Sshd(port, log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
