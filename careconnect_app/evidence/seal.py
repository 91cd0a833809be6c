"""Sealed PDFs: the evidence files embedded and the whole file signed (PAdES, pyHanko).

A sealed PDF carries four embedded files an auditor can take out with any PDF reader:
`attendance-document.json` (the canonical document, the exact bytes its SHA-256 covers),
`evidence-manifest.json` (the signed manifest's exact bytes), `evidence-manifest.sig` (its raw
Ed25519 signature) and `evidence-public-key.pem` (the key that signed it). Then the file is signed
as a certifying PAdES signature that allows no later change, with the deployment's seal
certificate: a PDF reader shows the seal, and any byte changed afterwards breaks it.

Sealing and checking are CPU work: callers run them off the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.pdf_utils import embed
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from careconnect_app.evidence import keys

log = logging.getLogger(__name__)

DOCUMENT_FILE = "attendance-document.json"
MANIFEST_FILE = "evidence-manifest.json"
SIGNATURE_FILE = "evidence-manifest.sig"
PUBLIC_KEY_FILE = "evidence-public-key.pem"
SEAL_FIELD = "CareConnectSeal"


@dataclass(frozen=True)
class EvidenceFiles:
    """What a sealed PDF carries besides its pages."""

    document_json: str
    manifest_json: str
    manifest_signature: bytes
    public_key_pem: bytes

    def as_files(self) -> list[tuple[str, bytes, str, str]]:
        """(name, data, MIME type, description) of each embedded file (a signature made before
        manifests existed carries the document only)."""
        files = [
            (DOCUMENT_FILE, self.document_json.encode("utf-8"), "application/json",
             "The canonical attendance document; its SHA-256 is the document hash printed on every page."),
            (MANIFEST_FILE, self.manifest_json.encode("utf-8"), "application/json",
             "The evidence manifest, exactly as signed with the deployment's Ed25519 key."),
            (SIGNATURE_FILE, self.manifest_signature, "application/octet-stream",
             "The manifest's raw Ed25519 signature (64 bytes)."),
            (PUBLIC_KEY_FILE, self.public_key_pem, "application/x-pem-file",
             "The public key that signed the manifest; compare its fingerprint with the one the agency publishes."),
        ]
        return [f for f in files if f[1]]


class _Signer(signers.SimpleSigner):
    """pyHanko's signer with the private key parsed once per process.

    pyHanko parses the key again for every signature (twice per PDF), and parsing an RSA key means
    checking it: 0.4 s each time on a busy machine. RSA PKCS#1 v1.5 and ECDSA sign with the parsed
    key; any other mechanism goes pyHanko's own way.
    """

    def __init__(self, *, parsed_key, **kwargs):
        super().__init__(**kwargs)
        self._parsed_key = parsed_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._parsed_key, RSAPrivateKey):
            return self._parsed_key.sign(data, PKCS1v15(), hash_algo)
        if mechanism == "ecdsa" and isinstance(self._parsed_key, EllipticCurvePrivateKey):
            return self._parsed_key.sign(data, ECDSA(hash_algo))
        return super().sign_raw(data, digest_algorithm)


def seal(pdf: bytes, files: EvidenceFiles, *, reason: str, location: str = "") -> bytes:
    """Embed the evidence files, then sign the whole file with the deployment's seal certificate."""
    identity = keys.seal_identity()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    for name, data, mime, description in files.as_files():
        stream = embed.EmbeddedFileObject.from_file_data(writer, data, mime_type=mime)
        embed.embed_file(writer, embed.FileSpec(file_spec_string=name, file_name=name, embedded_data=stream,
                                                description=description))
    chain = [asn1_x509.Certificate.load(der) for der in identity.chain]
    signer = _Signer(
        parsed_key=keys.seal_private_key(),
        signing_cert=asn1_x509.Certificate.load(identity.certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(identity.private_key),
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        certify=True, docmdp_permissions=fields.MDPPerm.NO_CHANGES, reason=reason, location=location or None,
    )
    out = io.BytesIO()
    room = _room_for_seal(signer, identity.certificate)
    signers.sign_pdf(writer, meta, signer=signer, output=out, bytes_reserved=room)
    return out.getvalue()


_rooms: dict[bytes, int] = {}  # seal certificate -> the room its signature value is given in a PDF
_rooms_lock = threading.Lock()


def _room_for_seal(signer: _Signer, certificate: bytes) -> int:
    """The room (hex digits) a seal's signature value is given, worked out once per certificate.

    Left to itself, pyHanko signs a dummy in every PDF to measure the room (a third of a seal's
    CPU). The size depends only on the certificates and the key, so one dummy per certificate tells
    it: measured as pyHanko measures it, with its margin of half again.
    """
    with _rooms_lock:
        if certificate not in _rooms:
            dummy = asyncio.run(signer.async_sign(
                hashlib.sha256().digest(), "sha256", dry_run=True, use_pades=True,
                signed_attr_settings=PdfCMSSignedAttributes(signing_time=datetime.now(UTC))))
            size = 2 * len(dummy.dump())
            _rooms[certificate] = size + 2 * (size // 4)
        return _rooms[certificate]


def embedded_files(pdf: bytes) -> dict[str, bytes]:
    """The files embedded in a PDF by name ({} when there are none or the file cannot be read)."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        return {str(names[i]): names[i + 1]["/EF"]["/F"].data for i in range(0, len(names) - 1, 2)}
    except Exception:  # noqa: BLE001 (any damage means: nothing we can trust is embedded)
        return {}


@dataclass(frozen=True)
class SealCheck:
    """What a PDF's seal says about it."""

    present: bool  # the file has a signature at all
    intact: bool  # the signed bytes are unchanged and the signature over them is valid
    trusted: bool  # signed with this deployment's seal (or one it still accepts)
    whole_file: bool  # nothing was added after the seal
    signer: str = ""
    signed_at: datetime | None = None
    certificate_sha256: str = ""

    @property
    def ok(self) -> bool:
        return self.present and self.intact and self.trusted and self.whole_file


def _der_length(data: bytes) -> int:
    """The length of the DER value at the start of `data`, header included (0 when it is not one)."""
    if len(data) < 2:
        return 0
    if data[1] < 0x80:
        return 2 + data[1]
    size = data[1] & 0x7F
    return 2 + size + int.from_bytes(data[2:2 + size], "big")


def _contents_exact(pdf: bytes, sig_object) -> bool:
    """The signature value's placeholder holds the signature and zeros only.

    A PDF signature covers every byte but its own value, a hex string padded with zeros; a byte
    changed in the padding would leave the signature valid. We refuse that too: any byte changed.
    """
    try:
        start, length, gap_end = (int(x) for x in list(sig_object["/ByteRange"])[:3])
    except (KeyError, TypeError, ValueError):
        return False
    raw = pdf[start + length:gap_end]
    # One case throughout: "A" changed to "a" is the same value, but a changed byte all the same.
    if not (raw.startswith(b"<") and raw.endswith(b">")) or not re.fullmatch(rb"[0-9A-F]*|[0-9a-f]*", raw[1:-1]):
        return False
    value = bytes.fromhex(raw[1:-1].decode("ascii"))
    used = _der_length(value)
    return 0 < used <= len(value) and not any(value[used:])


def check_seal(pdf: bytes) -> SealCheck:
    """Validate the PDF's seal against the certificates this deployment trusts (no network access)."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        found = reader.embedded_signatures
    except Exception:  # noqa: BLE001 (a damaged file has no usable seal)
        return SealCheck(False, False, False, False)
    if len(found) != 1:
        return SealCheck(bool(found), False, False, False)
    roots = [asn1_x509.Certificate.load(der) for der in keys.trusted_seal_certificates()]
    try:
        status = validate_pdf_signature(found[0], ValidationContext(trust_roots=roots, allow_fetching=False))
    except Exception as exc:  # noqa: BLE001 (pyHanko raises on a damaged signature value)
        log.info("seal validation failed: %s", exc)
        return SealCheck(True, False, False, False)
    cert = status.signing_cert
    return SealCheck(
        present=True,
        intact=bool(status.intact and status.valid) and _contents_exact(pdf, found[0].sig_object),
        trusted=bool(status.trusted),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer=cert.subject.human_friendly if cert is not None else "",
        signed_at=status.signer_reported_dt,
        certificate_sha256=keys.certificate_fingerprint(cert.dump()) if cert is not None else "",
    )
