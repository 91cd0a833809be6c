"""The delivery worker: `python -m careconnect_app worker` (as many as wanted, on any machine), or a
thread inside the web process in development and on SQLite (config.run_worker_in_app).

It keeps up to `delivery_concurrency` sends in flight, claiming due messages only for free
slots (outbox.claim_due: `FOR UPDATE SKIP LOCKED` on PostgreSQL, so workers never share a row),
and sleeps until a transaction that queued a message wakes it (messaging.wakeup: PostgreSQL
NOTIFY, or an in-process event) or the poll interval passes. Slower jobs run on their own
clocks: reminders once a minute (selected in SQL), stuck rows every 30 s, and the retention job
once an hour. Stopping waits for the sends in
flight, so a deploy never leaves rows half-sent (see the outbox's crash trade-off).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from careconnect_app.common import retention
from careconnect_app.db import session_scope
from careconnect_app.messaging import attachments, backends, outbox, reminders
from careconnect_app.messaging.render_process import RenderProcess
from careconnect_app.messaging.wakeup import Waiter

log = logging.getLogger(__name__)
REMINDERS_EVERY = timedelta(minutes=1)  # cadences are in days: a minute late is nothing
RECOVER_EVERY = timedelta(seconds=30)


class Jobs:
    """The worker's slow jobs, each at most once per its interval in this process."""

    def __init__(self, *, with_reminders: bool = True):
        self.with_reminders = with_reminders
        self.reminders = retention.Schedule(REMINDERS_EVERY)
        self.recover = retention.Schedule(RECOVER_EVERY)
        self.purge = retention.Schedule(retention.PURGE_EVERY)

    def run_due(self) -> None:
        """Each job whose time has come; a failing job is logged and never stops delivery."""
        for name, schedule, job in (("reminders", self.reminders, self._reminders),
                                    ("stuck rows", self.recover, outbox.recover_stuck),
                                    ("retention", self.purge, self._purge)):
            if schedule.due():
                try:
                    job()
                except Exception:
                    log.exception("%s job failed", name)

    def _reminders(self) -> None:
        if self.with_reminders:
            reminders.run_due()

    @staticmethod
    def _purge() -> None:
        with session_scope() as session:
            purged = retention.purge(session)
        log.info("retention: deleted %s", purged)


def run_pass(*, with_reminders: bool = True, batch: int = 200) -> int:
    """One pass that waits for its sends (`worker --once`, tests); returns how many were attempted."""
    Jobs(with_reminders=with_reminders).run_due()
    return outbox.deliver_due(limit=batch)


def run_forever(poll_seconds: float = 2.0, once: bool = False, stop: threading.Event | None = None,
                *, with_reminders: bool = True, concurrency: int | None = None,
                render_nice: int | None = None) -> None:
    """Deliver until `stop` is set, then finish the sends in flight. `render_nice`: make the sealed
    PDFs in a child process that much below this one's CPU priority (None: on the sending threads)."""
    if once:
        run_pass(with_reminders=with_reminders)
        return
    renderer = None if render_nice is None else RenderProcess(render_nice)
    if renderer is not None:
        renderer.start()
        attachments.make_in(renderer)
    try:
        _deliver_until(stop or threading.Event(), poll_seconds, with_reminders, concurrency)
    finally:
        if renderer is not None:
            attachments.make_in(None)
            renderer.close()


def _deliver_until(stop: threading.Event, poll_seconds: float, with_reminders: bool, concurrency: int | None) -> None:
    slots = outbox.slots(concurrency)
    jobs, waiter = Jobs(with_reminders=with_reminders), Waiter(poll_seconds)
    token = outbox.claim_token()
    try:
        backends.warm()
    except Exception:  # a misconfigured backend fails its sends visibly; delivery still starts
        log.exception("warming the delivery backends failed")
    waiter.listen()
    try:
        while not stop.is_set():
            jobs.run_due()
            try:
                started = outbox.fill(slots, token, limit=slots.free())
            except Exception:  # the database is away: keep the worker alive, the rows stay queued
                log.exception("claiming messages failed")
                stop.wait(poll_seconds)
                continue
            # (<= 0: loops sharing one process's slots may claim at once and take a place or two more)
            if slots.free() <= 0:
                slots.wait_free(max(1, slots.size // 4), timeout=poll_seconds)  # claim in batches
            elif started == 0:
                # Nothing we may claim: sleep until a message is queued or the poll interval, or,
                # while messages with files have all their slots, until one of those slots frees.
                files_full = slots.free_for_files() <= 0
                waiter.wait(also=(lambda: slots.free_for_files() > 0) if files_full else None)
    finally:
        waiter.close()
        slots.wait_all()


def start_in_background(poll_seconds: float = 2.0) -> threading.Event:
    """The worker as a daemon thread of this process; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(poll_seconds, False, stop), name="careconnect-delivery",
                     daemon=True).start()
    return stop
