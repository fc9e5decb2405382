"""Where files go: the override, then the environment, then the platform's user dirs."""

from __future__ import annotations

import stat
from pathlib import Path

import platformdirs
import pytest

from tcpmonitor_gui.core import paths


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.CONFIG_ENV, raising=False)
    monkeypatch.delenv(paths.DATA_ENV, raising=False)


def test_override_wins_over_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(paths.CONFIG_ENV, str(tmp_path / "env"))
    monkeypatch.setenv(paths.DATA_ENV, str(tmp_path / "env-data"))
    assert paths.config_dir(tmp_path / "cli") == tmp_path / "cli"
    assert paths.data_dir(str(tmp_path / "cli-data")) == tmp_path / "cli-data"


def test_environment_wins_over_platform_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(paths.CONFIG_ENV, str(tmp_path / "c"))
    monkeypatch.setenv(paths.DATA_ENV, str(tmp_path / "d"))
    assert paths.config_dir() == tmp_path / "c"
    assert paths.data_dir() == tmp_path / "d"


def test_empty_environment_falls_back_to_platform_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(paths.CONFIG_ENV, "")
    monkeypatch.setenv(paths.DATA_ENV, "")
    assert paths.config_dir() == Path(platformdirs.user_config_dir("tcpmonitor"))
    assert paths.data_dir() == Path(platformdirs.user_data_dir("tcpmonitor"))


def test_resolving_never_creates_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(paths.CONFIG_ENV, str(tmp_path / "c"))
    paths.config_dir()
    paths.data_dir(tmp_path / "d")
    assert list(tmp_path.iterdir()) == []


def test_ensure_dir_creates_parents_and_a_private_directory(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "tcpmonitor"
    assert paths.ensure_dir(target) == target
    assert target.is_dir()
    assert stat.S_IMODE(target.stat().st_mode) == 0o700


def test_ensure_dir_leaves_an_existing_directory_alone(tmp_path: Path) -> None:
    target = tmp_path / "shared"
    target.mkdir(mode=0o755)
    target.chmod(0o755)
    paths.ensure_dir(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
