"""Draw the installed app's icons (assets/icons/*.png) with Pillow: a clipboard with a check mark.

    python scripts/make_app_icons.py

The PNGs are committed; run this again only to change the design. "any" icons have rounded
corners on a transparent ground; the maskable one and Apple's fill the square (the launcher
cuts its own shape), with the drawing inside the central safe zone.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parents[1] / "assets" / "icons"
BLUE = (29, 78, 216, 255)  # the portal's theme colour (#1d4ed8)
DARK = (23, 37, 84, 255)
WHITE = (255, 255, 255, 255)
SUPERSAMPLE = 4


def _glyph(draw: ImageDraw.ImageDraw, size: int, scale: float) -> None:
    """The clipboard and its check mark, `scale` of the square, centred."""
    def box(x0, y0, x1, y1):
        half = size / 2
        return [half + (x0 - 0.5) * size * scale, half + (y0 - 0.5) * size * scale,
                half + (x1 - 0.5) * size * scale, half + (y1 - 0.5) * size * scale]

    unit = size * scale
    draw.rounded_rectangle(box(0.2, 0.12, 0.8, 0.95), radius=unit * 0.08, fill=WHITE)
    draw.rounded_rectangle(box(0.36, 0.04, 0.64, 0.2), radius=unit * 0.05, fill=DARK)
    a, b, c = box(0.33, 0.55, 0.33, 0.55)[:2], box(0.46, 0.7, 0.46, 0.7)[:2], box(0.69, 0.38, 0.69, 0.38)[:2]
    draw.line([tuple(a), tuple(b), tuple(c)], fill=BLUE, width=int(unit * 0.09), joint="curve")


def icon(size: int, *, full_bleed: bool, scale: float) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if full_bleed:
        draw.rectangle([0, 0, big, big], fill=BLUE)
    else:
        draw.rounded_rectangle([0, 0, big - 1, big - 1], radius=big * 0.22, fill=BLUE)
    _glyph(draw, big, scale)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    made = {
        "icon-192.png": icon(192, full_bleed=False, scale=0.72),
        "icon-512.png": icon(512, full_bleed=False, scale=0.72),
        # Maskable: the launcher may cut a circle of 80 % of the square; the drawing stays inside it.
        "maskable-512.png": icon(512, full_bleed=True, scale=0.56),
        "apple-touch-icon.png": icon(180, full_bleed=True, scale=0.64),
    }
    for name, image in made.items():
        image.save(ICONS / name, "PNG", optimize=True)
        print(ICONS / name, image.size)


if __name__ == "__main__":
    main()
