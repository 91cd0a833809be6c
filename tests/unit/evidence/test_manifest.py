"""The manifest binds everything about one signature, signed with the deployment's Ed25519 key."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from careconnect_app.common.crypto import sha256_hex
from careconnect_app.evidence import keys, manifest

DOCUMENT = json.dumps({"schema": "careconnect.attendance.v2", "sheet_id": 7, "sheet_version": 2, "locale": "es",
                       "consent": {"version": "esign-consent-v1", "text": "Acepto", "agreement": "Sí"},
                       "certification": {"version": "parent-cert-v1", "text": "Certifico"}}, sort_keys=True)


def _facts(**overrides) -> manifest.SigningFacts:
    values = dict(reference="CC-7F3K-9Q2M", document_json=DOCUMENT, strokes_json='{"strokes":[]}', png=b"png",
                  signer_name="Ana García", guardian_id=3, verification_channel="sms", destination_hmac="d" * 64,
                  in_person=False, signed_at=datetime(2026, 11, 9, 18, 15, 3, 123456, tzinfo=UTC), ip="198.51.100.7",
                  user_agent="Mozilla/5.0", previous_event_hash="e" * 64)
    values.update(overrides)
    return manifest.SigningFacts(**values)


def test_manifest_holds_every_fact_as_a_hash_or_value():
    data = manifest.build(_facts())
    assert data["document"] == {"sha256": sha256_hex(DOCUMENT), "schema": "careconnect.attendance.v2",
                                "sheet_id": 7, "sheet_version": 2, "locale": "es"}
    assert data["texts"]["consent"]["sha256"] == sha256_hex('{"agreement":"Sí","text":"Acepto","version":"esign-consent-v1"}')
    assert data["texts"]["certification"]["version"] == "parent-cert-v1"
    assert data["mark"] == {"strokes_sha256": sha256_hex('{"strokes":[]}'), "png_sha256": sha256_hex(b"png")}
    assert data["signer"] == {"name": "Ana García", "guardian_id": 3}
    assert data["verification"] == {"channel": "sms", "destination_hmac": "d" * 64, "in_person": False}
    assert data["signed_at"] == "2026-11-09T18:15:03Z" and data["client"]["ip"] == "198.51.100.7"
    assert data["audit"] == {"previous_event_sha256": "e" * 64}


def test_signature_is_valid_only_for_the_exact_bytes_and_a_trusted_key():
    signed = manifest.sign(manifest.build(_facts()))
    assert signed.key_id == keys.key_id(keys.manifest_key().public_key()) == signed.data["key_id"]
    assert manifest.signature_valid(signed.json, signed.signature)
    assert not manifest.signature_valid(signed.json.replace("Ana", "Ann"), signed.signature)
    assert not manifest.signature_valid(signed.json, bytes(64))
    assert not manifest.signature_valid(signed.json.replace(signed.key_id, "f" * 64), signed.signature)
    assert not manifest.signature_valid("not json", signed.signature)
