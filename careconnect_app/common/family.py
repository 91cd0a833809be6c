"""The rows a signing request is about, read together: its sheet, child, provider, agency and guardian."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from careconnect_app.models import Agency, AttendanceSheet, Child, Guardian, Provider, SigningRequest


@dataclass(frozen=True)
class Family:
    request: SigningRequest
    sheet: AttendanceSheet
    child: Child
    provider: Provider
    agency: Agency
    guardian: Guardian

    @classmethod
    def of(cls, session: Session, request: SigningRequest) -> Family:
        sheet = session.get(AttendanceSheet, request.sheet_id)
        provider = session.get(Provider, sheet.provider_id)
        return cls(request, sheet, session.get(Child, sheet.child_id), provider,
                   session.get(Agency, provider.agency_id), session.get(Guardian, request.guardian_id))
