"""Random tokens, one-way hashes and masking: the small crypto every service shares."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from careconnect_app.config import get_settings

_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud on the phone


def new_token() -> str:
    """256 bits from the OS CSPRNG, URL-safe (signing links, parent sessions)."""
    return secrets.token_urlsafe(32)


def sha256_hex(value: str | bytes) -> str:
    data = value.encode("utf-8") if isinstance(value, str) else value
    return hashlib.sha256(data).hexdigest()


def canonical_json(data: object) -> str:
    """Stable serialisation: sorted keys, no spaces, UTF-8 text (what evidence hashes and signatures cover)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 with the server secret: a stolen database alone cannot brute-force codes."""
    key = get_settings().secret_key.encode("utf-8")
    return hmac.new(key, f"{purpose}:{value}".encode("utf-8"), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two hashes."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def new_numeric_code(digits: int = 6) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(digits))


def new_reference(prefix: str = "CC") -> str:
    """A short human reference such as CC-7F3K-9Q2M (40 bits, for support calls, not auth)."""
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"{prefix}-{chars[:4]}-{chars[4:]}"

