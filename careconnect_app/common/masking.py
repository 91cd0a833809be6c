"""Contacts shown masked (j***@example.com, (***) ***-1234): the full contact never reaches a page;
names shortened (Mateo G.) where a page may not yet show them in full."""

from __future__ import annotations


def mask_email(email: str) -> str:
    """j***@example.com"""
    if "@" not in email:
        return "***"
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


def mask_phone(phone: str) -> str:
    """(***) ***-1234 for a US number; ***1234 otherwise."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 4:
        return "***"
    if phone.startswith("+1") and len(digits) == 11:
        return f"(***) ***-{digits[-4:]}"
    return f"***{digits[-4:]}"


def mask_contact(channel: str, destination: str) -> str:
    return mask_email(destination) if channel == "email" else mask_phone(destination)


def short_name(first_name: str, last_name: str) -> str:
    """"Mateo G.": how a page names a child before the parent proved who they are."""
    initial = (last_name or "").strip()[:1]
    return f"{(first_name or '').strip()} {initial}.".strip() if initial else (first_name or "").strip()
