"""Time in one place: every timestamp is timezone-aware UTC (sqlmodel refuses naive ones)."""

from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Aware UTC now, to the microsecond."""
    return datetime.now(timezone.utc)


def as_utc(dt: datetime) -> datetime:
    """Aware UTC datetime; naive values are UTC already (how the app stores them)."""
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def iso(dt: datetime | None) -> str:
    """ISO 8601 in UTC with a Z, to the second, for evidence and JSON."""
    if dt is None:
        return ""
    return as_utc(dt).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
