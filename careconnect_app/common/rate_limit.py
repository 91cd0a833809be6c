"""Sliding-window rate limits kept in the database (shared by every worker and tab)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, delete, func, select

from careconnect_app.clock import utcnow
from careconnect_app.models import RateLimitHit


def count(session: Session, key: str, window: timedelta, now: datetime | None = None) -> int:
    now = now or utcnow()
    stmt = select(func.count(RateLimitHit.id)).where(
        RateLimitHit.key == key, RateLimitHit.created_at > now - window
    )
    return int(session.exec(stmt).one())


def hit(session: Session, key: str, now: datetime | None = None) -> None:
    session.add(RateLimitHit(key=key, created_at=now or utcnow()))


def allow(session: Session, key: str, limit: int, window: timedelta, now: datetime | None = None) -> bool:
    """Count this attempt and say whether it is within `limit` per `window`."""
    now = now or utcnow()
    allowed = count(session, key, window, now) < limit
    hit(session, key, now)
    return allowed


def prune(session: Session, older_than: timedelta = timedelta(days=1)) -> None:
    session.exec(delete(RateLimitHit).where(RateLimitHit.created_at < utcnow() - older_than))
