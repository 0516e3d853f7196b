"""The warm build server: imports the pipeline, the writers and WeasyPrint
once, then forks a fresh copy of itself for each command it is handed
(client.py): each build runs in its own process, with nothing left over from
the one before (no state shared between builds, a crash ends one build only),
and takes its standard streams, folder, umask and environment from the
client. This process holds no thread, so forking it is safe.

It serves only its own user (SO_PEERCRED), from a folder only that user may
enter; it refuses a request whose fingerprint (fingerprint.py) is not its own
and leaves, so that a stale server never builds; it leaves after IDLE_S
without requests, when its socket is removed or replaced, or when asked
(`gongwen server stop`). A flock on server.lock makes it the only one.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import gc
import io
import marshal
import os
import select
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from generator.daemon.client import HEADER, STATUS, Place, peer, place
from generator.daemon.fingerprint import fingerprint

Run = Callable[[list[str]], int]

IDLE_S = float(os.environ.get("GONGWEN_DAEMON_IDLE", "600"))
LOCK_WAIT_S = 5.0
READ_TIMEOUT_S = 2.0
MAX_REQUEST = 1 << 20
LOG_LIMIT = 1 << 20


@dataclass
class Job:
    pid: int
    pidfd: int
    connection: socket.socket | None  # None once the client has gone


class Server:
    def __init__(self, where: Place, lock: int, log: TextIO, run: Run, own: str) -> None:
        self.where, self.lock, self.log, self.run, self.own = where, lock, log, run, own
        self.listener: socket.socket | None = None
        self.inode = 0
        self.jobs: list[Job] = []
        self.last = time.monotonic()

    def say(self, text: str) -> None:
        self.log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} [{os.getpid()}] {text}\n")
        self.log.flush()

    def listen(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.where.socket)  # a dead server's: we hold the lock
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.where.socket)
        os.chmod(self.where.socket, 0o600)
        listener.listen(16)
        self.listener, self.inode = listener, os.stat(self.where.socket).st_ino
        self.last = time.monotonic()

    def stop_listening(self, why: str) -> None:
        """No new requests: the socket goes (if still ours) and the lock with
        it, so a new server may start while the running builds finish."""
        if self.listener is None:
            return
        self.say(f"stop listening: {why}")
        with contextlib.suppress(OSError):
            if os.stat(self.where.socket).st_ino == self.inode:
                os.unlink(self.where.socket)
        self.listener.close()
        self.listener = None
        os.close(self.lock)

    def serve(self) -> None:
        while self.listener is not None or self.jobs:
            if self.listener is not None:
                if not self.jobs and time.monotonic() - self.last > IDLE_S:
                    self.stop_listening("idle")
                    continue
                if not self._socket_is_ours():
                    self.stop_listening("socket removed or replaced")
                    continue
            waits: list[Any] = [self.listener] if self.listener is not None else []
            for job in self.jobs:
                waits.append(job.pidfd)
                if job.connection is not None:
                    waits.append(job.connection)
            ready, _, _ = select.select(waits, [], [], 1.0)
            for item in ready:
                if item is self.listener:
                    self._accept()
                elif isinstance(item, int):
                    self._finished(item)
                else:
                    self._from_client(item)
        self.say("exit")

    def _socket_is_ours(self) -> bool:
        try:
            return os.stat(self.where.socket).st_ino == self.inode
        except OSError:
            return False

    def _accept(self) -> None:
        assert self.listener is not None
        try:
            connection, _ = self.listener.accept()
        except OSError:
            return
        self.last = time.monotonic()
        fds: list[int] = []
        try:
            pid, uid = peer(connection)
            if uid != os.getuid():
                raise PermissionError(f"uid {uid}")
            connection.settimeout(READ_TIMEOUT_S)
            message, fds = _read_request(connection)
            self._answer(connection, message, fds, pid)
        except (OSError, ValueError, EOFError, TypeError) as error:
            self.say(f"bad request: {error!r}")
            connection.close()
        finally:
            for fd in fds:
                os.close(fd)

    def _answer(
        self, connection: socket.socket, message: dict[str, Any], fds: list[int], client: int
    ) -> None:
        if message.get("status"):
            _reply(connection, {"serving": os.getpid()})
            connection.close()
            return
        if message.get("stop"):
            _reply(connection, {"stopping": os.getpid()})
            connection.close()
            self.stop_listening(f"stop asked by pid {client}")
            return
        if message.get("fingerprint") != self.own:
            _reply(connection, {"refused": "stale"})
            connection.close()
            self.stop_listening(f"stale: pid {client} runs other code")
            return
        if len(fds) != 3 or threading.active_count() != 1:
            _reply(connection, {"refused": "cannot fork"})
            connection.close()
            return
        pid = os.fork()
        if pid == 0:
            self._child(connection, message, fds)
        self.say(f"pid {pid} for client {client}: {message['argv']}")
        with contextlib.suppress(OSError):  # as the child does: a signal sent now finds its group
            os.setpgid(pid, pid)
        job = Job(pid, os.pidfd_open(pid), connection)
        self.jobs.append(job)
        connection.settimeout(None)
        self._forward(job, message["early signals"])
        try:
            _reply(connection, {"pid": pid})
        except OSError:
            self._client_gone(job)

    def _child(self, connection: socket.socket, message: dict[str, Any], fds: list[int]) -> None:
        """The forked copy: becomes the client's command and ends with its status."""
        code = 1
        try:
            if self.listener is not None:  # and the lock: flock is shared by copies of it
                self.listener.close()
                os.close(self.lock)
            for job in self.jobs:
                os.close(job.pidfd)
                if job.connection is not None:
                    job.connection.close()
            connection.close()
            self.log.close()
            os.setpgid(0, 0)  # its own group: Ctrl+C reaches its batch workers too
            signal.signal(signal.SIGINT, signal.default_int_handler)
            for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
                signal.signal(number, signal.SIG_DFL)
            _become_client(message, fds)
            code = _exit_status(self.run, message["argv"])
        except BaseException:
            traceback.print_exc()
        finally:
            with contextlib.suppress(BaseException):
                # As the interpreter ends: its threads joined first (a
                # process pool's manager thread told to end its workers,
                # concurrent.futures' exit hook), then the atexit functions.
                threading._shutdown()  # type: ignore[attr-defined]
                atexit._run_exitfuncs()
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)

    def _finished(self, pidfd: int) -> None:
        job = next((j for j in self.jobs if j.pidfd == pidfd), None)
        if job is None:
            return
        done, status = os.waitpid(job.pid, os.WNOHANG)  # (a readable pidfd: it has ended)
        if not done:
            return
        os.close(pidfd)
        self.jobs.remove(job)
        self.last = time.monotonic()
        if os.WIFSIGNALED(status):
            code = 128 + os.WTERMSIG(status)
        else:
            code = os.waitstatus_to_exitcode(status)
        self.say(f"pid {job.pid} exit {code}")
        if job.connection is not None:
            with contextlib.suppress(OSError):
                job.connection.sendall(STATUS.pack(code))
            job.connection.close()

    def _from_client(self, connection: socket.socket) -> None:
        job = next((j for j in self.jobs if j.connection is connection), None)
        if job is None:  # its build ended in this same round (_finished closed it)
            return
        try:
            data = connection.recv(64)
        except OSError:
            data = b""
        if not data:
            self._client_gone(job)
            return
        self._forward(job, data)

    def _forward(self, job: Job, signals: bytes) -> None:
        for number in signals:
            if number == signal.SIGINT:  # as a terminal sends it: to the group
                _signal(lambda: os.killpg(job.pid, signal.SIGINT))
            elif number in (signal.SIGTERM, signal.SIGHUP):
                _signal(lambda: os.kill(job.pid, signal.SIGTERM))

    def _client_gone(self, job: Job) -> None:
        """The client died (killed): its build unwinds, removing what it had half made."""
        self.say(f"client of pid {job.pid} gone: SIGTERM")
        _signal(lambda: os.kill(job.pid, signal.SIGTERM))
        if job.connection is not None:
            job.connection.close()
            job.connection = None


def _signal(send: Callable[[], None]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        send()


def _reply(connection: socket.socket, answer: dict[str, Any]) -> None:
    body = marshal.dumps(answer)
    connection.sendall(HEADER.pack(len(body)) + body)


def _read_request(connection: socket.socket) -> tuple[dict[str, Any], list[int]]:
    data, fds, _, _ = socket.recv_fds(connection, 4096, 3)
    if not data:
        raise ValueError("no request")
    try:
        while len(data) < HEADER.size:
            more = connection.recv(4096)
            if not more:
                raise ValueError("short request")
            data += more
        (length,) = HEADER.unpack(data[: HEADER.size])
        if length > MAX_REQUEST:
            raise ValueError("request too large")
        while len(data) < HEADER.size + length:
            more = connection.recv(65536)
            if not more:
                raise ValueError("short request")
            data += more
        # marshal, not pickle: plain values only, nothing is run (and only
        # this user, checked above, may connect)
        message = marshal.loads(data[HEADER.size : HEADER.size + length])
        early = data[HEADER.size + length :]  # Ctrl+C pressed at once: forwarded after the fork
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise
    if not isinstance(message, dict):
        for fd in fds:
            os.close(fd)
        raise ValueError("not an object")
    message["early signals"] = early
    return message, fds


def _become_client(message: dict[str, Any], fds: list[int]) -> None:
    """Take on the client's streams, folder, umask and environment."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    streams = []
    for target, spec in enumerate(message["streams"]):
        binary = open(target, "rb" if target == 0 else "wb", closefd=False)  # noqa: SIM115
        streams.append(
            io.TextIOWrapper(
                binary,
                encoding=spec["encoding"],
                errors=spec["errors"],
                line_buffering=spec["line_buffering"],
                write_through=spec["write_through"],
            )
        )
    sys.stdin, sys.stdout, sys.stderr = streams
    sys.argv = [message["argv0"], *message["argv"]]
    if sys.path:  # the script's folder, as for the command run directly: never the cwd
        sys.path[0] = message["path0"]
    os.chdir(message["cwd"])
    os.umask(message["umask"])
    os.environ.clear()
    os.environ.update(message["environ"])


def _exit_status(run: Run, argv: list[str]) -> int:
    """As the console script would end: main's status, SystemExit's code."""
    try:
        return run(argv)
    except SystemExit as leaving:
        if leaving.code is None:
            return 0
        if isinstance(leaving.code, int):
            return leaving.code
        print(leaving.code, file=sys.stderr)
        return 1


def _warm() -> None:
    """Everything a build or check imports, and what a first build computes
    that depends only on the package's own files and the fonts (both in the
    fingerprint) or is kept by content: WeasyPrint's C declarations parsed,
    fontconfig asked for each face's characters, the user-agent stylesheet,
    the document stylesheet of the shared style profile and the shared
    templates compiled (kept by their text). For that, the example data set of
    `gongwen init` is built here once, in a folder removed afterwards, without
    a side process; what that build kept by file name and time (the style
    profile) is dropped."""
    import generator.build.batch
    import generator.yearly.review  # noqa: F401
    from generator.build import pipeline
    from generator.writers import write_parts_later
    from generator.writers.docx import write_docx
    from generator.writers.html import pdf_html
    from generator.yearly.scaffold import scaffold

    with tempfile.TemporaryDirectory(prefix="gongwen-warm-") as folder:
        dataset = Path(folder) / "示例镇" / "2025"
        scaffold(dataset, "示例镇", 2025)
        _, document, _ = pipeline.prepare(dataset)
        style = pipeline.style_for(dataset)
        write_parts_later(pdf_html(document, style), Path(folder) / "warm.pdf")
        write_docx(document, style, pipeline.word_template_for(dataset), Path(folder) / "warm.docx")
    pipeline._cached_style.cache_clear()  # kept by path and time, not by content


def _take_lock(where: Place) -> int | None:
    lock = os.open(where.lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return lock
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(lock)
                return None
            time.sleep(0.05)


def serve(run: Run) -> None:
    """Become the server (called in a process start_server() started), or
    leave at once if another one runs or the code changes while importing."""
    where = place()
    if where is None:
        return
    if sys.path and sys.path[0] == "":  # `python -c`: imports never from the folder it runs in
        sys.path[0] = os.path.dirname(sys.executable)
    own = fingerprint()
    lock = _take_lock(where)
    if lock is None:
        return
    if os.path.exists(where.log) and os.path.getsize(where.log) > LOG_LIMIT:
        os.truncate(where.log, 0)
    with open(where.log, "a", encoding="utf-8") as log:
        server = Server(where, lock, log, run, own)
        try:
            _warm()
        except Exception:  # a build still works without: it is only slower
            server.say(f"warming up failed:\n{traceback.format_exc()}")
        if fingerprint() != own:
            server.say("code changed while importing: exit")
            return
        gc.collect()
        gc.freeze()  # what is left stays: forked copies need not copy pages to count it
        server.listen()
        server.say(f"listening, python {sys.version.split()[0]}")
        signal.signal(signal.SIGTERM, lambda *_: server.stop_listening("SIGTERM"))
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            server.serve()
        except BaseException:
            server.say(f"failed:\n{traceback.format_exc()}")
            raise
