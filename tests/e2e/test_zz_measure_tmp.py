"""Temporary: the sheet page's height at 390 px (not committed)."""
from __future__ import annotations

import json
from datetime import time as dtime, timedelta

from careconnect_app.clock import utcnow

import sys
Link = None


def _monthly(server, submit: bool):
    import random
    from sqlmodel import select
    from careconnect_app.models import AttendanceEntry, AttendanceSheet, Child, ChildGuardian, Guardian, Provider
    from careconnect_app.portal import submission
    with server.server_db() as s:
        provider = s.exec(select(Provider).where(Provider.name == "Little Sprouts Family Child Care")).first()
        kid = Child(provider_id=provider.id, first_name="Measure", last_name=f"Kid{random.randint(0, 99999)}")
        g = Guardian(provider_id=provider.id, first_name="Pat", last_name="Measure", email=f"m{random.randint(0,10**6)}@example.com",
                     phone=f"+1555{random.randint(0, 10**7 - 1):07d}", notify_email=True, notify_sms=True)
        s.add_all([kid, g]); s.flush()
        s.add(ChildGuardian(child_id=kid.id, guardian_id=g.id))
        today = utcnow().date()
        end = today.replace(day=1) - timedelta(days=1)
        sheet = AttendanceSheet(child_id=kid.id, provider_id=provider.id, period_start=end.replace(day=1), period_end=end)
        s.add(sheet); s.flush()
        d = sheet.period_start
        while d <= end:
            if d.weekday() < 5:
                s.add(AttendanceEntry(sheet_id=sheet.id, day=d, check_in=dtime(7, 45), check_out=dtime(16, 0)))
            d += timedelta(days=1)
        s.flush()
        link = None
        if submit:
            issued = submission.submit_sheet(s, sheet)[0]
            tok = issued.url.rsplit("/", 1)[-1]
            Link = next(m.Link for m in list(sys.modules.values()) if hasattr(m, 'ParentFlow'))
            link = Link(url=issued.url, token=tok, request_id=issued.request.id, sheet_id=sheet.id, child=kid.full_name,
                        guardian=g.full_name, email=g.email, phone=g.phone, provider=provider.name, provider_email="",
                        agency="", locale="en", verification_required=True)
        return sheet.id, link


def _height(page, base, sheet_id):
    page.goto(f"{base}/portal/sheets/{sheet_id}")
    page.locator("#grid").wait_for()
    page.wait_for_timeout(1500)
    return page.evaluate("document.documentElement.scrollHeight")


def test_measure(app_server, demo, new_context, wizard):
    base = app_server.base_url
    draft_id, _ = _monthly(app_server, False)
    ready_id, link = _monthly(app_server, True)
    signed_id, link2 = _monthly(app_server, True)
    pctx = new_context()
    ppage = pctx.new_page()
    wizard.to_sign(ppage, link2)
    wizard.sign_and_submit(ppage, link2)
    out = {}
    for width in (390, 1280):
        ctx = new_context(viewport={"width": width, "height": 844}, is_mobile=width < 500, has_touch=width < 500)
        page = ctx.new_page()
        page.goto(base + "/portal/login")
        page.fill("#email", "provider@littlesprouts.example")
        page.fill("#password", "sprouts-demo-2026")
        page.click("#login-submit")
        page.wait_for_url(base + "/portal")
        for name, sid in (("draft", draft_id), ("ready", ready_id), ("signed", signed_id)):
            out[f"{name}@{width}"] = _height(page, base, sid)
            page.screenshot(path=f"/tmp/i11b/before-{name}-{width}.png", full_page=True)
        page.goto(base + "/portal")
        page.locator("#counts").wait_for()
        page.wait_for_timeout(1000)
        out[f"dashboard@{width}"] = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(path=f"/tmp/i11b/before-dashboard-{width}.png", full_page=True)
    print("HEIGHTS", json.dumps(out))
    (open("/tmp/i11b/before_heights.json", "w")).write(json.dumps(out))
