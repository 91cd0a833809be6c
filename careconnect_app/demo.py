"""Realistic demo data, submitted through the same path a provider's submission uses."""

from __future__ import annotations

import json
import random
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, time, timedelta

from sqlmodel import Session, select

from careconnect_app import routes
from careconnect_app.clock import utcnow
from careconnect_app.common.formatting import local_today
from careconnect_app.config import PROJECT_ROOT, get_settings
from careconnect_app.models import (
    Agency,
    AttendanceEntry,
    AttendanceSheet,
    Child,
    ChildGuardian,
    Guardian,
    PortalUser,
    Provider,
)
from careconnect_app.portal import accounts, submission, two_factor
from careconnect_app.signing import links
from careconnect_app.statuses import Role

# The demo's links, kept for the console banner of later development starts (the database keeps
# only the tokens' hashes). Development only, beside the development secret key, out of git.
DEMO_FILE = PROJECT_ROOT / ".careconnect" / "demo.json"

# (first, last, guardian first, guardian last, locale, email?, phone?)
_FAMILIES_A = [
    ("Mateo", "García", "Ana", "García", "es", True, True),
    ("Olivia", "Johnson", "Marcus", "Johnson", "en", True, True),
    ("Sofía", "Hernández", "Lucía", "Hernández", "es", False, True),
]
_FAMILIES_B = [
    ("Liam", "Nguyen", "Thao", "Nguyen", "en", True, False),
    ("Valentina", "Ramírez", "José", "Ramírez", "es", True, True),
]


@dataclass
class DemoResult:
    links: list[dict] = field(default_factory=list)
    logins: list[dict] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)


def is_empty(session: Session) -> bool:
    return session.exec(select(Agency.id)).first() is None


def _previous_month(today: date) -> tuple[date, date]:
    first_this = today.replace(day=1)
    end = first_this - timedelta(days=1)
    return end.replace(day=1), end


def _previous_week(today: date) -> tuple[date, date]:
    start = today - timedelta(days=today.weekday() + 7)
    return start, start + timedelta(days=6)


def _fill_attendance(session: Session, sheet: AttendanceSheet, rng: random.Random) -> None:
    """Weekdays of the period: mostly full days, a split day, the odd absence."""
    d = sheet.period_start
    while d <= sheet.period_end:
        if d.weekday() < 5:
            roll = rng.random()
            if roll < 0.08:
                session.add(AttendanceEntry(sheet_id=sheet.id, day=d, absent=True,
                                            absence_reason=rng.choice(["Sick", "Family vacation", "Doctor visit"])))
            elif roll < 0.2:
                session.add(AttendanceEntry(sheet_id=sheet.id, day=d, check_in=time(7, 45), check_out=time(11, 30)))
                session.add(AttendanceEntry(sheet_id=sheet.id, day=d, check_in=time(13, 0), check_out=time(17, 15)))
            else:
                start = time(7 + rng.randint(0, 1), rng.choice([0, 15, 30, 45]))
                end = time(16 + rng.randint(0, 1), rng.choice([0, 10, 30, 45]))
                session.add(AttendanceEntry(sheet_id=sheet.id, day=d, check_in=start, check_out=end))
        d += timedelta(days=1)


def _slug(name: str) -> str:
    """"García" -> "garcia": email addresses stay ASCII."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in ascii_name.lower() if ch.isalnum())


def seed(session: Session, *, today: date | None = None) -> DemoResult:
    """Create two agencies, their providers and families, and submit their sheets."""
    rng = random.Random(20261128)
    result = DemoResult()
    setups = [
        (Agency(name="Valley Child Care Subsidy Program", requires_verification=True, period_type="monthly",
                link_lifetime_days=14, contact_phone="+15555550100", contact_email="help@valley-subsidy.example"),
         Provider(agency_id=0, name="Little Sprouts Family Child Care", email="director@littlesprouts.example",
                  phone="+15555550142", address="118 Alder St, Fresno, CA"),
         _FAMILIES_A, _previous_month),
        (Agency(name="Harbor County Early Learning", requires_verification=False, period_type="weekly",
                link_lifetime_days=30, contact_phone="+15555550200", contact_email="care@harbor-early.example",
                allow_in_person_signing=True),
         Provider(agency_id=0, name="Sunrise Learning Center", email="office@sunrise-learning.example",
                  phone="+15555550177", address="42 Harbor Way, Stockton, CA"),
         _FAMILIES_B, _previous_week),
    ]
    for index, (agency, provider, families, previous_period) in enumerate(setups):
        session.add(agency)
        session.flush()
        # The agency's own date, as its dashboard counts periods (at 5 PM in California it is
        # already tomorrow in UTC: on the 1st, UTC's "last month" is the dashboard's current one).
        agency_today = today or local_today(agency.timezone, utcnow())
        start, end = previous_period(agency_today)
        provider.agency_id = agency.id
        session.add(provider)
        session.flush()
        for n, (first, last, g_first, g_last, locale, has_email, has_phone) in enumerate(families):
            child = Child(provider_id=provider.id, first_name=first, last_name=last,
                          date_of_birth=date(agency_today.year - 3 - n % 2, 1 + n * 3, 10 + n))
            guardian = Guardian(
                provider_id=provider.id, first_name=g_first, last_name=g_last,
                email=f"{_slug(g_first)}.{_slug(g_last)}@example.com" if has_email else "",
                phone=f"+1555010{index}{n:03d}"[:12] if has_phone else "",
                preferred_locale=locale, notify_email=has_email, notify_sms=has_phone,
            )
            session.add(child)
            session.add(guardian)
            session.flush()
            session.add(ChildGuardian(child_id=child.id, guardian_id=guardian.id))
            sheet = AttendanceSheet(child_id=child.id, provider_id=provider.id, period_start=start, period_end=end)
            session.add(sheet)
            session.flush()
            _fill_attendance(session, sheet, rng)
            session.flush()
            for link in submission.submit_sheet(session, sheet):
                result.message_ids += link.message_ids
                result.links.append({
                    "url": link.url,
                    "verification_required": link.request.requires_verification,
                    "guardian_email": guardian.email,
                    "guardian_phone": guardian.phone,
                    "locale": locale,
                    "child": child.full_name,
                    "agency": agency.name,
                })
    _create_logins(session, [(a, p) for a, p, _f, _r in setups], result)
    return result


# The demo agency admin's authenticator secret (admins must use two-step sign-in): add it to an
# authenticator app by hand, or compute codes with `pyotp.TOTP(DEMO_ADMIN_TOTP_SECRET).now()`.
DEMO_ADMIN_TOTP_SECRET = "CCVALLEYADMINDEMOTOTPSECRETXYZ23"

# Demo-only logins, printed by `python -m careconnect_app demo` (never used outside development).
_DEMO_LOGINS = [
    ("provider@littlesprouts.example", "Little Sprouts staff", Role.PROVIDER, 0, "sprouts-demo-2026"),
    ("provider@sunrise-learning.example", "Sunrise staff", Role.PROVIDER, 1, "sunrise-demo-2026"),
    ("admin@valley-subsidy.example", "Valley agency admin", Role.AGENCY_ADMIN, 0, "valley-admin-2026"),
]


def _create_logins(session: Session, setups: list[tuple[Agency, Provider]], result: DemoResult) -> None:
    """One portal login per demo provider and one agency admin, listed in result.logins."""
    for email, name, role, index, password in _DEMO_LOGINS:
        agency, provider = setups[index]
        if session.exec(select(PortalUser.id).where(PortalUser.email == email)).first() is not None:
            continue  # `demo --force` on a database that already has the demo logins
        user = accounts.create_user(session, email=email, name=name, password=password, role=role,
                                    agency_id=agency.id, provider_id=provider.id if role == Role.PROVIDER else None)
        user.is_owner = role == Role.PROVIDER  # the demo providers' owners manage their staff
        totp_secret = DEMO_ADMIN_TOTP_SECRET if role == Role.AGENCY_ADMIN else ""
        if totp_secret:  # agency admins sign in with an authenticator code
            user.totp_secret_ciphertext, user.totp_enabled_at = two_factor.seal(totp_secret), utcnow()
        session.add(user)
        result.logins.append({"role": role, "email": email, "password": password, "totp_secret": totp_secret,
                              "provider": provider.name if role == Role.PROVIDER else "", "agency": agency.name})


def print_demo(result) -> None:
    print("\nCareConnect Sign demo: parents' signing links")
    for link in result.links:
        how = "verify by code" if link["verification_required"] else "no verification"
        print(f"  {link['child']:<22} {link['locale']}  {how:<16} {link['url']}")
    for login in result.logins:
        totp = f"  (authenticator key {login['totp_secret']})" if login.get("totp_secret") else ""
        print(f"  portal login ({login['role']}): {login['email']} / {login['password']}{totp}")
    print()


def remember(result: DemoResult) -> None:
    """Keep the demo's links and logins for the banner of later development starts."""
    DEMO_FILE.parent.mkdir(parents=True, exist_ok=True)
    DEMO_FILE.write_text(json.dumps({"database_url": get_settings().database_url, **asdict(result)},
                                    ensure_ascii=False))
    DEMO_FILE.chmod(0o600)


def _remembered() -> dict:
    """The remembered demo of this database ({} when none, or it was made for another database)."""
    try:
        saved = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return saved if saved.get("database_url") == get_settings().database_url else {}


def banner(session: Session, base_url: str) -> list[str]:
    """The lines a development start prints: addresses, demo logins that still work, demo links."""
    lines = ["", "CareConnect Sign (development)",
             f"  provider portal: {base_url}{routes.PORTAL}",
             f"  messages sent (dev outbox): {base_url}{routes.DEV_OUTBOX}"]
    for email, _name, role, _index, password in _DEMO_LOGINS:
        user = session.exec(select(PortalUser).where(PortalUser.email == email)).first()
        if user is not None and user.active and accounts.verify_password(user.password_hash, password):
            demo_key = two_factor.unseal(user.totp_secret_ciphertext) == DEMO_ADMIN_TOTP_SECRET
            totp = f"  (authenticator key {DEMO_ADMIN_TOTP_SECRET})" if demo_key else ""
            lines.append(f"  portal login ({role}): {email} / {password}{totp}")
    saved = _remembered().get("links", [])
    if saved:
        lines.append("  parents' signing links:")
    for link in saved:
        request = links.find(session, link["url"].rstrip("/").rsplit("/", 1)[-1])
        state = links.status_of(request) if request is not None else "unknown"
        lines.append(f"    {link['child']:<22} {link['locale']}  {state:<16} {link['url']}")
    return lines + [""]


def print_banner(session: Session, base_url: str) -> None:
    print("\n".join(banner(session, base_url)), flush=True)
