"""Sliding-window rate limits kept in the database (shared by every worker and tab).

Keys name what is counted, often a contact or an address ("otp-send:+15555550123"); they are
stored as keyed hashes, so the table says nothing about who was counted.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, delete, func, select

from careconnect_app.clock import utcnow
from careconnect_app.common.crypto import keyed_hash
from careconnect_app.models import RateLimitHit


def _stored(key: str) -> str:
    return keyed_hash("rate-limit", key)


def count(session: Session, key: str, window: timedelta, now: datetime | None = None) -> int:
    now = now or utcnow()
    stmt = select(func.count(RateLimitHit.id)).where(
        RateLimitHit.key == _stored(key), RateLimitHit.created_at > now - window
    )
    return int(session.exec(stmt).one())


def hit(session: Session, key: str, now: datetime | None = None) -> None:
    session.add(RateLimitHit(key=_stored(key), created_at=now or utcnow()))


def forget(session: Session, key: str) -> None:
    """Start `key`'s count afresh (its hits are deleted)."""
    session.exec(delete(RateLimitHit).where(RateLimitHit.key == _stored(key)))
