"""Links and codes are made when their message is sent, and never stored readable.

The outbox row keeps the message with a slot where the secret goes; the worker makes a fresh
link token (only its SHA-256 stored) or a fresh code (only its keyed hash stored) and hands the
filled copy to the backend. The file outbox plays the guardian's phone and mailbox.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import inspect, text
from sqlmodel import select

from careconnect_app.clock import utcnow
from careconnect_app.db import get_engine, session_scope
from careconnect_app.messaging import outbox
from careconnect_app.messaging.backends.base import SECRET_SLOT
from careconnect_app.models import AttendanceSheet, Guardian, OutgoingMessage, SigningRequest, VerificationCode
from careconnect_app.portal import submission
from careconnect_app.signing import links, verification
from careconnect_app.statuses import LinkStatus
from tests.fakes.data import SENT, notify
from tests.fakes.rows import CODE, delivered, request_of, send_reminders, set_request, tokens_in
from tests.support.sql import statements_sent


def _everything_stored() -> str:
    """Every value of every row of every table, as one string (what a backup would hold)."""
    engine = get_engine()
    values = []
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                values += [str(v) for v in row]
    return "\n".join(values)


def _send_code(request_id: int, channel: str = "sms", now=None) -> verification.SendOutcome:
    with session_scope() as s:
        request = s.get(SigningRequest, request_id)
        return verification.send_code(s, request, s.get(Guardian, request.guardian_id), channel, now=now)


def test_no_link_or_code_is_stored_readable(make_request, database):
    request_id, first_token = make_request()
    assert _send_code(request_id).ok
    outbox.deliver_due()
    phone = delivered(database.outbox)
    sent_tokens = [t for m in phone for t in tokens_in(m["text"] + m["html"])]
    (code,) = CODE.findall(delivered(database.outbox, "verification_code")[-1]["text"])
    assert len(sent_tokens) >= 2 and first_token not in sent_tokens  # each message its own link
    stored = _everything_stored()
    for secret in [first_token, code, *sent_tokens]:
        assert secret not in stored
    with session_scope() as s:
        for message in s.exec(select(OutgoingMessage)):
            assert "/sign/" not in message.text or SECRET_SLOT in message.text
    columns = {c["name"] for c in inspect(get_engine()).get_columns("signingrequest")}
    assert "token_ciphertext" not in columns and "token_hash" not in columns


def test_every_link_sent_works_until_the_request_stops(sent_family, database):
    with session_scope() as s:
        notify(s, sent_family)
    send_reminders(SENT + timedelta(days=2))
    set_request(sent_family, expires_at=utcnow() + timedelta(days=1))  # SENT is long ago: still live today
    outbox.deliver_due()
    per_message = [set(tokens_in(m["text"] + m["html"])) for m in delivered(database.outbox)]
    assert len(per_message) == 4 and all(len(found) == 1 for found in per_message)  # ready and reminder, 2 each
    tokens = [found.pop() for found in per_message]
    assert len(set(tokens)) == 4 and sent_family.token not in tokens  # a fresh link in every message
    with session_scope() as s:
        assert {links.check(s, t).request.id for t in tokens + [sent_family.token]} == {sent_family.request.id}
        assert all(links.check(s, t).status == LinkStatus.OK for t in tokens)
        submission.recall_sheet(s, s.get(AttendanceSheet, sent_family.sheet.id))
    with session_scope() as s:
        assert {links.check(s, t).status for t in tokens + [sent_family.token]} == {LinkStatus.RECALLED}


def test_a_code_is_made_when_its_message_is_sent(make_request, database):
    request_id, _ = make_request()
    assert _send_code(request_id).ok
    with session_scope() as s:
        assert s.exec(select(VerificationCode)).one().code_hash == ""  # no code exists yet
    outbox.deliver_due()
    (code,) = CODE.findall(delivered(database.outbox, "verification_code")[-1]["text"])
    with session_scope() as s:
        assert s.exec(select(VerificationCode)).one().code_hash
        assert verification.check_code(s, s.get(SigningRequest, request_id), code).ok


def test_a_replaced_code_is_never_sent(make_request, database):
    request_id, _ = make_request()
    now = utcnow()
    assert _send_code(request_id, "email", now=now).ok
    assert _send_code(request_id, "sms", now=now + timedelta(seconds=31)).ok
    outbox.deliver_due()
    assert [m["channel"] for m in delivered(database.outbox, "verification_code")] == ["sms"]
    with session_scope() as s:
        stale = s.exec(select(OutgoingMessage).where(OutgoingMessage.kind == "verification_code",
                                                     OutgoingMessage.channel == "email")).one()
        assert stale.status == "failed" and "newer code" in stale.last_error


def test_a_link_message_for_a_stopped_request_is_not_sent(make_request, database):
    request_id, _ = make_request()
    with session_scope() as s:
        submission.recall_sheet(s, s.get(AttendanceSheet, s.get(SigningRequest, request_id).sheet_id))
    outbox.deliver_due()
    assert delivered(database.outbox, "ready_to_sign") == []
    with session_scope() as s:
        assert {m.status for m in s.exec(select(OutgoingMessage))} == {"failed"}
        assert s.get(SigningRequest, request_id).status == "recalled"


def test_reminders_resends_and_fallbacks_no_longer_need_the_old_token(sent_family, database):
    """The first token is nowhere to rebuild from: reminders carry fresh ones (and always can)."""
    reminders = send_reminders(SENT + timedelta(days=2))
    assert len(reminders) == 2 and all(SECRET_SLOT in m.text for m in reminders)
    assert request_of(sent_family).status == "pending"


def test_a_claimed_batch_makes_its_secrets_in_one_transaction(make_request, database):
    from sqlalchemy import event

    from careconnect_app.messaging import secret_slot

    request_id, _ = make_request()
    assert _send_code(request_id).ok
    claimed = outbox.claim_due(50, "w/x")
    commits: list[int] = []

    def count(_connection) -> None:
        commits.append(1)

    event.listen(get_engine(), "commit", count)
    try:
        ready = secret_slot.filled_all(claimed)
    finally:
        event.remove(get_engine(), "commit", count)
    kinds = {m.kind for m in claimed}
    assert {"verification_code"} < kinds and len(claimed) >= 3 and len(commits) == 1
    assert sorted(ready) == sorted(m.id for m in claimed)
    assert all(SECRET_SLOT not in r.text + r.html for r in ready.values())
    (code,) = CODE.findall(next(r.text for r in ready.values() if r.kind == "verification_code"))
    with session_scope() as s:  # the code made in the batch is the one that works
        assert verification.check_code(s, s.get(SigningRequest, request_id), code).ok


def test_a_claimed_batch_reads_its_requests_in_one_query_and_each_link_opens_its_own(database):
    from careconnect_app.messaging import secret_slot
    from tests.fakes.data import submitted_request

    request_ids = [request_id for request_id, _token in submitted_request(guardians=3)]  # three links
    claimed = [m for m in outbox.claim_due(50, "w/x") if SECRET_SLOT in m.text]
    with statements_sent() as sent:
        ready = secret_slot.filled_all(claimed)
    statements = [statement.lower() for statement in sent]
    assert {m.signing_request_id for m in claimed} == set(request_ids) and len(claimed) >= 3
    assert sum(1 for s in statements if s.startswith("select") and "from signingrequest " in s) == 1
    assert sum(1 for s in statements if s.startswith("insert into linktoken")) == 1  # the batch's tokens together
    with session_scope() as s:
        for message in claimed:
            (token,) = tokens_in(ready[message.id].text)
            assert links.find(s, token).id == message.signing_request_id
