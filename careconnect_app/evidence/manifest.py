"""The evidence manifest: one signed statement per signature binding what was signed to how and by whom.

It holds hashes, not copies: the canonical document, the consent and certification texts shown,
the drawn strokes and the signature image; the signer, the verification channel and a keyed hash
of the address the code went to; the server time, IP and browser; and the hash of the audit event
before the signature, which anchors the trail up to that moment. It is canonical JSON signed with
the deployment's Ed25519 key, so anyone with the public key can check it with standard tools:

    openssl pkeyutl -verify -pubin -inkey evidence-public-key.pem -rawin -in manifest.json -sigfile manifest.sig
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature

from careconnect_app.clock import iso
from careconnect_app.common.crypto import canonical_json, sha256_hex
from careconnect_app.evidence import keys

MANIFEST_SCHEMA = "careconnect.evidence-manifest.v1"
ALGORITHM = "Ed25519"


@dataclass(frozen=True)
class SigningFacts:
    """What the signing step knows at the moment of signing."""

    reference: str
    document_json: str  # canonical, exactly as hashed
    strokes_json: str
    png: bytes
    signer_name: str
    guardian_id: int
    verification_channel: str  # "email", "sms" or "" (no code required)
    destination_hmac: str  # keyed hash of the address the code went to ("" without a code)
    in_person: bool
    signed_at: datetime
    ip: str
    user_agent: str
    previous_event_hash: str  # the last audit event of the sheet before this signature


@dataclass(frozen=True)
class SignedManifest:
    """The manifest's exact bytes and their Ed25519 signature."""

    json: str  # canonical JSON (the signed bytes, UTF-8)
    signature: bytes
    key_id: str

    @property
    def data(self) -> dict:
        return json.loads(self.json)

    @property
    def sha256(self) -> str:
        return sha256_hex(self.json)


def text_hash(document: dict, part: str) -> str:
    """SHA-256 of one shown text block of the canonical document ("consent", "certification")."""
    return sha256_hex(canonical_json(document.get(part) or {}))


def build(facts: SigningFacts) -> dict:
    """The manifest for one signature (plain data; `sign` turns it into signed bytes)."""
    document = json.loads(facts.document_json)
    return {
        "schema": MANIFEST_SCHEMA,
        "reference": facts.reference,
        "document": {
            "sha256": sha256_hex(facts.document_json),
            "schema": document.get("schema", ""),
            "sheet_id": document.get("sheet_id"),
            "sheet_version": document.get("sheet_version"),
            "locale": document.get("locale", ""),
        },
        "texts": {
            "consent": {"version": (document.get("consent") or {}).get("version", ""),
                        "sha256": text_hash(document, "consent")},
            "certification": {"version": (document.get("certification") or {}).get("version", ""),
                              "sha256": text_hash(document, "certification")},
        },
        "mark": {"strokes_sha256": sha256_hex(facts.strokes_json), "png_sha256": sha256_hex(facts.png)},
        "signer": {"name": facts.signer_name, "guardian_id": facts.guardian_id},
        "verification": {"channel": facts.verification_channel, "destination_hmac": facts.destination_hmac,
                         "in_person": facts.in_person},
        "signed_at": iso(facts.signed_at),
        "client": {"ip": facts.ip, "user_agent": facts.user_agent},
        "audit": {"previous_event_sha256": facts.previous_event_hash},
    }


def sign(manifest: dict) -> SignedManifest:
    """Sign a manifest with this deployment's key (the key id rides inside the signed bytes)."""
    private = keys.manifest_key()
    kid = keys.key_id(private.public_key())
    text = canonical_json({**manifest, "key_id": kid})
    return SignedManifest(text, private.sign(text.encode("utf-8")), kid)


def signature_valid(manifest_json: str, signature: bytes) -> bool:
    """True when a key this deployment trusts signed exactly these bytes."""
    try:
        kid = json.loads(manifest_json).get("key_id", "")
    except (ValueError, AttributeError):
        return False
    public = keys.trusted_public_keys().get(kid) if isinstance(kid, str) else None
    if public is None:
        return False
    try:
        public.verify(signature, manifest_json.encode("utf-8"))
    except InvalidSignature:
        return False
    return True
