"""Sealed PDFs made in a child process, at a lower CPU priority than the worker that sends them.

Why a process: rendering and sealing a PDF is about 0.1 s of pure-Python CPU. Made on the worker's
own threads, each PDF holds the GIL in turns with the threads sending the verification codes that
parents stand waiting for; and a worker niced as a whole, so that its PDFs spare the web
instances, has its codes starved by those instances at the end-of-month peak. With the PDFs in a
child niced below it, the worker can run at the web's priority and a code goes out at once, while
the PDFs use what CPU is left. The child reads the evidence from the database itself (its own
connections; it is spawned, not forked, so it shares no connection or lock with the worker).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from careconnect_app.documents import canvas
from careconnect_app.messaging import attachments
from careconnect_app.messaging.backends.base import Attachment, SendError

log = logging.getLogger(__name__)
RENDER_NICE = 10  # steps below the worker's priority (deploy/ runs the worker at the web's)


def _start_child(nice: int) -> None:
    os.nice(nice)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), name="parent-watch", daemon=True).start()
    canvas.read_fonts()


def _exit_with_parent(parent: int) -> None:
    """A worker that is killed (SIGKILL, OOM) cannot stop its child: the child stops itself."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def _render(specs: list[dict]) -> tuple[str, list[Attachment] | str]:
    """In the child: ("files", [...]), or ("permanent" | "retry", why). Exceptions are not sent
    back as they are: keyword fields (SendError's, DatabaseUnavailable's) do not survive pickling."""
    try:
        return "files", attachments.render_specs(specs)
    except SendError as error:
        return ("permanent" if error.permanent else "retry"), str(error)
    except Exception as error:  # the database away, a bug: the message is tried again, as on a thread
        log.exception("making the files %s failed", specs)
        return "retry", f"{type(error).__name__}: {error}"


def _child_facts() -> tuple[int, int]:
    return os.getpid(), os.nice(0)


class RenderProcess:
    """One child process that makes a worker's PDFs, one at a time (the worker lets at most
    attachments.RENDERING_AT_ONCE threads wait on it); started again if it dies."""

    def __init__(self, nice: int = RENDER_NICE):
        self.nice = nice
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_start_child, initargs=(self.nice,))
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def start(self) -> None:
        """Start the child now (importing and reading the fonts takes a few seconds), not at the first PDF."""
        self._executor().submit(_child_facts)

    def render(self, specs: list[dict]) -> list[Attachment]:
        pool = self._executor()
        try:
            outcome, result = pool.submit(_render, specs).result()
        except BrokenProcessPool:
            self._discard(pool)
            log.error("the PDF process stopped; a new one starts, the message is tried again")
            raise SendError("the process that makes the PDFs stopped; tried again shortly") from None
        if outcome == "files":
            return result  # type: ignore[return-value]
        raise SendError(str(result), permanent=outcome == "permanent")

    def child(self) -> tuple[int, int]:
        """(pid, niceness) of the child: for checks and the worker's log."""
        return self._executor().submit(_child_facts).result()

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
