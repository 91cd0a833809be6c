"""Short steps on the test database, one session each: queue, read back, change, run a service at a time."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.messaging import outbox, reminders
from careconnect_app.models import Agency, AttendanceSheet, Guardian, OutgoingMessage, Provider, SigningRequest
from careconnect_app.portal import resend, submission
from tests.fakes.data import Family, make_family, notify

LATER = timedelta(hours=2)  # far enough for any scheduled retry


# ---- messages ----------------------------------------------------------------------------------

def queued(**family_kw) -> list[int]:
    """A new family's ready-to-sign messages, queued (not sent)."""
    with session_scope() as s:
        return notify(s, make_family(s, **family_kw))


def sent_message(channel: str, provider_id: str, **family_kw) -> int:
    """A new family notified through the configured backends; that channel's message gets `provider_id`."""
    with session_scope() as s:
        ids = notify(s, make_family(s, **family_kw))
    outbox.deliver_now(ids)
    mid = next(i for i in ids if message(i).channel == channel)
    with session_scope() as s:
        s.get(OutgoingMessage, mid).provider_message_id = provider_id
    return mid


def message(mid: int) -> OutgoingMessage:
    with session_scope() as s:
        return s.get(OutgoingMessage, mid)


def messages() -> list[OutgoingMessage]:
    """Every message, oldest first."""
    with session_scope() as s:
        return list(s.exec(select(OutgoingMessage).order_by(OutgoingMessage.id)))


def guardian_of(mid: int) -> Guardian:
    with session_scope() as s:
        return s.get(Guardian, s.get(OutgoingMessage, mid).guardian_id)


# ---- signing requests --------------------------------------------------------------------------

def request_of(family: Family) -> SigningRequest:
    with session_scope() as s:
        return s.get(SigningRequest, family.request.id)


def set_request(family: Family, **values) -> None:
    with session_scope() as s:
        r = s.get(SigningRequest, family.request.id)
        for k, v in values.items():
            setattr(r, k, v)


def send_reminders(at: datetime) -> list[OutgoingMessage]:
    """One reminder pass at `at`; the reminders it queued."""
    with session_scope() as s:
        ids = reminders.send_due_reminders(s, at)
        return [s.get(OutgoingMessage, i) for i in ids]


def resend_at(family: Family, at: datetime) -> list[int]:
    """The provider presses "resend" at `at`."""
    with session_scope() as s:
        return resend.resend_link(s, s.get(SigningRequest, family.request.id), ip="203.0.113.5", now=at)


# ---- what reached the guardian's phone and mailbox (the file outbox) -----------------------------

SIGN_LINK = re.compile(r"https?://[^\s\"'<>]+/sign/([A-Za-z0-9_-]{20,})")
NOT_ME_LINK = re.compile(r"https?://[^\s\"'<>]+/not-me/([A-Za-z0-9_-]{20,})")
CODE = re.compile(r"(?<![\d-])(\d{6})(?![\d-])")


def delivered(outbox_file: Path, kind: str | None = None) -> list[dict]:
    """Every message the file backend wrote (the parent's phone and mailbox), oldest first."""
    if not outbox_file.exists():
        return []
    rows = [json.loads(line) for line in outbox_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if kind is None or r["kind"] == kind]


def tokens_in(text: str, pattern: re.Pattern = SIGN_LINK) -> list[str]:
    return pattern.findall(text or "")


# ---- in-person signing --------------------------------------------------------------------------

def allow_in_person(sheet_id: int, allowed: bool = True) -> None:
    """The sheet's agency allows (or forbids) signing in person on the provider's device."""
    with session_scope() as s:
        sheet = s.get(AttendanceSheet, sheet_id)
        s.get(Agency, s.get(Provider, sheet.provider_id).agency_id).allow_in_person_signing = allowed


def start_in_person(sheet_id: int, guardian_id: int) -> str:
    """The provider starts signing in person for this guardian; returns the link's token."""
    with session_scope() as s:
        return submission.start_in_person(s, s.get(AttendanceSheet, sheet_id), s.get(Guardian, guardian_id),
                                          user_id=None, ip="", user_agent="")


def in_person_for(request_id: int, *, allow: bool = True) -> str:
    """In-person signing for the guardian of this request (allowed first unless `allow` is False)."""
    with session_scope() as s:
        request = s.get(SigningRequest, request_id)
        sheet_id, guardian_id = request.sheet_id, request.guardian_id
    if allow:
        allow_in_person(sheet_id)
    return start_in_person(sheet_id, guardian_id)
