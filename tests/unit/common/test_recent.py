"""Recent results: made once for callers who ask at the same moment, kept a while, then made again."""

from __future__ import annotations

import threading

import pytest

from careconnect_app.common.recent import Recent


class Counter:
    def __init__(self, gate: threading.Event | None = None):
        self.calls, self.gate = 0, gate

    def __call__(self) -> str:
        self.calls += 1
        if self.gate is not None:
            assert self.gate.wait(10)
        return f"made {self.calls}"


def test_callers_asking_at_the_same_moment_wait_for_one_result():
    gate, recent = threading.Event(), Recent(size=4, seconds=60)
    make, results = Counter(gate), []
    threads = [threading.Thread(target=lambda: results.append(recent.get("certificate", make))) for _ in range(5)]
    for thread in threads:
        thread.start()
    while not recent._making:  # the first caller is making it; the others must queue behind it
        threading.Event().wait(0.01)
    gate.set()
    for thread in threads:
        thread.join(10)
    assert results == ["made 1"] * 5 and make.calls == 1


def test_another_key_an_old_result_and_an_evicted_one_are_made_again():
    now = [0.0]
    recent, make = Recent(size=2, seconds=300, clock=lambda: now[0]), Counter()
    assert recent.get("a", make) == recent.get("a", make) == "made 1"
    assert recent.get("b", make) == "made 2"
    now[0] = 299.0
    assert recent.get("a", make) == "made 1"
    now[0] = 300.0  # five minutes: made again
    assert recent.get("a", make) == "made 3"
    recent.get("c", make)  # three keys, room for two: the least recently used ("b") goes
    assert recent.get("b", make) == "made 5"


def test_a_failure_is_not_kept_and_a_waiting_caller_makes_its_own():
    gate, recent = threading.Event(), Recent(size=4, seconds=60)
    started = threading.Event()

    def failing():
        started.set()
        assert gate.wait(10)
        raise RuntimeError("the seal key is unreadable")

    errors, waited = [], []

    def first():
        try:
            recent.get("k", failing)
        except RuntimeError as exc:
            errors.append(str(exc))

    one = threading.Thread(target=first)
    one.start()
    assert started.wait(10)
    two = threading.Thread(target=lambda: waited.append(recent.get("k", lambda: "made by the second")))
    two.start()
    gate.set()
    one.join(10)
    two.join(10)
    assert errors == ["the seal key is unreadable"] and waited == ["made by the second"]
    with pytest.raises(ZeroDivisionError):
        recent.get("k2", lambda: 1 / 0)
    assert recent.get("k2", lambda: "fine") == "fine"
