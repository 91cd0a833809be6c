"""The worker loop: a queued message goes out within moments (woken, not polled), every message once,
and stopping waits for the sends in flight."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter

from careconnect_app.config import PROJECT_ROOT as ROOT
from careconnect_app.db import session_scope
from careconnect_app.messaging import worker
from tests.fakes.data import make_family, notify
from tests.fakes.rows import message


def _wait_for(condition, timeout: float, explain=lambda: "") -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"timed out {explain()}"
        time.sleep(0.02)
    return time.monotonic() - started


def test_two_workers_send_what_is_queued_while_they_sleep_once_each(fakes):
    twilio, sendgrid = fakes
    stop = threading.Event()
    # Poll every 30 s: anything quicker than that was a wake-up, not a poll.
    threads = [threading.Thread(target=worker.run_forever, kwargs=dict(poll_seconds=30, stop=stop, concurrency=4))
               for _ in range(2)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)  # both asleep
        with session_scope() as s:
            ids = [mid for i in range(6) for mid in notify(s, make_family(s, email=f"p{i}@example.com",
                                                                          phone=f"+1555555{i:04d}"))]
        took = _wait_for(lambda: all(message(mid).status == "sent" for mid in ids), timeout=20,
                         explain=lambda: {mid: message(mid).status for mid in ids})
        assert took < 10
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    accepted = Counter(twilio.accepted_ids() + sendgrid.accepted_ids())
    assert sorted(int(i) for i in accepted) == sorted(ids) and set(accepted.values()) == {1}


def test_stopping_finishes_the_sends_in_flight(fakes):
    twilio, sendgrid = fakes
    twilio.latency = sendgrid.latency = 0.5
    with session_scope() as s:
        ids = notify(s, make_family(s))
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, kwargs=dict(poll_seconds=30, stop=stop, concurrency=4))
    thread.start()
    _wait_for(lambda: any(message(mid).status == "sending" for mid in ids), timeout=10)
    stop.set()
    thread.join(30)
    assert [message(mid).status for mid in ids] == ["sent", "sent"]  # none left half-sent


WARMED_MODULES = ("twilio.rest.api.v2010.account.message", "sendgrid.helpers.mail", "python_http_client.exceptions")


def test_warming_loads_both_sdks_before_any_message_and_sends_nothing(fakes):
    twilio, sendgrid = fakes
    script = ("import sys; from careconnect_app.messaging import backends; "
              f"modules = {WARMED_MODULES!r}; before = [m in sys.modules for m in modules]; "
              "backends.warm(); print(before, [m in sys.modules for m in modules])")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[False,", "False,", "False]", "[True,", "True,", "True]"]
    assert twilio.request_count == sendgrid.request_count == 0


def test_the_worker_warms_its_backends_before_its_first_claim(database, monkeypatch):
    calls, stop = [], threading.Event()
    monkeypatch.setattr(worker.backends, "warm", lambda: calls.append("warm"))

    def fill(*args, **kwargs):
        calls.append("claim")
        stop.set()
        return 0

    monkeypatch.setattr(worker.outbox, "fill", fill)
    worker.run_forever(poll_seconds=0.1, stop=stop)
    assert calls == ["warm", "claim"]
