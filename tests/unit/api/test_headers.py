"""Security headers on every response: a strict CSP that lists the build's inline scripts, HSTS on https."""

from __future__ import annotations

import base64
import hashlib
import os

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from careconnect_app.api import frontend_build, headers
from careconnect_app.api.sign_preview import PREVIEW_SCRIPT
from tests.fakes.data import reconfigure

PAGE = ("<html><head><script>window.a = 1;</script><script type=\"module\" async=\"\">import \"/x.js\";</script>"
        "<script src=\"/assets/app.js\"></script></head><body><script id=\"_R_\">b()</script></body></html>")


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


@pytest.fixture
def built(tmp_path, monkeypatch):
    """A built frontend with three inline scripts and one external one."""
    (tmp_path / "portal").mkdir()
    (tmp_path / "__spa-fallback.html").write_text(PAGE)
    (tmp_path / "portal" / "login.html").write_text("<script>c()</script>")
    monkeypatch.setattr(frontend_build, "client_dir", lambda: tmp_path)
    return tmp_path


def _client() -> TestClient:
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("ok"))])
    return TestClient(headers.security_headers(app))


def _directives(csp: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in csp.split("; ")}


def test_script_src_lists_exactly_the_built_inline_scripts(database, built):
    csp = _directives(_client().get("/").headers["content-security-policy"])
    expected = {_hash(s) for s in ("window.a = 1;", 'import "/x.js";', "b()", "c()", PREVIEW_SCRIPT)}
    assert set(csp["script-src"]) == {"'self'"} | expected


def test_nothing_lets_an_injected_script_run(database, built):
    csp = _directives(_client().get("/").headers["content-security-policy"])
    for source in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        assert source not in csp["script-src"]
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["form-action"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]


def test_connections_go_to_our_origin_and_its_websocket_only(database, built):
    csp = _directives(_client().get("/").headers["content-security-policy"])
    assert "wss://sign.careconnect.example.org" in csp["connect-src"]
    assert all(s in ("'self'",) or "careconnect.example.org" in s or "localhost" in s for s in csp["connect-src"])


def test_a_new_build_is_picked_up(database, built):
    first = _client().get("/").headers["content-security-policy"]
    page = built / "__spa-fallback.html"
    page.write_text("<script>changed()</script>")
    stat = page.stat()
    os.utime(page, (stat.st_atime, stat.st_mtime + 5))
    second = _client().get("/").headers["content-security-policy"]
    assert _hash("changed()") in second and _hash("changed()") not in first


def test_hsts_only_on_https(database, built, monkeypatch):
    r = _client().get("/")
    assert r.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert "upgrade-insecure-requests" in r.headers["content-security-policy"]
    reconfigure(monkeypatch, CARECONNECT_BASE_URL="http://localhost:3000")
    r = _client().get("/")
    assert "strict-transport-security" not in r.headers
    assert "upgrade-insecure-requests" not in r.headers["content-security-policy"]


def test_the_other_headers_stay(database, built):
    r = _client().get("/")
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cross-origin-opener-policy"] == "same-origin"


def test_the_caddy_snippet_carries_every_header_the_app_sends(built):
    """deploy/build-frontend.sh writes it; Caddy sends it with the pages it serves from the build."""
    snippet = headers.caddy_snippet()
    assert snippet.splitlines()[1] == "header {" and snippet.rstrip().endswith("}")
    for name, value in headers.response_headers():
        assert f'\t{name.decode().title()} "{value.decode()}"' in snippet
    assert _hash("window.a = 1;") in snippet and "\t-Server" in snippet
    assert '"' not in headers.content_security_policy()  # a double quote would end Caddy's value early
