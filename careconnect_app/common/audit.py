"""The one place that writes the audit trail (evidence for the completion certificate)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, select

from careconnect_app.clock import utcnow
from careconnect_app.models import AuditEvent


def record(
    session: Session,
    event: str,
    *,
    actor: str = "system",
    sheet_id: int | None = None,
    signing_request_id: int | None = None,
    user_id: int | None = None,
    ip: str = "",
    user_agent: str = "",
    channel: str = "",
    detail: str | dict = "",
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event; the caller's transaction commits it with the change it describes."""
    if isinstance(detail, dict):
        detail = json.dumps(detail, sort_keys=True, ensure_ascii=False)
    row = AuditEvent(
        created_at=at or utcnow(),
        event=event,
        actor=actor,
        sheet_id=sheet_id,
        signing_request_id=signing_request_id,
        user_id=user_id,
        ip=(ip or "")[:64],
        user_agent=(user_agent or "")[:512],
        channel=channel,
        detail=detail[:2000],
    )
    session.add(row)
    return row


def events_for_sheet(session: Session, sheet_id: int) -> list[AuditEvent]:
    """Every event of a sheet, oldest first."""
    stmt = select(AuditEvent).where(AuditEvent.sheet_id == sheet_id).order_by(AuditEvent.id)
    return list(session.exec(stmt))


def has_event(session: Session, signing_request_id: int, event: str) -> bool:
    stmt = select(AuditEvent.id).where(
        AuditEvent.signing_request_id == signing_request_id, AuditEvent.event == event
    )
    return session.exec(stmt).first() is not None
