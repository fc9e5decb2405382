"""Desktop integration for real: the menu entry, metainfo, icons and start at login, written
into temporary XDG directories by the installed ``tcpmonitor-gui`` and checked with the
freedesktop validators (``desktop-file-validate``, ``appstreamcli``)."""

from __future__ import annotations

import json
import os
import plistlib
import re
import resource
import shlex
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tcpmonitor_gui import APP_ID, __version__, assets
from tcpmonitor_gui.integration import xdg
from tcpmonitor_gui.integration.autostart import Autostart, AutostartError

REPO = Path(__file__).resolve().parents[2]
GUI = Path(sys.executable).parent / "tcpmonitor-gui"
REQUIRE_ENV = "TCPMONITOR_REQUIRE_E2E"  # CI installs the validators and sets this


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        reason = f"{name} is not installed (Debian: desktop-file-utils, appstream)"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{reason} ({REQUIRE_ENV}=1)", pytrace=False)
        pytest.skip(reason)
    return path


def validate_desktop(path: Path) -> None:
    done = subprocess.run(
        [tool("desktop-file-validate"), str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def entry_values(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return dict(pairs)


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def gui(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GUI), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


# -- the files ------------------------------------------------------------------------------


def test_packaged_files_are_what_the_program_installs() -> None:
    linux = REPO / "packaging" / "linux"
    assert (linux / xdg.DESKTOP_FILE).read_text() == xdg.desktop_entry(), (
        "packaging/linux is stale: run tools/linux_files.py"
    )
    assert (linux / xdg.METAINFO_FILE).read_text() == xdg.metainfo()


def test_one_application_id_names_everything() -> None:
    assert f"{APP_ID}.desktop" == xdg.DESKTOP_FILE
    assert f"{APP_ID}.metainfo.xml" == xdg.METAINFO_FILE
    assert assets.ICON_NAME == APP_ID
    assert f"<id>{APP_ID}</id>" in xdg.metainfo()
    assert f"Icon={APP_ID}" in xdg.desktop_entry()
    assert xdg.RELEASES[0][0] == __version__, "add this version to xdg.RELEASES"


def test_desktop_entry_passes_the_validator() -> None:
    validate_desktop(REPO / "packaging" / "linux" / xdg.DESKTOP_FILE)


def test_metainfo_passes_the_validator() -> None:
    path = REPO / "packaging" / "linux" / xdg.METAINFO_FILE
    done = subprocess.run(
        [tool("appstreamcli"), "validate", "--no-net", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_exec_quoting_survives_awkward_paths(tmp_path: Path) -> None:
    argv = ["/opt/My Apps/tcp$mon", "--data-dir", '/data/100% "mine"']
    line = xdg.exec_line(argv)
    assert line == '"/opt/My Apps/tcp\\\\$mon" --data-dir "/data/100%% \\\\"mine\\\\""'
    entry = tmp_path / "awkward.desktop"
    entry.write_text(xdg.desktop_entry(argv))
    validate_desktop(entry)


def test_application_icon_pngs_are_at_their_sizes() -> None:
    for size in assets.APP_ICON_SIZES:
        assert png_size(assets.app_icon_png(size)) == (size, size)
    assert "<svg" in assets.read_text(assets.APP_ICON_SVG)
    assert assets.STATE_TEMPLATE_FILL in assets.read_text(assets.STATE_TEMPLATE_SVG)


# -- per-user install through the real command ------------------------------------------------


def test_install_and_uninstall_desktop_entry(xdg_env: dict[str, str], tmp_path: Path) -> None:
    done = gui(xdg_env, "--install-desktop-entry")
    assert done.returncode == 0, done.stderr
    data = tmp_path / "data"
    entry = data / "applications" / xdg.DESKTOP_FILE
    assert f"installed {entry}" in done.stdout
    validate_desktop(entry)
    assert (data / "metainfo" / xdg.METAINFO_FILE).read_text() == xdg.metainfo()
    for size in assets.APP_ICON_SIZES:
        icon = data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert png_size(icon) == (size, size)
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()

    # What the menu entry runs is this installation's program: it starts and answers.
    argv = shlex.split(entry_values(entry.read_text())["Exec"])
    assert Path(argv[0]).is_absolute()
    version = subprocess.run(
        [*argv, "--version"], capture_output=True, text=True, timeout=60, check=True
    )
    assert version.stdout.strip() == f"tcpmonitor-gui {__version__}"

    # Installing again replaces the files in place; removing takes away exactly them.
    assert gui(xdg_env, "--install-desktop-entry").returncode == 0
    (data / "applications" / "someone-else.desktop").write_text("[Desktop Entry]\n")
    done = gui(xdg_env, "--uninstall-desktop-entry")
    assert done.returncode == 0, done.stderr
    assert f"removed {entry}" in done.stdout
    left = sorted(p.name for p in data.rglob("*") if p.is_file())
    assert "someone-else.desktop" in left
    assert not [name for name in left if name.startswith(APP_ID)], left
    again = gui(xdg_env, "--uninstall-desktop-entry")
    assert again.returncode == 0
    assert "nothing to remove" in again.stdout


def make_own(data: Path, tmp_path: Path) -> tuple[Path, str, Path, Path]:
    """The installed entry, icon and metainfo made the user's own: the entry edited (its
    text returned), another icon of that name, the metainfo a link to the user's file."""
    entry = data / "applications" / xdg.DESKTOP_FILE
    installed = entry.read_text()
    own = installed.replace("Name=TCP Monitor", "Name=TCP Monitor (mine)")
    assert own != installed
    entry.write_text(own)
    icon = data / "icons" / "hicolor" / "48x48" / "apps" / f"{APP_ID}.png"
    icon.write_bytes(b"my own icon")
    (tmp_path / "mine.xml").write_text("<component/>")
    metainfo = data / "metainfo" / xdg.METAINFO_FILE
    metainfo.unlink()
    metainfo.symlink_to(tmp_path / "mine.xml")
    return entry, own, icon, metainfo


def test_uninstall_leaves_the_users_own_files_of_the_same_names(
    xdg_env: dict[str, str], tmp_path: Path
) -> None:
    """A menu entry the user wrote under the application's id (their own Exec), or an icon
    of their own there, was removed as if installed: only what an install writes is."""
    data = tmp_path / "data"
    assert gui(xdg_env, "--install-desktop-entry").returncode == 0
    entry, own, icon, metainfo = make_own(data, tmp_path)
    done = gui(xdg_env, "--uninstall-desktop-entry")
    assert done.returncode == 0, done.stderr
    assert entry.read_text() == own and icon.read_bytes() == b"my own icon"
    assert metainfo.is_symlink() and (tmp_path / "mine.xml").read_text() == "<component/>"
    for path, why in (
        (entry, "changed since it was installed"),
        (icon, "changed since it was installed"),
        (metainfo, "not the file installed (a link, or not a file)"),
    ):
        assert f"left {path}: {why}\n" in done.stdout
    svg = data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert f"removed {svg}" in done.stdout and not svg.exists()


def test_install_leaves_the_users_own_files_of_the_same_names(
    xdg_env: dict[str, str], tmp_path: Path
) -> None:
    """Installing replaced a menu entry the user had changed or written under the
    application's id, their own icon of that name, and wrote through a link into the file
    it points at. Only what an install writes is replaced (its entry whatever command it
    runs); another file is left and named, and the install exits 1."""
    data = tmp_path / "data"
    entry = data / "applications" / xdg.DESKTOP_FILE
    entry.parent.mkdir(parents=True)
    entry.write_text(xdg.desktop_entry(["/elsewhere/tcpmonitor-gui"]))  # an earlier install's
    done = gui(xdg_env, "--install-desktop-entry")
    assert done.returncode == 0, done.stderr
    assert f"installed {entry}" in done.stdout and "/elsewhere" not in entry.read_text()
    _entry, own, icon, metainfo = make_own(data, tmp_path)
    svg = data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    svg.unlink()
    broken = data / "icons" / "hicolor" / "16x16" / "apps" / f"{APP_ID}.png"
    broken.unlink()
    broken.symlink_to(tmp_path / "nowhere.png")
    done = gui(xdg_env, "--install-desktop-entry")
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert entry.read_text() == own and icon.read_bytes() == b"my own icon"
    assert metainfo.is_symlink() and (tmp_path / "mine.xml").read_text() == "<component/>"
    assert broken.is_symlink() and not (tmp_path / "nowhere.png").exists()
    for path, why in (
        (entry, "changed since it was installed"),
        (icon, "changed since it was installed"),
        (metainfo, "not the file installed (a link, or not a file)"),
        (broken, "not the file installed (a link, or not a file)"),
    ):
        assert (
            f"tcpmonitor-gui: left {path}: {why}; move it away and run this again to install it"
        ) in done.stderr
        assert str(path) not in done.stdout
    assert f"installed {svg}" in done.stdout and svg.is_file()  # the others are installed


def test_install_options_exclude_each_other(xdg_env: dict[str, str]) -> None:
    done = gui(xdg_env, "--install-desktop-entry", "--uninstall-desktop-entry")
    assert done.returncode == 2
    assert "not allowed with argument" in done.stderr


def test_an_unwritable_data_home_is_reported(xdg_env: dict[str, str], tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where a directory should be")
    done = gui(xdg_env, "--install-desktop-entry")
    assert done.returncode == 1
    assert done.stderr.startswith("tcpmonitor-gui: ")
    assert "Traceback" not in done.stderr


def test_a_data_home_that_is_a_dangling_link_is_named(
    xdg_env: dict[str, str], tmp_path: Path
) -> None:
    """It said "File exists: '...'" of a path that does not exist as far as the user can see."""
    (tmp_path / "data").symlink_to(tmp_path / "unmounted")
    done = gui(xdg_env, "--install-desktop-entry")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"tcpmonitor-gui: {tmp_path / 'data'} is a link to a folder that does not exist"
        f" ({tmp_path / 'unmounted'}); nothing was installed\n"
    )
    assert not (tmp_path / "unmounted").exists()


def test_an_install_that_fails_part_way_says_what_it_had_written(
    xdg_env: dict[str, str], tmp_path: Path
) -> None:
    """It said only the error, so the files written before it were nobody's to clean up.
    The file that failed is not left half-written (as the disk filled, here the kernel's
    limit on a file's size): that would be a file the next install takes for the user's."""
    data = tmp_path / "data"
    last = data / "icons" / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png"
    big = assets.app_icon_png(256).stat().st_size
    assert all(
        (len(c.encode()) if isinstance(c, str) else c.stat().st_size) < big
        for t, c in xdg.install_targets(data).items()
        if t != last
    )

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (big - 1, big - 1))  # Python ignores SIGXFSZ

    done = subprocess.run(
        [str(GUI), "--install-desktop-entry"], env=xdg_env, capture_output=True, text=True,
        timeout=60, check=False, preexec_fn=small_files,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith(f"tcpmonitor-gui: {last}: File too large"), done.stderr
    assert done.stderr.endswith(" files above were installed\n"), done.stderr
    record = data / "tcpmonitor" / xdg.RECORD_FILE
    files = {str(p) for p in data.rglob("*") if p.is_file() and p != record}
    listed = {line.removeprefix("installed ") for line in done.stdout.splitlines()}
    assert files and listed == files, done.stdout
    assert {entry["path"] for entry in json.loads(record.read_text())["files"]} == files
    again = gui(xdg_env, "--install-desktop-entry")
    assert again.returncode == 0, again.stderr
    assert f"installed {last}" in again.stdout
    assert gui(xdg_env, "--uninstall-desktop-entry").returncode == 0
    assert not [p for p in data.rglob(f"{APP_ID}*") if p.is_file()]  # (caches stay)


# -- start at login ---------------------------------------------------------------------------


def test_autostart_on_linux_is_an_xdg_autostart_entry(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    autostart = Autostart("linux", env=env, home=tmp_path / "home")
    assert not autostart.is_enabled()
    path = autostart.enable([str(GUI), "--config-dir", "/my profiles"])
    assert path == tmp_path / "config" / "autostart" / f"{APP_ID}.desktop"
    assert autostart.is_enabled()
    validate_desktop(path)
    values = entry_values(path.read_text())
    assert shlex.split(values["Exec"]) == [str(GUI), "--config-dir", "/my profiles", "--minimized"]
    assert values["X-GNOME-Autostart-enabled"] == "true"
    autostart.disable()
    assert not autostart.is_enabled()
    autostart.disable()  # already off: nothing to do, no error


def test_a_config_dir_with_a_line_break_stays_one_exec_value(tmp_path: Path) -> None:
    """A line break in an argument was written as itself: the autostart entry ended there,
    the rest of the path became a line of its own (or a key: "\nExec=..."), and the
    validator refused the file. It is written \\n, and reads back as the same path."""
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    odd = "/my profiles/100%\nExec=/bin/false\r\t$x"
    path = Autostart("linux", env=env, home=tmp_path).enable([str(GUI), "--config-dir", odd])
    validate_desktop(path)
    lines = path.read_text().splitlines()
    assert [line.split("=", 1)[0] for line in lines].count("Exec") == 1, lines
    # The value's string escapes, then the Exec quoting (a backslash in quotes escapes).
    value = entry_values(path.read_text())["Exec"]
    escapes = {"n": "\n", "r": "\r", "t": "\t", "s": " "}
    unescaped = re.sub(r"\\(.)", lambda m: escapes.get(m[1], m[1]), value)
    words = re.findall(r'"((?:\\.|[^"\\])*)"|(\S+)', unescaped, re.DOTALL)
    argv = [
        (re.sub(r"\\(.)", r"\1", quoted, flags=re.DOTALL) or bare).replace("%%", "%")
        for quoted, bare in words
    ]
    assert argv == [str(GUI), "--config-dir", odd, "--minimized"]


def test_autostart_without_xdg_config_home_uses_dot_config(tmp_path: Path) -> None:
    autostart = Autostart("linux", env={}, home=tmp_path)
    assert autostart.path == tmp_path / ".config" / "autostart" / f"{APP_ID}.desktop"


def test_autostart_on_macos_is_a_launch_agent(tmp_path: Path) -> None:
    autostart = Autostart("darwin", env={}, home=tmp_path)
    path = autostart.enable(["/Applications/TCP Monitor.app/Contents/MacOS/tcpmonitor-gui"])
    assert path == tmp_path / "Library" / "LaunchAgents" / f"{APP_ID}.plist"
    agent = plistlib.loads(path.read_bytes())
    assert agent["Label"] == APP_ID
    assert agent["ProgramArguments"][-1] == "--minimized"
    assert agent["RunAtLoad"] is True
    autostart.disable()
    assert not path.exists()


def test_autostart_on_windows_is_in_the_startup_folder(tmp_path: Path) -> None:
    autostart = Autostart("win32", env={"APPDATA": str(tmp_path)}, home=tmp_path)
    startup = tmp_path / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup"
    assert autostart.path == startup / "TCP Monitor.lnk"
    assert not autostart.is_enabled()


def test_turning_autostart_off_leaves_the_users_own_entry(tmp_path: Path) -> None:
    """Off removed any file of the entry's name: one the user wrote (their own Exec and
    options, or ours changed by hand) went with it. Only what ``enable`` writes goes, whatever
    command it starts; another is left and named."""
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    autostart = Autostart("linux", env=env, home=tmp_path)
    ours = autostart.enable(["/elsewhere/tcpmonitor-gui", "--config-dir", "/other"])
    Autostart("linux", env=env, home=tmp_path).disable()  # a later launcher: still ours
    assert not ours.exists()
    own = xdg.desktop_entry(["/usr/bin/tcpmonitor-gui"], autostart=True)
    own = own.replace(
        "Autostart-enabled=true", "Autostart-enabled=true\nX-GNOME-Autostart-Delay=30"
    )
    mine = tmp_path / "mine.desktop"
    mine.write_text(own)
    for make in (lambda: ours.write_text(own), lambda: ours.symlink_to(mine)):
        make()
        with pytest.raises(AutostartError) as raised:
            autostart.disable()
        assert str(ours) in str(raised.value)
        assert "not the entry TCP Monitor writes" in str(raised.value)
        assert os.path.lexists(ours) and mine.read_text() == own
        ours.unlink()


def test_turning_autostart_on_never_replaces_a_file_not_its_own(tmp_path: Path) -> None:
    """On replaced whatever was at the entry's path: the user's own entry, one of ours they
    changed, or a link (to their file, or to nothing: the box showed off). Only what
    ``enable`` writes is replaced (whatever command it starts); another is left and named."""
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    autostart = Autostart("linux", env=env, home=tmp_path)
    ours = autostart.enable(["/elsewhere/tcpmonitor-gui"])
    assert "/elsewhere" not in autostart.enable([str(GUI)]).read_text()  # ours: replaced
    own = ours.read_text().replace("Autostart-enabled=true", "Autostart-enabled=false")
    mine = tmp_path / "mine.desktop"
    mine.write_text(own)
    for make in (
        lambda: ours.write_text(own),
        lambda: ours.symlink_to(mine),
        lambda: ours.symlink_to(tmp_path / "nowhere.desktop"),
    ):
        ours.unlink()
        make()
        before = (os.readlink(ours) if ours.is_symlink() else "", ours.read_text()
                  if ours.exists() else "")  # fmt: skip
        with pytest.raises(AutostartError) as raised:
            autostart.enable([str(GUI)])
        assert str(raised.value) == (
            f"{ours} was left: it is not the entry TCP Monitor writes (your own, or changed);"
            " move it away to have TCP Monitor start at login"
        )
        after = (os.readlink(ours) if ours.is_symlink() else "", ours.read_text()
                 if ours.exists() else "")  # fmt: skip
        assert after == before and mine.read_text() == own
    assert not (tmp_path / "nowhere.desktop").exists()


def test_turning_autostart_off_on_macos_leaves_the_users_own_agent(tmp_path: Path) -> None:
    autostart = Autostart("darwin", env={}, home=tmp_path)
    path = autostart.enable(["/Applications/TCP Monitor.app/Contents/MacOS/tcpmonitor-gui"])
    agent = plistlib.loads(path.read_bytes())
    agent["KeepAlive"] = True
    path.write_bytes(plistlib.dumps(agent))
    with pytest.raises(AutostartError):
        autostart.disable()
    assert plistlib.loads(path.read_bytes())["KeepAlive"] is True
    path.write_text("not a property list")
    with pytest.raises(AutostartError):
        autostart.disable()
    with pytest.raises(AutostartError):  # nor replaced by turning it on
        autostart.enable(["/opt/tcpmonitor-gui"])
    assert path.read_text() == "not a property list"
    path.unlink()
    autostart.enable(["/opt/tcpmonitor-gui"])
    autostart.disable()
    assert not path.exists()
