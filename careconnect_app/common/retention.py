"""Deleting what has served its purpose: rate-limit hits, webhook receipts, expired sessions and
cookie tickets, spent password-reset links, sign-in counters with no failure for a day.

Each row kept past its use is data a backup leaks and a query scans. The delivery worker runs
`purge()` on its pass, at most once an hour per process (several workers at once are harmless:
each DELETE only removes what is already past its limit).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_
from sqlmodel import Session

from careconnect_app.clock import utcnow
from careconnect_app.common import cookie_tickets
from careconnect_app.models import (
    LoginThrottle,
    ParentSession,
    PasswordReset,
    PortalSession,
    RateLimitHit,
    WebhookReceipt,
)

# Longer than the longest rate-limit window (15 minutes) by a wide margin.
RATE_LIMIT_HITS_KEPT = timedelta(days=1)
# SendGrid retries an unanswered event webhook for up to 72 hours; a repeat older than this
# window cannot arrive, so its dedup key is no longer needed.
WEBHOOK_RECEIPTS_KEPT = timedelta(days=7)
# A parent's STOP/START is deduplicated on its MessageSid for much longer: a captured START replayed
# weeks later must still be recognised (the rows are tiny; see messaging/receipts/twilio.py).
INBOUND_SMS_RECEIPTS_KEPT = timedelta(days=400)
INBOUND_SMS_SOURCE = "twilio-inbound"
# An expired or revoked session grants nothing; a day's grace keeps "who was signed in" for support.
SESSIONS_KEPT_AFTER_END = timedelta(days=1)
PURGE_EVERY = timedelta(hours=1)


@dataclass
class Purged:
    rate_limit_hits: int = 0
    webhook_receipts: int = 0
    parent_sessions: int = 0
    portal_sessions: int = 0
    password_resets: int = 0
    login_throttles: int = 0
    cookie_tickets: int = 0


def purge(session: Session, now: datetime | None = None) -> Purged:
    """Delete every row past its use; returns how many of each went."""
    now = now or utcnow()
    ended = now - SESSIONS_KEPT_AFTER_END
    return Purged(
        rate_limit_hits=session.exec(delete(RateLimitHit).where(
            RateLimitHit.created_at < now - RATE_LIMIT_HITS_KEPT)).rowcount,
        webhook_receipts=session.exec(delete(WebhookReceipt).where(or_(
            and_(WebhookReceipt.source != INBOUND_SMS_SOURCE, WebhookReceipt.received_at < now - WEBHOOK_RECEIPTS_KEPT),
            WebhookReceipt.received_at < now - INBOUND_SMS_RECEIPTS_KEPT))).rowcount,
        parent_sessions=session.exec(delete(ParentSession).where(ParentSession.expires_at < ended)).rowcount,
        portal_sessions=session.exec(delete(PortalSession).where(
            or_(PortalSession.expires_at < ended, PortalSession.revoked_at < ended))).rowcount,
        password_resets=session.exec(delete(PasswordReset).where(PasswordReset.expires_at < ended)).rowcount,
        # A day without a failure forgives the count (the longest wait is 5 minutes).
        login_throttles=session.exec(delete(LoginThrottle).where(or_(
            LoginThrottle.last_failure_at.is_(None),  # type: ignore[union-attr]
            LoginThrottle.last_failure_at < now - RATE_LIMIT_HITS_KEPT))).rowcount,
        cookie_tickets=cookie_tickets.purge_expired(session, now),
    )


class Schedule:
    """Run a job at most once per interval in this process (the worker's pass is every second)."""

    def __init__(self, every: timedelta):
        self.every = every
        self._last: datetime | None = None
        self._lock = threading.Lock()

    def due(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        with self._lock:
            if self._last is not None and now - self._last < self.every:
                return False
            self._last = now
            return True
