"""A second process that writes the PDF while this one writes the DOCX.

It is forked once and kept. A process forked per build would be a copy of a
large one, and every page either of them touched afterwards would be copied
(copy-on-write), which costs about what the second core saves; one forked early,
while this process is small, and reused by every build costs nothing per build.
`gongwen build` forks it before importing anything heavy: it imports the PDF
writer (WeasyPrint) while this process imports the pipeline and composes the
document, and this process never imports WeasyPrint.

It serves one call at a time over a pipe whose sending end only this process
holds; a thread of it waits on another such pipe: when this process ends, even
killed, the side process exits at once, even in the middle of a document. Without a free core (one core, or a batch worker whose
siblings use the others) or without fork, the work runs in this process.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import multiprocessing
import os
import pickle
import signal
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, ParamSpec, TypeVar, cast

P = ParamSpec("P")
T = TypeVar("T")


def _free_core() -> bool:
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:
        cores = os.cpu_count() or 1
    in_pool = multiprocessing.parent_process() is not None
    return cores > 1 and not in_pool and "fork" in multiprocessing.get_all_start_methods()


def _exit_with(caller: int) -> None:
    """Wait in a thread for the caller's end of a pipe to close (the caller
    has exited, or was killed), then end this process at once, whatever it is
    doing: a document laid out for a dead caller is of no use."""

    def watch() -> None:
        while True:
            try:
                if not os.read(caller, 1):
                    break
            except InterruptedError:
                continue
            except OSError:
                break
        os._exit(0)

    threading.Thread(target=watch, name="gongwen-caller-watch", daemon=True).start()


def _serve(
    calls: Connection, callers_end: Connection, results: Connection, alive: tuple[int, int]
) -> None:
    """The side process: run each call received, send back its outcome."""
    callers_end.close()  # so that the caller's exit is seen as the end of the pipe
    os.close(alive[1])
    _exit_with(alive[0])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the caller's to handle
    import generator.writers.pdf  # noqa: F401  (while the caller imports the rest)

    while True:
        try:
            fn, args, kwargs = calls.recv()
        except EOFError:
            return
        try:
            outcome: tuple[bool, Any] = (True, fn(*args, **kwargs))
        except Exception as error:
            error.add_note(f"in the side process:\n{traceback.format_exc()}")
            outcome = (False, error)
        try:
            results.send(outcome)
        except (pickle.PicklingError, TypeError, AttributeError):
            results.send((False, RuntimeError(repr(outcome[1]))))
        except OSError:  # the caller is gone
            return
        # A laid-out document is a web of cycles: freed now, while the caller
        # finishes, rather than by a later collection with the next one alive.
        del outcome
        gc.collect()
        if not gc.get_freeze_count():  # after the first document
            # What is left now stays (modules, fonts, caches): kept out of
            # later collections, which then take 4 ms instead of 33.
            gc.freeze()


class _SideProcess:
    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        calls, self._calls = context.Pipe(duplex=False)
        self._results, results = context.Pipe(duplex=False)
        # Only this process writes to `alive` (never): its end closes when it dies.
        alive = os.pipe()
        self._alive = alive[1]
        self._process = context.Process(target=_serve, args=(calls, self._calls, results, alive))
        self._process.daemon = True  # ended at this process's exit, not waited for
        self._process.start()
        calls.close()
        results.close()
        os.close(alive[0])

    def send(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self._calls.send((fn, args, kwargs))

    def receive(self) -> tuple[bool, Any]:
        return cast(tuple[bool, Any], self._results.recv())

    def stop(self) -> None:
        self._calls.close()
        os.close(self._alive)
        self._process.kill()
        self._process.join()


_side: _SideProcess | None = None
_busy = threading.Lock()  # one call in flight; another thread's runs in its own


def start() -> None:
    """Fork the side process now, if there is a free core and it is not running."""
    global _side
    if _side is None and _free_core():
        _side = _SideProcess()
        # Ended by this process's exit with SIGKILL, before multiprocessing's
        # own exit handler would send SIGTERM and wait: a SIGTERM that comes
        # while it is still starting, or that lands on its watching thread
        # while its main thread waits in recv(), is never acted on, and the
        # exit then waited for it forever (seen in the build server's copies,
        # which end right after starting it when the data set is missing).
        atexit.register(_stop_at_exit)


def _stop() -> None:
    global _side
    if _side is not None:
        _side.stop()
        _side = None


def _stop_at_exit() -> None:
    """_stop, quietly if Ctrl+C comes meanwhile: the process is leaving anyway."""
    with contextlib.suppress(KeyboardInterrupt):
        _stop()


def beside(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Callable[[], T]:
    """Start fn(*args) in the side process; the returned function waits for its
    result (raising what fn raised). fn and its arguments must pickle."""
    start()
    side = _side
    if side is None or not _busy.acquire(blocking=False):
        result = fn(*args, **kwargs)
        return lambda: result
    try:
        side.send(fn, args, kwargs)
    except (BrokenPipeError, ConnectionResetError):  # it was killed: a new one next time
        _stop()
        _busy.release()
        result = fn(*args, **kwargs)
        return lambda: result
    except BaseException:
        _busy.release()
        raise

    def wait() -> T:
        try:
            done, value = side.receive()
        except EOFError:  # killed while working: do the work here
            _stop()
            return fn(*args, **kwargs)
        except BaseException:  # interrupted: its answer would be read as the next call's
            _stop()
            raise
        finally:
            _busy.release()
        if not done:
            raise value
        return cast(T, value)

    return wait
