"""What a page shows when a handler fails: the database or Redis away for a moment, or a fault.

Reflex's own answer is a toast, which runs through `eval` in the browser; the
Content-Security-Policy refuses that, so the person saw nothing and the refusal came back as a
frontend error (one more event on a state that may just have been lost). Instead the message is
written into the frame's `<output>` (components/frame.py `service_notice`), which needs no script.
"""

from __future__ import annotations

import logging

import reflex as rx
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from careconnect_app import i18n
from careconnect_app.components.frame import SERVICE_NOTICE_ID
from careconnect_app.db import DatabaseUnavailable

log = logging.getLogger(__name__)
UNAVAILABLE = (DatabaseUnavailable, RedisConnectionError, RedisTimeoutError)


def both_languages(key: str) -> str:
    """The page's language is not known here (the wizard says outages in the parent's own,
    see pages/sign/recovery.py)."""
    return " / ".join(dict.fromkeys(i18n.t(key, locale) for locale in i18n.SUPPORTED_LOCALES))


def backend_error(exception: Exception):
    """Log the failure; tell the person in plain words, in both languages."""
    if isinstance(exception, UNAVAILABLE):
        log.warning("a handler failed: %s: %s", type(exception).__name__, exception)
        text = both_languages("portal.error.unavailable")
    else:
        log.error("a handler raised", exc_info=exception)
        text = both_languages("portal.error.unexpected")
    return rx.set_value(SERVICE_NOTICE_ID, text)
