"""Both SDKs still go through the proxy the environment names (read once per client, not per request)."""

from __future__ import annotations

import pytest

from careconnect_app.messaging import outbox
from tests.fakes.data import reconfigure
from tests.fakes.rows import message, queued

PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy",
                   "NO_PROXY", "no_proxy")
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens, so a proxied request fails


@pytest.fixture
def no_proxy_settings(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_a_proxy_named_in_the_environment_is_used_and_no_proxy_bypasses_it(fakes, no_proxy_settings, channel):
    twilio, sendgrid = fakes
    fake = twilio if channel == "sms" else sendgrid
    only = {"notify_email": False} if channel == "sms" else {"notify_sms": False}

    reconfigure(no_proxy_settings, HTTP_PROXY=NOWHERE, http_proxy=NOWHERE)
    (through_proxy,) = queued(**only)
    assert outbox.deliver_one(through_proxy) == "queued"
    assert message(through_proxy).last_error and not fake.accepted_for(through_proxy)

    reconfigure(no_proxy_settings, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    (bypassing,) = queued(**only)
    assert outbox.deliver_one(bypassing) == "sent" and len(fake.accepted_for(bypassing)) == 1
