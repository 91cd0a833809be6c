"""Composing messages: each channel in the guardian's language, and email text and HTML saying the same."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.messaging import compose
from careconnect_app.messaging.backends.base import SECRET_SLOT
from careconnect_app.models import OutgoingMessage
from careconnect_app.signing.links import not_me_url, signing_url
from tests.fakes.data import make_family


def test_ready_to_sign_goes_to_each_channel_in_the_guardians_language(make_request):
    make_request(locale="es")
    with session_scope() as s:
        messages = s.exec(select(OutgoingMessage).where(OutgoingMessage.kind == "ready_to_sign")).all()
    by_channel = {m.channel: m for m in messages}
    assert set(by_channel) == {"email", "sms"}
    email, sms = by_channel["email"], by_channel["sms"]
    assert email.to == "ana@example.com" and sms.to == "+15555550123"
    assert "lista para su firma" in email.subject and email.locale == "es"
    assert ("https://sign.careconnect.example.org/sign/" in email.text
            and "https://sign.careconnect.example.org/sign/" in email.html)
    assert 'lang="es"' in email.html and "Revisar y firmar" in email.html
    assert "https://sign.careconnect.example.org/sign/" in sms.text and len(sms.text) <= 306


def test_guardian_without_email_is_texted_only(make_request):
    make_request(email="")
    with session_scope() as s:
        channels = {m.channel for m in s.exec(select(OutgoingMessage)).all()}
    assert channels == {"sms"}


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.parametrize("locale", ["en", "es"])
def test_email_html_and_text_have_the_same_content(database, locale):
    with session_scope() as s:
        family = make_family(s, locale=locale, notify_sms=False, phone="")
        messages = compose.queue_ready_to_sign(s, family.request)
        messages += compose.queue_ready_to_sign(s, family.request, kind="reminder")
        messages.append(compose.queue_verification_code(s, family.request, "email", family.guardian.email, locale))
        messages.append(compose.queue_problem_reported(s, family.request, "Tuesday <b>was</b> wrong"))
        family.request.reference, family.request.signed_at = "CC-7F3K-9Q2M", family.request.created_at
        messages += compose.queue_signed_notice(s, family.request, document_hash="ab" * 32, locale=locale,
                                                signed_on="Nov 9, 2026", attachments=[])
        messages += compose.queue_signature_disputed(s, family.request, "I was <i>away</i>")
        links_shown = (signing_url(SECRET_SLOT), not_me_url(SECRET_SLOT))
        for m in messages:
            assert m.html and m.text and m.subject
            shown = visible_text(m.html)
            assert m.subject in shown
            for paragraph in m.text.split("\n\n"):
                url = next((u for u in links_shown if paragraph.endswith(u)), None)
                if url:  # "Review and sign: <url>" is a button + the URL
                    label = paragraph[: -len(url)].rstrip(": ")
                    assert label in shown and url in shown and url in m.html
                else:
                    assert re.sub(r"\s+", " ", paragraph) in shown, paragraph
            assert "<b>was</b>" not in m.html and "<i>away</i>" not in m.html  # people's words are escaped


def test_the_signed_notice_names_the_signature_and_goes_to_every_contact_on_file(database):
    with session_scope() as s:
        family = make_family(s, notify_sms=False, locale="es")  # links by email only; the notice: both
        family.request.reference, family.request.signed_at = "CC-7F3K-9Q2M", family.request.created_at
        notices = compose.queue_signed_notice(s, family.request, document_hash="ab" * 32, locale="es",
                                              signed_on="9 nov 2026", attachments=[])
    assert sorted(m.channel for m in notices) == ["email", "sms"] and {m.kind for m in notices} == {"signed_notice"}
    for m in notices:
        assert "CC-7F3K-9Q2M" in m.text and not_me_url(SECRET_SLOT) in m.text and m.locale == "es"
