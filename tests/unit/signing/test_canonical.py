"""The signed document's hash covers everything the parent was shown, in a canonical JSON form."""

from __future__ import annotations

import json

from careconnect_app.db import session_scope
from careconnect_app.models import SigningRequest
from careconnect_app.signing import canonical


def test_hash_changes_when_anything_shown_changes(make_request):
    request_id, _ = make_request()
    with session_scope() as s:
        req = s.get(SigningRequest, request_id)
        en = canonical.document_for(s, req, "en")
        es = canonical.document_for(s, req, "es")
    assert canonical.document_hash(en) != canonical.document_hash(es)
    changed = json.loads(json.dumps(en))
    changed["days"][0]["pairs"][0]["out"] = "12:31"
    assert canonical.document_hash(changed) != canonical.document_hash(en)
    assert canonical.document_hash(json.loads(canonical.canonical_json(en))) == canonical.document_hash(en)
