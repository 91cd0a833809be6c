"""Sliding-window rate limits kept in the database (shared by every worker and tab)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, func, select

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
