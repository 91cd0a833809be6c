"""When a provider may hand its device to a parent to sign there (in-person signing).

The agency decides (Agency.allow_in_person_signing, off by default). Even then, the parent
confirms with a code sent to their contact of record (signing.links.issue), and nobody signs in
person while a parent's problem report on the sheet is open: the provider, who is paid once the
sheet is signed, must not be able to sign over the parent's objection. Every in-person signature
is labelled provider-assisted in the evidence, the portal, the PDFs and the guardian's notice.
"""

from __future__ import annotations

from sqlmodel import Session, select

from careconnect_app.models import Agency, AttendanceSheet, Provider, SigningRequest
from careconnect_app.statuses import RequestStatus


def refusal(session: Session, sheet: AttendanceSheet) -> str:
    """Why in-person signing cannot start or finish on this sheet now (a portal key), or ""."""
    agency = session.get(Agency, session.get(Provider, sheet.provider_id).agency_id)
    if not agency.allow_in_person_signing:
        return "sheet.error.in_person_off"
    disputed = session.exec(select(SigningRequest.id).where(SigningRequest.sheet_id == sheet.id,
                                                            SigningRequest.status == RequestStatus.DISPUTED)).first()
    return "sheet.error.in_person_disputed" if disputed is not None else ""
