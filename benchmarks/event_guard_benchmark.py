"""What the event guard (pages/event_guard.py) costs per event, beside parsing the same frame.

    . .venv/bin/activate && python -m benchmarks.event_guard_benchmark [--runs 200]

Every message from a browser tab is checked on Reflex's event loop before it is handled, so the
check must stay small next to what Reflex already spends on the frame. Prints, per event kind,
the median time of `event_problem` and of `json.loads` of the same frame (which Reflex pays anyway):
a trivial event (a checkbox), a form (the verification code), and the largest signature the pad
may send (5,000 points).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # runnable as `python benchmarks/event_guard_benchmark.py` from anywhere

from careconnect_app.careconnect_app import app  # noqa: E402,F401 (registers every handler)
from careconnect_app.pages.event_guard import event_problem  # noqa: E402
from careconnect_app.pages.sign.state import SignState  # noqa: E402

ROUTER = {"pathname": "/sign/[token]", "asPath": "/sign/x", "query": {"token": "x"}}


def _frames() -> dict[str, dict]:
    name = SignState.get_full_name()
    points = [[[round(i / 1000, 4), round(0.5 + 0.2 * math.sin(i / 50), 4), i * 16] for i in range(1000)]
              for _ in range(5)]
    return {
        "checkbox": {"name": f"{name}.set_certified", "payload": {"value": True}, "router_data": ROUTER},
        "code form": {"name": f"{name}.submit_code", "router_data": ROUTER,
                      "payload": {"form_data": {"__reflex_form_data__": [["code", "123456"]],
                                                "verification_code": "123456"}}},
        "5,000-point signature": {"name": f"{name}.set_strokes", "router_data": ROUTER,
                                  "payload": {"payload": {"strokes": points, "width": 358, "height": 200}}},
    }


def _median_us(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    print(f"{'event':<24}{'guard (µs)':>12}{'json.loads (µs)':>18}{'ratio':>8}")
    for label, frame in _frames().items():
        assert event_problem(frame) is None, label
        raw = json.dumps(frame)
        guard = _median_us(lambda frame=frame: event_problem(frame), runs)
        parse = _median_us(lambda raw=raw: json.loads(raw), runs)
        print(f"{label:<24}{guard:>12.0f}{parse:>18.0f}{guard / parse:>8.2f}")


if __name__ == "__main__":
    main()
