"""Signing without a pointer: a typed full name, checked and drawn by the server, recorded as typed."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.models import AuditEvent, Signature
from careconnect_app.signing import evidence, parent_steps, typed_signature
from careconnect_app.statuses import SignatureMethod
from tests.fakes.data import cursive_strokes, review


@pytest.mark.parametrize("typed, expected", [
    ("  Ana   García-López ", "Ana García-López"),
    ("Seán O’Brien Jr.", "Seán O’Brien Jr."),
    ("Nguyễn Thảo", "Nguyễn Thảo"),
    ("Ana Garci\u0301a", "Ana García"),  # NFC: a combining accent becomes one letter
])
def test_clean_name_keeps_real_names(typed, expected):
    assert typed_signature.clean_name(typed) == (expected, "")


@pytest.mark.parametrize("typed, error", [
    ("", typed_signature.ERROR_EMPTY), ("   ", typed_signature.ERROR_EMPTY),
    ("A", typed_signature.ERROR_INVALID), ("<img src=x>", typed_signature.ERROR_INVALID),
    ("12345", typed_signature.ERROR_INVALID), ("A" * 81, typed_signature.ERROR_INVALID),
    (None, typed_signature.ERROR_INVALID), (["Ana"], typed_signature.ERROR_INVALID),
])
def test_clean_name_refuses_what_is_not_a_name(typed, error):
    assert typed_signature.clean_name(typed) == ("", error)


def _ink_columns(png: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(png)).convert("L")
    columns = [x for x in range(image.width) if any(image.getpixel((x, y)) < 128 for y in range(image.height))]
    return min(columns), max(columns)


def test_render_draws_the_whole_name_inside_the_image():
    for name in ("Al Li", "Maximiliano Guadalupe Hernández-Villanueva de la Concepción"):
        png = typed_signature.render_png(name)
        image = Image.open(io.BytesIO(png))
        assert image.size == (600, 200)
        left, right = _ink_columns(png)
        assert 0 < left and right < 599, (name, left, right)  # nothing cut off at either side
    assert typed_signature.render_png("Ana García") == typed_signature.render_png("Ana García")  # deterministic
    with pytest.raises(ValueError):
        typed_signature.render_png("<b>")


def _sign(request_id, **overrides):
    args = dict(strokes={}, typed_name="Marcus Johnson", certified=True, consented=True, ip="198.51.100.7",
                user_agent="Mozilla/5.0 (X11)", locale="en", verification_channel="email")
    args.update(overrides)
    with session_scope() as s:
        args.setdefault("reviewed_hash", review(s, request_id, args["locale"]))
    with session_scope() as s:
        return parent_steps.sign(s, request_id, **args)


def test_typed_signature_is_stored_as_typed_with_the_servers_image(make_request):
    request_id, _ = make_request()
    # Whatever a client puts beside the name (strokes, an image) is not what is stored.
    assert _sign(request_id, strokes={"png": "data:image/png;base64,AAAA"}).ok
    with session_scope() as s:
        sig = s.exec(select(Signature)).one()
        assert (sig.signature_method, sig.typed_name) == (SignatureMethod.TYPED, "Marcus Johnson")
        assert json.loads(sig.strokes_json) == {"typed_name": "Marcus Johnson", "font": typed_signature.FONT_ID}
        assert sig.png == typed_signature.render_png("Marcus Johnson")
        signed = s.exec(select(AuditEvent).where(AuditEvent.event == "signed")).one()
        assert json.loads(signed.detail)["signature_method"] == "typed"
        facts = evidence.evidence(sig)
    assert facts.signature_method == "typed"


def test_typed_signature_refusals_leave_nothing_signed(make_request):
    request_id, _ = make_request()
    assert _sign(request_id, typed_name="   x ").error == "parent.signature.error.typed_invalid"
    assert _sign(request_id, typed_name="<script>").error == "parent.signature.error.typed_invalid"
    with session_scope() as s:
        assert s.exec(select(Signature)).all() == []


def test_drawn_signature_is_recorded_as_drawn(make_request):
    request_id, _ = make_request()
    assert _sign(request_id, strokes=cursive_strokes(), typed_name="").ok
    with session_scope() as s:
        sig = s.exec(select(Signature)).one()
        assert (sig.signature_method, sig.typed_name) == (SignatureMethod.DRAWN, "")
