"""The shipped systemd units pass ``systemd-analyze verify``, and the system unit keeps its
hardening (``systemd-analyze security``). systemd is a peer like redis-server: CI installs
it (its tools work without systemd running)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.unit._cli_process import TCPMONITOR

UNITS = Path(__file__).parents[2] / "packaging" / "systemd"


def analyze() -> str:
    path = shutil.which("systemd-analyze")
    if path is None:
        if os.environ.get("TCPMONITOR_REQUIRE_PEERS") == "1":
            pytest.fail("systemd-analyze is not installed (TCPMONITOR_REQUIRE_PEERS=1)")
        pytest.skip("systemd-analyze is not installed (Debian: systemd)")
    return path


def run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [analyze(), *args], capture_output=True, text=True, env=env, check=False, timeout=60
    )


def test_the_system_unit_verifies(tmp_path: Path) -> None:
    """Verified as shipped, but for the program's path: verify insists that the command
    exists, and here it is this checkout's, not /usr/bin's."""
    text = (UNITS / "tcpmonitor.service").read_text()
    assert text.count("ExecStart=/usr/bin/tcpmonitor run ") == 1
    unit = tmp_path / "tcpmonitor.service"
    unit.write_text(text.replace("ExecStart=/usr/bin/tcpmonitor", f"ExecStart={TCPMONITOR}"))
    result = run(["verify", str(unit)])
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_the_user_unit_verifies_as_shipped(tmp_path: Path) -> None:
    """%h/.local/bin/tcpmonitor, where ``pip install --user`` puts it: a home made for the
    test holds this checkout's program there."""
    home, runtime = tmp_path / "home", tmp_path / "run"
    (home / ".local" / "bin").mkdir(parents=True)
    runtime.mkdir(mode=0o700)
    shutil.copy(TCPMONITOR, home / ".local" / "bin" / "tcpmonitor")
    env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime)}
    result = run(["--user", "verify", str(UNITS / "tcpmonitor-user.service")], env)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_the_system_unit_exposes_little() -> None:
    result = run(["security", "--offline=yes", str(UNITS / "tcpmonitor.service")])
    found = re.search(r"Overall exposure level for tcpmonitor\.service: ([\d.]+)", result.stdout)
    assert found is not None, result.stdout + result.stderr
    assert float(found[1]) <= 2.0  # "OK"; 1.7 when written


def test_the_user_and_the_profiles_folder_are_made_as_the_unit_expects(tmp_path: Path) -> None:
    """sysusers.d and tmpfiles.d, applied to a root made for the test."""
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    for tool, name in (("systemd-sysusers", "tcpmonitor.sysusers"),
                       ("systemd-tmpfiles", "tcpmonitor.tmpfiles")):  # fmt: skip
        path = shutil.which(tool)
        if path is None:
            pytest.skip(f"{tool} is not installed")
        args = [path, f"--root={root}", *(["--create"] if "tmpfiles" in tool else [])]
        done = subprocess.run([*args, str(UNITS / name)], capture_output=True, text=True,
                              check=False, timeout=60)  # fmt: skip
        assert done.returncode == 0, done.stderr
    [entry] = [line for line in (root / "etc" / "passwd").read_text().splitlines()
               if line.startswith("tcpmonitor:")]  # fmt: skip
    uid = int(entry.split(":")[2])
    folder = (root / "etc" / "tcpmonitor").stat()
    assert (folder.st_uid, oct(folder.st_mode & 0o777)) == (uid, "0o700")
    unit = (UNITS / "tcpmonitor.service").read_text()
    assert "User=tcpmonitor" in unit and "--config-dir /etc/tcpmonitor" in unit


def test_the_user_unit_says_what_is_true() -> None:
    """Its comments said "Run it or the desktop program, not both", where the window beside
    the service is what the README describes (one of them records each profile), and it was
    ordered after network-online.target, a system unit that a user's manager does not see."""
    text = (UNITS / "tcpmonitor-user.service").read_text()
    settings = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert not [line for line in settings if "network-online.target" in line], settings
    assert "not both" not in text
    assert "The window beside the service" in text
    readme = (UNITS.parents[1] / "README.md").read_text()
    assert "**The window beside the service**" in readme
