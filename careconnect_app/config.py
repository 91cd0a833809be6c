"""Settings read from the environment (and `.env`), in one place.

Plain Python: services and the CLI import this without importing Reflex.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _load_dotenv() -> None:
    """Load `.env` from the project root without overriding real environment variables."""
    env_file = PROJECT_ROOT / ".env"
    if not env_file.exists():
        return
    try:
        from dotenv import load_dotenv
    except ImportError:  # python-dotenv is optional at run time
        return
    load_dotenv(env_file, override=False)


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, not {value!r}.") from None


def _hops() -> int:
    hops = _int("CARECONNECT_TRUSTED_PROXY_HOPS", 0)
    if not 0 <= hops <= 10:
        raise RuntimeError(f"CARECONNECT_TRUSTED_PROXY_HOPS must be between 0 and 10, not {hops}.")
    return hops


def _dev_secret_key() -> str:
    """A per-checkout random key for development, kept out of git.

    Production must set CARECONNECT_SECRET_KEY: codes and sessions are keyed with it.
    """
    path = PROJECT_ROOT / ".careconnect" / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass(frozen=True)
class Settings:
    env: str  # "dev" or "prod"
    database_url: str
    base_url: str
    secret_key: str
    outbox_path: Path
    email_backend: str
    sms_backend: str
    # Email sender identity, used by every email backend.
    email_from: str
    email_from_name: str
    # SMTP
    smtp_host: str
    smtp_port: int
    smtp_security: str  # "starttls", "tls" or "none"
    smtp_username: str
    smtp_password: str
    # SendGrid
    sendgrid_api_key: str
    sendgrid_api_host: str
    # Twilio
    twilio_account_sid: str
    twilio_auth_token: str
    twilio_from_number: str
    twilio_messaging_service_sid: str
    twilio_api_base: str
    # Delivery worker inside the web process (development and SQLite); production on PostgreSQL
    # runs `python -m careconnect_app worker` instead, as many as wanted, on any machine.
    run_worker_in_app: bool
    # Demo data on an empty database in development.
    demo_on_empty: bool
    # Lets a production build use the file outbox and http links (end-to-end tests, demos).
    allow_dev_delivery_in_prod: bool
    # Public base URL where Twilio/SendGrid reach /webhooks/... (defaults to base_url;
    # differs when the Reflex backend is served on its own host or port).
    webhook_base_url: str = ""
    # SendGrid Event Webhook verification key (base64 DER, as shown in SendGrid's settings).
    sendgrid_webhook_public_key: str = ""
    # Delivery worker tuning.
    delivery_concurrency: int = 16  # provider requests in flight per worker
    delivery_max_attempts: int = 12  # transient failures retried over about 3.5 hours
    send_timeout_seconds: float = 15.0  # per provider request (SMTP, SendGrid, Twilio)
    # Portal sessions end after this long without activity (tests shorten it).
    portal_idle_seconds: int = 1800
    # How often an open portal page asks the server how long its session has left (tests shorten it).
    portal_idle_poll_seconds: int = 60
    # Fernet keys (comma-separated, newest first) that encrypt authenticator secrets at rest;
    # empty: one key derived from secret_key. Older keys still decrypt, so keys can be rotated.
    totp_keys: tuple[str, ...] = ()
    # Reverse proxies in front of the app whose X-Forwarded-For entry is believed (0: none, the
    # TCP peer is the client). See common/client_address.py.
    trusted_proxy_hops: int = 0
    # Evidence keys (evidence/keys.py): the Ed25519 key that signs each signature's manifest, and the
    # certificate and key that seal the PDFs (PAdES). Development generates both in .careconnect/.
    evidence_key_file: str = ""
    evidence_key_pem: str = ""  # the same key given inline (an environment secret) instead of a file
    evidence_trusted_keys_file: str = ""  # older public keys still accepted by verification
    seal_cert_file: str = ""  # PEM: the certificate first, then its chain
    seal_key_file: str = ""
    seal_key_password: str = ""
    seal_trusted_certs_file: str = ""  # older seal certificates (or their CAs) still accepted
    # Database connections per process; the web process runs its handlers' database work on as
    # many threads, so a burst of parents queues for a connection instead of failing.
    db_pool_size: int = 16

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    @property
    def is_prod(self) -> bool:
        return self.env == "prod"

    @property
    def is_https(self) -> bool:
        """Whether the public base URL is https (then cookies are Secure and HSTS is sent)."""
        return self.base_url.startswith("https://")


def _worker_in_app_by_default(env: str, database_url: str) -> bool:
    """In development and on SQLite the web process sends; production on PostgreSQL runs
    separate worker processes (one per web worker would multiply the polling)."""
    return env != "prod" or database_url.startswith("sqlite")


def _detect_env() -> str:
    explicit = os.environ.get("CARECONNECT_ENV")
    if explicit:
        return "prod" if explicit.lower().startswith("prod") else "dev"
    # `reflex run --env prod` exports REFLEX_ENV_MODE=prod to the app process.
    return "prod" if os.environ.get("REFLEX_ENV_MODE", "").lower() == "prod" else "dev"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process (cached; tests call `get_settings.cache_clear()`)."""
    _load_dotenv()
    env = _detect_env()
    e = os.environ.get
    secret_key = e("CARECONNECT_SECRET_KEY") or ""
    if not secret_key:
        if env == "prod":
            raise RuntimeError(
                "CARECONNECT_SECRET_KEY must be set in production "
                "(verification codes and parent sessions are keyed with it)."
            )
        secret_key = _dev_secret_key()
    database_url = e("DATABASE_URL") or f"sqlite:///{PROJECT_ROOT / 'careconnect.db'}"
    return Settings(
        env=env,
        database_url=database_url,
        base_url=(e("CARECONNECT_BASE_URL") or "http://localhost:3000").rstrip("/"),
        secret_key=secret_key,
        outbox_path=Path(e("CARECONNECT_OUTBOX") or PROJECT_ROOT / ".outbox" / "messages.jsonl"),
        email_backend=(e("CARECONNECT_EMAIL_BACKEND") or "file").lower(),
        sms_backend=(e("CARECONNECT_SMS_BACKEND") or "file").lower(),
        email_from=e("CARECONNECT_EMAIL_FROM") or "no-reply@careconnect.local",
        email_from_name=e("CARECONNECT_EMAIL_FROM_NAME") or "CareConnect Sign",
        smtp_host=e("SMTP_HOST") or "localhost",
        smtp_port=int(e("SMTP_PORT") or 587),
        smtp_security=(e("SMTP_SECURITY") or "starttls").lower(),
        smtp_username=e("SMTP_USERNAME") or "",
        smtp_password=e("SMTP_PASSWORD") or "",
        sendgrid_api_key=e("SENDGRID_API_KEY") or "",
        sendgrid_api_host=e("SENDGRID_API_HOST") or "https://api.sendgrid.com",
        twilio_account_sid=e("TWILIO_ACCOUNT_SID") or "",
        twilio_auth_token=e("TWILIO_AUTH_TOKEN") or "",
        twilio_from_number=e("TWILIO_FROM_NUMBER") or "",
        twilio_messaging_service_sid=e("TWILIO_MESSAGING_SERVICE_SID") or "",
        twilio_api_base=e("TWILIO_API_BASE") or "",
        run_worker_in_app=_bool(e("CARECONNECT_RUN_WORKER"), default=_worker_in_app_by_default(env, database_url)),
        demo_on_empty=_bool(e("CARECONNECT_DEMO_ON_EMPTY"), default=(env == "dev")),
        allow_dev_delivery_in_prod=_bool(e("CARECONNECT_ALLOW_DEV_DELIVERY")),
        webhook_base_url=(e("CARECONNECT_WEBHOOK_BASE_URL") or e("CARECONNECT_BASE_URL")
                          or "http://localhost:3000").rstrip("/"),
        sendgrid_webhook_public_key=(e("SENDGRID_WEBHOOK_PUBLIC_KEY") or "").strip(),
        delivery_concurrency=_int("CARECONNECT_DELIVERY_CONCURRENCY", 16),
        delivery_max_attempts=_int("CARECONNECT_DELIVERY_MAX_ATTEMPTS", 12),
        send_timeout_seconds=float(e("CARECONNECT_SEND_TIMEOUT") or 15),
        portal_idle_seconds=max(10, _int("CARECONNECT_PORTAL_IDLE_SECONDS", 1800)),
        portal_idle_poll_seconds=max(1, _int("CARECONNECT_PORTAL_IDLE_POLL_SECONDS", 60)),
        totp_keys=tuple(k.strip() for k in (e("CARECONNECT_TOTP_KEYS") or "").split(",") if k.strip()),
        trusted_proxy_hops=_hops(),
        evidence_key_file=e("CARECONNECT_EVIDENCE_KEY_FILE") or "",
        evidence_key_pem=(e("CARECONNECT_EVIDENCE_KEY") or "").replace("\\n", "\n"),
        evidence_trusted_keys_file=e("CARECONNECT_EVIDENCE_TRUSTED_KEYS_FILE") or "",
        seal_cert_file=e("CARECONNECT_SEAL_CERT_FILE") or "",
        seal_key_file=e("CARECONNECT_SEAL_KEY_FILE") or "",
        seal_key_password=e("CARECONNECT_SEAL_KEY_PASSWORD") or "",
        seal_trusted_certs_file=e("CARECONNECT_SEAL_TRUSTED_CERTS_FILE") or "",
        db_pool_size=max(1, _int("CARECONNECT_DB_POOL_SIZE", 16)),
    )
