"""Start-up: a misconfigured deployment stops with every problem listed; every development start
says where the portal and outbox are, the demo logins and links."""

from __future__ import annotations

import pytest

from sqlmodel import select

from careconnect_app import demo, startup
from careconnect_app.db import session_scope
from careconnect_app.models import AttendanceSheet, PortalUser
from careconnect_app.portal import accounts, submission
from careconnect_app.signing import links
from tests.fakes.data import BASE_URL, reconfigure


def test_misconfiguration_is_listed_and_stops_the_start(database, monkeypatch, capsys):
    reconfigure(monkeypatch, CARECONNECT_ENV="prod", CARECONNECT_EMAIL_BACKEND="carrier-pigeon",
                CARECONNECT_BASE_URL="http://example.org")
    with pytest.raises(SystemExit) as stop:
        startup.stop_if_misconfigured()
    assert stop.value.code == 1
    err = capsys.readouterr().err
    assert "CareConnect cannot start" in err
    assert "CARECONNECT_EMAIL_BACKEND='carrier-pigeon' is unknown" in err
    assert "CARECONNECT_SMS_BACKEND=file in production" in err and "CARECONNECT_ALLOW_DEV_DELIVERY=true" in err
    assert "must use https in production" in err


def test_a_missing_secret_key_in_production_is_one_of_the_problems(database, monkeypatch):
    reconfigure(monkeypatch, CARECONNECT_ENV="prod", CARECONNECT_SECRET_KEY="")
    assert any("CARECONNECT_SECRET_KEY must be set" in p for p in startup.configuration_problems())


def test_a_good_configuration_starts(database):
    startup.stop_if_misconfigured()  # no exit


def test_banner_on_every_start_names_addresses_logins_and_links_with_their_state(database, monkeypatch, tmp_path):
    monkeypatch.setattr(demo, "DEMO_FILE", tmp_path / "demo.json")
    with session_scope() as s:
        result = demo.seed(s)
    demo.remember(result)
    with session_scope() as s:
        # Since the first start: a demo password was changed (that login is no longer offered) and
        # one sheet was recalled (its link says so).
        user = s.exec(select(PortalUser).where(PortalUser.email == "provider@sunrise-learning.example")).one()
        user.password_hash = accounts.hash_password("changed-password-1")
        request = links.find(s, result.links[0]["url"].rsplit("/", 1)[-1])
        submission.recall_sheet(s, s.get(AttendanceSheet, request.sheet_id))
    with session_scope() as s:
        text = "\n".join(demo.banner(s, BASE_URL))
    assert f"{BASE_URL}/portal" in text and f"{BASE_URL}/dev/outbox" in text
    assert "provider@littlesprouts.example / sprouts-demo-2026" in text
    assert "admin@valley-subsidy.example / valley-admin-2026" in text
    assert "provider@sunrise-learning.example" not in text
    assert all(link["url"] in text for link in result.links)
    assert text.count(" recalled ") == 1 and text.count(" ok ") == len(result.links) - 1


def test_banner_without_a_remembered_demo_still_gives_the_addresses(database, monkeypatch, tmp_path):
    monkeypatch.setattr(demo, "DEMO_FILE", tmp_path / "none.json")
    with session_scope() as s:
        text = "\n".join(demo.banner(s, BASE_URL))
    assert "provider portal" in text and "signing links" not in text
