"""Contacts shown masked: enough to recognise, never the whole address or number."""

from __future__ import annotations

from careconnect_app.common.masking import mask_email, mask_phone


def test_masks_never_show_the_full_contact():
    assert mask_email("jane.doe@example.com") == "j***@example.com"
    assert mask_phone("+15555550123") == "(***) ***-0123"
    assert mask_phone("+525512345678") == "***5678"
