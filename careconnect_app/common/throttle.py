"""Growing waits after consecutive failures (sign-in), instead of a lockout anyone can renew.

After `free` failures each further one doubles the wait (1 s, 2 s, 4 s ...) up to `cap`. An attempt
during the wait is refused with the seconds left and is not counted, so nobody can hold an account
locked: the owner waits at most `cap`. Counters live in the database (every worker and tab shares
them); nothing sleeps: the caller refuses with "try again in N seconds".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select, update

from careconnect_app.clock import as_utc, utcnow
from careconnect_app.models import LoginThrottle


@dataclass(frozen=True)
class Ladder:
    """How the wait grows: none for the first `free` failures, then doubling up to `cap`."""

    free: int
    cap: timedelta
    # Failures older than this are forgotten (an address's count; an account's resets on success).
    forget_after: timedelta | None = None

    def wait_after(self, failures: int) -> timedelta:
        if failures <= self.free:
            return timedelta(0)
        return min(self.cap, timedelta(seconds=2 ** min(failures - self.free - 1, 30)))


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def _row(session: Session, key: str) -> LoginThrottle:
    """The key's row, created when missing (two workers creating it at once: one insert is ignored)."""
    insert = postgres_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.exec(insert(LoginThrottle).values(key=key, failures=0).on_conflict_do_nothing(index_elements=["key"]))
    return session.exec(select(LoginThrottle).where(LoginThrottle.key == key)).one()


def _live_failures(row: LoginThrottle, ladder: Ladder, now: datetime) -> int:
    if ladder.forget_after and row.last_failure_at and as_utc(row.last_failure_at) + ladder.forget_after <= now:
        return 0
    return row.failures


def wait_seconds(session: Session, key: str, ladder: Ladder, now: datetime | None = None) -> int:
    """Seconds before the next attempt may be made (0: now)."""
    now = now or utcnow()
    row = session.exec(select(LoginThrottle).where(LoginThrottle.key == key)).first()
    if row is None or not _live_failures(row, ladder, now) or row.next_attempt_at is None:
        return 0
    left = as_utc(row.next_attempt_at) - now
    return _seconds(left) if left > timedelta(0) else 0


def claim(session: Session, key: str, ladder: Ladder, now: datetime | None = None) -> int:
    """Count this attempt as a failure before it is checked (0), or refuse it (seconds to wait).

    Counting first means parallel attempts cannot all pass the same check: each one moves the
    counter by a conditional UPDATE, and one that loses the race is refused. `clear` undoes the
    count when the attempt succeeds.
    """
    now = now or utcnow()
    row = _row(session, key)
    session.refresh(row)
    failures = _live_failures(row, ladder, now)
    if failures and row.next_attempt_at is not None and as_utc(row.next_attempt_at) > now:
        return _seconds(as_utc(row.next_attempt_at) - now)
    won = session.exec(
        update(LoginThrottle)
        .where(LoginThrottle.id == row.id, LoginThrottle.failures == row.failures)
        .values(failures=failures + 1, last_failure_at=now, next_attempt_at=now + ladder.wait_after(failures + 1))
    ).rowcount == 1
    return 0 if won else 1


def record_failure(session: Session, key: str, ladder: Ladder, now: datetime | None = None) -> None:
    """Count one failure after the fact (an address's count), in SQL so parallel failures all count."""
    now = now or utcnow()
    row = _row(session, key)
    session.refresh(row)
    if _live_failures(row, ladder, now) == 0 and row.failures:
        session.exec(update(LoginThrottle).where(LoginThrottle.id == row.id).values(failures=0))
    session.exec(update(LoginThrottle).where(LoginThrottle.id == row.id)
                 .values(failures=LoginThrottle.failures + 1, last_failure_at=now))
    session.refresh(row)
    session.exec(update(LoginThrottle).where(LoginThrottle.id == row.id)
                 .values(next_attempt_at=now + ladder.wait_after(row.failures)))


def clear(session: Session, key: str) -> None:
    """A success: the next failure starts the ladder again."""
    session.exec(update(LoginThrottle).where(LoginThrottle.key == key)
                 .values(failures=0, last_failure_at=None, next_attempt_at=None))
