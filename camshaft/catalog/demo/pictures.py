"""The demo's pictures: one line drawing per top category, in a few shades
that brands take in turn. A handful of files, drawn with Pillow once, serve
every demo part, so a million-part demo adds rows, not files."""

import io
import json
import math
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw

from camshaft.catalog import images

SIZE = 480
SHADES = ((0x1F, 0x4E, 0x8C), (0x8C, 0x2D, 0x1F), (0x2F, 0x6B, 0x3A))
INK = (0x33, 0x3A, 0x44)
SHAPES = json.loads((Path(__file__).parent / "data" / "pictures.json").read_text())


def shade_of(brand_index: int) -> int:
    return brand_index % len(SHADES)


def name_of(category: str, shade: int) -> str:
    shape = SHAPES.get(category, "box")
    return f"demo/{shape}-{shade}.png"


def draw(shape: str, shade: int) -> bytes:
    image = Image.new("RGB", (SIZE, SIZE), (255, 255, 255))
    pen = ImageDraw.Draw(image)
    DRAWINGS.get(shape, _box)(pen, SHADES[shade])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


PICTURE_COLUMNS = ("part_id", "image", "width", "height", "position", "is_primary", "source")


def picture_row(part_id: int, name: str) -> tuple:
    return (part_id, name, SIZE, SIZE, 0, True, "")


def ensure_pictures(categories: list[str]) -> dict[tuple[str, int], str]:
    """Store the drawing of each category in each shade unless stored already,
    with its thumbnails; returns the stored name by (category, shade)."""
    names, made = {}, set()
    for category in categories:
        for shade in range(len(SHADES)):
            name = name_of(category, shade)
            if name not in made and not default_storage.exists(name):
                shape = SHAPES.get(category, "box")
                stored = default_storage.save(name, ContentFile(draw(shape, shade)))
                assert stored == name, "the demo's picture names are fixed"
                images.make_thumbnails(name)
            made.add(name)
            names[category, shade] = name
    return names


# --- the drawings: a few strokes each, on a 480 px square -------------------------

C = SIZE // 2


def _circle(pen, r, **kw):
    pen.ellipse((C - r, C - r, C + r, C + r), **kw)


def _disc(pen, color):
    _circle(pen, 190, fill=color, outline=INK, width=6)
    _circle(pen, 150, outline=(255, 255, 255), width=4)
    _circle(pen, 70, fill=(255, 255, 255), outline=INK, width=6)
    for n in range(5):
        a = n * 2 * math.pi / 5
        x, y = C + 105 * math.cos(a), C + 105 * math.sin(a)
        pen.ellipse((x - 12, y - 12, x + 12, y + 12), fill=(255, 255, 255))


def _block(pen, color):
    pen.rounded_rectangle((70, 150, 410, 380), 24, fill=color, outline=INK, width=6)
    for n in range(4):
        x = 110 + n * 75
        pen.rounded_rectangle((x, 90, x + 55, 160), 10, fill=INK)


def _spring(pen, color):
    points = [(C + (110 if n % 2 else -110), 60 + n * 30) for n in range(13)]
    pen.line(points, fill=color, width=26, joint="curve")


def _wheel(pen, color):
    _circle(pen, 180, outline=color, width=34)
    _circle(pen, 40, fill=INK)
    for a in (math.pi / 2, math.pi * 7 / 6, math.pi * 11 / 6):
        pen.line((C, C, C + 170 * math.cos(a), C + 170 * math.sin(a)), fill=color, width=26)


def _bolt(pen, color):
    pen.polygon(((270, 40), (120, 270), (230, 270), (190, 440), (360, 190), (250, 190)), fill=color)


def _radiator(pen, color):
    pen.rectangle((60, 110, 420, 370), fill=color, outline=INK, width=6)
    for x in range(85, 420, 25):
        pen.line((x, 120, x, 360), fill=(255, 255, 255), width=6)


def _muffler(pen, color):
    pen.line((20, 300, 140, 260), fill=INK, width=30)
    pen.ellipse((120, 160, 400, 330), fill=color, outline=INK, width=6)
    pen.line((390, 250, 470, 230), fill=INK, width=30)


def _canister(pen, color):
    pen.rounded_rectangle((140, 90, 340, 400), 40, fill=color, outline=INK, width=6)
    for y in range(130, 380, 30):
        pen.line((150, y, 330, y), fill=(255, 255, 255), width=5)


def _plug(pen, color):
    pen.rectangle((215, 40, 265, 130), fill=INK)
    pen.rounded_rectangle((190, 130, 290, 260), 20, fill=(235, 235, 235), outline=INK, width=6)
    pen.polygon(((180, 260), (300, 260), (285, 330), (195, 330)), fill=color, outline=INK)
    pen.rectangle((225, 330, 255, 420), fill=INK)


def _gear(pen, color):
    teeth = []
    for n in range(24):
        a = n * 2 * math.pi / 24
        r = 200 if n % 2 else 160
        teeth.append((C + r * math.cos(a), C + r * math.sin(a)))
    pen.polygon(teeth, fill=color, outline=INK)
    _circle(pen, 60, fill=(255, 255, 255), outline=INK, width=6)


def _lamp(pen, color):
    pen.ellipse((70, 120, 330, 360), fill=(255, 236, 150), outline=color, width=18)
    for n in range(5):
        y = 150 + n * 45
        pen.line((350, y, 450, y + (n - 2) * 12), fill=color, width=12)


def _panel(pen, color):
    pen.polygon(((60, 380), (60, 190), (170, 90), (420, 90), (420, 380)), fill=color, outline=INK)
    pen.polygon(((100, 200), (185, 125), (380, 125), (380, 200)), fill=(220, 232, 245))
    pen.rectangle((320, 240, 380, 260), fill=INK)


def _seat(pen, color):
    pen.rounded_rectangle((150, 50, 300, 300), 40, fill=color, outline=INK, width=6)
    pen.rounded_rectangle((140, 290, 380, 370), 30, fill=color, outline=INK, width=6)
    pen.rounded_rectangle((180, 20, 270, 60), 16, fill=INK)


def _battery(pen, color):
    pen.rounded_rectangle((80, 140, 400, 400), 18, fill=color, outline=INK, width=6)
    pen.rectangle((130, 100, 180, 140), fill=INK)
    pen.rectangle((300, 100, 350, 140), fill=INK)
    pen.line((140, 200, 170, 200), fill=(255, 255, 255), width=10)
    pen.line((310, 200, 340, 200), fill=(255, 255, 255), width=10)
    pen.line((325, 185, 325, 215), fill=(255, 255, 255), width=10)


def _box(pen, color):
    pen.rectangle((110, 110, 370, 370), fill=color, outline=INK, width=6)


DRAWINGS = {
    "disc": _disc,
    "block": _block,
    "spring": _spring,
    "wheel": _wheel,
    "bolt": _bolt,
    "radiator": _radiator,
    "muffler": _muffler,
    "canister": _canister,
    "plug": _plug,
    "gear": _gear,
    "lamp": _lamp,
    "panel": _panel,
    "seat": _seat,
    "battery": _battery,
    "box": _box,
}
