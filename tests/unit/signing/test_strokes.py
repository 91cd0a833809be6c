"""Unit tests for careconnect_app.signing.strokes (no reflex needed)."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pytest
from PIL import Image

from careconnect_app.signing import strokes as strokes_module
from careconnect_app.signing.strokes import (
    ERROR_EMPTY,
    ERROR_INVALID,
    ERROR_TOO_SIMPLE,
    normalise,
    render_png,
    validate_strokes,
)

W, H = 358, 200  # a phone-width pad


def payload(strokes, width=W, height=H):
    return {"strokes": strokes, "width": width, "height": height}


def line(x0, y0, x1, y1, n=40, wobble=0.0):
    pts = []
    for i in range(n):
        f = i / (n - 1)
        pts.append([
            round(x0 + (x1 - x0) * f, 4),
            round(y0 + (y1 - y0) * f + wobble * math.sin(i * 2.1), 4),
            i * 16,
        ])
    return pts


def cursive(x0=0.1, x1=0.9, n=160):
    """A cursive-like name: loops from a sum of sines drifting to the right."""
    pts = []
    for i in range(n):
        u = i / (n - 1)
        a = u * 7 * 2 * math.pi
        x = x0 + (x1 - x0) * u + 0.025 * math.cos(a)
        y = 0.55 + 0.18 * math.sin(a) + 0.05 * math.sin(2.3 * a + 0.5)
        pts.append([round(x, 4), round(y, 4), i * 12])
    return pts


def initials():
    """Two strokes, roughly 'JD'."""
    j = [[0.25, 0.2 + 0.06 * i, i * 16] for i in range(10)] + [
        [round(0.25 - 0.06 * math.sin(k / 8 * math.pi), 4),
         round(0.8 + 0.05 * math.sin(k / 8 * math.pi), 4), (10 + k) * 16]
        for k in range(1, 9)
    ]
    d = [[0.45, 0.8 - 0.06 * i, i * 16] for i in range(11)] + [
        [round(0.45 + 0.15 * math.sin(k / 12 * math.pi), 4),
         round(0.5 - 0.3 * math.cos(k / 12 * math.pi), 4), (11 + k) * 16]
        for k in range(1, 13)
    ]
    return [j, d]


# --- refused -----------------------------------------------------------------


@pytest.mark.parametrize("p", [payload([]), payload([[]]), {"strokes": []}])
def test_empty_refused(p):
    assert validate_strokes(p) == ERROR_EMPTY


def test_single_dot_refused():
    assert validate_strokes(payload([[[0.5, 0.5, 0]]])) == ERROR_TOO_SIMPLE
    # a "click" with a few jittered samples
    assert validate_strokes(payload([[[0.5, 0.5, 0], [0.501, 0.5, 8], [0.5, 0.502, 16]]])) == ERROR_TOO_SIMPLE


@pytest.mark.parametrize(
    "stroke",
    [
        line(0.1, 0.5, 0.9, 0.5),  # horizontal
        line(0.1, 0.2, 0.9, 0.8, wobble=0.005),  # diagonal, shaky hand
        line(0.5, 0.1, 0.52, 0.9),  # vertical
    ],
)
def test_straight_line_refused(stroke):
    assert validate_strokes(payload([stroke])) == ERROR_TOO_SIMPLE


def test_line_in_two_strokes_and_back_and_forth_refused():
    assert validate_strokes(payload([line(0.1, 0.2, 0.5, 0.5), line(0.5, 0.5, 0.9, 0.8)])) == ERROR_TOO_SIMPLE
    zigzag = line(0.1, 0.2, 0.9, 0.8) + line(0.9, 0.8, 0.1, 0.2) + line(0.1, 0.2, 0.9, 0.8)
    assert validate_strokes(payload([zigzag])) == ERROR_TOO_SIMPLE


def test_single_arc_or_tick_refused():
    arc = [[round(0.5 + 0.3 * math.cos(a), 4), round(0.5 + 0.4 * math.sin(a), 4), i * 16]
           for i, a in enumerate(x / 30 * math.pi for x in range(31))]
    assert validate_strokes(payload([arc])) == ERROR_TOO_SIMPLE
    tick = line(0.3, 0.5, 0.4, 0.8, n=10) + line(0.4, 0.8, 0.7, 0.2, n=20)
    assert validate_strokes(payload([tick])) == ERROR_TOO_SIMPLE


def test_tiny_scribble_refused():
    scribble = cursive(0.45, 0.5, n=60)
    scribble = [[x, round(0.5 + (y - 0.55) * 0.2, 4), t] for x, y, t in scribble]
    assert validate_strokes(payload([scribble])) == ERROR_TOO_SIMPLE


@pytest.mark.parametrize(
    "p",
    [
        None,
        "",
        '{"strokes": []}',
        42,
        [],
        {},
        {"strokes": "abc"},
        {"strokes": ["abc"]},
        {"strokes": [["ab"]]},
        {"strokes": [[["0.1", "0.2", 0]]]},
        {"strokes": [[[0.1, 0.2, 0, 5]]]},
        {"strokes": [[[0.1]]]},
        {"strokes": [[{"x": 0.1, "y": 0.2}]]},
        {"strokes": [[[float("nan"), 0.2, 0]]]},
        {"strokes": [[[0.1, float("inf"), 0]]]},
        {"strokes": [[[True, 0.2, 0]]]},
        {"strokes": [[[1.5, 0.2, 0]]]},
        {"strokes": [[[0.1, -0.3, 0]]]},
        {"strokes": [[[0.1, 0.2, -5]]]},
        {"strokes": [[[0.1, 0.2, 10**400]]]},
        {"strokes": [[[0.1, 0.2, 0]]], "width": "wide"},
        {"strokes": [[[0.1, 0.2, 0]]], "width": 0},
        {"strokes": [[[0.1, 0.2, 0]]], "height": float("nan")},
        {"strokes": [[[0.1, 0.2, 0]]], "height": 1e9},
        {"strokes": [[[0.5, 0.5, 0]]] * 51},  # too many strokes
        {"strokes": [[[0.5, 0.5, i] for i in range(5001)]]},  # too many points
        {"strokes": [[[0.5, 0.5, i] for i in range(1000)]] * 6},
    ],
)
def test_malformed_refused(p):
    assert validate_strokes(p) == ERROR_INVALID
    with pytest.raises(ValueError):
        normalise(p)
    with pytest.raises(ValueError):
        render_png(p)


# --- accepted ----------------------------------------------------------------


def test_realistic_signature_accepted():
    assert validate_strokes(payload([cursive()])) is None
    # cursive name + a dotted "i" and a t-bar as separate strokes
    strokes = [cursive(0.08, 0.7, n=140), [[0.5, 0.3, 0]], line(0.72, 0.45, 0.92, 0.42, n=8)]
    assert validate_strokes(payload(strokes)) is None


def test_initials_accepted():
    assert validate_strokes(payload(initials())) is None


def test_small_tolerance_and_missing_optional_fields_ok():
    sig = cursive()
    sig[0] = [-0.01, 1.01, 0]
    assert validate_strokes(payload([sig])) is None
    no_t = {"strokes": [[[x, y] for x, y, _ in cursive()]]}
    assert validate_strokes(no_t) is None


def test_normalise_canonical():
    sig = cursive()
    sig[0] = [-0.01, 0.123456789, 3.6]
    raw = {"strokes": [sig, []], "width": 357.6, "height": 200, "extra": "x"}
    out = normalise(raw)
    assert set(out) == {"strokes", "width", "height"}
    assert out["width"] == 358 and out["height"] == 200
    assert len(out["strokes"]) == 1
    assert out["strokes"][0][0] == [0.0, 0.1235, 4]
    assert all(isinstance(t, int) for s in out["strokes"] for _, _, t in s)
    assert normalise(out) == out  # idempotent
    assert validate_strokes(out) is None


@pytest.mark.parametrize("p", [
    {"strokes": []},  # empty
    {"strokes": [[[0.5, 0.5, 0]]]},  # a dot
    {"strokes": [line(0.1, 0.5, 0.9, 0.5)]},  # a straight line
    {"strokes": "x"},  # malformed
    {"strokes": [[[0.1, 0.2, 0]]], "height": 1e9},
])
def test_accepted_says_what_validate_strokes_says_of_a_refused_mark(p):
    assert validate_strokes(p) is not None and strokes_module.accepted(p) == validate_strokes(p)


def test_accepted_is_the_normalised_form_of_an_acceptable_mark():
    sig = cursive()
    raw = {"strokes": [sig, []], "width": 357.6, "height": 200, "extra": "x"}
    assert strokes_module.accepted(raw) == normalise(raw) and strokes_module.accepted(raw)["width"] == 358


# --- rendering ---------------------------------------------------------------


def _open(png: bytes) -> Image.Image:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(io.BytesIO(png))
    img.load()
    return img


def test_render_png_size_and_ink_where_strokes_are():
    # Canvas aspect 3:1 == output aspect, so coordinates map 1:1.
    sig = cursive()
    img = _open(render_png(payload([sig], 600, 200), 600, 200)).convert("L")
    assert img.size == (600, 200)
    for x, y, _ in sig[::10]:
        px, py = min(599, int(x * 600)), min(199, int(y * 200))
        assert img.getpixel((px, py)) < 128, (x, y)
    # corners and areas far from the ink stay white
    for pt in [(0, 0), (599, 0), (0, 199), (599, 199), (300, 5)]:
        assert img.getpixel(pt) > 250
    # ink is dark, and the amount of ink is plausible (not a filled box)
    assert img.getextrema()[0] < 60
    dark = sum(1 for v in img.tobytes() if v < 128)
    assert 1000 < dark < 0.3 * 600 * 200


def test_render_png_custom_size_keeps_aspect():
    img = _open(render_png(payload([line(0.0, 0.5, 1.0, 0.5)], 300, 300), 400, 100)).convert("L")
    assert img.size == (400, 100)
    # square canvas fitted into the middle 100x100 of a 400x100 image
    assert img.getpixel((200, 50)) < 128
    assert img.getpixel((20, 50)) > 250 and img.getpixel((380, 50)) > 250


def test_render_png_transparent_and_empty():
    img = _open(render_png(payload([cursive()]), transparent=True))
    assert img.mode == "RGBA" and img.size == (600, 200)
    assert img.getpixel((0, 0))[3] == 0
    assert img.getchannel("A").getextrema()[1] == 255
    blank = _open(render_png(payload([]))).convert("L")
    assert blank.size == (600, 200) and blank.getextrema() == (255, 255)


def test_render_png_dot():
    img = _open(render_png(payload([[[0.5, 0.5, 0]]], 600, 200))).convert("L")
    assert img.getpixel((300, 100)) < 128


def test_service_does_not_import_reflex():
    import ast

    src = Path(strokes_module.__file__).read_text()
    mods = set()
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.Import):
            mods.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            mods.add(node.module or "")
    assert not any(m.split(".")[0] == "reflex" for m in mods)


def test_render_png_is_the_ink_over_white_at_each_pixels_coverage():
    """The opaque image (palette of blends) shows exactly the transparent image's ink over white."""
    from careconnect_app.signing.strokes import INK_RGB

    drawn = payload([cursive()])
    opaque = _open(render_png(drawn)).convert("RGB")
    coverage = _open(render_png(drawn, transparent=True)).getchannel("A")
    assert opaque.size == coverage.size
    alphas = set()
    for xy in ((x, y) for x in range(0, 600, 3) for y in range(0, 200, 3)):
        a = coverage.getpixel(xy)
        alphas.add(a)
        expected = tuple(round((255 * (255 - a) + c * a) / 255) for c in INK_RGB)
        assert all(abs(got - want) <= 1 for got, want in zip(opaque.getpixel(xy), expected, strict=True)), xy
    assert {0, 255} <= alphas and len(alphas) > 10  # blank paper, full ink and the anti-aliased edges between
