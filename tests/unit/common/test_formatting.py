"""Times in the portal are the agency's local times, with the zone said."""

from __future__ import annotations

from datetime import date, datetime, timezone

from careconnect_app.common.formatting import format_local_datetime, local_today


def test_utc_is_shown_in_the_agencys_zone_with_its_abbreviation():
    winter = datetime(2026, 11, 29, 8, 43, 4, tzinfo=timezone.utc)
    assert format_local_datetime(winter, "America/Los_Angeles", "en") == "Nov 29, 2026, 12:43\u00a0AM PST"
    summer = datetime(2026, 7, 1, 19, 5, tzinfo=timezone.utc)
    assert format_local_datetime(summer, "America/Los_Angeles", "es") == "1 de jul de 2026, 12:05\u00a0p.\u00a0m. PDT"
    # Naive values are UTC (how the database returns them on SQLite); unknown zones fall back to UTC.
    assert format_local_datetime(datetime(2026, 11, 29, 8, 43), "Nowhere/Else", "en") == "Nov 29, 2026, 8:43\u00a0AM UTC"
    assert format_local_datetime(None, "UTC", "en") == ""


def test_today_is_the_agencys_date():
    evening_in_california = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
    assert local_today("America/Los_Angeles", evening_in_california) == date(2026, 11, 30)
    assert local_today("UTC", evening_in_california) == date(2026, 12, 1)
