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
# The "this was not me" link of the notice sent after every signature (it can only report).
NOT_ME_PREFIX = "/not-me"
NOT_ME = f"{NOT_ME_PREFIX}/[token]"
GUIDE = "/guide"
VERIFY = "/verify"  # public: anyone checks a signed copy or certificate
DEV_OUTBOX = "/dev/outbox"

# Provider portal
PORTAL = "/portal"
PORTAL_LOGIN = f"{PORTAL}/login"
PORTAL_LOGIN_CODE = f"{PORTAL}/login/code"  # the authenticator code after the password
PORTAL_ENROL = f"{PORTAL}/two-step"  # set up the authenticator app
PORTAL_ACCOUNT = f"{PORTAL}/account"  # change password
PORTAL_FORGOT = f"{PORTAL}/forgot"
PORTAL_RESET_PREFIX = f"{PORTAL}/reset"
PORTAL_RESET = f"{PORTAL_RESET_PREFIX}/[token]"
PORTAL_TODAY = f"{PORTAL}/today"  # the day's board, where the installed app opens
PORTAL_CHILDREN = f"{PORTAL}/children"
PORTAL_SETTINGS = f"{PORTAL}/settings"
PORTAL_STAFF = f"{PORTAL}/staff"
PORTAL_INVITE_PREFIX = f"{PORTAL}/invite"
PORTAL_INVITE = f"{PORTAL_INVITE_PREFIX}/[invite_token]"
PORTAL_SHEET_PREFIX = f"{PORTAL}/sheets"
PORTAL_SHEET = f"{PORTAL_SHEET_PREFIX}/[sheet_id]"

# The installable portal (files in assets/, served from /)
WEB_MANIFEST = "/manifest.webmanifest"
SERVICE_WORKER = "/sw.js"
SERVICE_WORKER_SCOPE = f"{PORTAL}/"  # the portal only: never the parents' signing pages
APPLE_TOUCH_ICON = "/icons/apple-touch-icon.png"

# Plain HTTP routes (api/)
# Trades a one-time ticket for an HttpOnly session cookie (api/session_cookie.py).
SESSION_COOKIE = "/_session/cookie"
# Reflex's event channel (the websocket): the only path the session cookies are sent to.
EVENT_CHANNEL = "/_event"
WEBHOOK_PREFIX = "/webhooks"
TWILIO_STATUS = f"{WEBHOOK_PREFIX}/twilio/status"
TWILIO_INCOMING = f"{WEBHOOK_PREFIX}/twilio/incoming"
SENDGRID_EVENTS = f"{WEBHOOK_PREFIX}/sendgrid/events"


def sign_path(token: str) -> str:
    return f"{SIGN_PREFIX}/{token}"


def not_me_path(token: str) -> str:
    return f"{NOT_ME_PREFIX}/{token}"
def portal_reset_path(token: str) -> str:
    return f"{PORTAL_RESET_PREFIX}/{token}"


def portal_sheet_path(sheet_id: int | str) -> str:
    return f"{PORTAL_SHEET_PREFIX}/{sheet_id}"


def portal_invite_path(token: str) -> str:
    return f"{PORTAL_INVITE_PREFIX}/{token}"


def last_segment(path: str, prefix: str) -> str:
    """The value in "<prefix>/<value>" ("" when the path is not under prefix): a page's own id."""
    path = str(path or "").rstrip("/")
    return path.rsplit("/", 1)[-1] if path.startswith(prefix + "/") else ""
