"""The words documents print: spelled-out dates in both languages, and machine values they do not know."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from careconnect_app.common.formatting import format_long_date, format_long_period, format_utc_datetime, zone
from careconnect_app.documents.wording import DASH, Words, period_text, when


def test_long_dates_spell_out_months_and_weekdays():
    assert format_long_date(date(2026, 11, 2), "en") == "November 2, 2026"
    assert format_long_date(date(2026, 11, 2), "es", weekday=True) == "lunes, 2 de noviembre de 2026"
    assert format_long_period(date(2026, 11, 2), date(2026, 11, 8), "es") == (
        "del 2 de noviembre de 2026 al 8 de noviembre de 2026")


def test_utc_datetime_reads_the_same_for_naive_and_aware_values():
    naive = datetime(2026, 11, 9, 18, 15, 3)
    pacific = naive.replace(tzinfo=timezone.utc).astimezone(timezone(timedelta(hours=-8)))
    assert format_utc_datetime(naive, "en") == format_utc_datetime(pacific, "en") == "November 9, 2026, 6:15 PM UTC"
    assert format_utc_datetime(naive, "es") == "9 de noviembre de 2026, 18:15 UTC"
    assert when("2026-11-09T18:15:03Z", Words("en")) == "November 9, 2026, 6:15 PM UTC (2026-11-09 18:15:03 UTC)"
    assert when("not a time", Words("en")) == "not a time"


def test_times_are_in_the_agencys_zone_with_utc_beside_them():
    pacific, eastern = zone("America/Los_Angeles"), zone("America/New_York")
    assert when("2026-11-09T18:15:03Z", Words("en"), pacific) == (
        "November 9, 2026, 10:15 AM PST (2026-11-09 18:15:03 UTC)")
    assert when("2026-07-09T18:15:03Z", Words("es"), eastern) == (
        "9 de julio de 2026, 14:15 EDT (2026-07-09 18:15:03 UTC)")
    # Late evening in California is already the next day in UTC: both dates are printed.
    assert when("2026-11-10T05:30:00Z", Words("en"), pacific) == (
        "November 9, 2026, 9:30 PM PST (2026-11-10 05:30:00 UTC)")
    assert zone("Not/AZone") == timezone.utc and zone(None).key == "UTC"


def test_words_translate_known_values_and_leave_unknown_ones():
    words = Words("es-MX")
    assert words.locale == "es"
    assert words.known("event", "signed") == "Documento firmado"
    assert words.known("event", "custom_thing") == "custom_thing"
    assert words.known("channel", None) == ""


def test_a_period_without_dates_prints_a_dash():
    assert period_text({"period": {"start": "2026-11-02"}}, Words("en")) == DASH
