"""The words and values the documents print: documents.json strings and what they say about the evidence.

Everything reads the canonical document (a dict) or the evidence handed in, never the database.
"""

from __future__ import annotations

from datetime import date, datetime

from careconnect_app.clock import iso
from careconnect_app.common.formatting import format_long_period, format_utc_datetime
from careconnect_app.documents.evidence_types import SignatureEvidence
from careconnect_app.i18n import normalise_locale, t

DASH = "—"  # what an empty value prints as


class Words:
    """The "documents." strings of one reader's locale (i18n.t with the area and locale bound)."""

    def __init__(self, locale: str | None):
        self.locale = normalise_locale(locale)

    def __call__(self, key: str, **values: object) -> str:
        return t(f"documents.{key}", self.locale, **values)

    def known(self, prefix: str, value: str | None) -> str:
        """Translate a machine value such as an event key; unknown values print as they are."""
        if not value:
            return ""
        key = f"documents.{prefix}.{value}"
        text = t(key, self.locale)
        return value if text == key else text  # i18n.t answers a missing key with the key itself


def party_name(document: dict, part: str) -> str:
    """The name of the document's "child", "guardian", "provider" or "agency"."""
    return str((document.get(part) or {}).get("name") or "")


def parse_date(value: object) -> date | None:
    """The date of an ISO date or datetime string; None when it is not one."""
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def period_bounds(document: dict) -> tuple[date | None, date | None]:
    period = document.get("period") or {}
    return parse_date(period.get("start")), parse_date(period.get("end"))


def period_text(document: dict, words: Words) -> str:
    start, end = period_bounds(document)
    if not start or not end:
        return DASH
    return format_long_period(start, end, words.locale)


def when(value: str | datetime, words: Words) -> str:
    """Human UTC date and time followed by the exact ISO value."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return f"{format_utc_datetime(value, words.locale)} ({iso(value)})"


def verification_text(signature: SignatureEvidence, words: Words) -> str:
    if signature.verification:
        return words.known("verification", signature.verification)
    return words("verification.in_person" if signature.in_person else "verification.none")


def signing_method_text(signature: SignatureEvidence, words: Words) -> str:
    return words("signing.in_person" if signature.in_person else "signing.remote")


def signature_method_text(signature: SignatureEvidence, words: Words) -> str:
    """Drawn by hand, or a typed name adopted as the signature."""
    return words.known("signature_method", signature.signature_method) or words("signature_method.drawn")
