"""A delivery worker's sending slots: at most `size` sends in flight on one thread pool, and a
short line of claimed messages behind them (see `Slots`)."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from careconnect_app.config import get_settings

log = logging.getLogger(__name__)


class Slots:
    """At most `size` sends in flight on one thread pool, plus up to `size // 2` claimed messages
    next in line; claim only for free places.

    A sending thread that finishes takes the next message in line at once, so no slot sits idle
    while the worker claims the next batch (64 in flight against providers answering in 100 ms:
    a slot's cycle was 162 ms, 40 of them waiting for a batch of 16 free slots and its claim).
    The price: a worker killed hard (power cut, SIGKILL) leaves its line "sending" as well, to be
    resolved like the sends it had in flight (module docstring); a stopping worker sends its line.

    Messages that carry files (sealed PDFs, made at send time) may hold at most half the slots: a
    month-end wave of signatures must not keep the verification code a parent is waiting for
    from being claimed (100 parents on 2 cores: p95 of a code reaching the phone 15.5 s without
    this share, 1.6 s with it).
    The pool is kept between passes: its threads keep their HTTP connections open.
    """

    def __init__(self, size: int):
        self.size = size
        self.places = size + size // 2  # sending + next in line
        self.batch = max(4, size // 4)  # claimed per statement: shares its cost, starts sends soon
        self.with_files_at_most = max(1, size // 2)
        self.in_flight = 0  # sends running
        self.with_files_in_flight = 0  # claimed messages with files, sending or in line
        self._line: deque[tuple[Callable[[], object], bool]] = deque()
        self._changed = threading.Condition()
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="careconnect-send")

    def _free(self) -> int:  # with self._changed held
        return self.places - self.in_flight - len(self._line)

    def free(self) -> int:
        """How many more messages may be claimed now."""
        with self._changed:
            return self._free()

    def free_for_files(self) -> int:
        with self._changed:
            return min(self._free(), self.with_files_at_most - self.with_files_in_flight)

    def start(self, send: Callable[[], object], *, with_files: bool = False) -> None:
        """Send now if a slot is free, else next in line."""
        with self._changed:
            self.with_files_in_flight += with_files
            now = self.in_flight < self.size
            if now:
                self.in_flight += 1
            else:
                self._line.append((send, with_files))
        if now:
            self._pool.submit(self._run, send, with_files)

    def _run(self, send: Callable[[], object] | None, with_files: bool) -> None:
        while send is not None:
            try:
                send()
            except Exception:  # the database went away mid-send: the row stays "sending" (recover_stuck)
                log.exception("recording a send failed")
            with self._changed:
                self.with_files_in_flight -= with_files
                if self._line:  # this thread sends the next one in line
                    send, with_files = self._line.popleft()
                else:
                    send, self.in_flight = None, self.in_flight - 1
                self._changed.notify_all()

    def wait_free(self, at_least: int, timeout: float | None = None) -> None:
        """Until `at_least` places are free (or nothing is claimed), at most `timeout` seconds."""
        at_least = min(at_least, self.places)
        with self._changed:
            self._changed.wait_for(lambda: self._free() >= at_least, timeout)

    def wait_free_for_files(self, timeout: float | None = None) -> None:
        """Until a message with files may take a slot, at most `timeout` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self.with_files_in_flight < self.with_files_at_most, timeout)

    def wait_all(self) -> None:
        self.wait_free(self.places)

    def shutdown(self) -> None:
        self.wait_all()
        self._pool.shutdown(wait=True)


_slots: Slots | None = None
_slots_lock = threading.Lock()


def slots(size: int | None = None) -> Slots:
    """This process's sending slots (resized when the configured concurrency changes)."""
    global _slots
    size = size or get_settings().delivery_concurrency
    with _slots_lock:
        if _slots is None or _slots.size != size:
            old, _slots = _slots, Slots(size)
            if old is not None:
                old.shutdown()
        return _slots
