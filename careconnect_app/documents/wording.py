"""The words and values the documents print: documents.json strings and what they say about the evidence.

Everything reads the canonical document (a dict) or the evidence handed in, never the database.
"""

from __future__ import annotations

import json
import string
from datetime import date, datetime, tzinfo

from careconnect_app.common.formatting import (
    format_long_period,
    format_utc_stamp,
    format_zoned_datetime,
    zone,
)
from careconnect_app.documents.evidence_types import AuditEntry, SignatureEvidence
from careconnect_app.documents.rows import DASH
from careconnect_app.i18n import normalise_locale, t
from careconnect_app.statuses import AttendanceEvent

__all__ = ["DASH", "Words", "event_sentence", "parse_date", "party_name", "period_bounds", "period_text", "when",
           "zone_of"]

HASH_SHOWN = 16  # hex digits of a hash quoted inside a sentence (the full hash is printed in its own field)


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

    def has(self, key: str) -> bool:
        return t(f"documents.{key}", self.locale) != f"documents.{key}"


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


def zone_of(document: dict) -> tzinfo:
    """The agency's time zone, as the document names it (UTC for documents without one)."""
    return zone((document.get("agency") or {}).get("timezone"))


def zone_label(tz: tzinfo) -> str:
    return getattr(tz, "key", "UTC")


def when(value: str | datetime, words: Words, tz: tzinfo | None = None) -> str:
    """Local date and time with the zone named, the exact UTC time beside it.

    "November 9, 2026, 10:15 AM PST (2026-11-09 18:15:03 UTC)".
    """
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    local = format_zoned_datetime(value, tz or zone(None), words.locale)
    return words("format.when", local=local, utc=format_utc_stamp(value))


def verification_text(signature: SignatureEvidence, words: Words) -> str:
    if signature.verification:
        return words.known("verification", signature.verification)
    return words("verification.in_person" if signature.in_person else "verification.none")


def signing_method_text(signature: SignatureEvidence, words: Words) -> str:
    return words("signing.in_person" if signature.in_person else "signing.remote")


# --- the audit trail in words -----------------------------------------------------------------------


class _Blank(dict):
    """Format values: a value the event did not record prints as a dash, never as "{key}"."""

    def __missing__(self, key: str) -> str:
        return DASH


def _detail(entry: AuditEntry) -> dict:
    try:
        data = json.loads(entry.detail or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _list_words(items: list[str], words: Words) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f'{", ".join(items[:-1])} {words("and")} {items[-1]}'


TAP_DETAILS = ("action", "day", "time", "offline", "before", "after", "reason", "via", "outcome")


def _value_word(key: str, value: object, words: Words) -> str:
    """A detail's value, translated when it is a known word (a tap's action, "offline": true)."""
    word = f"{key}.{str(value).lower()}"
    text = words.known("value", word)
    return str(value) if text == word else text


def event_sentence(entry: AuditEntry, words: Words) -> str:
    """What happened, as a sentence in the reader's language (never a raw key or value name)."""
    detail = _detail(entry)
    key = f"event_text.{entry.event}" if words.has(f"event_text.{entry.event}") else "event_text.other"
    channels = [words.known("via", c) for c in detail.get("channels") or [] if isinstance(c, str)]
    recipients = [words(f"recipient.{r}") for r in detail.get("recipients") or [] if r in ("provider", "agency")]
    values = _Blank(
        channel=words.known("via", entry.channel or detail.get("channel")) or DASH,
        to=detail.get("to") or DASH,
        attempt=detail.get("attempt", DASH),
        hash=str(detail.get("document_hash") or "")[:HASH_SHOWN] + "…" if detail.get("document_hash") else DASH,
        reference=detail.get("reference") or DASH,
        text=str(detail.get("text") or ""),
        version=detail.get("version", DASH),
        reminder=detail.get("reminder", DASH),
        channels=_list_words(channels, words) or DASH,
        recipients=_list_words(recipients, words) or words("recipient.nobody"),
        # A live tap or a correction of a tapped day (portal/taps.py, portal/corrections.py).
        **{key: _value_word(key, detail[key], words) for key in TAP_DETAILS if key in detail},
    )
    return string.Formatter().vformat(words(key), (), values)


def _sent_offline(entry: AuditEntry) -> bool:
    try:
        return json.loads(entry.detail or "{}").get("offline") is True
    except (ValueError, AttributeError):
        return False


def live_recording_text(events: list[AuditEntry], words: Words) -> str:
    """How the attendance was recorded when it came from live check-in/check-out taps ("" otherwise)."""
    tapped = [e for e in events if e.event == AttendanceEvent.TAPPED]
    if not tapped:
        return ""
    corrected = sum(1 for e in events if e.event == AttendanceEvent.CORRECTED)
    return words("recorded.live", taps=len(tapped), offline=sum(1 for e in tapped if _sent_offline(e)),
                 corrections=corrected)


def signature_method_text(signature: SignatureEvidence, words: Words) -> str:
    """Drawn by hand, or a typed name adopted as the signature."""
    return words.known("signature_method", signature.signature_method) or words("signature_method.drawn")
