"""POST /_session/cookie: a one-time ticket becomes an HttpOnly, SameSite=Strict (Secure on https) cookie."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from careconnect_app.api import session_cookie
from careconnect_app.common import cookie_tickets
from careconnect_app.db import session_scope
from tests.fakes.data import BASE_URL, reconfigure

ORIGIN = {"Origin": BASE_URL}


@pytest.fixture
def client(database):
    with TestClient(Starlette(routes=session_cookie.http_routes), base_url=BASE_URL) as client:
        yield client


def _ticket(value: str = "s3cret", name: str = cookie_tickets.PORTAL_SESSION_COOKIE) -> str:
    with session_scope() as s:
        return cookie_tickets.issue(s, name, value, 28800)


def test_a_ticket_sets_an_httponly_secure_strict_cookie_for_the_event_channel(client):
    r = client.post("/_session/cookie", content=_ticket(), headers=ORIGIN)
    assert r.status_code == 204
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("cc_portal_session=s3cret;")
    for attribute in ("HttpOnly", "Secure", "SameSite=strict", "Path=/_event", "Max-Age=28800"):
        assert attribute.lower() in cookie.lower()
    assert r.headers["cache-control"] == "no-store"


def test_not_secure_on_plain_http(client, monkeypatch):
    reconfigure(monkeypatch, CARECONNECT_BASE_URL="http://localhost:3000")
    r = client.post("/_session/cookie", content=_ticket(), headers={"Origin": "http://localhost:3000"})
    assert r.status_code == 204 and "secure" not in r.headers["set-cookie"].lower()


def test_a_ticket_works_once(client):
    ticket = _ticket()
    assert client.post("/_session/cookie", content=ticket, headers=ORIGIN).status_code == 204
    r = client.post("/_session/cookie", content=ticket, headers=ORIGIN)
    assert r.status_code == 404 and "set-cookie" not in r.headers


def test_a_clearing_ticket_deletes_the_cookie(client):
    r = client.post("/_session/cookie", content=_ticket(""), headers=ORIGIN)
    assert r.status_code == 204 and "max-age=0" in r.headers["set-cookie"].lower()


def test_another_site_cannot_plant_its_session(client):
    r = client.post("/_session/cookie", content=_ticket(), headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and "set-cookie" not in r.headers


def test_an_oversized_body_is_refused_unread(client):
    r = client.post("/_session/cookie", content=b"A" * 100_000, headers=ORIGIN)
    assert r.status_code == 413
