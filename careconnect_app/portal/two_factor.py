"""The portal's second factor: an authenticator app (RFC 6238 TOTP) and single-use recovery codes.

- Secrets are 160 random bits, shown once as a QR code drawn on the server and as base32 text,
  and kept encrypted at rest (Fernet; keys from CARECONNECT_TOTP_KEYS, else derived from
  CARECONNECT_SECRET_KEY). A database copy alone gives no usable secret.
- A code is 6 digits for a 30-second step; the steps just before and after are accepted (clock
  drift), and each step only once: the newest accepted step is stored and moved forward by a
  conditional UPDATE, so a code seen over someone's shoulder cannot be used again.
- Ten recovery codes per enrolment, shown once, stored as keyed hashes, each usable once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlmodel import Session, select, update

from careconnect_app.clock import utcnow
from careconnect_app.common.crypto import keyed_hash
from careconnect_app.config import get_settings
from careconnect_app.models import PortalUser, RecoveryCode

ISSUER = "CareConnect Sign"
STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # accept the previous and the next step too
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read off paper


def _box() -> MultiFernet:
    """The keys that protect secrets at rest: the first encrypts, every one decrypts (rotation)."""
    settings = get_settings()
    keys = list(settings.totp_keys)
    if not keys:
        raw = hmac.new(settings.secret_key.encode("utf-8"), b"fernet:totp-secret", hashlib.sha256).digest()
        keys = [base64.urlsafe_b64encode(raw).decode("ascii")]
    return MultiFernet([Fernet(key.encode("ascii")) for key in keys])


def seal(secret: str) -> str:
    return _box().encrypt(secret.encode("ascii")).decode("ascii")


def unseal(ciphertext: str) -> str | None:
    """The secret, or None when missing or sealed under keys this deployment no longer has."""
    if not ciphertext:
        return None
    try:
        return _box().decrypt(ciphertext.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError):
        return None


def is_enrolled(user: PortalUser) -> bool:
    return bool(user.totp_secret_ciphertext) and user.totp_enabled_at is not None


@dataclass(frozen=True)
class Enrolment:
    """What the set-up page shows: the secret as a QR code (SVG data URI) and as text."""

    secret: str  # base32, grouped by 4 for typing
    qr_data_uri: str
    account: str


def start_enrolment(session: Session, user: PortalUser) -> Enrolment:
    """A fresh secret, kept (sealed) until a code confirms it; an unconfirmed earlier one is replaced."""
    secret = unseal(user.totp_pending_ciphertext) or pyotp.random_base32()
    user.totp_pending_ciphertext = seal(secret)
    session.add(user)
    uri = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(name=user.email,
                                                                                   issuer_name=ISSUER)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#0b1f44", light="#ffffff")
    return Enrolment(" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)), qr, user.email)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The step whose code this is (within the drift), else None; compared in constant time."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def _digits(code: str) -> str:
    return "".join(ch for ch in (code or "")[:32] if ch.isdigit())


def _claim_step(session: Session, user: PortalUser, step: int) -> bool:
    """Move the user's newest accepted step forward; False when this step (or a later one) was used."""
    won = session.exec(update(PortalUser).where(PortalUser.id == user.id, PortalUser.totp_last_step < step)
                       .values(totp_last_step=step)).rowcount == 1
    if won:
        user.totp_last_step = step
    return won


def check_code(session: Session, user: PortalUser, code: str, now: datetime | None = None) -> bool:
    """A correct, unused authenticator code of an enrolled user."""
    secret = unseal(user.totp_secret_ciphertext) if is_enrolled(user) else None
    code = _digits(code)
    if secret is None or len(code) != DIGITS:
        return False
    step = _matching_step(secret, code, now or utcnow())
    return step is not None and _claim_step(session, user, step)


def confirm_enrolment(session: Session, user: PortalUser, code: str, now: datetime | None = None) -> list[str] | None:
    """The first code from the app turns the second factor on; returns the recovery codes (shown once)."""
    now = now or utcnow()
    secret = unseal(user.totp_pending_ciphertext)
    code = _digits(code)
    if secret is None or len(code) != DIGITS:
        return None
    step = _matching_step(secret, code, now)
    if step is None or not _claim_step(session, user, step):
        return None
    user.totp_secret_ciphertext = user.totp_pending_ciphertext
    user.totp_pending_ciphertext = ""
    user.totp_enabled_at = now
    session.add(user)
    return new_recovery_codes(session, user, now)


def _recovery_hash(user_id: int, code: str) -> str:
    clean = "".join(ch for ch in code.upper() if ch.isalnum())
    return keyed_hash("recovery-code", f"{user_id}:{clean}")


def new_recovery_codes(session: Session, user: PortalUser, now: datetime | None = None) -> list[str]:
    """Ten new codes (about 50 bits each) such as 7F3K-9Q2M-XT; earlier unused ones stop working."""
    now = now or utcnow()
    session.exec(update(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                            RecoveryCode.used_at.is_(None))  # type: ignore[union-attr]
                 .values(used_at=now))
    codes = []
    for _ in range(RECOVERY_CODES):
        chars = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        code = f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"
        codes.append(code)
        session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(user.id, code), created_at=now))
    return codes


def use_recovery_code(session: Session, user: PortalUser, code: str, now: datetime | None = None) -> bool:
    """Spend one recovery code (once, even when two tabs send it together)."""
    if not is_enrolled(user) or not code or len(code) > 40:
        return False
    row = session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                  RecoveryCode.code_hash == _recovery_hash(user.id, code),
                                                  RecoveryCode.used_at.is_(None))).first()  # type: ignore[union-attr]
    if row is None:
        return False
    return session.exec(update(RecoveryCode).where(RecoveryCode.id == row.id,
                                                   RecoveryCode.used_at.is_(None))  # type: ignore[union-attr]
                        .values(used_at=now or utcnow())).rowcount == 1


def recovery_codes_left(session: Session, user: PortalUser) -> int:
    rows = session.exec(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                      RecoveryCode.used_at.is_(None))).all()  # type: ignore[union-attr]
    return len(rows)
