"""Attacks on the signing side: only the parent can sign, and nothing leaks (issue 8, part A).

Each test fails if its attack works. Attacks on the services run on SQLite and PostgreSQL (the
`database` fixture); attacks "through the event channel" drive the real app (prod build, Redis)
with tests/support/event_client.py as any client can, and check everything the server sent to that
client, not only what a page renders.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import inspect, text
from sqlmodel import select

from careconnect_app.common.crypto import sha256_hex
from careconnect_app.db import get_engine, session_scope
from careconnect_app.messaging import outbox
from careconnect_app.messaging.backends.base import SECRET_SLOT
from careconnect_app.models import (
    AttendanceSheet,
    Guardian,
    OutgoingMessage,
    Signature,
    SigningRequest,
    VerificationCode,
)
from careconnect_app.pages.not_me import NotMeState
from careconnect_app.pages.sign.actions import NotVerified, Visit, on_live_link, sign, signing_channel
from careconnect_app.pages.sign.state import SignState
from careconnect_app.portal import grid, resend, submission
from careconnect_app.portal.submission import SubmissionError
from careconnect_app.signing import links, parent_steps, verification
from careconnect_app.statuses import LinkStatus
from tests.fakes.data import cursive_strokes, review
from tests.fakes.rows import CODE, NOT_ME_LINK, SIGN_LINK, delivered, in_person_for, tokens_in
from tests.security.conftest import run
from tests.support.event_client import EventClient

# --- helpers ---------------------------------------------------------------------------------------


def _everything_stored() -> str:
    engine = get_engine()
    values = []
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            values += [str(v) for row in conn.execute(text(f'SELECT * FROM "{table}"')) for v in row]
    return "\n".join(values)


# --- the provider, who is paid once the parent signs ------------------------------------------------


def test_provider_cannot_start_in_person_signing_where_the_agency_forbids_it(make_request):
    request_id, _ = make_request()
    with pytest.raises(SubmissionError, match="in_person_off"):
        in_person_for(request_id, allow=False)


def test_provider_cannot_sign_in_person_without_the_parents_code(make_request):
    request_id, _ = make_request(requires_verification=False)  # even where remote links need no code
    token = in_person_for(request_id)
    with session_scope() as s:
        in_person = links.find(s, token)
    provider_device = Visit(in_person.id, "", "en", "203.0.113.50", "provider tablet")
    with session_scope() as s:
        assert on_live_link(s, provider_device, signing_channel) == NotVerified(True)
    with session_scope() as s:  # calling the signing step directly, as a crafted event would
        signing = sign(s, provider_device, cursive_strokes(), "", certified=True, consented=True, channel="sms",
                       reviewed_hash="")
    assert not signing.outcome.ok and signing.outcome.error == "parent.error.session"
    with session_scope() as s:
        assert s.exec(select(Signature)).all() == []


def test_provider_cannot_sign_in_person_over_the_parents_open_dispute(make_request):
    request_id, _ = make_request()
    token = in_person_for(request_id)
    with session_scope() as s:
        parent_steps.report_problem(s, s.get(SigningRequest, request_id), "Friday she was home", ip="", user_agent="")
    with pytest.raises(SubmissionError, match="in_person_disputed"):
        in_person_for(request_id)
    with session_scope() as s:
        outcome = parent_steps.sign(s, links.find(s, token).id, strokes=cursive_strokes(), certified=True,
                                    consented=True, reviewed_hash="", ip="", user_agent="", locale="en", verification_channel="sms")
    assert not outcome.ok and outcome.error == "parent.error.in_person_disputed"


def test_provider_cannot_email_an_in_person_link_with_resend(make_request):
    request_id, _ = make_request()
    token = in_person_for(request_id)
    with session_scope() as s:
        in_person = links.find(s, token)
        in_person.last_notified_at = None
        with pytest.raises(SubmissionError, match="resend.error.in_person"):
            resend.resend_link(s, in_person)


def test_provider_cannot_edit_a_day_once_the_sheet_went_to_the_parent(make_request):
    request_id, _ = make_request()
    with session_scope() as s:
        stale = s.get(AttendanceSheet, s.get(SigningRequest, request_id).sheet_id)
        stale.status = "draft"  # the grid page as it was before the submit (a stale copy)
        s.expunge(stale)
    with session_scope() as s:
        with pytest.raises(SubmissionError, match="sheet.error.locked"):
            grid.save_day(s, stale, date(2026, 11, 2), [{"in": "06:00", "out": "20:00"}], False, "")


# --- whoever reads a backup or a replica -------------------------------------------------------------


def test_a_database_reader_finds_no_usable_link_or_code(make_request, database):
    request_id, first_token = make_request()
    with session_scope() as s:
        request = s.get(SigningRequest, request_id)
        assert verification.send_code(s, request, s.get(Guardian, request.guardian_id), "sms").ok
    outbox.deliver_due()
    phone = delivered(database.outbox)
    secrets_sent = {t for m in phone for t in tokens_in(m["text"] + m["html"])} | {first_token}
    secrets_sent |= set(CODE.findall(delivered(database.outbox, "verification_code")[-1]["text"]))
    stored = _everything_stored()
    assert not [secret for secret in secrets_sent if secret in stored]
    # What is stored instead are one-way hashes: a token's SHA-256 cannot be turned back into a link.
    assert sha256_hex(first_token) in stored
    with session_scope() as s:
        assert all("/sign/" not in m.text.replace(SECRET_SLOT, "") or SECRET_SLOT in m.text
                   for m in s.exec(select(OutgoingMessage)))


# --- a stranger holding a forwarded link, through the app's own event channel ----------------------


def _sign_state():
    return SignState


def _not_me_state():
    return NotMeState


def _private_words(link) -> list[str]:
    """What only the review may show: full names, contacts, days, times, reasons, totals."""
    child_last = link.child.split()[-1]
    # The attendance of tests/e2e/conftest.py's fresh_link: 8:00-4:30, a split day ending 5:15, absent
    # "Sick" (as the review row says it: the portal's words, sent with every page, include "Sick").
    return [child_last, link.guardian, link.guardian.split()[-1], link.email, link.phone, "Absent: Sick", "4:30",
            "5:15", "11:30"]


async def _open(app_server, path: str) -> EventClient:
    """A page load; on a signing link, returns once the page has left "loading" (under load the
    on_load answer can come later than the client's quiet gap)."""
    client = EventClient(app_server.base_url)
    await client.open(path)
    if path.startswith("/sign/"):
        await client.until(SignState, "status", lambda status: status not in (None, "loading"))
    return client


def _leaks(client: EventClient, words: list[str]) -> list[str]:
    received = client.everything_received()
    return [w for w in words if w and w in received]


def test_a_forwarded_link_receives_only_the_landing_before_its_code(app_server):
    link = app_server.fresh_link(verification=True)
    state = _sign_state()

    async def attack():
        client = await _open(app_server, link.path)
        try:
            assert client.var(state, "status") == LinkStatus.OK
            assert client.var(state, "child_name") == f"{link.child.split()[0]} {link.child.split()[-1][0]}."
            await client.send(state, "start")
            for handler, payload in [("go_sign", {}), ("send_problem", {"form_data": {"problem": "wrong days"}}),
                                     ("set_strokes", {"payload": cursive_strokes()}),
                                     ("set_certified", {"value": True}), ("set_consented", {"value": True}),
                                     ("submit_signature", {}), ("download_copy", {}), ("back_to_review", {})]:
                await client.send(state, handler, payload)
            return _leaks(client, _private_words(link)), client.var(state, "days")
        finally:
            await client.close()

    leaked, days = run(attack())
    assert leaked == [] and not days
    assert app_server.signature_count(link.request_id) == 0
    assert app_server.request_row(link.request_id).status == "pending"


def test_an_expired_link_receives_no_names_or_days(app_server):
    link = app_server.fresh_link(verification=False)
    app_server.backdate(link)
    state = _sign_state()

    async def attack():
        client = await _open(app_server, link.path)
        try:
            await client.send(state, "start")
            return client.var(state, "status"), _leaks(client, _private_words(link) + [link.child.split()[0]])
        finally:
            await client.close()

    status, leaked = run(attack())
    assert status == LinkStatus.EXPIRED and leaked == []


def test_a_recalled_link_stops_showing_the_attendance_and_the_providers_corrections(app_server):
    link = app_server.fresh_link(verification=False)  # the link alone opens the review here
    state = _sign_state()

    async def attack():
        client = await _open(app_server, link.path)
        try:
            await client.send(state, "start")
            assert client.var(state, "days"), "the review was open before the recall"
            with app_server.server_db() as s:
                sheet = s.get(AttendanceSheet, link.sheet_id)
                submission.recall_sheet(s, sheet)
            with app_server.server_db() as s:
                sheet = s.get(AttendanceSheet, link.sheet_id)
                grid.save_day(s, sheet, sheet.period_start, [], True, "Hospital - asthma")
            await client.send(state, "choose_language", {"locale": "es"})  # any event re-checks the link
            await client.send(state, "go_sign")
            stale_tab = (client.var(state, "status"), client.var(state, "days"), client.var(state, "review_child"))
            fresh = await _open(app_server, link.path)
            try:
                return stale_tab, client.everything_received() + fresh.everything_received(), fresh.var(state, "status")
            finally:
                await fresh.close()
        finally:
            await client.close()

    (status, days, review_child), received, fresh_status = run(attack())
    assert status == fresh_status == LinkStatus.RECALLED and days == [] and review_child == ""
    assert "asthma" not in received


def test_the_language_button_takes_only_a_language_and_means_what_it_offered(app_server):
    """The button sends the language it showed: a tap on "Español" made while the page was still
    loading (so showing English) gives Spanish even if the page then loaded in Spanish; anything
    but a language of the app changes nothing."""
    link = app_server.fresh_link(verification=False)
    state = _sign_state()

    async def taps():
        client = await _open(app_server, link.path)
        try:
            seen = [client.var(state, "locale")]
            for payload in ({"locale": "es"}, {"locale": "es"}, {"locale": "fr"}, {"locale": ["es"]},
                            {"locale": {"$ne": "en"}}, {}, {"locale": "en"}):
                await client.send(state, "choose_language", payload)
                seen.append(client.var(state, "locale"))
            return seen
        finally:
            await client.close()

    assert run(taps()) == ["en", "es", "es", "es", "es", "es", "es", "en"]


def _code_for(app_server, link, previous=None) -> str:
    return app_server.latest_code(link.phone, previous=previous)


async def _verify(client: EventClient, state, app_server, link, previous=None) -> str:
    await client.send(state, "choose_channel", {"channel": "sms"})
    await client.send(state, "send_code")
    code = await asyncio.to_thread(_code_for, app_server, link, previous)
    await client.send(state, "submit_code", {"form_data": {"code": code}})
    return code


def test_a_signed_link_does_not_give_its_copy_without_a_fresh_code(app_server):
    link = app_server.fresh_link(verification=True)
    state = _sign_state()

    async def parent_signs() -> str:
        client = await _open(app_server, link.path)
        try:
            await client.send(state, "start")
            code = await _verify(client, state, app_server, link)
            await client.send(state, "go_sign")
            await client.send(state, "set_strokes", {"payload": cursive_strokes()})
            await client.send(state, "set_certified", {"value": True})
            await client.send(state, "set_consented", {"value": True})
            await client.send(state, "submit_signature")
            assert await client.wait_until(lambda: client.var(state, "reference")), client.var(state, "sign_error")
            return code
        finally:
            await client.close()

    async def later_on_another_phone(previous_code: str):
        with app_server.server_db() as s:  # a day later: the code resend cooldown is long over
            for code in s.exec(select(VerificationCode).where(VerificationCode.signing_request_id == link.request_id)):
                code.created_at -= timedelta(days=1)
        client = await _open(app_server, link.path)
        try:
            before = (client.var(state, "status"), client.var(state, "reference"))
            refused = await client.send(state, "download_copy")
            await client.send(state, "start_copy_verification")
            await _verify(client, state, app_server, link, previous=previous_code)
            await client.wait_until(lambda: client.var(state, "reference"))
            allowed = await client.send(state, "download_copy", require_answer=True)
            return before, refused, allowed, client.var(state, "reference")
        finally:
            await client.close()

    code = run(parent_signs())
    (status, reference), refused, allowed, reference_after = run(later_on_another_phone(code))
    assert status == LinkStatus.SIGNED and not reference
    assert not [e for e in refused.events if "download" in str(e)]
    assert [e for e in allowed.events if "download" in str(e)] and reference_after


def test_provider_device_cannot_sign_in_person_through_the_event_channel(app_server):
    link = app_server.fresh_link(verification=False)
    with app_server.server_db():  # the helper's own session then works on the server's database
        token = in_person_for(link.request_id)
    state = _sign_state()

    async def attack():
        client = await _open(app_server, f"/sign/{token}")
        try:
            await client.send(state, "start")
            for handler, payload in [("submit_code", {"form_data": {"code": "123456"}}), ("go_sign", {}),
                                     ("set_strokes", {"payload": cursive_strokes()}),
                                     ("set_certified", {"value": True}), ("set_consented", {"value": True}),
                                     ("submit_signature", {})]:
                await client.send(state, handler, payload)
            return client.var(state, "step"), client.var(state, "requires_verification")
        finally:
            await client.close()

    step, requires_code = run(attack())
    assert requires_code and step == "verify"
    with app_server.server_db() as s:
        assert s.exec(select(Signature).where(Signature.sheet_id == link.sheet_id)).all() == []


def test_a_not_me_link_opens_no_signing_page_and_shows_no_attendance(app_server):
    link = app_server.fresh_link(verification=False)
    with app_server.server_db() as s:
        reviewed = review(s, link.request_id)
    with app_server.server_db() as s:
        outcome = parent_steps.sign(s, link.request_id, strokes=cursive_strokes(), certified=True, consented=True,
                                    reviewed_hash=reviewed, ip="", user_agent="", locale="en", verification_channel="")
    assert outcome.ok
    notices = app_server.wait_outbox("signed_notice", to=link.email)
    token = tokens_in(notices[-1]["text"], NOT_ME_LINK)[0]
    assert not tokens_in(notices[-1]["text"], SIGN_LINK)

    async def attack():
        as_signing_link = await _open(app_server, f"/sign/{token}")
        page = await _open(app_server, f"/not-me/{token}")
        try:
            return (as_signing_link.var(_sign_state(), "status"),
                    _leaks(page, _private_words(link)), page.var(_not_me_state(), "reference"))
        finally:
            await as_signing_link.close()
            await page.close()

    status, leaked, reference = run(attack())
    assert status == LinkStatus.UNKNOWN and leaked == [] and reference == outcome.reference

