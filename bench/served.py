"""The warm build server (generator/daemon/) for bench/run.py: started by a
first build in a runtime folder of the benchmark's own, its CPU time read from
/proc (a served build's work is done by the server's children, which it
waits for), stopped at the end."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from generator.daemon import client

TICK = os.sysconf("SC_CLK_TCK")


@contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class WarmServer:
    def __init__(self, gongwen: Path, dataset: Path, scratch: Path) -> None:
        self.gongwen, self.dataset = gongwen, dataset
        self.env = {**os.environ, "GONGWEN_RUNTIME_DIR": str(scratch / "run")}
        self.env.pop("GONGWEN_NO_DAEMON", None)
        self.pid = 0

    def __enter__(self) -> WarmServer:
        # A first command runs in its own process and leaves a server.
        argv = [str(self.gongwen), "check", str(self.dataset)]
        subprocess.run(argv, env=self.env, capture_output=True, check=True)
        deadline = time.monotonic() + 120
        while not self.pid:
            with _environment(self.env):
                self.pid = client.status() or 0
            if time.monotonic() > deadline:
                raise SystemExit("后台生成服务未能启动")
            time.sleep(0.1)
        return self

    def cpu(self) -> float:
        """User and system seconds of the server and of the children it has waited for."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(value) for value in fields[11:15]) / TICK

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with _environment(self.env):
            client.stop()
        deadline = time.monotonic() + 60
        while os.path.exists(f"/proc/{self.pid}") and time.monotonic() < deadline:
            time.sleep(0.1)
