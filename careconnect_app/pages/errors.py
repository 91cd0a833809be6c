"""What a page shows when a handler fails because the database or Redis is away for a moment."""

from __future__ import annotations

import logging

import reflex as rx
from reflex.app import default_backend_exception_handler
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from careconnect_app import i18n
from careconnect_app.db import DatabaseUnavailable

log = logging.getLogger(__name__)
UNAVAILABLE = (DatabaseUnavailable, RedisConnectionError, RedisTimeoutError)


def backend_error(exception: Exception):
    """A plain message in both languages for an outage (the page's language is not known here:
    the wizard says it in the parent's own, see pages/sign/recovery.py); Reflex's default otherwise."""
    if isinstance(exception, UNAVAILABLE):
        log.warning("a handler failed: %s: %s", type(exception).__name__, exception)
        text = " / ".join(dict.fromkeys(i18n.t("portal.error.unavailable", locale) for locale in i18n.SUPPORTED_LOCALES))
        return rx.toast.error(text, id="unavailable", position="top-center")
    return default_backend_exception_handler(exception)
