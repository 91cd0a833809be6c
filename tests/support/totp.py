"""Authenticator codes for end-to-end tests, the way a phone app makes them (RFC 6238).

The portal accepts each 30-second step once per user, and the steps just before and after the
current one. `fresh_code` hands out the current step's code, then the next one, and waits for the
clock when both were used, so tests that sign in several times never replay a code.
"""

from __future__ import annotations

import threading
import time

import pyotp

_used: dict[str, int] = {}
_lock = threading.Lock()


def fresh_code(secret: str) -> str:
    secret = secret.replace(" ", "")
    totp = pyotp.TOTP(secret)
    while True:
        with _lock:
            current = int(time.time()) // 30
            step = max(current, _used.get(secret, -1) + 1)
            if step <= current + 1:
                _used[secret] = step
                return totp.generate_otp(step)
        time.sleep(1)
