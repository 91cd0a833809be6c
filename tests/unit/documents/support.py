"""Sample evidence values and PDF readers shared by the documents tests."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image, ImageDraw
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[3]
HASH = "3f9a0c2be41d7785a9c3e2f10b6d4a8e5c7f9012ab34cd56ef7890a1b2c3d4e5"
LONG_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1 FBAN/FBIOS;FBAV/452.0.0.41.109;FBBV/567386340;"
    "FBDV/iPhone15,3;FBMD/iPhone;FBSN/iOS;FBSV/17.4.1;FBSS/3;FBID/phone;FBLC/es_LA;FBOP/5"
)


def signature_png() -> bytes:
    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(30, 150), (90, 40), (140, 160), (220, 60), (400, 140), (560, 70)],
                               fill=(20, 30, 90, 255), width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def flat(pdf: bytes) -> str:
    """All text with wrapped lines joined (table cells wrap wherever their column ends)."""
    return re.sub(r"\s+", " ", "\n".join(pages_text(pdf)))


def image_pages(pdf: bytes) -> list[int]:
    """Page numbers (1-based) that draw an image XObject."""
    found = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        if any(obj.get_object().get("/Subtype") == "/Image" for obj in xobjects.values()):
            found.append(number)
    return found
