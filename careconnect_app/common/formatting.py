"""How dates, times, hours, periods and phone numbers read, in the reader's language.

One place for every screen, message and PDF, so a parent sees the same "1:05 PM" everywhere.
Words (month names, AM/PM) come from the translations, never from the operating system's locale.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from careconnect_app.clock import as_utc
from careconnect_app.i18n import t

NBSP = "\u00a0"


def zone(name: str) -> tzinfo:
    """The agency's time zone ("America/Los_Angeles"); UTC when the name is unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def local_today(tz_name: str, now: datetime | None = None) -> date:
    """Today's date where the agency is (at 5 PM in California it is already tomorrow in UTC)."""
    return as_utc(now or datetime.now(timezone.utc)).astimezone(zone(tz_name)).date()


def format_local_datetime(dt: datetime | None, tz_name: str, locale: str) -> str:
    """A stored UTC time as the agency reads it: "Nov 29, 2026, 12:43 AM PST" ("" for none).

    The zone's abbreviation says which clock, so a time is never read as UTC by mistake.
    """
    if dt is None:
        return ""
    local = as_utc(dt).astimezone(zone(tz_name))
    return t("messages.datetime_format", locale, date=format_date(local, locale),
             time=format_time(local.time(), locale), zone=local.tzname() or "")


def one_line(text: str) -> str:
    """No-break spaces: a date or a duration never splits across two lines on a narrow screen."""
    return text.replace(" ", NBSP)


def format_date(d: date | datetime, locale: str, *, whole: bool = False) -> str:
    """2026-11-02 -> "Nov 2, 2026" / "2 de nov de 2026" (`whole`: with no-break spaces, for screens)."""
    month = t(f"messages.month.{d.month}", locale)
    text = t("messages.date_format", locale, day=d.day, month=month, year=d.year)
    return one_line(text) if whole else text


def format_period(start: date, end: date, locale: str, *, whole: bool = False) -> str:
    """"Nov 2, 2026 – Nov 8, 2026" (`whole`: each date on one line; the line may break after the dash)."""
    return t("messages.period_format", locale, start=format_date(start, locale, whole=whole),
             end=format_date(end, locale, whole=whole))


def format_phone(phone: str) -> str:
    """+15555550142 -> (555) 555-0142 for US numbers; other numbers as stored."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if (phone or "").startswith("+1") and len(digits) == 11:
        return f"({digits[1:4]}) {digits[4:7]}-{digits[7:]}"
    return phone or ""


def format_minutes(minutes: int) -> str:
    """525 -> "8 h 45 min", 480 -> "8 h", 45 -> "45 min" ("8:45" would read as a clock time).

    "h" and "min" are the same in English and Spanish; no-break spaces keep the value on one line.
    """
    hours, rest = divmod(max(0, int(minutes)), 60)
    if hours and rest:
        return f"{hours}{NBSP}h{NBSP}{rest}{NBSP}min"
    return f"{rest}{NBSP}min" if rest else f"{hours}{NBSP}h"


def format_time(value: time | str, locale: str) -> str:
    """13:05 -> "1:05 PM" / "1:05 p. m." (US parents read 12-hour times).

    No-break spaces keep "4:00 p. m." on one line on narrow screens.
    """
    if isinstance(value, str):
        hour, minute = (int(x) for x in value.split(":")[:2])
    else:
        hour, minute = value.hour, value.minute
    suffix = t("parent.time.pm" if hour >= 12 else "parent.time.am", locale).replace(" ", NBSP)
    return f"{(hour % 12) or 12}:{minute:02d}{NBSP}{suffix}"


def format_time_range(start: time | str, end: time | str, locale: str) -> str:
    """"7:45 AM – 4:00 PM"."""
    return f"{format_time(start, locale)}{NBSP}– {format_time(end, locale)}"


def format_day(d: date, locale: str) -> str:
    """"Mon Nov 2" (a row of the attendance table, on one line)."""
    return one_line(t("parent.day_format", locale, weekday=t(f"parent.weekday.{d.weekday()}", locale),
                      day=d.day, month=t(f"messages.month.{d.month}", locale)))


# --- spelled-out forms, as documents print them ------------------------------------------------
# PDFs spell months and weekdays out ("Monday, November 2, 2026") and give times in the agency's
# time zone with UTC beside them; the words and patterns live in documents.json.


def format_long_date(d: date | datetime, locale: str, weekday: bool = False) -> str:
    """2026-11-02 -> "November 2, 2026" / "2 de noviembre de 2026" (with the weekday first if asked)."""
    pattern = "documents.format.date_weekday" if weekday else "documents.format.date"
    return t(pattern, locale, weekday=t(f"documents.weekday.{d.weekday()}", locale),
             month=t(f"documents.month.{d.month}", locale), day=d.day, year=d.year)


def format_long_period(start: date, end: date, locale: str) -> str:
    """"November 2, 2026 – November 8, 2026" / "del 2 de noviembre de 2026 al 8 de noviembre de 2026"."""
    return t("documents.format.period", locale, start=format_long_date(start, locale),
             end=format_long_date(end, locale))


def format_zoned_datetime(dt: datetime, tz: tzinfo, locale: str) -> str:
    """"November 9, 2026, 10:15 AM PST" / "9 de noviembre de 2026, 10:15 PST" (naive values are UTC)."""
    local = as_utc(dt).astimezone(tz)
    ampm = t("documents.time.am" if local.hour < 12 else "documents.time.pm", locale)
    clock_time = t("documents.format.time", locale, hour12=local.hour % 12 or 12, hour24=local.hour,
                   minute=f"{local.minute:02d}", ampm=ampm)
    return t("documents.format.datetime", locale, date=format_long_date(local.date(), locale), time=clock_time,
             zone=local.tzname() or "UTC")


def format_utc_datetime(dt: datetime, locale: str) -> str:
    """"November 9, 2026, 6:15 PM UTC" / "9 de noviembre de 2026, 18:15 UTC" (naive values are UTC)."""
    return format_zoned_datetime(dt, timezone.utc, locale)


def format_utc_stamp(dt: datetime) -> str:
    """"2026-11-09 18:15:03 UTC": the exact instant, beside a local time."""
    return as_utc(dt).strftime("%Y-%m-%d %H:%M:%S UTC")
