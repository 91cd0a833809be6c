"""Time in one place: every timestamp is timezone-aware UTC (sqlmodel refuses naive ones)."""

from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Aware UTC now, to the microsecond."""
    return datetime.now(timezone.utc)


def iso(dt: datetime | None) -> str:
    """ISO 8601 in UTC with a Z, to the second, for evidence and JSON."""
    if dt is None:
        return ""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
