"""A verification report in words, in the reader's language: what the /verify page shows and the command prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from careconnect_app.common.formatting import format_long_period, format_utc_stamp, format_zoned_datetime, zone
from careconnect_app.evidence import keys
from careconnect_app.evidence.verify import CHECKS, Report, Summary
from careconnect_app.i18n import t

__all__ = ["ReportWords", "auditor_facts", "in_words"]


@dataclass
class ReportWords:
    verified: bool
    verdict: str  # "Verified" / "Not verified"
    verdict_body: str
    problem: str  # why nothing could be checked ("" when the checks ran)
    checks: list[dict[str, str]] = field(default_factory=list)  # {"state": "ok"|"bad"|"none", "text": ...}
    summary: list[dict[str, str]] = field(default_factory=list)  # {"label": ..., "value": ...}


def in_words(report: Report, locale: str) -> ReportWords:
    verified = report.verified
    words = ReportWords(
        verified=verified,
        verdict=t("verify.verdict.verified" if verified else "verify.verdict.not_verified", locale),
        verdict_body=t("verify.verdict.verified_body" if verified else "verify.verdict.not_verified_body", locale),
        problem=t(f"verify.problem.{report.problem}", locale) if report.problem else "",
    )
    if report.problem:
        return words
    for name in CHECKS:
        ok = report.results.get(name)
        state = "none" if ok is None else "ok" if ok else "bad"
        if ok is None and name != "seal":
            state = "bad"  # only the seal may go unchecked (no file given)
        words.checks.append({"state": state, "text": t(f"verify.check.{name}.{state}", locale)})
    if report.summary is not None:
        words.summary = _summary_rows(report.summary, locale)
    return words


def _summary_rows(summary: Summary, locale: str) -> list[dict[str, str]]:
    """What was signed, when and how: no more than the copy prints."""
    from_date = _date(summary.period_start)
    to_date = _date(summary.period_end)
    period = format_long_period(from_date, to_date, locale) if from_date and to_date else ""
    when = ""
    if summary.signed_at is not None:
        local = format_zoned_datetime(summary.signed_at, zone(summary.timezone), locale)
        when = f"{local} ({format_utc_stamp(summary.signed_at)})"
    method = ("method.in_person" if summary.in_person and not summary.channel
              else f"method.{summary.channel}" if summary.channel in ("email", "sms") else "method.none")
    rows = [
        ("summary.what", t("verify.summary.document", locale, child=summary.child, period=period)
         + " · " + t("verify.summary.version", locale, version=summary.sheet_version)),
        ("summary.agency", summary.agency),
        ("summary.provider", summary.provider),
        ("summary.signer", summary.signer),
        ("summary.signed_at", when),
        ("summary.method", t(f"verify.{method}", locale)),
        ("summary.reference", summary.reference),
        ("summary.hash", summary.document_hash),
    ]
    return [{"label": t(f"verify.{key}", locale), "value": value} for key, value in rows]


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def auditor_facts(locale: str) -> list[str]:
    """The fingerprints an auditor compares with what a copy carries."""
    key = keys.key_id(keys.manifest_key().public_key())
    cert = keys.certificate_fingerprint(keys.seal_identity().certificate)
    return [t("verify.keys.evidence", locale, fingerprint=key), t("verify.keys.seal", locale, fingerprint=cert),
            t("verify.keys.how", locale)]
