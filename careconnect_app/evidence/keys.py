"""The deployment's evidence keys: the Ed25519 key that signs manifests, the certificate that seals PDFs.

Production reads both from configuration (README: "Evidence keys"). Development generates them on
first use beside the development secret key, in `.careconnect/` (never in git): one file per key,
written atomically so two processes starting together agree on the same key.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID

from careconnect_app.config import PROJECT_ROOT, Settings, get_settings

DEV_FOLDER = PROJECT_ROOT / ".careconnect"
DEV_EVIDENCE_KEY = "evidence_key.pem"
DEV_SEAL = "seal.pem"  # the development seal: its private key and self-signed certificate in one file
SEAL_VALIDITY = timedelta(days=3650)


class KeyConfigurationError(RuntimeError):
    """The evidence keys are missing or unreadable (production must configure them)."""


@dataclass(frozen=True)
class SealIdentity:
    """The certificate (with its chain) and private key that seal PDFs, as DER."""

    certificate: bytes
    chain: tuple[bytes, ...]
    private_key: bytes  # PKCS#8, unencrypted (kept in memory only)


# --- the manifest key (Ed25519) ------------------------------------------------------------------


def key_id(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key: the fingerprint an auditor compares."""
    return hashlib.sha256(public_raw(public_key)).hexdigest()


def public_raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def manifest_key(settings: Settings | None = None) -> Ed25519PrivateKey:
    """The key that signs every manifest of this deployment."""
    s = settings or get_settings()
    return _manifest_key(s.evidence_key_pem, s.evidence_key_file, s.is_prod)


@lru_cache(maxsize=4)
def _manifest_key(inline_pem: str, path: str, is_prod: bool) -> Ed25519PrivateKey:
    if inline_pem:
        pem = inline_pem.encode("ascii")
    elif path:
        pem = _read(path, "CARECONNECT_EVIDENCE_KEY_FILE")
    elif is_prod:
        raise KeyConfigurationError(
            "CARECONNECT_EVIDENCE_KEY_FILE (or CARECONNECT_EVIDENCE_KEY) must be set in production: it signs "
            "the evidence of every signature. `python -m careconnect_app evidence-keys DIR` makes one.")
    else:
        pem = _dev_file(DEV_EVIDENCE_KEY, new_evidence_key_pem)
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyConfigurationError("The evidence key must be an Ed25519 private key (PEM, PKCS#8).")
    return key


def trusted_public_keys(settings: Settings | None = None) -> dict[str, Ed25519PublicKey]:
    """key id -> public key: this deployment's key, and older ones it still accepts."""
    s = settings or get_settings()
    current = manifest_key(s).public_key()
    keys = {key_id(current): current}
    if s.evidence_trusted_keys_file:
        for block in _pem_blocks(_read(s.evidence_trusted_keys_file, "CARECONNECT_EVIDENCE_TRUSTED_KEYS_FILE")):
            public = serialization.load_pem_public_key(block)
            if isinstance(public, Ed25519PublicKey):
                keys[key_id(public)] = public
    return keys


def new_evidence_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


# --- the seal (PAdES certificate and key) ---------------------------------------------------------


def seal_identity(settings: Settings | None = None) -> SealIdentity:
    """The certificate and key that seal this deployment's PDFs."""
    s = settings or get_settings()
    return _seal_identity(s.seal_cert_file, s.seal_key_file, s.seal_key_password, s.is_prod)


@lru_cache(maxsize=4)
def _seal_identity(cert_path: str, key_path: str, password: str, is_prod: bool) -> SealIdentity:
    if cert_path and key_path:
        certs, key_pem = _pem_blocks(_read(cert_path, "CARECONNECT_SEAL_CERT_FILE")), _read(
            key_path, "CARECONNECT_SEAL_KEY_FILE")
    elif cert_path or key_path or is_prod:
        raise KeyConfigurationError(
            "CARECONNECT_SEAL_CERT_FILE and CARECONNECT_SEAL_KEY_FILE must both be set in production: they "
            "seal the signed PDFs. `python -m careconnect_app evidence-keys DIR` makes a self-signed pair.")
    else:
        combined = _dev_file(DEV_SEAL, new_seal_pem)
        certs, key_pem = [b for b in _pem_blocks(combined) if b"CERTIFICATE" in b], combined
    if not certs:
        raise KeyConfigurationError("The seal certificate file holds no PEM certificate.")
    try:
        key = serialization.load_pem_private_key(key_pem, password=password.encode("utf-8") or None)
    except (ValueError, TypeError) as exc:
        raise KeyConfigurationError(f"The seal key cannot be read ({exc}); check CARECONNECT_SEAL_KEY_PASSWORD.") from exc
    der = [x509.load_pem_x509_certificate(c).public_bytes(serialization.Encoding.DER) for c in certs]
    return SealIdentity(der[0], tuple(der[1:]), key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def seal_private_key(settings: Settings | None = None):
    """The seal's private key, parsed (and, for RSA, checked) once per process."""
    return _parsed_key(seal_identity(settings).private_key)


@lru_cache(maxsize=4)
def _parsed_key(pkcs8_der: bytes):
    return serialization.load_der_private_key(pkcs8_der, password=None)


def trusted_seal_certificates(settings: Settings | None = None) -> list[bytes]:
    """DER certificates a seal may chain to: this deployment's, its chain, and older ones still accepted."""
    s = settings or get_settings()
    identity = seal_identity(s)
    trusted = [identity.certificate, *identity.chain]
    if s.seal_trusted_certs_file:
        for block in _pem_blocks(_read(s.seal_trusted_certs_file, "CARECONNECT_SEAL_TRUSTED_CERTS_FILE")):
            trusted.append(x509.load_pem_x509_certificate(block).public_bytes(serialization.Encoding.DER))
    return trusted


def certificate_fingerprint(der: bytes) -> str:
    """SHA-256 of a DER certificate, as an auditor reads it in a PDF reader's certificate viewer."""
    return hashlib.sha256(der).hexdigest()


def new_seal_pem(common_name: str = "CareConnect Sign evidence seal (development)",
                 organisation: str = "CareConnect Sign") -> bytes:
    """A private key and a self-signed sealing certificate, PEM, in one file (key first)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + SEAL_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()) + cert.public_bytes(serialization.Encoding.PEM)


def write_key_files(folder: Path) -> dict[str, str]:
    """New production-style key files in `folder`; returns the settings that point at them."""
    folder.mkdir(parents=True, exist_ok=True)
    seal = new_seal_pem("CareConnect Sign evidence seal")
    blocks = _pem_blocks(seal)
    files = {
        "CARECONNECT_EVIDENCE_KEY_FILE": ("evidence_key.pem", new_evidence_key_pem()),
        "CARECONNECT_SEAL_KEY_FILE": ("seal_key.pem", b"".join(b for b in blocks if b"PRIVATE KEY" in b)),
        "CARECONNECT_SEAL_CERT_FILE": ("seal_cert.pem", b"".join(b for b in blocks if b"CERTIFICATE" in b)),
    }
    settings = {}
    for variable, (name, data) in files.items():
        path = folder / name
        _write_private(path, data)
        settings[variable] = str(path)
    return settings


def check_configuration(settings: Settings | None = None) -> None:
    """Load both keys now: raises KeyConfigurationError saying what is missing or unreadable."""
    manifest_key(settings)
    seal_private_key(settings)  # parsing (and checking) an RSA key takes a while: once, at start
    trusted_public_keys(settings)
    trusted_seal_certificates(settings)


# --- files -------------------------------------------------------------------------------------


def _read(path: str, variable: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise KeyConfigurationError(f"{variable}={path!r} cannot be read: {exc.strerror}.") from exc


def _pem_blocks(data: bytes) -> list[bytes]:
    """Each "-----BEGIN ...-----" ... "-----END ...-----" block of a PEM file."""
    blocks, current = [], []
    for line in data.splitlines(keepends=True):
        if line.startswith(b"-----BEGIN"):
            current = [line]
        elif current:
            current.append(line)
            if line.startswith(b"-----END"):
                blocks.append(b"".join(current))
                current = []
    return blocks


def _dev_file(name: str, make) -> bytes:
    """A development key file, created once (the first of several starting processes wins)."""
    path = DEV_FOLDER / name
    if not path.exists():
        _write_private(path, make())
    return path.read_bytes()


def _write_private(path: Path, data: bytes) -> None:
    """Write a 0600 file atomically; an existing file is kept (another process made it first)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.write(fd, data)
        os.close(fd)
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # fails if the file exists: never replace a key already in use
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
