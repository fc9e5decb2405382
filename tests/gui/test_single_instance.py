"""A second launch finds the first and asks it to show its window."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtNetwork import QLocalSocket
from pytestqt.qtbot import QtBot

from tcpmonitor_gui import APP_ID
from tcpmonitor_gui.ui.single_instance import (
    InstanceServer,
    ask_running_instance,
    lock_path,
    server_name,
    take_lock,
)


def test_second_launch_reaches_the_first(qtbot: QtBot, tmp_path: Path) -> None:
    name = server_name(tmp_path)
    assert not ask_running_instance(name)  # nobody there yet
    server = InstanceServer(name)
    assert server.listen()
    code = (
        "from tcpmonitor_gui.ui.single_instance import ask_running_instance\n"
        f"print(ask_running_instance({name!r}))\n"
    )
    try:  # asked by another process: it waits for the answer, which needs this loop
        with qtbot.waitSignal(server.showRequested, timeout=10_000):
            asking = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
        qtbot.waitUntil(lambda: asking.poll() is not None, timeout=10_000)
        assert asking.communicate()[0].decode().strip() == "True"
    finally:
        server.close()


def test_a_frozen_first_instance_is_not_said_to_have_shown_its_window(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first instance that listens but does not run (its GUI thread hung) still has its
    kernel take the connection and the message: that is no answer, within a bound."""
    monkeypatch.setattr("tcpmonitor_gui.ui.single_instance.ANSWER_WAIT_S", 0.5, raising=False)
    name = server_name(tmp_path)
    server = InstanceServer(name)
    assert server.listen()  # and no event loop runs here while it is asked
    try:
        started = time.monotonic()
        assert not ask_running_instance(name)
        assert time.monotonic() - started < 3.0
    finally:
        server.close()


def test_a_launch_beside_a_stopped_first_instance_says_so_and_starts_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first instance, SIGSTOPped, holds the lock and its socket: a second launch said
    "its window was brought to the front" (exit 0) while nothing came. It names the stopped
    process and exits 1, and starts no second window to monitor everything twice."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    config = tmp_path / "config"
    name = server_name(config)
    code = (
        "import os, signal, sys\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from tcpmonitor_gui.ui.single_instance import InstanceServer, take_lock\n"
        "app = QCoreApplication([])\n"
        f"assert take_lock({name!r})\n"
        f"server = InstanceServer({name!r})\n"
        "assert server.listen()\n"
        "print('listening', flush=True)\n"
        "os.kill(os.getpid(), signal.SIGSTOP)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True
    ) as first:
        try:
            assert first.stdout is not None and first.stdout.readline().strip() == "listening"
            second = subprocess.run(
                [sys.executable, "-m", "tcpmonitor_gui", "--config-dir", str(config),
                 "--data-dir", str(tmp_path / "data"), "--quit-after", "5"],
                env=env, capture_output=True, text=True, timeout=60, check=False,
            )  # fmt: skip
        finally:
            first.send_signal(signal.SIGKILL)
    assert second.returncode == 1, (second.stdout, second.stderr)
    assert "brought to the front" not in second.stdout
    assert second.stderr.strip().splitlines()[-1] == (
        f"tcpmonitor-gui: TCP Monitor is already running (process {first.pid}) but does not"
        " answer (stopped or hung); its window could not be brought to the front"
    )
    assert not (tmp_path / "data").exists(), "a second instance was started"


def test_only_this_user_may_connect_however_loose_the_umask(tmp_path: Path) -> None:
    name = server_name(tmp_path)
    server = InstanceServer(name)
    loose = os.umask(0)
    try:
        assert server.listen()
        assert server._server is not None
        socket_file = Path(server._server.fullServerName())
        assert socket_file.stat().st_mode & 0o077 == 0, oct(socket_file.stat().st_mode)
    finally:
        os.umask(loose)
        server.close()


def test_names_differ_by_config_dir(tmp_path: Path) -> None:
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")


def test_the_name_is_the_one_earlier_versions_listen_under(tmp_path: Path) -> None:
    """Named without hashlib (it loads OpenSSL before the first frame), by the same SHA-256:
    an instance of an earlier version that is running is still found."""
    import hashlib

    key = f"{os.getuid()}:{tmp_path.resolve()}".encode()
    assert server_name(tmp_path) == f"{APP_ID}-{hashlib.sha256(key).hexdigest()[:16]}"
    assert server_name(tmp_path / "other") != server_name(tmp_path)


def test_the_lock_is_held_by_one_process_and_let_go_when_it_ends(tmp_path: Path) -> None:
    """The running instance holds its name's lock: another process (or another take in this
    one) is told it is held; when the holder ends, however it ends, the lock is free."""
    name = server_name(tmp_path)
    code = (
        "import sys\n"
        "from tcpmonitor_gui.ui.single_instance import take_lock\n"
        f"print(take_lock({name!r}), flush=True)\n"
        "sys.stdin.read()\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
            assert take_lock(name) is False
            assert lock_path(name).exists()
        finally:
            holder.kill()  # no clean exit: the kernel lets go of the lock
    assert take_lock(name) is True
    assert take_lock(name) is False, "held by this process now"


def test_a_lock_file_that_cannot_be_opened_means_ask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A symlink planted where the lock file goes is not followed: the launch asks instead."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    name = server_name(tmp_path / "config")
    (tmp_path / "elsewhere").write_text("not ours")
    lock_path(name).symlink_to(tmp_path / "elsewhere")
    assert take_lock(name) is None
    assert (tmp_path / "elsewhere").read_text() == "not ours"


@pytest.mark.parametrize("planted", ["fifo", "someone else's file"])
def test_a_lock_file_that_is_not_ours_means_ask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, planted: str
) -> None:
    """Where the lock goes in a shared folder, another user could make the file first and
    hold its lock: a file not ours, or not a file, proves nothing, and the launch asks."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    name = server_name(tmp_path / "config")
    if planted == "fifo":
        os.mkfifo(lock_path(name))
    else:
        lock_path(name).write_text("")
        if os.getuid() != 0:
            pytest.skip("giving a file to another user needs root")
        os.chown(lock_path(name), 65534, 65534)
    assert take_lock(name) is None


def _peer(server: InstanceServer) -> socket.socket:
    assert server._server is not None
    peer = socket.socket(socket.AF_UNIX)
    peer.connect(server._server.fullServerName())
    peer.settimeout(0)
    return peer


def _closed_by_server(peer: socket.socket) -> bool:
    try:
        return peer.recv(64) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


def test_a_thousand_silent_peers_leave_the_server_answering(tmp_path: Path) -> None:
    """Connections that say half a word and nothing more were all kept: with as many as the
    process may open files, its accept failed, Qt closed the server (its socket gone) and no
    later launch was answered again. The oldest silent ones are cut: a launch still is."""
    name = server_name(tmp_path)
    code = (
        "import resource, sys\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from tcpmonitor_gui.ui.single_instance import InstanceServer\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (128, 128))\n"
        "app = QCoreApplication([])\n"
        f"server = InstanceServer({name!r})\n"
        "assert server.listen()\n"
        "print(server._server.fullServerName(), flush=True)\n"
        "app.exec()\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    peers: list[socket.socket] = []
    with subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE) as first:
        try:
            assert first.stdout is not None
            path = first.stdout.readline().decode().strip()
            for _ in range(1000):
                peers.append(socket.socket(socket.AF_UNIX))
                peers[-1].connect(path)  # refused (the socket gone) once the server closed
                peers[-1].sendall(b"sh")
            assert ask_running_instance(name)
        finally:
            first.kill()
            for peer in peers:
                peer.close()


@pytest.mark.parametrize(
    "sent",
    [b"hello\n", b"\x00\xff" * 10, b"show" * 2000, b"showplease\n", b"show \xff\xfe\n", b"sh"],
)
def test_a_peer_that_sends_garbage_or_stops_halfway_is_cut_and_nothing_shown(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sent: bytes
) -> None:
    monkeypatch.setattr("tcpmonitor_gui.ui.single_instance.PEER_WAIT_S", 0.3, raising=False)
    server = InstanceServer(server_name(tmp_path))
    assert server.listen()
    shown: list[bool] = []
    server.showRequested.connect(lambda: shown.append(True))
    peer = _peer(server)
    try:
        peer.sendall(sent)
        qtbot.waitUntil(lambda: _closed_by_server(peer), timeout=5_000)
        assert not shown
    finally:
        peer.close()
        server.close()


def test_a_launch_that_writes_a_byte_at_a_time_is_answered(qtbot: QtBot, tmp_path: Path) -> None:
    """The line was looked for in each piece read alone: "show" in five pieces was never
    seen, and its launch waited in vain."""
    server = InstanceServer(server_name(tmp_path))
    assert server.listen()
    peer = _peer(server)
    try:
        qtbot.waitUntil(lambda: bool(server.findChildren(QLocalSocket)))
        (conn,) = server.findChildren(QLocalSocket)
        with qtbot.waitSignal(server.showRequested, timeout=5_000):
            for byte in b"show\n":
                with qtbot.waitSignal(conn.readyRead):  # read before the next one comes
                    peer.sendall(bytes([byte]))
        qtbot.waitUntil(lambda: _answer(peer) == b"shown\n", timeout=10_000)
    finally:
        peer.close()
        server.close()


def _answer(peer: socket.socket) -> bytes:
    try:
        return peer.recv(64)
    except BlockingIOError:
        return b""


@pytest.mark.parametrize("squatted", ["the names", "the folder"])
def test_another_user_cannot_squat_the_instance_before_it_starts(
    tmp_path: Path, squatted: str, request: pytest.FixtureRequest
) -> None:
    """Without a runtime directory the lock and Qt's socket were in the shared temporary
    folder, under names anyone can work out: another user who made them first (their lock
    held, their server answering "shown") was asked and believed, and the program never
    started ("already running; its window was brought to the front"). They are in a folder
    of this user's now; one another user made in its place is not used at all."""
    if os.getuid() != 0:
        pytest.skip("playing another user needs root")
    shared = Path(tempfile.mkdtemp(prefix="tcpm-"))  # short: a socket's path must fit
    shared.chmod(0o1777)
    config = tmp_path / "config"
    name = server_name(config)
    request.addfinalizer(lambda: shutil.rmtree(shared, ignore_errors=True))
    lock = os.open(shared / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o666)
    os.fchown(lock, 65534, 65534)
    fcntl.flock(lock, fcntl.LOCK_EX)
    squatter = socket.socket(socket.AF_UNIX)
    squatter.bind(str(shared / name))
    os.chown(shared / name, 65534, 65534)
    os.chmod(shared / name, 0o777)
    squatter.listen()
    if squatted == "the folder":
        (shared / "tcpmonitor-0").mkdir(mode=0o777)
        os.chown(shared / "tcpmonitor-0", 65534, 65534)
    asked: list[bytes] = []

    def answer() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn = squatter.accept()[0]
                asked.append(conn.recv(64))
                conn.sendall(b"shown\n")
                conn.close()

    threading.Thread(target=answer, daemon=True).start()
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    try:
        launch = subprocess.run(
            [sys.executable, "-m", "tcpmonitor_gui", "--config-dir", str(config),
             "--data-dir", str(tmp_path / "data"), "--quit-after", "1"],
            env={**env, "TMPDIR": str(shared), "QT_QPA_PLATFORM": "offscreen"},
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    finally:
        squatter.shutdown(socket.SHUT_RDWR)
        squatter.close()
        os.close(lock)
    assert launch.returncode == 0, launch.stderr
    assert "already running" not in launch.stdout
    assert not asked, "the other user's server was asked"
    assert (tmp_path / "data").exists(), "the program did not start"
    if squatted == "the folder":
        assert "is not a folder only this user can write in" in launch.stderr


def test_a_later_launch_with_show_opens_the_running_window_on_that_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tcpmonitor-gui --show db`` beside a running window only brought it to the front:
    the connection named was not opened (only "show" was sent). It is sent and opened now;
    a name the running window does not have is said, exit 1, as at a start."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    config = tmp_path / "config"
    name = server_name(config)
    code = (
        "import sys\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from tcpmonitor_gui.ui.single_instance import InstanceServer, take_lock\n"
        "app = QCoreApplication([])\n"
        f"assert take_lock({name!r})\n"
        f"server = InstanceServer({name!r})\n"
        "server.show_named = lambda n: print('shows', repr(n), flush=True) or n == 'Orders DB'\n"
        "assert server.listen()\n"
        "print('listening', flush=True)\n"
        "app.exec()\n"
    )
    launch = [sys.executable, "-m", "tcpmonitor_gui", "--config-dir", str(config),
              "--data-dir", str(tmp_path / "data"), "--quit-after", "5", "--show"]  # fmt: skip
    with subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True
    ) as first:
        try:
            assert first.stdout is not None and first.stdout.readline().strip() == "listening"
            found = subprocess.run([*launch, "Orders DB"], env=env, capture_output=True,
                                   text=True, timeout=60, check=False)  # fmt: skip
            unknown = subprocess.run([*launch, "nosuch"], env=env, capture_output=True,
                                     text=True, timeout=60, check=False)  # fmt: skip
        finally:
            first.send_signal(signal.SIGKILL)
        asked = first.stdout.read().splitlines()  # printed before it answered each launch
    assert asked == ["shows 'Orders DB'", "shows 'nosuch'"], asked
    assert found.returncode == 0, (found.stdout, found.stderr)
    assert "its window was brought to the front" in found.stdout
    assert unknown.returncode == 1, (unknown.stdout, unknown.stderr)
    assert "--show: no connection is named 'nosuch'" in unknown.stderr
    assert not (tmp_path / "data").exists(), "a second instance was started"


#: A first instance that takes every file it may open (as its monitors may) on "fill" and
#: lets them go on "free", answering each on stdout.
FILL_FILES = """import os, resource, sys
from PySide6.QtCore import QCoreApplication, QSocketNotifier
from tcpmonitor_gui.ui.single_instance import InstanceServer
resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
app = QCoreApplication([])
server = InstanceServer(sys.argv[1])
assert server.listen()
print(server._server.fullServerName(), flush=True)
held = []
def command():
    line = os.read(0, 64)
    if line == b"fill\\n":
        while True:
            try:
                held.append(os.open(os.devnull, os.O_RDONLY))
            except OSError:
                break
    elif line == b"free\\n":
        while held:
            os.close(held.pop())
    else:
        app.quit()
    print(line.decode().strip(), flush=True)
notifier = QSocketNotifier(0, QSocketNotifier.Type.Read)
notifier.activated.connect(command)
app.exec()
"""


def test_a_server_closed_by_a_lack_of_files_listens_again_when_one_is_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every file taken for other reasons, a launch that connected made the server's
    accept fail, Qt closed the server for good, and no later launch was answered again (a
    second window, or "does not answer"). It listens again once a file is free."""
    runtime = Path(tempfile.mkdtemp(prefix="tcpm-"))  # short: a socket's path must fit
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    name = server_name(tmp_path)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    argv = [sys.executable, "-c", FILL_FILES, name]
    with subprocess.Popen(
        argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
    ) as first:
        assert first.stdin is not None and first.stdout is not None

        def tell(word: str) -> None:
            assert first.stdin is not None and first.stdout is not None
            first.stdin.write(word + "\n")
            first.stdin.flush()
            assert first.stdout.readline().strip() == word

        try:
            path = Path(first.stdout.readline().strip())
            tell("fill")
            with socket.socket(socket.AF_UNIX) as peer:
                peer.connect(str(path))  # the kernel takes it; the server's accept fails
            deadline = time.monotonic() + 10
            while path.exists():  # Qt removes the socket as it closes the server
                assert time.monotonic() < deadline, "the server's accept did not fail"
                time.sleep(0.01)  # ok-sleep: a file going away has no wake-up to give
            tell("free")
            assert ask_running_instance(name, wait_s=10)
            tell("quit")
        finally:
            first.kill()
            shutil.rmtree(runtime, ignore_errors=True)


#: An instance of a version before the lock and socket moved to a private folder: its lock
#: where it was then (argv[2]), its socket under Qt's bare name (in Qt's temporary folder);
#: it says what each launch asked, and answers "show" as that version did.
OLDER = """import fcntl, os, sys
from PySide6.QtCore import QCoreApplication
from PySide6.QtNetwork import QLocalServer
app = QCoreApplication([])
fd = os.open(sys.argv[2], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
os.pwrite(fd, f"{os.getpid()}\\n".encode(), 0)
server = QLocalServer()
server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
assert server.listen(sys.argv[1])
def answer():
    conn = server.nextPendingConnection()
    while not conn.canReadLine() and conn.waitForReadyRead(10_000):
        pass
    line = bytes(conn.readLine().data())
    print("asked", line.decode().strip(), flush=True)
    if line == b"show\\n":
        conn.write(b"shown\\n")
        conn.waitForBytesWritten(10_000)
    conn.disconnectFromServer()
server.newConnection.connect(answer)
print(server.fullServerName(), flush=True)
app.exec()
"""


@pytest.mark.parametrize("runtime", [False, True], ids=["no runtime dir", "runtime dir"])
def test_a_window_of_the_version_before_the_move_is_found_by_a_launch(
    tmp_path: Path, runtime: bool, request: pytest.FixtureRequest
) -> None:
    """Updated while its window ran: the older version had its lock and socket in the
    shared temporary folder, and a launch of the new one looked only in its private folder.
    It started a second window that monitored everything twice (without a runtime
    directory), or waited and said the window "does not answer" (with one, where the lock
    is the same file). It asks the older window to show itself; once that is gone (its
    socket left behind), a launch starts as ever."""
    shared = Path(tempfile.mkdtemp(prefix="tcpm-"))  # short: a socket's path must fit
    request.addfinalizer(lambda: shutil.rmtree(shared, ignore_errors=True))
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    env |= {"TMPDIR": str(shared / "tmp"), "QT_QPA_PLATFORM": "offscreen"}
    (shared / "tmp").mkdir()
    (shared / "tmp").chmod(0o1777)  # shared, as /tmp is
    if runtime:
        env["XDG_RUNTIME_DIR"] = str(shared / "run")
        (shared / "run").mkdir(mode=0o700)
    config = tmp_path / "config"
    name = server_name(config)
    lock = Path(env.get("XDG_RUNTIME_DIR") or env["TMPDIR"]) / f"{name}.lock"
    launch = [sys.executable, "-m", "tcpmonitor_gui", "--config-dir", str(config),
              "--data-dir", str(tmp_path / "data"), "--quit-after", "2"]  # fmt: skip
    with subprocess.Popen(
        [sys.executable, "-c", OLDER, name, str(lock)], env=env, stdout=subprocess.PIPE,
        text=True,
    ) as older:  # fmt: skip
        try:
            assert older.stdout is not None
            socket_file = Path(older.stdout.readline().strip())
            assert socket_file == shared / "tmp" / name and socket_file.is_socket()
            found = subprocess.run(launch, env=env, capture_output=True, text=True,
                                   timeout=60, check=False)  # fmt: skip
        finally:
            older.send_signal(signal.SIGKILL)  # its socket stays behind
        asked = older.stdout.read().splitlines()
    assert (found.returncode, asked) == (0, ["asked show"]), (found.stdout, found.stderr)
    assert "its window was brought to the front" in found.stdout
    assert not (tmp_path / "data").exists(), "a second window was started"
    assert socket_file.is_socket()
    alone = subprocess.run(launch, env=env, capture_output=True, text=True, timeout=60,
                           check=False)  # fmt: skip
    assert alone.returncode == 0, alone.stderr
    assert "already running" not in alone.stdout
    assert (tmp_path / "data").exists(), "the program did not start"
