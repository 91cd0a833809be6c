"""Every status has its place in every map: a new one cannot be forgotten on a screen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from careconnect_app import statuses
from careconnect_app.statuses import LinkStatus, MessageKind, MessageStatus, PortalStatus, RequestStatus

ROOT = Path(__file__).resolve().parents[2]


def _words(locale: str, area: str) -> dict:
    return json.loads((ROOT / "translations" / locale / f"{area}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("enum, mapping", [
    (RequestStatus, statuses.LINK_STATUS_OF_REQUEST), (LinkStatus, statuses.PARENT_VIEW),
    (PortalStatus, statuses.PORTAL_STATUS_TONE), (MessageStatus, statuses.MESSAGE_STATUS_TONE),
    (MessageStatus, statuses.MESSAGE_STATUS_RANK), (MessageKind, statuses.SECRET_OF_KIND),
])
def test_maps_are_exhaustive(enum, mapping):
    assert set(mapping) == set(enum)


@pytest.mark.parametrize("locale", ["en", "es"])
def test_every_status_has_its_words(locale):
    parent, portal = _words(locale, "parent"), _words(locale, "portal")
    for status in LinkStatus:
        if status is not LinkStatus.OK:
            assert parent.get(f"status.{status}.title") and parent.get(f"status.{status}.body"), status
    for status in PortalStatus:
        assert portal.get(f"status.{status}"), status
    for status in RequestStatus:
        assert portal.get(f"request.{status}"), status
    for status in MessageStatus:
        assert portal.get(f"message.status.{status}"), status
    for kind in MessageKind:
        assert portal.get(f"message.kind.{kind}"), kind


def test_failed_outranks_delivered_so_a_late_bounce_wins():
    rank = statuses.MESSAGE_STATUS_RANK
    assert rank[MessageStatus.QUEUED] < rank[MessageStatus.SENT] < rank[MessageStatus.DELIVERED] < rank[MessageStatus.FAILED]
