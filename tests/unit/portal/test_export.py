"""The CSV export of signed sheets: one row per signed sheet, formulas neutralised, hashes included."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from careconnect_app.db import session_scope
from careconnect_app.portal import export
from careconnect_app.signing import evidence
from tests.fakes.sheets import END, START, sheet_of, submit_and_sign


def test_csv_export_of_signed_sheets(weekly_sheet):
    family = weekly_sheet
    reference = submit_and_sign(family)
    with session_scope() as s:
        text = export.signed_sheets_csv(s, [family["p1"]], START, END)
        signature = evidence.signature_of_sheet(s, sheet_of(s, family))
        other = export.signed_sheets_csv(s, [family["p2"]], START, END)
        wrong_period = export.signed_sheets_csv(s, [family["p1"]], END + timedelta(days=1),
                                                END + timedelta(days=7))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == export.CSV_HEADER
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["child"] == "'=Liam Nguyen"  # formula injection neutralised
    assert row["guardian"] == "Thao Nguyen"
    assert (row["period_start"], row["period_end"]) == ("2026-11-16", "2026-11-22")
    assert row["total_hours"] == "16.50"
    assert (row["days_present"], row["days_absent"]) == ("2", "1")
    assert row["reference"] == reference
    assert row["document_sha256"] == signature.document_hash and len(row["document_sha256"]) == 64
    assert row["signed_at_utc"].endswith("Z")
    assert (row["provider_assisted"], row["signature_disputed_at_utc"]) == ("no", "")
    assert len(list(csv.reader(io.StringIO(other)))) == 1  # another provider: header only
    assert len(list(csv.reader(io.StringIO(wrong_period)))) == 1
    assert json.loads(signature.document_json)["totals"]["minutes"] == 990
