"""Demo data: seeded through the real submission, on an empty database only."""

from __future__ import annotations

import json

from careconnect_app.__main__ import main


def test_demo_goes_through_submission_and_writes_the_outbox(database):
    assert main(["demo", "--json"]) == 0
    lines = [json.loads(x) for x in database.outbox.read_text().splitlines()]
    assert {m["kind"] for m in lines} == {"ready_to_sign"}
    assert {m["locale"] for m in lines} == {"en", "es"}
    assert main(["demo"]) == 1  # refuses to seed a database that has data
