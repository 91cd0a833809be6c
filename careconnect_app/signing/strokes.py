"""Validation, canonicalisation and PNG rendering of signature stroke payloads.

Pure Python (+ Pillow); must not import reflex.

Payload (sent by ``assets/signature_pad.jsx``, untrusted)::

    {"strokes": [[[x, y, t], ...], ...], "width": 358, "height": 200}

x, y: position as a fraction (0..1) of the canvas CSS size; t: integer ms since
the start of the stroke (optional on input, ``0`` is assumed); width/height:
canvas CSS px (optional on input, only used for the aspect ratio).
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Mapping
from typing import Any

ERROR_EMPTY = "signature.error.empty"
ERROR_TOO_SIMPLE = "signature.error.too_simple"
ERROR_INVALID = "signature.error.invalid"

# Structural limits (payload comes from an untrusted client).
MAX_STROKES = 50
MAX_POINTS = 5000
COORD_TOLERANCE = 0.02  # accepted overshoot outside 0..1 (clamped by normalise)
MAX_T_MS = 10 * 60 * 1000  # one stroke lasting more than 10 minutes is bogus
MAX_CANVAS_PX = 10000
DEFAULT_WIDTH = 600
DEFAULT_HEIGHT = 200

# "Too simple" heuristics, tuned so that cursive names and initials pass while a
# dot, a click, a straight line, a single arc/tick or a tiny scribble fail.
MIN_POINTS = 12  # total points (signature_pad samples every ~5px / 16ms)
MIN_BBOX_W = 0.08  # bounding box, fraction of canvas width
MIN_BBOX_H = 0.10  # bounding box, fraction of canvas height
STRAIGHT_REL = 0.06  # max distance to the best-fit line, relative to its length
STRAIGHT_ABS_PX = 4.0  # ... or absolute, in canvas CSS px
MIN_PATH_RATIO = 1.5  # inked path length / bounding-box diagonal

INK_RGB = (11, 31, 68)  # #0b1f44


def _is_number(v: Any) -> bool:
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:  # int too large for a float
        return False


def _parse(payload: object) -> tuple[list[list[tuple[float, float, int]]], float, float] | None:
    """Strictly parse a payload; return (strokes, width, height) or None if malformed.

    Coordinates are clamped to 0..1 and rounded to 4 decimals, t to int ms.
    Empty strokes are dropped.
    """
    if not isinstance(payload, Mapping):
        return None
    raw_strokes = payload.get("strokes")
    if not isinstance(raw_strokes, (list, tuple)) or len(raw_strokes) > MAX_STROKES:
        return None

    dims = []
    for key, default in (("width", DEFAULT_WIDTH), ("height", DEFAULT_HEIGHT)):
        v = payload.get(key, default)
        if v is None:
            v = default
        if not _is_number(v) or not (1 <= v <= MAX_CANVAS_PX):
            return None
        dims.append(float(v))

    lo, hi = -COORD_TOLERANCE, 1 + COORD_TOLERANCE
    total = 0
    strokes: list[list[tuple[float, float, int]]] = []
    for raw in raw_strokes:
        if not isinstance(raw, (list, tuple)):
            return None
        total += len(raw)
        if total > MAX_POINTS:
            return None
        pts: list[tuple[float, float, int]] = []
        for p in raw:
            if not isinstance(p, (list, tuple)) or len(p) not in (2, 3):
                return None
            x, y = p[0], p[1]
            t = p[2] if len(p) == 3 else 0
            if not (_is_number(x) and _is_number(y) and _is_number(t)):
                return None
            if not (lo <= x <= hi and lo <= y <= hi and 0 <= t <= MAX_T_MS):
                return None
            pts.append((
                round(min(1.0, max(0.0, float(x))), 4),
                round(min(1.0, max(0.0, float(y))), 4),
                int(round(t)),
            ))
        if pts:
            strokes.append(pts)
    return strokes, dims[0], dims[1]


def _too_simple(strokes: list[list[tuple[float, float, int]]], w: float, h: float) -> bool:
    pts = [(x * w, y * h) for s in strokes for x, y, _ in s]
    if len(pts) < MIN_POINTS:
        return True

    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    bw, bh = max(xs) - min(xs), max(ys) - min(ys)
    if bw < MIN_BBOX_W * w or bh < MIN_BBOX_H * h:
        return True

    # Straight line: every point close to the best-fit (principal axis) line.
    n = len(pts)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    sxy = sum((x - mx) * (y - my) for x, y in pts)
    theta = 0.5 * math.atan2(2 * sxy, sxx - syy)
    ux, uy = math.cos(theta), math.sin(theta)
    along = [(x - mx) * ux + (y - my) * uy for x, y in pts]
    perp = max(abs(-(x - mx) * uy + (y - my) * ux) for x, y in pts)
    length = max(along) - min(along)
    if perp <= max(STRAIGHT_ABS_PX, STRAIGHT_REL * length):
        return True

    # A single arc, tick or corner: inked length barely exceeds the bbox diagonal.
    path = 0.0
    for s in strokes:
        for (x0, y0, _), (x1, y1, _) in zip(s, s[1:]):
            path += math.hypot((x1 - x0) * w, (y1 - y0) * h)
    return path < MIN_PATH_RATIO * math.hypot(bw, bh)


def validate_strokes(payload: object) -> str | None:
    """Return None if the signature is acceptable, else an i18n error key.

    ``signature.error.invalid`` for malformed payloads, ``signature.error.empty``
    when nothing was drawn, ``signature.error.too_simple`` for a dot, a straight
    line, a single arc/tick or a tiny scribble.
    """
    return _problem(_parse(payload))


def normalise(payload: object) -> dict:
    """Return the canonical stored form ``{"strokes", "width", "height"}``.

    Coordinates clamped to 0..1 and rounded to 4 decimals, t as int ms, empty
    strokes dropped, unknown keys removed. Raises ValueError(ERROR_INVALID) for a
    malformed payload.
    """
    parsed = _parse(payload)
    if parsed is None:
        raise ValueError(ERROR_INVALID)
    return _stored(parsed)


def accepted(payload: object) -> dict | str:
    """``normalise``'s stored form of an acceptable signature, else ``validate_strokes``'s error key
    (signing: the payload is parsed once)."""
    parsed = _parse(payload)
    return _problem(parsed) or _stored(parsed)


def _problem(parsed: tuple[list, float, float] | None) -> str | None:
    if parsed is None:
        return ERROR_INVALID
    strokes, w, h = parsed
    if not strokes:
        return ERROR_EMPTY
    if _too_simple(strokes, w, h):
        return ERROR_TOO_SIMPLE
    return None


def _stored(parsed: tuple[list, float, float]) -> dict:
    strokes, w, h = parsed
    return {
        "strokes": [[[x, y, t] for x, y, t in s] for s in strokes],
        "width": int(round(w)),
        "height": int(round(h)),
    }


def render_png(
    payload: object,
    width: int = 600,
    height: int = 200,
    *,
    transparent: bool = False,
    ink: tuple[int, int, int] = INK_RGB,
    normalised: bool = False,
) -> bytes:
    """Render the strokes to PNG bytes (dark ink on white, or transparent).

    ``normalised``: the payload is ``normalise()``'s output already (signing has it: not parsed again).

    The source canvas is fitted into ``width`` x ``height`` keeping its aspect
    ratio (centred). Drawn 4x supersampled with round caps/joins, then
    averaged down for crisp anti-aliased lines (~3px at 1:1 scale). Raises
    ValueError for a malformed payload or image size.
    """
    from PIL import Image, ImageDraw

    if not (isinstance(width, int) and isinstance(height, int)) or not (
        1 <= width <= 4000 and 1 <= height <= 4000
    ):
        raise ValueError("invalid image size")
    data = payload if normalised else normalise(payload)
    src_w, src_h = data["width"], data["height"]

    ss = 4
    W, H = width * ss, height * ss
    fit = min(width / src_w, height / src_h)
    off_x = (width - src_w * fit) / 2 * ss
    off_y = (height - src_h * fit) / 2 * ss
    sx, sy = src_w * fit * ss, src_h * fit * ss
    line_w = max(2.0, 3.0 * fit) * ss
    r = line_w / 2

    # Draw a coverage mask, then composite the ink colour through it.
    mask = Image.new("L", (W, H), 0)
    draw = ImageDraw.Draw(mask)
    for stroke in data["strokes"]:
        pts = [(off_x + x * sx, off_y + y * sy) for x, y, _ in stroke]
        if len(pts) > 1:
            draw.line(pts, fill=255, width=max(1, round(line_w)), joint="curve")
        for px, py in pts:  # round caps + joins (and dots for 1-point strokes)
            draw.ellipse((px - r, py - r, px + r, py + r), fill=255)
    # Each output pixel the mean of its 4x4 block: the anti-aliasing supersampling is for, at a
    # twentieth of a Lanczos resize's CPU (this runs in the signing request).
    mask = mask.reduce(ss)

    if transparent:
        img = Image.new("RGBA", (width, height), (*ink, 0))
        img.putalpha(mask)
    else:
        # The coverage is the pixel: a palette of 256 blends from white to the ink gives the same
        # colours as compositing the ink through the mask, in a third of the bytes to compress
        # (a quarter of the encoding's CPU, in the signing request).
        img = mask
        img.putpalette(_ink_on_white(ink))

    buf = io.BytesIO()
    img.save(buf, format="PNG")  # optimize=True saves 3 % of the bytes for three times the CPU
    return buf.getvalue()


@functools.cache
def _ink_on_white(ink: tuple[int, int, int]) -> list[int]:
    """Palette entry i: the ink at coverage i/255 over white (RGB triplets)."""
    return [round((255 * (255 - a) + c * a) / 255) for a in range(256) for c in ink]
