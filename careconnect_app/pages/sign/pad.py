"""The sign step's mark: the drawing on the pad or a typed name, and the two boxes (SignState's mixin)."""

from __future__ import annotations

import reflex as rx

from careconnect_app.components.signature_pad import StrokesPayload
from careconnect_app.pages.sign.recovery import resilient
from careconnect_app.signing import typed_signature
from careconnect_app.statuses import SignatureMethod


class SignaturePad(rx.State, mixin=True):
    """What the parent put on the sign step (the strokes and the typed name stay server-side)."""

    has_signature: bool = False  # the pad has a drawing
    signature_method: str = SignatureMethod.DRAWN
    typed_preview: str = ""  # the typed name as it will be signed ("" while it is not a valid name)
    certified: bool = False
    consented: bool = False

    _strokes: dict = {}
    _typed_name: str = ""  # checked by typed_signature.clean_name; signing draws it on the server

    def _forget_pad(self) -> None:
        """An empty pad and typed name, boxes unticked."""
        self._strokes, self.has_signature = {}, False
        self._typed_name = self.typed_preview = self.typed_error = ""
        self.signature_method = SignatureMethod.DRAWN
        self.certified = self.consented = False

    @rx.event
    @resilient
    async def set_strokes(self, payload: StrokesPayload):
        """The pad reports the drawing after each stroke (kept server-side only)."""
        self._strokes = payload if isinstance(payload, dict) else {}
        strokes = self._strokes.get("strokes")
        self.has_signature = isinstance(strokes, list) and len(strokes) > 0
        self._say("sign_error")

    @rx.event
    @resilient
    async def choose_method(self, method: str):
        """Draw on the pad, or type the full name (for a parent who cannot draw)."""
        if method in (SignatureMethod.DRAWN, SignatureMethod.TYPED):
            self.signature_method = method
            self._say("sign_error")

    @rx.event
    @resilient
    async def set_typed_name(self, value: str):
        """The typed name: checked here, shown back in the handwriting font once it is a name."""
        name, error = typed_signature.clean_name(str(value)[:200] if isinstance(value, str) else value)
        self._typed_name, self.typed_preview = name, name
        self._say("sign_error")
        # Said once while the name is being typed, not at every key stroke; nothing typed is no error yet.
        if error and str(value or "").strip():
            if self._said("typed_error") != (f"parent.{error}",):
                self._say("typed_error", f"parent.{error}")
        else:
            self._say("typed_error")

    @rx.event
    @resilient
    async def set_certified(self, value: bool):
        """The "attendance is accurate" box."""
        self.certified = bool(value)

    @rx.event
    @resilient
    async def set_consented(self, value: bool):
        """The "sign electronically" consent box."""
        self.consented = bool(value)
