"""Route constants and small URL builders (one place for every path)."""

SIGN = "/sign/[token]"
GUIDE = "/guide"
DEV_OUTBOX = "/dev/outbox"
PORTAL = "/portal"
WEBHOOK_PREFIX = "/webhooks"


def sign_path(token: str) -> str:
    return f"/sign/{token}"
