"""The board page's plain parts: what each card says, in both languages, for the caller only."""

from __future__ import annotations

from datetime import time, timedelta

from careconnect_app.common import formatting
from careconnect_app.db import session_scope
from careconnect_app.pages.portal.base_state import Caller
from careconnect_app.pages.portal.today import _board_view, _entry_text, _record
from careconnect_app.portal import taps, today
from careconnect_app.statuses import TapAction
from tests.fakes.board import MORNING, door, tap, user


def test_entry_text_in_both_languages():
    pair = today.BoardEntry(1, time(8, 2, 41), time(13, 5), False, "")
    assert _entry_text(pair, "en") == "In 8:02\u00a0AM · Out 1:05\u00a0PM"
    assert _entry_text(pair, "es") == "Entrada 8:02\u00a0a.\u00a0m. · Salida 1:05\u00a0p.\u00a0m."
    assert _entry_text(today.BoardEntry(2, time(13), None, False, ""), "en") == "In 1:00\u00a0PM"
    assert _entry_text(today.BoardEntry(3, None, None, True, "Sick"), "es") == "Ausente: Sick"


def test_the_view_and_the_answers_to_a_batch(database, monkeypatch):
    d = door()
    monkeypatch.setattr(taps, "utcnow", lambda: MORNING + timedelta(minutes=1))
    monkeypatch.setattr(today, "local_today", lambda tz, now=None: formatting.local_today(tz, now or MORNING))
    sent = [tap(d.children[0], TapAction.CHECK_IN, MORNING, sent=MORNING + timedelta(minutes=1), queued=True),
            tap(d.other_child, TapAction.CHECK_IN, MORNING)]
    with session_scope() as s:
        caller = Caller(user(s, d.staff), "10.0.0.1", "phone")
        results, view = _record(s, caller, sent, "en")
    assert [r.outcome for r in results] == ["recorded", "refused"]
    assert view["day"] == "2026-11-16" and view["timezone"] == "America/Los_Angeles"
    assert view["day_label"] == "Monday, November 16, 2026"
    mateo = view["cards"][0]
    assert (mateo["name"], mateo["presence"], mateo["locked"]) == ("Mateo García", "in", False)
    assert mateo["entries"][0]["text"] == "In 8:00\u00a0AM" and mateo["sheet_url"].startswith("/portal/sheets/")
    assert [c["name"] for c in view["cards"]] == ["Mateo García", "Olivia Johnson", "Sofía Hernández"]
    with session_scope() as s:
        assert _board_view(s, Caller(user(s, d.admin), "", ""), "en") is None
