"""The deployment's evidence keys: from configuration in production, generated once in development."""

from __future__ import annotations

import os
import threading

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from careconnect_app.__main__ import main
from careconnect_app.config import Settings, get_settings
from careconnect_app.evidence import keys


def _settings(**fields) -> Settings:
    return Settings(**{**get_settings().__dict__, **fields})


def test_development_generates_each_key_once(tmp_path, monkeypatch):
    monkeypatch.setattr(keys, "DEV_FOLDER", tmp_path)
    dev = _settings(env="dev", evidence_key_file="", evidence_key_pem="", seal_cert_file="", seal_key_file="")
    results = []
    threads = [threading.Thread(target=lambda: results.append(keys.key_id(keys.manifest_key(dev).public_key())))
               for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(set(results)) == 1  # processes starting together agree on one key
    assert (tmp_path / keys.DEV_EVIDENCE_KEY).stat().st_mode & 0o777 == 0o600
    identity = keys.seal_identity(dev)
    assert identity.certificate and (tmp_path / keys.DEV_SEAL).exists()
    assert keys.seal_identity(dev) == identity


def test_production_refuses_to_start_without_keys():
    prod = _settings(env="prod", evidence_key_file="", evidence_key_pem="", seal_cert_file="", seal_key_file="")
    with pytest.raises(keys.KeyConfigurationError, match="CARECONNECT_EVIDENCE_KEY_FILE"):
        keys.check_configuration(prod)
    half = _settings(env="prod", seal_key_file="")
    with pytest.raises(keys.KeyConfigurationError, match="CARECONNECT_SEAL_CERT_FILE and CARECONNECT_SEAL_KEY_FILE"):
        keys.seal_identity(half)
    missing = _settings(evidence_key_file="/nonexistent/key.pem", evidence_key_pem="")
    with pytest.raises(keys.KeyConfigurationError, match="cannot be read"):
        keys.manifest_key(missing)


def test_an_inline_key_and_older_trusted_keys(tmp_path):
    pem = keys.new_evidence_key_pem().decode()
    inline = _settings(evidence_key_pem=pem, evidence_key_file="")
    older = Ed25519PrivateKey.generate().public_key()
    (tmp_path / "old.pem").write_bytes(keys.public_pem(older))
    trusting = _settings(evidence_key_pem=pem, evidence_key_file="", evidence_trusted_keys_file=str(tmp_path / "old.pem"))
    current = keys.manifest_key(inline).public_key()
    assert set(keys.trusted_public_keys(trusting)) == {keys.key_id(current), keys.key_id(older)}
    rsa_like = serialization.load_pem_private_key(keys.new_seal_pem().split(b"-----BEGIN CERTIFICATE")[0], None)
    wrong = rsa_like.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()).decode()
    with pytest.raises(keys.KeyConfigurationError, match="Ed25519"):
        keys.manifest_key(_settings(evidence_key_pem=wrong))


def test_evidence_keys_command_writes_a_set_and_never_replaces_one(tmp_path, capsys):
    folder = tmp_path / "keys"
    assert main(["evidence-keys", str(folder)]) == 0
    printed = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines())
    assert set(printed) == {"CARECONNECT_EVIDENCE_KEY_FILE", "CARECONNECT_SEAL_KEY_FILE", "CARECONNECT_SEAL_CERT_FILE"}
    assert all(os.stat(path).st_mode & 0o777 == 0o600 for path in printed.values())
    configured = _settings(env="prod", evidence_key_file=printed["CARECONNECT_EVIDENCE_KEY_FILE"], evidence_key_pem="",
                           seal_key_file=printed["CARECONNECT_SEAL_KEY_FILE"],
                           seal_cert_file=printed["CARECONNECT_SEAL_CERT_FILE"])
    keys.check_configuration(configured)
    assert main(["evidence-keys", str(folder)]) == 1
