"""The dashboard's period list: only periods it offers can be chosen (any client may send any text)."""

from __future__ import annotations

from datetime import date

from careconnect_app.portal import dashboard

TODAY = date(2026, 11, 28)


def test_offered_periods_round_trip_through_their_value():
    offered = dashboard.offered_periods(TODAY, "weekly")
    assert len(offered) == dashboard.PERIODS_OFFERED
    for start, end in offered:
        assert dashboard.chosen_period(dashboard.period_value(start, end), "weekly", TODAY) == (start, end)


def test_anything_else_is_no_choice():
    week = dashboard.offered_periods(TODAY, "weekly")[0]
    for value in ("", "2026-11-01", "not|dates", "2026-11-02|2026-11-03", "1999-01-01|1999-01-31",
                  dashboard.period_value(*week) + "|x"):
        assert dashboard.chosen_period(value, "weekly", TODAY) is None
    # A weekly period is not a choice for a monthly agency.
    assert dashboard.chosen_period(dashboard.period_value(*week), "monthly", TODAY) is None
