"""Every path the app serves, and small builders for the ones that take a value (one place).

Route patterns use Reflex's `[param]` syntax; the builders give the concrete path.
"""

from __future__ import annotations

# Public pages
HOME = "/"
NOT_FOUND = "404"  # Reflex's slug for the page of any unknown address

# Parent pages
SIGN_PREFIX = "/sign"
SIGN = f"{SIGN_PREFIX}/[token]"
GUIDE = "/guide"
DEV_OUTBOX = "/dev/outbox"

# Provider portal
PORTAL = "/portal"
PORTAL_LOGIN = f"{PORTAL}/login"
PORTAL_CHILDREN = f"{PORTAL}/children"
PORTAL_SETTINGS = f"{PORTAL}/settings"
PORTAL_STAFF = f"{PORTAL}/staff"
PORTAL_INVITE_PREFIX = f"{PORTAL}/invite"
PORTAL_INVITE = f"{PORTAL_INVITE_PREFIX}/[invite_token]"
PORTAL_SHEET_PREFIX = f"{PORTAL}/sheets"
PORTAL_SHEET = f"{PORTAL_SHEET_PREFIX}/[sheet_id]"

# Plain HTTP routes (api/)
WEBHOOK_PREFIX = "/webhooks"
TWILIO_STATUS = f"{WEBHOOK_PREFIX}/twilio/status"
TWILIO_INCOMING = f"{WEBHOOK_PREFIX}/twilio/incoming"
SENDGRID_EVENTS = f"{WEBHOOK_PREFIX}/sendgrid/events"


def sign_path(token: str) -> str:
    return f"{SIGN_PREFIX}/{token}"


def portal_sheet_path(sheet_id: int | str) -> str:
    return f"{PORTAL_SHEET_PREFIX}/{sheet_id}"


def portal_invite_path(token: str) -> str:
    return f"{PORTAL_INVITE_PREFIX}/{token}"


def last_segment(path: str, prefix: str) -> str:
    """The value in "<prefix>/<value>" ("" when the path is not under prefix): a page's own id."""
    path = str(path or "").rstrip("/")
    return path.rsplit("/", 1)[-1] if path.startswith(prefix + "/") else ""
