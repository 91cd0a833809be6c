"""The file backend (development and tests): one JSON line per message, SMS in GSM-7 as a phone gets it."""

from __future__ import annotations

import json

from careconnect_app import config
from careconnect_app.db import session_scope
from careconnect_app.messaging import compose, outbox
from careconnect_app.models import OutgoingMessage
from tests.fakes.data import make_family


def test_file_backend_writes_sms_as_sent(database):
    with session_scope() as s:
        family = make_family(s, notify_email=False, child=("Sofía", "Ramírez"))
        (m,) = compose.queue_ready_to_sign(s, family.request)
        mid = m.id
    outbox.deliver_now([mid])
    line = json.loads(config.get_settings().outbox_path.read_text(encoding="utf-8").splitlines()[-1])
    assert line["id"] == mid and "Sofia" in line["text"]
    with session_scope() as s:
        assert s.get(OutgoingMessage, mid).provider_message_id == f"file-{mid}"


def test_the_outbox_file_is_readable_by_the_apps_user_only(database):
    """It holds codes and links in clear: no other account on the machine may read it."""
    path = config.get_settings().outbox_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    path.chmod(0o644)  # left by an older version
    with session_scope() as s:
        family = make_family(s, notify_sms=False)
        (m,) = compose.queue_ready_to_sign(s, family.request)
        mid = m.id
    outbox.deliver_now([mid])
    assert path.stat().st_mode & 0o777 == 0o600
