"""The rows a signing request is about, read together: its sheet, child, provider, agency and guardian."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

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
        """Read in one query, once per session: each wizard step starts a session, where five reads by
        key were five round trips, and a step (signing) asks for the same family several times."""
        known = session.info.setdefault("families", {})
        key = (request.id, request.sheet_id, request.guardian_id)
        if key not in known:  # the session's own objects: later changes in the step show through them
            known[key] = session.exec(
                select(AttendanceSheet, Child, Provider, Agency, Guardian)
                .join(Child, Child.id == AttendanceSheet.child_id)
                .join(Provider, Provider.id == AttendanceSheet.provider_id)
                .join(Agency, Agency.id == Provider.agency_id)
                .join(Guardian, Guardian.id == request.guardian_id)
                .where(AttendanceSheet.id == request.sheet_id)
            ).one()
        sheet, child, provider, agency, guardian = known[key]
        return cls(request, sheet, child, provider, agency, guardian)
