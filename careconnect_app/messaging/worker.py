"""The delivery worker loop: inside the app (a thread) or alone (`python -m careconnect_app worker`).

Each pass: queue due reminders (one cheap query), then send what is due; once an hour, delete
what has served its purpose (common.retention). Stopping waits for the sends in flight, so a
deploy never leaves rows half-sent (see the outbox's crash trade-off).
"""

from __future__ import annotations

import logging
import threading

from careconnect_app.common import retention
from careconnect_app.db import session_scope
from careconnect_app.messaging import outbox, reminders

log = logging.getLogger(__name__)
_retention = retention.Schedule(retention.PURGE_EVERY)


def purge_if_due() -> retention.Purged | None:
    """The retention job, at most once an hour in this process."""
    if not _retention.due():
        return None
    with session_scope() as session:
        purged = retention.purge(session)
    log.info("retention: deleted %s", purged)
    return purged


def run_pass(*, with_reminders: bool = True, batch: int = 200) -> int:
    """One pass; returns how many messages were attempted."""
    if with_reminders:
        try:
            reminders.run_due()
        except Exception:  # a reminder bug must not stop delivery
            log.exception("reminder pass failed")
    try:
        purge_if_due()
    except Exception:  # nor a cleanup bug
        log.exception("retention pass failed")
    return outbox.deliver_due(limit=batch)


def run_forever(poll_seconds: float = 1.0, once: bool = False, stop: threading.Event | None = None,
                *, with_reminders: bool = True, batch: int = 200) -> None:
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            attempted = run_pass(with_reminders=with_reminders, batch=batch)
        except Exception:  # keep the worker alive; the rows stay queued
            log.exception("delivery pass failed")
            attempted = 0
        if once:
            return
        if attempted < batch:  # a full batch means more is waiting: go again at once
            stop.wait(poll_seconds)


def start_in_background(poll_seconds: float = 1.0) -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(poll_seconds, False, stop), name="careconnect-delivery",
                     daemon=True).start()
    return stop
