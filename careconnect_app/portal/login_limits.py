"""The waits that slow down guessing at sign-in: per account (the email as typed) and per address.

Every check of a secret (password, authenticator code, recovery code, the old password on a
change) goes through `begin`: an account's wait grows with its consecutive failures and only a
complete sign-in clears it; an address's wait grows with the failures it sent in the last
15 minutes (password spraying across many accounts), and successes do not clear it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from careconnect_app.common import throttle
from careconnect_app.common.crypto import sha256_hex

# 0, 0, 0, then 1 s, 2 s, 4 s ... 256 s, then 5 minutes at most between guesses.
ACCOUNT_LADDER = throttle.Ladder(free=3, cap=timedelta(minutes=5))
# A shared office address gets 20 mistakes in 15 minutes before any wait.
IP_LADDER = throttle.Ladder(free=20, cap=timedelta(minutes=5), forget_after=timedelta(minutes=15))


def account_key(email: str) -> str:
    """Unknown emails are counted like real ones, so the answer never tells them apart."""
    return f"account:{sha256_hex((email or '').strip().lower()[:254])}"


def ip_key(ip: str) -> str:
    return f"ip:{ip[:64]}"


def begin(session: Session, email: str, ip: str, now: datetime | None = None) -> int:
    """0 when this attempt may be checked (it is counted against the account until it succeeds),
    else the seconds to wait."""
    if ip and (wait := throttle.wait_seconds(session, ip_key(ip), IP_LADDER, now)):
        return wait
    return throttle.claim(session, account_key(email), ACCOUNT_LADDER, now)


def failed(session: Session, ip: str, now: datetime | None = None) -> None:
    """The attempt was wrong: it also counts against the address."""
    if ip:
        throttle.record_failure(session, ip_key(ip), IP_LADDER, now)


def succeeded(session: Session, email: str) -> None:
    """A complete sign-in (or a correct old password): the account's count starts again."""
    throttle.clear(session, account_key(email))
