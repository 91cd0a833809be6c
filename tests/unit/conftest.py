"""Fixtures shared by more than one folder of unit tests (the database itself: tests/conftest.py)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from careconnect_app.api import webhooks
from careconnect_app.db import session_scope
from tests.fakes.data import SENT, Family, make_family, reconfigure
from tests.fakes.sheets import weekly_draft
from tests.fakes.webhooks import WEBHOOK_ENV


@pytest.fixture
def sent_family(database) -> Family:
    """A family whose signing link went out at SENT (10:00 in Los Angeles), valid 30 days; not notified."""
    with session_scope() as s:
        return make_family(s, now=SENT, link_lifetime_days=30)


@pytest.fixture
def weekly_sheet(database) -> dict[str, int]:
    """Two providers; provider 1 has a child with a guardian and a filled draft sheet (ids)."""
    return weekly_draft()


@pytest.fixture
def webhook_client(database, monkeypatch):
    """Our webhook routes, trusting the fake Twilio account and SendGrid signer.

    File backends: these tests are about receipts; provider ids are set by hand.
    """
    reconfigure(monkeypatch, **WEBHOOK_ENV)
    with TestClient(Starlette(routes=webhooks.http_routes)) as client:
        yield client
