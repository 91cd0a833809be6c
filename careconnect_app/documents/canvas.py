"""PDFs of the signing flow: the signed attendance copy, its completion certificate, the parents' guide.

Plain Python (no Reflex) so pages, background jobs and tests share it. The signed copy and the
certificate are evidence (ESIGN/UETA): they render only the canonical document the parent signed
and the evidence handed in, never re-read the database, and print the document's SHA-256 on every
page. Fonts ship beside this file so accents render the same on every machine.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, XPos, YPos
from fpdf.prefs import ViewerPreferences

__all__ = [
    "AuditEntry",
    "SignatureEvidence",
    "completion_certificate_pdf",
    "guide_sections",
    "guide_title",
    "parent_guide_pdf",
    "signed_attendance_pdf",
]

_FONT_DIR = Path(__file__).resolve().parent / "fonts"
_TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "translations"
_LOCALES = ("en", "es")
_LANG_TAGS = {"en": "en-US", "es": "es-US"}  # US agencies: US English and US Spanish
_FONT = "DejaVu"
_DASH = "—"
_MAX_PERIOD_DAYS = 62  # a corrupt period must not produce thousands of empty rows

_INK = (33, 37, 41)
_MUTED = (95, 100, 108)
_RULE = (190, 196, 202)
_HEAD_FILL = (230, 237, 245)
_SOFT_FILL = (246, 247, 249)
_ABSENT_FILL = (252, 245, 230)


# --- evidence handed in by the caller ----------------------------------------------------------


@dataclass(frozen=True)
class SignatureEvidence:
    """What the signing step recorded (see models.Signature)."""

    signer_name: str
    signed_at: datetime  # UTC; naive values are taken as UTC (the storage convention)
    reference: str
    document_hash: str  # SHA-256 hex of the canonical document
    png: bytes  # the drawn signature
    verification: str | None  # "email", "sms" or None/"" when no code was required
    in_person: bool


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit trail (see models.AuditEvent)."""

    at: datetime
    event: str
    actor: str
    ip: str | None
    user_agent: str | None
    channel: str | None
    detail: str | None


# --- words -----------------------------------------------------------------------------------


def _locale(locale: str | None) -> str:
    """"es-MX", "ES", None ... -> a locale we have files for."""
    base = (locale or "").replace("_", "-").split("-")[0].lower()
    return base if base in _LOCALES else "en"


@lru_cache(maxsize=None)
def _strings(locale: str, name: str) -> dict[str, str]:
    path = _TRANSLATIONS_DIR / locale / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


class _Words:
    """documents.json for one locale, with English and then the key as fallbacks."""

    def __init__(self, locale: str | None):
        self.locale = _locale(locale)

    def get(self, key: str) -> str | None:
        return _strings(self.locale, "documents").get(key) or _strings("en", "documents").get(key)

    def __call__(self, key: str, **values: object) -> str:
        text = self.get(key) or key
        return text.format(**values) if values else text

    def known(self, prefix: str, value: str | None) -> str:
        """Translate a machine value such as an event key; unknown values print as they are."""
        if not value:
            return ""
        return self.get(f"{prefix}.{value}") or value

    def format_date(self, d: date, weekday: bool = False) -> str:
        key = "format.date_weekday" if weekday else "format.date"
        return self(key, weekday=self(f"weekday.{d.weekday()}"), month=self(f"month.{d.month}"),
                    day=d.day, year=d.year)

    def format_datetime(self, dt: datetime) -> str:
        dt = _utc(dt)
        time_text = self("format.time", hour12=dt.hour % 12 or 12, hour24=dt.hour,
                         minute=f"{dt.minute:02d}", ampm=self("time.am" if dt.hour < 12 else "time.pm"))
        return self("format.datetime", date=self.format_date(dt.date()), time=time_text)

    def period(self, document: dict) -> str:
        start, end = _period_bounds(document)
        if not start or not end:
            return _DASH
        return self("format.period", start=self.format_date(start), end=self.format_date(end))


# --- small formatting helpers -------------------------------------------------------------


def _utc(dt: datetime) -> datetime:
    """Aware UTC datetime; naive values are UTC already (how the app stores them)."""
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def _iso(dt: datetime) -> str:
    return _utc(dt).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hours(minutes: int) -> str:
    """525 -> "8:45" (H:MM, as time sheets show hours)."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def _parse_date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _period_bounds(document: dict) -> tuple[date | None, date | None]:
    period = document.get("period") or {}
    return _parse_date(period.get("start")), _parse_date(period.get("end"))


def _phone(value: str) -> str:
    """"+15555550100" -> "(555) 555-0100"; anything else as given."""
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return value or ""
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def _name(document: dict, part: str) -> str:
    return str((document.get(part) or {}).get("name") or "")


# --- the PDF canvas ------------------------------------------------------------------------


class _Pdf(FPDF):
    """Letter pages with the embedded fonts and a footer on every page."""

    def __init__(self, words: _Words, footer_left: str, footer_note: str = ""):
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.words = words
        self.footer_left = footer_left
        self.footer_note = footer_note
        self.add_font(_FONT, "", str(_FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(_FONT, "B", str(_FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=22)
        self.set_text_color(*_INK)
        self.set_draw_color(*_RULE)

    def footer(self) -> None:
        # Evidence pages must be identifiable on their own: hash (or title) and page X of Y.
        self.set_y(-17)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_font(_FONT, "", 7.5)
        self.set_text_color(*_MUTED)
        page = self.words("footer.page", page=self.page_no(), pages="{nb}")
        self.set_y(self.get_y() + 1.5)
        self.cell(self.epw - 32, 4, self.footer_left)
        self.cell(32, 4, page, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if self.footer_note:
            self.cell(0, 4, self.footer_note)
        self.set_text_color(*_INK)


def _new_pdf(words: _Words, meta: dict, footer_left: str, footer_note: str = "") -> _Pdf:
    """A first page with metadata set (title/author/subject/language help screen readers)."""
    pdf = _Pdf(words, footer_left, footer_note)
    pdf.set_title(meta["title"])
    pdf.set_subject(meta["subject"])
    pdf.set_author(meta.get("author") or words("meta.author"))
    pdf.set_creator(words("meta.author"))
    pdf.set_lang(_LANG_TAGS[words.locale])
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    if meta.get("created"):
        # Taken from the evidence, not the clock, so the same evidence gives the same bytes.
        pdf.set_creation_date(_utc(meta["created"]))
    pdf.add_page()
    return pdf


def _title(pdf: _Pdf, title: str, subtitle: str = "") -> None:
    pdf.set_font(_FONT, "B", 19)
    pdf.multi_cell(0, 9, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if subtitle:
        pdf.set_font(_FONT, "", 11.5)
        pdf.set_text_color(*_MUTED)
        pdf.multi_cell(0, 6, subtitle, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*_INK)
    pdf.ln(3)


def _heading(pdf: _Pdf, text: str) -> None:
    # Keep a heading with at least a few lines of what follows it.
    if pdf.will_page_break(24):
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(_FONT, "B", 12.5)
    pdf.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)


def _paragraph(pdf: _Pdf, text: str, size: float = 11, muted: bool = False) -> None:
    pdf.set_font(_FONT, "", size)
    pdf.set_text_color(*(_MUTED if muted else _INK))
    pdf.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*_INK)
    pdf.ln(1.5)


def _boxed(pdf: _Pdf, text: str) -> None:
    """Quoted statements (certifications) stand out from the labels around them."""
    pdf.set_font(_FONT, "", 11)
    pdf.set_fill_color(*_SOFT_FILL)
    pdf.multi_cell(0, 5.5, text, align="L", fill=True, border=1, padding=(2.5, 3),
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_fill_color(255, 255, 255)  # tables drawn later fill with the current colour
    pdf.ln(1.5)


def _fit_size(pdf: _Pdf, text: str, width: float, size: float, smallest: float = 6.5) -> float:
    """Largest font size up to `size` that keeps `text` (a hash) on one line."""
    while size > smallest:
        pdf.set_font(_FONT, "", size)
        if pdf.get_string_width(text) <= width:
            break
        size -= 0.5
    return size


_LABEL_STYLE = FontFace(family=_FONT, emphasis="BOLD", size_pt=8.5, color=_MUTED)


def _fields(pdf: _Pdf, rows: list[tuple[str, str]], width: float | None = None) -> None:
    """Label/value pairs at the right margin; values wrap, a hash shrinks to stay on one line."""
    width = width or pdf.epw
    label_w = min(width * 0.34, 52)
    pdf.set_font(_FONT, "", 10.5)
    with _plain_table(pdf, (label_w, width - label_w), width) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label, style=_LABEL_STYLE)
            row.cell(value or _DASH, style=_value_style(pdf, value, width - label_w - 3))
    pdf.ln(1)


def _fields_two_columns(pdf: _Pdf, wide: tuple[str, str], rows: list[tuple[str, str]]) -> None:
    """One full-width pair, then short pairs side by side, so the header block stays compact."""
    half = (len(rows) + 1) // 2
    left, right = rows[:half], rows[half:] + [("", "")] * (2 * half - len(rows))
    pdf.set_font(_FONT, "", 10.5)
    with _plain_table(pdf, (34, 56, 34, 56), pdf.epw) as table:
        row = table.row()
        row.cell(wide[0], style=_LABEL_STYLE)
        row.cell(wide[1] or _DASH, colspan=3)
        for (l_label, l_value), (r_label, r_value) in zip(left, right):
            row = table.row()
            row.cell(l_label, style=_LABEL_STYLE)
            row.cell(l_value or _DASH)
            row.cell(r_label, style=_LABEL_STYLE)
            row.cell(r_value or (_DASH if r_label else ""))
    pdf.ln(1)


def _plain_table(pdf: _Pdf, col_widths: tuple[float, ...], width: float):
    return pdf.table(col_widths=col_widths, width=width, align="RIGHT",
                     borders_layout=TableBordersLayout.NONE, first_row_as_headings=False,
                     text_align="LEFT", v_align="TOP", line_height=5.2, padding=(0.8, 1.5))


def _value_style(pdf: _Pdf, value: str, width: float) -> FontFace:
    size = _fit_size(pdf, value, width, 10.5) if _is_hash(value) else 10.5
    pdf.set_font(_FONT, "", 10.5)
    return FontFace(family=_FONT, size_pt=size)


def _is_hash(value: str) -> bool:
    return len(value or "") == 64 and all(ch in "0123456789abcdefABCDEF" for ch in value)


def _signature_image(pdf: _Pdf, png: bytes, signer: str, label: str) -> float:
    """Signature on a signing line with the name below, at the left margin; returns its bottom."""
    if not png:
        raise ValueError("a signed document needs the signature image")
    box_w, box_h = 70.0, 26.0
    if pdf.will_page_break(box_h + 13):
        pdf.add_page()
    x, y = pdf.l_margin, pdf.get_y() + 1
    pdf.image(io.BytesIO(png), x=x, y=y, w=box_w, h=box_h, keep_aspect_ratio=True,
              alt_text=f"{label}: {signer}")
    pdf.set_draw_color(*_INK)
    pdf.line(x, y + box_h + 1, x + box_w, y + box_h + 1)
    pdf.set_draw_color(*_RULE)
    pdf.set_xy(x, y + box_h + 2)
    pdf.set_font(_FONT, "B", 10)
    pdf.cell(box_w, 5, signer, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "", 8.5)
    pdf.set_text_color(*_MUTED)
    pdf.cell(box_w, 4.5, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*_INK)
    return pdf.get_y()


# --- 1. the signed attendance copy ---------------------------------------------------------


def signed_attendance_pdf(document: dict, signature: SignatureEvidence, locale: str) -> bytes:
    """The copy the parent downloads and the agency files."""
    words = _Words(locale)
    child, period = _name(document, "child"), words.period(document)
    meta = {"title": f'{words("attendance.title")}: {child}',
            "subject": words("attendance.subject", child=child, period=period),
            "author": _name(document, "provider") or None, "created": signature.signed_at}
    pdf = _new_pdf(words, meta, words("footer.hash", hash=signature.document_hash),
                   words("footer.reference", reference=signature.reference))
    _title(pdf, words("attendance.title"), _name(document, "agency"))
    _fields_two_columns(pdf, *_party_rows(document, signature, words))
    _heading(pdf, words("heading.attendance"))
    _days_table(pdf, document, words)
    _provider_certification(pdf, document, words)
    _signature_section(pdf, document, signature, words)
    return bytes(pdf.output())


def _party_rows(document: dict, signature: SignatureEvidence,
                words: _Words) -> tuple[tuple[str, str], list[tuple[str, str]]]:
    """(provider with contact details, the short pairs: left column first, then right)."""
    provider = document.get("provider") or {}
    contact = " · ".join(x for x in (_phone(provider.get("phone") or ""), provider.get("email") or "") if x)
    provider_text = "\n".join(x for x in (provider.get("name") or "", contact) if x)
    return (words("label.provider"), provider_text), [
        (words("label.child"), _name(document, "child")),
        (words("label.guardian"), _name(document, "guardian")),
        (words("label.sheet_version"), str(document.get("sheet_version") or "")),
        (words("label.period"), words.period(document)),
        (words("label.reference"), signature.reference),
    ]


def _day_rows(document: dict) -> list[tuple[date, dict | None]]:
    """Every date of the period (gaps included, as None) plus any recorded day outside it."""
    recorded = {d: day for day in document.get("days") or [] if (d := _parse_date(day.get("date")))}
    start, end = _period_bounds(document)
    dates = set(recorded)
    if start and end and 0 <= (end - start).days < _MAX_PERIOD_DAYS:
        dates.update(start + timedelta(days=i) for i in range((end - start).days + 1))
    return [(d, recorded.get(d)) for d in sorted(dates)]


def _day_minutes(day: dict) -> int:
    if day.get("absent"):
        return 0
    if isinstance(day.get("minutes"), int):
        return day["minutes"]
    return sum(_pair_minutes(p) for p in day.get("pairs") or [])


def _pair_minutes(pair: dict) -> int:
    (h1, m1), (h2, m2) = (map(int, str(pair[k]).split(":")[:2]) for k in ("in", "out"))
    return (h2 * 60 + m2) - (h1 * 60 + m1)


def _day_cells(day: dict | None, words: _Words) -> tuple[str, str, str]:
    """(in–out lines, hours, notes) for one row; a day with no record is all dashes."""
    if day is None:
        return _DASH, _DASH, _DASH
    if day.get("absent"):
        reason = (day.get("absence_reason") or "").strip()
        note = words("day.absent_reason", reason=reason) if reason else words("day.absent")
        return _DASH, _hours(0), note
    pairs = "\n".join(f"{p.get('in', '')} – {p.get('out', '')}" for p in day.get("pairs") or [])
    return pairs or _DASH, _hours(_day_minutes(day)), ""


def _days_table(pdf: _Pdf, document: dict, words: _Words) -> None:
    heads = FontFace(family=_FONT, emphasis="BOLD", size_pt=9.5, fill_color=_HEAD_FILL)
    absent = FontFace(family=_FONT, fill_color=_ABSENT_FILL)
    pdf.set_font(_FONT, "", 10)
    with pdf.table(col_widths=(39, 25, 10, 26), text_align=("LEFT", "LEFT", "RIGHT", "LEFT"),
                   borders_layout=TableBordersLayout.HORIZONTAL_LINES, headings_style=heads,
                   line_height=5.2, padding=(1.4, 2), v_align="TOP") as table:
        table.row([words("col.date"), words("col.times"), words("col.hours"), words("col.notes")])
        for d, day in _day_rows(document):
            style = absent if day and day.get("absent") else None
            row = table.row()
            row.cell(words.format_date(d, weekday=True), style=style)
            for text in _day_cells(day, words):
                row.cell(text, style=style)
        _totals_row(table, document, words)
    _paragraph(pdf, words("attendance.no_record_note"), size=8.5, muted=True)


def _totals_row(table, document: dict, words: _Words) -> None:
    totals = document.get("totals") or {}
    days = [day for _, day in _day_rows(document) if day]
    minutes = totals.get("minutes", sum(_day_minutes(d) for d in days))
    present = totals.get("days_present", sum(1 for d in days if d.get("pairs") and not d.get("absent")))
    absent = totals.get("days_absent", sum(1 for d in days if d.get("absent")))
    bold = FontFace(family=_FONT, emphasis="BOLD", fill_color=_SOFT_FILL)
    row = table.row()
    row.cell(words("label.total_hours"), style=bold, colspan=2)
    row.cell(_hours(int(minutes)), style=bold, align="RIGHT")
    row.cell(f'{words("label.days_present")}: {present}\n{words("label.days_absent")}: {absent}', style=bold)


def _provider_certification(pdf: _Pdf, document: dict, words: _Words) -> None:
    """The statement the provider agreed to when submitting, as it was shown to them."""
    provider_cert = document.get("provider_certification") or {}
    if not provider_cert.get("text"):
        return
    _heading(pdf, words("heading.provider_certification"))
    _boxed(pdf, provider_cert["text"])
    if provider_cert.get("submitted_at"):
        _paragraph(pdf, f'{words("label.submitted_at")}: {_when(provider_cert["submitted_at"], words)}',
                   size=9.5, muted=True)


def _when(value: str | datetime, words: _Words) -> str:
    """Human UTC date and time followed by the exact ISO value."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return f"{words.format_datetime(value)} ({_iso(value)})"


def _verification_text(signature: SignatureEvidence, words: _Words) -> str:
    if signature.verification:
        return words.known("verification", signature.verification)
    return words("verification.in_person" if signature.in_person else "verification.none")


def _signer_rows(signature: SignatureEvidence, words: _Words) -> list[tuple[str, str]]:
    method = "signing.in_person" if signature.in_person else "signing.remote"
    return [
        (words("label.signer"), signature.signer_name),
        (words("label.signed_at"), _when(signature.signed_at, words)),
        (words("label.verification"), _verification_text(signature, words)),
        (words("label.signing_method"), words(method)),
        (words("label.reference"), signature.reference),
    ]


def _signature_section(pdf: _Pdf, document: dict, signature: SignatureEvidence,
                       words: _Words) -> None:
    # The statement the parent certified stays on the same page as their signature.
    if pdf.will_page_break(95):
        pdf.add_page()
    _heading(pdf, words("heading.parent_certification"))
    _boxed(pdf, (document.get("certification") or {}).get("text") or _DASH)
    top = pdf.get_y() + 2  # image on the left, signing details beside it
    pdf.set_y(top)
    image_bottom = _signature_image(pdf, signature.png, signature.signer_name, words("label.signature"))
    pdf.set_y(top)
    _fields(pdf, _signer_rows(signature, words), width=pdf.epw - 76)
    pdf.set_y(max(pdf.get_y(), image_bottom) + 2)
    _fields(pdf, [(words("label.document_hash"), signature.document_hash)])
    _paragraph(pdf, words("attendance.intro"), size=9, muted=True)


# --- 2. the completion certificate ---------------------------------------------------------


def completion_certificate_pdf(
    document: dict,
    signature: SignatureEvidence,
    events: list[AuditEntry],
    signer_contacts: list[str],
    locale: str,
) -> bytes:
    """Who signed, how they were verified, from where, and every event of the signing."""
    words = _Words(locale)
    child, period = _name(document, "child"), words.period(document)
    last = max([_utc(signature.signed_at)] + [_utc(e.at) for e in events])
    meta = {"title": f'{words("certificate.title")}: {signature.reference}',
            "subject": words("certificate.subject", reference=signature.reference), "created": last}
    pdf = _new_pdf(words, meta, words("footer.hash", hash=signature.document_hash),
                   words("footer.reference", reference=signature.reference))
    _title(pdf, words("certificate.title"), _name(document, "agency"))
    _paragraph(pdf, words("certificate.intro"))
    _heading(pdf, words("heading.document"))
    _fields(pdf, _certificate_document_rows(document, signature, words, child, period))
    _heading(pdf, words("heading.signer"))
    _fields(pdf, _certificate_signer_rows(signature, events, signer_contacts, words))
    _signature_image(pdf, signature.png, signature.signer_name, words("label.signature"))
    _heading(pdf, words("heading.events"))
    _events_table(pdf, events, words)
    _paragraph(pdf, words("certificate.times_note"), size=8.5, muted=True)
    return bytes(pdf.output())


def _certificate_document_rows(document: dict, signature: SignatureEvidence, words: _Words,
                               child: str, period: str) -> list[tuple[str, str]]:
    submitted = (document.get("provider_certification") or {}).get("submitted_at")
    return [
        (words("label.document"), words("certificate.document_name", child=child, period=period)),
        (words("label.agency"), _name(document, "agency")),
        (words("label.provider"), _name(document, "provider")),
        (words("label.reference"), signature.reference),
        (words("label.document_hash"), signature.document_hash),
        (words("label.sheet_version"), str(document.get("sheet_version") or "")),
        (words("label.submitted_at"), _when(submitted, words) if submitted else ""),
        (words("label.status"), words("certificate.status_completed")),
    ]


def _certificate_signer_rows(signature: SignatureEvidence, events: list[AuditEntry],
                             contacts: list[str], words: _Words) -> list[tuple[str, str]]:
    # Where the signature came from is the last "signed" event of the trail.
    signed = next((e for e in reversed(events) if e.event == "signed"), None)
    missing = words("value.not_recorded")
    method = "signing.in_person" if signature.in_person else "signing.remote"
    return [
        (words("label.signer"), signature.signer_name),
        (words("label.contacts"), "\n".join(c for c in contacts if c) or missing),
        (words("label.verification"), _verification_text(signature, words)),
        (words("label.signing_method"), words(method)),
        (words("label.signed_at"), _when(signature.signed_at, words)),
        (words("label.ip"), (signed and signed.ip) or missing),
        (words("label.user_agent"), (signed and signed.user_agent) or missing),
    ]


def _detail_text(detail: str | None, words: _Words) -> str:
    """Details are stored as JSON objects ({"to": "a***@x.com"}); show them as "Sent to: ..."."""
    if not detail:
        return ""
    try:
        data = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(data, dict):
        return detail
    return "\n".join(f"{words.known('detail', str(k))}: {v}" for k, v in data.items())


def _events_table(pdf: _Pdf, events: list[AuditEntry], words: _Words) -> None:
    heads = FontFace(family=_FONT, emphasis="BOLD", size_pt=7.5, fill_color=_HEAD_FILL)
    cols = ("col.time_utc", "col.event", "col.actor", "col.ip", "col.user_agent", "col.channel",
            "col.detail")
    pdf.set_font(_FONT, "", 7.5)
    with pdf.table(col_widths=(18, 25, 20, 25, 45, 16, 31), text_align="LEFT", v_align="TOP",
                   borders_layout=TableBordersLayout.HORIZONTAL_LINES, headings_style=heads,
                   line_height=3.6, padding=(1.2, 1.2)) as table:
        table.row([words(c) for c in cols])
        for e in sorted(events, key=lambda e: _utc(e.at)):
            table.row([
                _utc(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                words.known("event", e.event),
                words.known("actor", e.actor),
                e.ip or "",
                e.user_agent or "",
                words.known("channel", e.channel),
                _detail_text(e.detail, words),
            ])
    pdf.ln(2)


# --- 3. the parents' guide -----------------------------------------------------------------


def guide_title(locale: str) -> tuple[str, str]:
    """(title, subtitle) of the parents' guide."""
    strings = _strings(_locale(locale), "guide")
    return strings["title"], strings["subtitle"]


def guide_sections(locale: str) -> list[dict]:
    """The guide as data: [{"id", "title", "paragraphs", "steps", "tips"}], in order.

    guide.json numbers everything ("s3.title", "s3.p1", "s3.step2", "s3.tip1"), so the web page
    and the PDF both render exactly this list and cannot drift apart.
    """
    strings = _strings(_locale(locale), "guide")
    sections = []
    n = 1
    while f"s{n}.title" in strings:
        sid = f"s{n}"
        sections.append({
            "id": sid,
            "title": strings[f"{sid}.title"],
            "paragraphs": _numbered(strings, f"{sid}.p"),
            "steps": _numbered(strings, f"{sid}.step"),
            "tips": _numbered(strings, f"{sid}.tip"),
        })
        n += 1
    return sections


def _numbered(strings: dict[str, str], prefix: str) -> list[str]:
    """strings[prefix + "1"], strings[prefix + "2"] ... until the first gap."""
    items = []
    while (text := strings.get(f"{prefix}{len(items) + 1}")) is not None:
        items.append(text)
    return items


def parent_guide_pdf(locale: str) -> bytes:
    """The guide as a printable PDF (for agencies to hand out and for parents who ask for paper)."""
    words = _Words(locale)
    title, subtitle = guide_title(locale)
    pdf = _new_pdf(words, {"title": title, "subject": subtitle}, title)
    _title(pdf, title, subtitle)
    for number, section in enumerate(guide_sections(locale), start=1):
        _heading(pdf, f"{number}. {section['title']}")
        for text in section["paragraphs"]:
            _paragraph(pdf, text)
        for i, text in enumerate(section["steps"], start=1):
            _list_item(pdf, f"{i}.", text)
        for text in section["tips"]:
            _list_item(pdf, "•", text)
    return bytes(pdf.output())


def _list_item(pdf: _Pdf, marker: str, text: str) -> None:
    """A step or tip with a hanging indent, so wrapped lines align under the text."""
    pdf.set_font(_FONT, "", 11)
    pdf.set_x(pdf.l_margin + 2)
    pdf.cell(7, 5.5, marker)
    pdf.multi_cell(0, 5.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.2)
