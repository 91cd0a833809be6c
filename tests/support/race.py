"""Run steps at the same moment in threads, to prove a state change holds under a race.

Each step is a function taking `go`: it reads what it needs first (as a page would have, a moment
before), then calls `go()` and acts. `go()` waits until every step got there, then holds step i
back by `i * stagger` seconds, so a test can force one order or the other, or none.

    results = race(recall, sign, stagger=0.05)  # sign acts 50 ms after recall
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


def race(*steps: Callable[[Callable[[], None]], Any], stagger: float = 0.0,
         timeout: float = 60.0) -> list[Any]:
    """Each step's result, or the exception it raised, in the order of `steps`."""
    barrier = threading.Barrier(len(steps))
    results: list[Any] = [None] * len(steps)

    def run(index: int, step: Callable) -> None:
        def go() -> None:
            barrier.wait(timeout)
            if stagger:
                time.sleep(index * stagger)

        try:
            results[index] = step(go)
        except BaseException as exc:  # noqa: BLE001 - the test asserts on it
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, step)) for i, step in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results
