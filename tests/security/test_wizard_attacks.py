"""Attacks on the parent wizard through its own event channel: steps out of order, forged calls,
mistyped and oversized payloads, and links that may no longer be signed."""

from __future__ import annotations

import pytest
from sqlmodel import select

from careconnect_app.models import AttendanceSheet, AuditEvent, LinkToken, ParentSession, Signature, SigningRequest
from careconnect_app.pages.sign.state import SignState
from careconnect_app.portal import resend, submission
from tests.security.conftest import curvy_strokes, run
from tests.support.event_client import ROOT_STATE


async def _try_to_sign(client) -> None:
    """Everything the sign step sends, straight away."""
    await client.send(SignState, "set_strokes", {"payload": curvy_strokes()})
    await client.send(SignState, "set_certified", {"value": True})
    await client.send(SignState, "set_consented", {"value": True})
    await client.send(SignState, "submit_signature")
    # Signing renders the evidence and can go quiet a while: wait for its outcome, whichever it is.
    await client.wait_for(lambda c: c.var(SignState, "step") == "done" or c.var(SignState, "status") != "ok"
                          or bool(c.var(SignState, "sign_error")) or bool(c.var(SignState, "verify_error")))


def _signatures(live, link) -> list[Signature]:
    return live.rows(Signature, Signature.signing_request_id == link.request_id)


def test_signing_before_verifying_is_refused(live, fresh_link):
    link = fresh_link(verification=True)

    async def attack():
        client = await live.open_link(link)
        await _try_to_sign(client)
        step = client.var(SignState, "step")
        await client.close()
        return step

    assert run(attack()) != "done"
    assert _signatures(live, link) == []


def test_reviewing_before_verifying_is_refused(live, fresh_link):
    link = fresh_link(verification=True)

    async def attack():
        client = await live.open_link(link)
        await client.send(SignState, "go_sign")
        step = client.var(SignState, "step")
        await client.close()
        return step

    assert run(attack()) in ("landing", "verify")  # sent (back) to verification, never to the pad
    assert not live.rows(AuditEvent, AuditEvent.signing_request_id == link.request_id,
                         AuditEvent.event == "reviewed")


def test_back_to_review_before_verifying_is_refused(live, fresh_link):
    """Finding 8: `back_to_review` had no guard and put any tab on the review step."""
    link = fresh_link(verification=True)

    async def attack():
        client = await live.open_link(link)
        await client.send(SignState, "back_to_review")
        step = client.var(SignState, "step")
        await client.close()
        return step

    assert run(attack()) == "landing"


def test_a_guessed_code_without_a_sent_one_verifies_nothing(live, fresh_link):
    link = fresh_link(verification=True)

    async def attack():
        client = await live.open_link(link)
        await client.send(SignState, "start")
        for guess in ("000000", "123456", "999999"):
            await client.send(SignState, "submit_code", {"form_data": {"code": guess}})
        step = client.var(SignState, "step")
        await client.close()
        return step

    assert run(attack()) == "verify"
    assert live.rows(ParentSession, ParentSession.signing_request_id == link.request_id) == []


def test_setvar_cannot_move_the_wizard_or_call_setters(live, fresh_link):
    """Reflex's `setvar` calls any `set_<name>` by name: refused outright, without a traceback."""
    link = fresh_link(verification=True)
    mark = live.log_mark()

    async def attack():
        client = await live.open_link(link)
        await client.send(SignState, "setvar", {"var_name": "step", "value": "sign"})
        await client.send(SignState, "setvar", {"var_name": "certified", "value": True})
        await client.send(SignState, "setvar", {"var_name": "_request_id", "value": 1})
        await client.send(ROOT_STATE, "setvar", {"var_name": "is_hydrated", "value": False})
        values = client.var(SignState, "step"), client.var(SignState, "certified")
        await client.close()
        return values

    assert run(attack()) == ("landing", False)
    assert live.log_since(mark).count("refused event") >= 4


def test_a_handler_that_does_not_exist_is_refused_quietly(live, fresh_link):
    link = fresh_link(verification=False)
    mark = live.log_mark()

    async def attack():
        client = await live.open_link(link)
        await client.send(SignState, "delete_everything")
        await client.send(SignState.get_full_name() + ".__init__", "")
        await client.send(SignState, "start")  # the tab still works
        step = client.var(SignState, "step")
        await client.close()
        return step

    assert run(attack()) == "review"
    assert "refused event" in live.log_since(mark)


# Every handler that takes arguments, with what the pages never send (finding 8: 16 of 24 crashed).
MISTYPED = [
    ("choose_channel", {"channel": ["sms"]}),
    ("choose_channel", {"channel": None}),
    ("choose_channel", {}),
    ("choose_channel", {"channel": "sms", "admin": True}),
    ("submit_code", {"form_data": "123456"}),
    ("submit_code", {"form_data": {"code": 123456}}),
    ("submit_code", {"form_data": None}),
    ("submit_code", {"form_data": {}}),
    ("send_problem", {"form_data": ["problem"]}),
    ("send_problem", {"form_data": {"problem": {"$gt": ""}}}),
    ("set_strokes", {"payload": "strokes"}),
    ("set_strokes", {"payload": {"strokes": "x", "width": 1, "height": 1}}),
    ("set_strokes", {"payload": {"strokes": [[["a", "b", "c"]]], "width": 1, "height": 1}}),
    ("set_strokes", {"payload": {"strokes": [[[0.1, 0.2, 0]]]}}),
    ("set_strokes", {"payload": [1, 2, 3]}),
    ("set_certified", {"value": "yes"}),
    ("set_certified", {"value": 1}),
    ("set_consented", {"value": {"a": 1}}),
    ("set_consented", {}),
    ("start", {"step": "sign"}),
    ("back_to_review", {"x": 1}),
    ("submit_signature", {"strokes": []}),
    ("download_copy", {"reference": "CC-AAAA-BBBB"}),
    ("load", {"token": "x"}),
]


@pytest.mark.parametrize("handler, payload", MISTYPED, ids=[f"{h}-{i}" for i, (h, _p) in enumerate(MISTYPED)])
def test_mistyped_payloads_never_reach_a_handler(live, fresh_link, handler, payload):
    link = fresh_link(verification=True)
    mark = live.log_mark()

    async def attack():
        client = await live.open_link(link)
        before = dict(client.state.get(SignState.get_full_name(), {}))
        answer = await client.send(SignState, handler, payload)
        after = client.state.get(SignState.get_full_name(), {})
        await client.close()
        return before, after, answer

    before, after, answer = run(attack())
    assert after == before and answer.vars_of(SignState) == {}  # nothing happened, nothing was said
    assert "refused event" in live.log_since(mark)


@pytest.mark.parametrize("payload", [[], "x", 5], ids=["list", "text", "number"])
def test_a_payload_that_is_not_an_object_is_refused(live, fresh_link, payload):
    link = fresh_link(verification=False)

    async def attack():
        client = await live.open_link(link)
        await client.send(SignState, "start", payload)
        step = client.var(SignState, "step")
        await client.close()
        return step

    assert run(attack()) == "landing"


def test_an_oversized_payload_is_refused_and_the_tab_lives_on(live, fresh_link):
    link = fresh_link(verification=False)

    async def attack():
        client = await live.open_link(link)
        await client.send(SignState, "choose_channel", {"channel": "x" * 600_000})
        deep: object = "x"
        for _ in range(200):
            deep = [deep]
        await client.send(SignState, "set_strokes", {"payload": {"strokes": deep, "width": 1, "height": 1}})
        await client.send(SignState, "start")
        step = client.var(SignState, "step")
        await client.close()
        return step

    assert run(attack()) == "review"


def _sign_through_events(live, link) -> str:
    async def sign():
        client = await live.open_link(link)
        if link.verification_required:
            await live.verify(client, link)
        else:
            await client.send(SignState, "start")
        await client.send(SignState, "go_sign")
        await _try_to_sign(client)
        step = client.var(SignState, "step")
        await client.close()
        return step

    return run(sign())


def test_a_tampered_link_opens_nothing(live, fresh_link):
    link = fresh_link(verification=False)
    tampered = link.path[:-1] + ("A" if link.path[-1] != "A" else "B")

    async def attack():
        client = live.tab()
        await client.open(tampered)
        await client.send(SignState, "start")
        await _try_to_sign(client)
        received, status = client.everything_received(), client.var(SignState, "status")
        await client.close()
        return received, status

    received, status = run(attack())
    assert status == "unknown"
    assert link.child.split()[1] not in received and link.guardian not in received
    assert _signatures(live, link) == []


def test_an_expired_link_cannot_be_signed(live, fresh_link, backdate):
    link = fresh_link(verification=False)
    backdate(link)
    assert _sign_through_events(live, link) != "done"
    assert _signatures(live, link) == []


def test_a_link_recalled_while_open_cannot_be_signed(live, fresh_link):
    """The provider recalls the sheet while the parent's tab is already on the sign step."""
    link = fresh_link(verification=False)

    async def attack():
        client = await live.open_link(link)
        await client.send(SignState, "start")
        await client.send(SignState, "go_sign")
        with live.server.server_db() as session:
            request = session.get(SigningRequest, link.request_id)
            submission.recall_sheet(session, session.get(AttendanceSheet, request.sheet_id))
        await _try_to_sign(client)
        status = client.var(SignState, "status")
        await client.close()
        return status

    assert run(attack()) == "recalled"
    assert _signatures(live, link) == []


def test_a_replaced_link_cannot_be_signed(live, fresh_link):
    link = fresh_link(verification=False)
    with live.server.server_db() as session:
        old = session.get(SigningRequest, link.request_id)
        old.last_notified_at = old.created_at - resend.RESEND_COOLDOWN  # the cooldown has passed
        old.expires_at = old.created_at  # expired: a resend replaces it with a new link
        session.add(old)
        session.flush()
        resend.resend_link(session, old)
    assert _sign_through_events(live, link) != "done"
    assert _signatures(live, link) == []


def test_a_signed_link_is_not_signed_twice_from_another_tab(live, fresh_link):
    link = fresh_link(verification=False)
    assert _sign_through_events(live, link) == "done"
    _sign_through_events(live, link)  # a second tab goes through every step again
    assert len(_signatures(live, link)) == 1


def test_a_link_lookup_never_reveals_the_stored_hash(live, fresh_link):
    """The token's SHA-256 is what the database keeps; it must not open the link either."""
    link = fresh_link(verification=False)
    with live.server.server_db() as session:
        token_hash = session.exec(select(LinkToken.token_hash)
                                  .where(LinkToken.signing_request_id == link.request_id)).first()

    async def attack():
        client = live.tab()
        await client.open("/sign/" + token_hash)
        status = client.var(SignState, "status")
        await client.close()
        return status

    assert run(attack()) == "unknown"
