"""A verification report in words: the verdict, each check, and only what the copy itself prints."""

from __future__ import annotations

from datetime import UTC, datetime

from careconnect_app.evidence import report_words
from careconnect_app.evidence.verify import Report, Summary

SUMMARY = Summary(reference="CC-7F3K-9Q2M", agency="Valley", provider="Little Sprouts", child="Mateo García",
                  signer="Ana García", period_start="2026-11-02", period_end="2026-11-08", sheet_version=2,
                  signed_at=datetime(2026, 11, 9, 18, 15, 3, tzinfo=UTC), timezone="America/Los_Angeles",
                  channel="sms", in_person=False, document_hash="a" * 64)


def test_a_verified_file_in_spanish():
    report = Report(results=dict.fromkeys(("seal", "manifest", "document", "record", "attendance", "audit"), True),
                    summary=SUMMARY)
    words = report_words.in_words(report, "es")
    assert words.verified and words.verdict == "Verificado"
    assert [c["state"] for c in words.checks] == ["ok"] * 6
    summary = {row["label"]: row["value"] for row in words.summary}
    assert summary["Firmado por"] == "Ana García"
    assert summary["Fecha de la firma"] == "9 de noviembre de 2026, 10:15 PST (2026-11-09 18:15:03 UTC)"
    assert summary["Cómo se identificó a quien firmó"] == "Un código de un solo uso enviado por mensaje de texto"
    assert summary["Documento"] == ("Asistencia de Mateo García, del 2 de noviembre de 2026 al 8 de noviembre de "
                                    "2026 · Versión de la hoja 2")
    assert list(summary) == ["Documento", "Agencia", "Proveedor", "Firmado por", "Fecha de la firma",
                             "Cómo se identificó a quien firmó", "Número de referencia", "Hash del documento (SHA-256)"]


def test_reference_checks_leave_the_seal_unchecked_but_still_verify():
    report = Report(results={**dict.fromkeys(("manifest", "document", "record", "attendance", "audit"), True),
                             "seal": None})
    words = report_words.in_words(report, "en")
    assert words.verified and words.checks[0] == {"state": "none", "text": words.checks[0]["text"]}
    assert "not checked" in words.checks[0]["text"]


def test_one_failed_check_is_not_verified_and_a_problem_is_said_plainly():
    results = dict.fromkeys(("seal", "manifest", "document", "record", "attendance", "audit"), True)
    words = report_words.in_words(Report(results={**results, "attendance": False}), "en")
    assert not words.verified and words.verdict == "Not verified"
    assert [c["text"] for c in words.checks if c["state"] == "bad"] == [
        "The attendance on record was changed after it was signed."]
    missing = report_words.in_words(Report(results={**results, "audit": None}), "en")
    assert not missing.verified
    problem = report_words.in_words(Report(problem="not_found"), "en")
    assert not problem.verified and problem.checks == [] and "No signed copy has this reference" in problem.problem
