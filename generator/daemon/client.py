"""The client side of the warm build server, run first thing by `gongwen`
before anything heavy is imported: can a server take this command, and if so
hand it over and wait for its exit status.

What is handed over makes the server's build indistinguishable from one run
here: the arguments, the current folder, the umask, the whole environment,
the standard streams themselves (their file descriptors, passed over the
socket: a terminal stays a terminal, with its width) and their encodings.
Ctrl+C and SIGTERM are forwarded to the build. Anything amiss (no server, a
stale one, one that does not answer in time) and the command runs in this
process as it always did; afterwards it starts a server for the next one.
"""

from __future__ import annotations

import marshal
import os
import signal
import socket
import struct
import sys

from generator.daemon.fingerprint import PACKAGE, digest, fingerprint

COMMANDS = frozenset({"build", "check"})
CONNECT_TIMEOUT_S = 0.5
ANSWER_TIMEOUT_S = 5.0  # the server answers as soon as it has read the request
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
HEADER = struct.Struct("!I")
STATUS = struct.Struct("!i")
PEERCRED = struct.Struct("3i")  # pid, uid, gid
MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes

TYPE_CHECKING = False  # (typing and dataclasses are not imported: this runs first thing)
if TYPE_CHECKING:
    from types import FrameType
    from typing import Any


class Place:
    """Where this installation's server lives: a folder only this user may enter."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    @property
    def socket(self) -> str:
        return os.path.join(self.folder, "server.sock")

    @property
    def lock(self) -> str:
        return os.path.join(self.folder, "server.lock")

    @property
    def log(self) -> str:
        return os.path.join(self.folder, "server.log")


def disabled() -> bool:
    return bool(os.environ.get("GONGWEN_NO_DAEMON")) or not (
        hasattr(os, "pidfd_open") and hasattr(socket, "SO_PEERCRED") and hasattr(os, "fork")
    )


def wanted(argv: list[str]) -> bool:
    """Whether argv is a command the server runs (its first word build or check)."""
    return bool(argv) and argv[0] in COMMANDS and not disabled()


def place() -> Place | None:
    """This installation's folder (one server per interpreter and package, so
    that two virtual environments never take each other's), made 0700, or
    None when it cannot be made private."""
    base = os.environ.get("GONGWEN_RUNTIME_DIR")
    if not base:
        runtime = os.environ.get("XDG_RUNTIME_DIR")
        home = os.path.expanduser("~")
        base = (
            os.path.join(runtime, "gongwen")
            if runtime
            else os.path.join(home, ".cache", "gongwen", "server")
        )
    installation = f"{sys.prefix}\0{PACKAGE}".encode("utf-8", "surrogateescape")
    folder = os.path.join(base, digest(installation)[:16])
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    if info.st_uid != os.getuid() or not os.path.isdir(folder) or os.path.islink(folder):
        return None
    if info.st_mode & 0o077:
        try:
            os.chmod(folder, 0o700)
        except OSError:
            return None
    found = Place(folder)
    return found if len(found.socket.encode()) <= MAX_SOCKET_PATH else None


def peer(connection: socket.socket) -> tuple[int, int]:
    """The pid and uid of the process at the other end (the kernel's word)."""
    raw = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, PEERCRED.size)
    pid, uid, _ = PEERCRED.unpack(raw)
    return pid, uid


def connect(where: Place) -> socket.socket | None:
    """A connection to this user's server, or None."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(CONNECT_TIMEOUT_S)
    try:
        connection.connect(where.socket)
        if peer(connection)[1] != os.getuid():
            raise ConnectionRefusedError
    except OSError:
        connection.close()
        return None
    return connection


def _stream(stream: Any) -> dict[str, Any]:
    return {
        "encoding": getattr(stream, "encoding", None) or "utf-8",
        "errors": getattr(stream, "errors", None) or "strict",
        "line_buffering": bool(getattr(stream, "line_buffering", False)),
        "write_through": bool(getattr(stream, "write_through", False)),
    }


def request(argv: list[str]) -> dict[str, Any]:
    return {
        "fingerprint": fingerprint(),
        "argv0": sys.argv[0],
        "path0": sys.path[0] if sys.path else "",
        "argv": argv,
        "cwd": os.getcwd(),
        "umask": _umask(),
        "environ": dict(os.environ),
        "streams": [_stream(s) for s in (sys.stdin, sys.stdout, sys.stderr)],
    }


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def send_message(connection: socket.socket, message: dict[str, Any], fds: list[int]) -> None:
    body = marshal.dumps(message)
    data = HEADER.pack(len(body)) + body
    sent = socket.send_fds(connection, [data[:4096]], fds) if fds else connection.send(data[:4096])
    if sent < len(data):  # (sendall sends even nothing, and fails once the server has closed)
        connection.sendall(data[sent:])


def read_answer(connection: socket.socket) -> dict[str, Any]:
    """The server's answer: a length and a marshalled dict of plain values,
    read to its last byte and no further (the exit status follows it)."""
    header = _read_exactly(connection, HEADER.size)
    answer = marshal.loads(_read_exactly(connection, HEADER.unpack(header)[0]))
    if not isinstance(answer, dict):
        raise ConnectionResetError
    return answer


def _read_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionResetError
        data += chunk
    return data


class Outcome:
    """Why run_remotely did not run the command (None from it): start a server afterwards?"""

    start_server = False


def run_remotely(argv: list[str], outcome: Outcome) -> int | None:
    """The exit status of argv run by this user's server, or None to run it here."""
    if not wanted(argv):
        return None
    where = place()
    if where is None:
        return None
    outcome.start_server = True
    try:
        os.getcwd()
        for fd in (0, 1, 2):
            os.fstat(fd)
    except OSError:  # a closed stream, a vanished folder: as a plain run behaves
        return None
    connection = connect(where)
    if connection is None:
        return None
    with connection:
        return _hand_over(connection, argv)


def _hand_over(connection: socket.socket, argv: list[str]) -> int | None:
    signals: list[int] = []
    server_pid = peer(connection)[0]

    def forward(signum: int, frame: FrameType | None) -> None:
        signals.append(signum)
        try:  # noqa: SIM105 (contextlib is not imported: this runs first thing)
            connection.send(bytes([signum]))
        except OSError:
            pass

    previous = {s: signal.signal(s, forward) for s in FORWARDED}
    try:
        try:
            connection.settimeout(ANSWER_TIMEOUT_S)
            send_message(connection, request(argv), [0, 1, 2])
            answer = read_answer(connection)
        except TimeoutError:  # hung: it goes, the next command starts a fresh one
            _end(server_pid)
            return _interrupted(signals)
        except (OSError, ValueError, EOFError):  # gone, or an answer not understood
            return _interrupted(signals)
        if "pid" not in answer:  # refused (stale): it is leaving; run here
            return _interrupted(signals)
        connection.settimeout(None)
        try:
            status = _read_exactly(connection, STATUS.size)
        except OSError:
            print("错误：后台生成服务意外退出，结果未知，请重新运行。", file=sys.stderr)
            return 1
        code: int = STATUS.unpack(status)[0]
        return code
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _interrupted(signals: list[int]) -> int | None:
    """None (run the command here), unless Ctrl+C or SIGTERM came meanwhile."""
    if not signals:
        return None
    print("已中断。", file=sys.stderr)
    return 128 + signals[0]


def _end(pid: int) -> None:
    try:  # noqa: SIM105
        os.kill(pid, signal.SIGTERM)
    except OSError:
        pass


def start_server() -> None:
    """Start a detached server (its own session, no terminal, stdio to
    /dev/null; it logs to server.log) that imports everything and waits."""
    import subprocess

    try:  # noqa: SIM105 (as elsewhere here: contextlib is not imported)
        subprocess.Popen(
            [sys.executable, "-c", "import generator.cli as cli; cli.serve()"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
            cwd="/",
        )
    except OSError:  # no process to spare: the next command runs without a server
        pass


def stop() -> int | None:
    """Ask this installation's server to stop; its pid, or None if none answers."""
    return _ask({"stop": True}, end_if_silent=True)


def status() -> int | None:
    """The pid of this installation's server, or None if none answers."""
    return _ask({"status": True}, end_if_silent=False)


def _ask(message: dict[str, Any], end_if_silent: bool) -> int | None:
    where = place()
    connection = connect(where) if where else None
    if connection is None:
        return None
    with connection:
        pid = peer(connection)[0]
        try:
            connection.settimeout(ANSWER_TIMEOUT_S)
            send_message(connection, message, [])
            read_answer(connection)
        except (OSError, ValueError, EOFError):
            if end_if_silent:
                _end(pid)
            else:
                return None
        return pid
