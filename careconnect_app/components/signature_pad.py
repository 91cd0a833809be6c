"""Reflex wrapper for the touch signature field (assets/signature_pad.jsx).

Usage::

    from careconnect_app.components.signature_pad import signature_pad

    signature_pad(
        on_change=SignState.set_strokes,   # handler(self, payload: StrokesPayload)
        clear_label="Clear",
        aria_label="Signature area",
        hint="Sign with your finger inside the box.",
        height=200,
        pen_color="#0b1f44",
        disabled=SignState.is_submitting,
    )

``on_change`` fires after every stroke and after Clear with one dict::

    {"strokes": [[[x, y, t], ...], ...], "width": 358, "height": 200}

x, y in 0..1 (fraction of the canvas CSS size, 4 decimals), t = integer ms
since the stroke start; an empty pad gives ``strokes == []``.  The payload is
untrusted: check it with ``careconnect_app.signing.strokes.validate_strokes``.
"""

from __future__ import annotations

from typing import TypedDict

import reflex as rx
from reflex.event import passthrough_event_spec


class StrokesPayload(TypedDict):
    """What the pad reports after each stroke (untrusted: signing/strokes.py checks it)."""

    strokes: list[list[list[float]]]
    width: float
    height: float


class SignaturePad(rx.Component):
    """Canvas signature field backed by the npm package ``signature_pad``."""

    # assets/signature_pad.jsx is copied to .web/public/ at build time;
    # "$/public/..." is the importable path (same as rx.asset(...).importable_path).
    library = "$/public/signature_pad.jsx"
    tag = "SignaturePadField"
    lib_dependencies: list[str] = ["signature_pad@5.1.4"]

    # Text of the Clear button.
    clear_label: rx.Var[str]
    # Accessible name of the canvas (role="img").
    aria_label: rx.Var[str]
    # Help text shown under the pad, linked with aria-describedby.
    hint: rx.Var[str]
    # Canvas height in CSS px (default 200).
    height: rx.Var[int]
    # Ink colour (default "#0b1f44").
    pen_color: rx.Var[str]
    # Disable drawing and the Clear button.
    disabled: rx.Var[bool]

    # Fired after each stroke and after Clear with the strokes payload dict.
    on_change: rx.EventHandler[passthrough_event_spec(StrokesPayload)]


signature_pad = SignaturePad.create
