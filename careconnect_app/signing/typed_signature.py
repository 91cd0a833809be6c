"""A typed signature: the parent's full name, adopted as their signature, drawn by the server.

For a parent who cannot draw (keyboard or switch access, a screen reader). The browser shows the
name in the same handwriting font (assets/fonts, Dancing Script, SIL OFL, from the npm package
@fontsource/dancing-script 5.3.0); the server checks the name and renders the image itself, never
taking an image from the client. Pure Python (+ Pillow, fontTools); no Reflex.
"""

from __future__ import annotations

import io
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from careconnect_app.config import PROJECT_ROOT
from careconnect_app.signing.strokes import INK_RGB

ERROR_EMPTY = "signature.error.typed_empty"
ERROR_INVALID = "signature.error.typed_invalid"
MIN_LETTERS = 2
MAX_LENGTH = 80

FONT_DIR = PROJECT_ROOT / "assets" / "fonts"
# The handwriting font's files, in the order a character is looked up (the browser's @font-face
# unicode ranges); DejaVu Sans (shipped for the PDFs) draws any letter they lack.
SCRIPT_FONTS = (FONT_DIR / "dancing-script-latin-400-normal.woff", FONT_DIR / "dancing-script-latin-ext-400-normal.woff")
FALLBACK_FONT = PROJECT_ROOT / "careconnect_app" / "documents" / "fonts" / "DejaVuSans.ttf"
FONT_ID = "dancing-script-400@5.3.0"  # stored with the name, so the image can be drawn again the same way

_ALLOWED_PUNCTUATION = set(" -'’.")


def clean_name(text: object) -> tuple[str, str]:
    """(the name as it will be signed, "") or ("", an error key under "parent.").

    Letters of any alphabet with their accents, spaces, hyphens, apostrophes and periods;
    2 to 80 characters with at least two letters. Spaces are collapsed, Unicode is NFC.
    """
    if not isinstance(text, str):
        return "", ERROR_INVALID
    name = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    if not name:
        return "", ERROR_EMPTY
    letters = sum(1 for ch in name if unicodedata.category(ch).startswith("L"))
    allowed = all(unicodedata.category(ch)[0] in "LM" or ch in _ALLOWED_PUNCTUATION for ch in name)
    if not allowed or letters < MIN_LETTERS or len(name) > MAX_LENGTH:
        return "", ERROR_INVALID
    return name, ""


@lru_cache(maxsize=None)
def _coverage(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(path)) as font:
        return frozenset(font.getBestCmap())


@lru_cache(maxsize=32)
def _font(path: Path, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(path), size)


def _font_for(ch: str) -> Path:
    for path in SCRIPT_FONTS:
        if ord(ch) in _coverage(path):
            return path
    return FALLBACK_FONT


def _runs(name: str) -> list[tuple[str, Path]]:
    """The name cut into runs of characters drawn with the same font file."""
    runs: list[tuple[str, Path]] = []
    for ch in name:
        path = SCRIPT_FONTS[0] if ch == " " else _font_for(ch)
        if runs and runs[-1][1] == path:
            runs[-1] = (runs[-1][0] + ch, path)
        else:
            runs.append((ch, path))
    return runs


def render_png(name: str, width: int = 600, height: int = 200) -> bytes:
    """The typed name drawn in the handwriting font, dark ink on white, on the pad's baseline.

    The size shrinks until the name fits the width (long names stay whole). Raises ValueError
    for a name clean_name() refuses.
    """
    from PIL import Image, ImageDraw

    name, error = clean_name(name)
    if error:
        raise ValueError(error)
    runs = _runs(name)
    margin = width // 20
    size = int(height * 0.45)
    while size > 12 and sum(_font(path, size).getlength(text) for text, path in runs) > width - 2 * margin:
        size -= 2
    total = sum(_font(path, size).getlength(text) for text, path in runs)
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    x, baseline = (width - total) / 2, height * 0.68
    for text, path in runs:
        font = _font(path, size)
        draw.text((x, baseline), text, font=font, fill=INK_RGB, anchor="ls")
        x += font.getlength(text)
    out = io.BytesIO()
    image.save(out, format="PNG")  # optimize=True saves a few % of the bytes for three times the CPU
    return out.getvalue()
