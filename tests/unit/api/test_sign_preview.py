"""The server-rendered first paint of a signing link: only for links that may be signed."""

from __future__ import annotations

from datetime import timedelta

from careconnect_app.api.sign_preview import preview_html
from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.models import Child, SigningRequest
from tests.support.sql import statements_sent


def test_preview_names_child_period_and_provider_in_the_guardians_language(make_request):
    _, token = make_request(locale="es")
    html = preview_html(token, ip="203.0.113.5")
    assert 'lang="es"' in html and "Mateo G." in html and "Test Provider" in html
    assert "García" not in html  # the landing's short name: first name and last initial
    assert "Asistencia lista para su firma" in html and "2\u00a0de\u00a0nov\u00a0de\u00a02026" in html
    # The header the app draws: the product name and the language button's label, in place at first paint.
    assert "CareConnect Firma" in html and ">English<" in html


def _names_nothing(html: str) -> bool:
    """Only the header: no heading, no child, no provider."""
    return "<header>" in html and "<h1>" not in html and "Mateo" not in html and "Test Provider" not in html


def test_no_preview_for_unknown_expired_or_signed_links(make_request):
    request_id, token = make_request()
    unknown = preview_html("x" * 43, ip="203.0.113.5", accept_language="es-MX,es;q=0.9")
    assert _names_nothing(unknown) and 'lang="es"' in unknown  # the browser's language
    with session_scope() as s:
        req = s.get(SigningRequest, request_id)
        req.expires_at = utcnow() - timedelta(minutes=1)
        s.add(req)
    assert _names_nothing(preview_html(token, ip="203.0.113.5"))
    with session_scope() as s:
        req = s.get(SigningRequest, request_id)
        req.expires_at = utcnow() + timedelta(days=1)
        req.status = "signed"
        s.add(req)
    assert _names_nothing(preview_html(token, ip="203.0.113.5"))


def test_preview_escapes_names(make_request):
    _, token = make_request()
    with session_scope() as s:
        child = s.get(Child, 1)
        child.first_name = "<script>alert(1)</script>"
        s.add(child)
    html = preview_html(token, ip="")
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_preview_reads_a_link_in_two_statements(make_request):
    """Every link opened renders this page first: the token with its request, then the family, each
    in one joined read (it used to take six round trips)."""
    _, token = make_request()
    with statements_sent() as sent:
        html = preview_html(token, ip="203.0.113.5")
    assert "Mateo G." in html
    selects = [s for s in sent if s.startswith("SELECT")]
    assert len(selects) == 2, sent
    assert "FROM linktoken JOIN signingrequest" in selects[0] and "JOIN guardian" in selects[1]
