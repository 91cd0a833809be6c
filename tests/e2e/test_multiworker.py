"""The production topology: several backend workers sharing Reflex state through Redis."""

from __future__ import annotations

import redis
from sqlmodel import select


def test_wizard_state_lives_in_redis_and_a_reload_resumes(app_server, page, fresh_link, wizard):
    link = fresh_link(verification=False)
    wizard.open(page, link)
    client = redis.Redis.from_url(app_server.redis_url)
    assert client.dbsize() > 0  # the tab's state is in Redis, where every worker finds it
    page.click("#start")
    page.locator("#go-sign").wait_for()
    # A reload may land on another worker: it still resumes at the review step.
    page.reload()
    page.locator("#go-sign").wait_for()
    page.click("#go-sign")
    page.locator("#signature-pad canvas").wait_for()
    wizard.draw_mouse(page)
    page.click("#consent")
    page.click("#certify")
    page.click("#submit-signature")
    page.locator("#reference").wait_for()
    from careconnect_app.models import Signature

    with app_server.server_db() as session:
        assert len(session.exec(select(Signature).where(Signature.signing_request_id == link.request_id)).all()) == 1
