"""Attacks on the provider portal through its event channel: no login, another provider's ids."""

from __future__ import annotations

from sqlmodel import func, select

from careconnect_app.models import (
    Agency,
    AttendanceEntry,
    AttendanceSheet,
    Child,
    Guardian,
    OutgoingMessage,
    Provider,
    SigningRequest,
)
from careconnect_app.pages.portal.children import ChildrenState
from careconnect_app.pages.portal.dashboard import DashboardState
from careconnect_app.pages.portal.settings import SettingsState
from careconnect_app.pages.portal.sheet.grid import SheetGridState
from careconnect_app.pages.portal.sheet.header import SheetState
from careconnect_app.pages.portal.sheet.links import SheetLinksState
from careconnect_app.routes import portal_sheet_path
from tests.security.conftest import SPROUTS, SUNRISE, dump, run


def _snapshot(live) -> dict:
    """Everything a portal handler could change, counted."""
    with live.server.server_db() as session:
        counts = {model.__name__: session.exec(select(func.count()).select_from(model)).one()
                  for model in (AttendanceSheet, AttendanceEntry, Child, Guardian, SigningRequest, OutgoingMessage)}
        counts["statuses"] = sorted(session.exec(select(AttendanceSheet.id, AttendanceSheet.status)).all())
        counts["agencies"] = [a.model_dump(exclude={"created_at"}) for a in session.exec(select(Agency))]
        counts["guardians"] = sorted((g.id, g.email, g.phone) for g in session.exec(select(Guardian)))
        return counts


def _own_sheet_id(live, provider_name: str) -> int:
    with live.server.server_db() as session:
        return session.exec(select(AttendanceSheet.id).join(Provider, Provider.id == AttendanceSheet.provider_id)
                            .where(Provider.name == provider_name).order_by(AttendanceSheet.id)).first()


def _draft_of(live, link) -> int:
    """A draft sheet for the family of `link` (another provider than any demo login)."""
    with live.server.server_db() as session:
        sheet = session.get(AttendanceSheet, link.sheet_id)
        draft = AttendanceSheet(child_id=sheet.child_id, provider_id=sheet.provider_id,
                                period_start=sheet.period_start.replace(year=sheet.period_start.year - 1),
                                period_end=sheet.period_end.replace(year=sheet.period_end.year - 1))
        session.add(draft)
        session.flush()
        return draft.id


def test_portal_handlers_without_a_login_change_nothing(live, fresh_link):
    link = fresh_link(verification=False)
    draft = _draft_of(live, link)
    with live.server.server_db() as session:
        child_id = session.get(AttendanceSheet, link.sheet_id).child_id
    before = _snapshot(live)

    async def attack():
        client = live.tab()
        await client.open("/portal")
        await client.send(DashboardState, "toggle_row", {"sheet_id": str(draft), "checked": True})
        await client.send(DashboardState, "set_certify", {"value": True})
        await client.send(DashboardState, "submit_selected")
        await client.send(DashboardState, "start_sheet", {"child_id": str(child_id)})
        await client.send(DashboardState, "resend", {"sheet_id": str(link.sheet_id)})
        export = await client.send(DashboardState, "export_csv")
        await client.send(SettingsState, "set_requires_verification", {"value": False})
        await client.send(SettingsState, "save")
        await client.send(ChildrenState, "add_child", {"form_data": {"first_name": "Eve", "last_name": "Intruder",
                                                                     "date_of_birth": "2022-01-01"}})
        await client.navigate(portal_sheet_path(link.sheet_id))
        await client.send(SheetLinksState, "recall")
        await client.send(SheetLinksState, "sign_in_person", {"guardian_id": "1"})
        await client.navigate(portal_sheet_path(draft))
        await client.send(SheetGridState, "set_absent", {"index": 0, "absent": True})
        await client.send(SheetGridState, "set_certify", {"value": True})
        await client.send(SheetGridState, "submit")
        received = client.everything_received()
        await client.close()
        return export, received

    export, received = run(attack())
    assert _snapshot(live) == before
    assert not any(event.get("name") == "_download" for event in export.events)
    assert link.child not in received and link.email not in received


def test_a_provider_cannot_recall_another_providers_sheet(live, fresh_link):
    link = fresh_link(verification=False)

    async def attack():
        client = await live.portal_tab(SUNRISE, path=portal_sheet_path(link.sheet_id))
        found = client.var(SheetState, "found")
        await client.send(SheetLinksState, "recall")
        received = client.everything_received()
        await client.close()
        return found, received

    found, received = run(attack())
    assert found is False and link.child not in received
    (sheet,) = live.rows(AttendanceSheet, AttendanceSheet.id == link.sheet_id)
    assert sheet.status == "ready_for_parent"


def test_a_provider_cannot_edit_another_providers_draft(live, fresh_link):
    link = fresh_link(verification=False)
    draft = _draft_of(live, link)
    before = _snapshot(live)

    async def attack():
        client = await live.portal_tab(SUNRISE, path=portal_sheet_path(draft))
        await client.send(SheetGridState, "set_absent", {"index": 0, "absent": True})
        await client.send(SheetGridState, "set_time", {"index": 1, "pair": 0, "which": "in", "value": "06:00"})
        await client.send(SheetGridState, "set_certify", {"value": True})
        await client.send(SheetGridState, "submit")
        await client.close()

    run(attack())
    assert _snapshot(live) == before


def test_a_provider_cannot_resend_another_providers_link(live, fresh_link):
    link = fresh_link(verification=False)
    own = _own_sheet_id(live, "Sunrise Learning Center")
    before = _snapshot(live)

    async def attack():
        client = await live.portal_tab(SUNRISE, path=portal_sheet_path(own))
        await client.send(SheetLinksState, "resend", {"request_id": str(link.request_id)})
        await client.navigate("/portal")
        await client.send(DashboardState, "resend", {"sheet_id": str(link.sheet_id)})
        await client.close()

    run(attack())
    assert _snapshot(live)["OutgoingMessage"] == before["OutgoingMessage"]


def _one_call(live, who: tuple[str, str], path: str, state, handler: str, payload: dict):
    """Sign in as `who`, open `path`, send one event; returns its answer."""
    async def attack():
        client = await live.portal_tab(who, path=path)
        answer = await client.send(state, handler, payload)
        await client.close()
        return answer

    return run(attack())


def _redirected(answer) -> bool:
    return any(event.get("name") == "_redirect" for event in answer.events)


def test_a_provider_cannot_start_in_person_signing_for_another_family(live, fresh_link):
    link = fresh_link(verification=False)
    own = _own_sheet_id(live, "Sunrise Learning Center")
    (request,) = live.rows(SigningRequest, SigningRequest.id == link.request_id)
    before = _snapshot(live)
    answer = _one_call(live, SUNRISE, portal_sheet_path(own), SheetLinksState, "sign_in_person",
                       {"guardian_id": str(request.guardian_id)})
    assert not _redirected(answer)
    assert _snapshot(live)["SigningRequest"] == before["SigningRequest"]


def test_a_provider_cannot_open_a_sheet_for_another_providers_child(live, fresh_link):
    link = fresh_link(verification=False)
    with live.server.server_db() as session:
        child_id = session.get(AttendanceSheet, link.sheet_id).child_id
    before = _snapshot(live)
    answer = _one_call(live, SPROUTS, "/portal", DashboardState, "start_sheet", {"child_id": str(child_id)})
    assert not _redirected(answer)
    assert _snapshot(live)["AttendanceSheet"] == before["AttendanceSheet"]


def test_a_provider_cannot_submit_another_providers_draft(live, fresh_link):
    link = fresh_link(verification=False)
    draft = _draft_of(live, link)

    async def attack():
        client = await live.portal_tab(SUNRISE, path="/portal")
        await client.send(DashboardState, "toggle_row", {"sheet_id": str(draft), "checked": True})
        await client.send(DashboardState, "set_certify", {"value": True})
        await client.send(DashboardState, "submit_selected")
        await client.close()

    run(attack())
    (sheet,) = live.rows(AttendanceSheet, AttendanceSheet.id == draft)
    assert sheet.status == "draft"


def test_a_provider_cannot_read_or_change_another_providers_guardian(live, fresh_link):
    link = fresh_link(verification=False)
    with live.server.server_db() as session:
        sheet = session.get(AttendanceSheet, link.sheet_id)
        guardian_id = session.get(SigningRequest, link.request_id).guardian_id
        child_id = sheet.child_id
    before = _snapshot(live)

    async def attack():
        client = await live.portal_tab(SPROUTS, path="/portal/children")
        await client.send(ChildrenState, "edit_guardian", {"child_id": str(child_id), "guardian_id": str(guardian_id)})
        await client.send(ChildrenState, "open_guardian_form", {"child_id": str(child_id)})
        await client.send(ChildrenState, "set_guardian_field", {"field": "email", "value": "thief@evil.example"})
        await client.send(ChildrenState, "save_guardian")
        received = client.everything_received()
        await client.close()
        return received

    received = run(attack())
    assert link.email not in received and link.phone not in received
    assert _snapshot(live)["guardians"] == before["guardians"]


def test_a_provider_cannot_change_the_agencys_signing_rules(live):
    before = _snapshot(live)

    async def attack():
        client = await live.portal_tab(SPROUTS, path="/portal/settings")
        await client.send(SettingsState, "set_requires_verification", {"value": False})
        await client.send(SettingsState, "set_link_lifetime_days", {"value": "365"})
        await client.send(SettingsState, "save")
        await client.close()

    run(attack())
    assert dump(_snapshot(live)["agencies"]) == dump(before["agencies"])
