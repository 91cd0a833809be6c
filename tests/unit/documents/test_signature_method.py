"""The evidence PDFs say how the signature was made: drawn by hand, or a typed name adopted."""

from __future__ import annotations

import dataclasses

import pytest

from careconnect_app.documents.certificate import completion_certificate_pdf
from careconnect_app.documents.signed_copy import signed_attendance_pdf
from tests.unit.documents.support import flat


@pytest.mark.parametrize("locale, drawn, typed", [
    ("en", "Drawn by hand on the screen", "Full name typed and adopted as the signature"),
    ("es", "Dibujada a mano en la pantalla", "Nombre completo escrito y adoptado como firma"),
])
def test_pdfs_say_how_the_signature_was_made(document, signature, events, locale, drawn, typed):
    typed_signature_facts = dataclasses.replace(signature, signature_method="typed")
    assert drawn in flat(signed_attendance_pdf({**document, "locale": locale}, signature))
    assert typed in flat(signed_attendance_pdf({**document, "locale": locale}, typed_signature_facts))
    certificate = flat(completion_certificate_pdf(document, typed_signature_facts, events, ["j***@example.com"],
                                                  locale))
    assert typed in certificate
