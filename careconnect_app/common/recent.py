"""A few recent results kept in this process, each made once even when asked for at the same moment.

When a parent signs, the worker sends the provider's and the agency's completion certificates at
the same moment, on two threads, and they are the same sealed PDF: the second waits for the first
instead of rendering and sealing it again (a third of a second of CPU each). Keys must name every
input of the result; a result is kept for `seconds` at most, and only the `size` latest.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class _Making:
    """A result being made by one thread, that others asking for the same key wait for."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.failed = False
        self.value = None


class Recent(Generic[V]):
    def __init__(self, size: int, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.size, self.seconds, self.clock = size, seconds, clock
        self._kept: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._making: dict[Hashable, _Making] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The kept result of `key`, or the one another thread is making now, or `make()`."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and self.clock() - kept[0] < self.seconds:
                self._kept.move_to_end(key)
                return kept[1]
            making = self._making.get(key)
            mine = making is None
            if mine:
                making = self._making[key] = _Making()
        if not mine:
            making.done.wait()
            return make() if making.failed else making.value  # type: ignore[return-value]
        try:
            value = make()
        except BaseException:
            making.failed = True
            raise
        else:
            making.value = value
            with self._lock:
                self._kept[key] = (self.clock(), value)
                self._kept.move_to_end(key)
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
        finally:
            with self._lock:
                self._making.pop(key, None)
            making.done.set()
        return value

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
