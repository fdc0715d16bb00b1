"""Draws the sample content's pictures (landscapes made of gradients and noise)
and writes its sample report (a PDF, with WeasyPrint).

The site ships these (articles/demo/media/); they are made here, by the
project, so they carry no one else's rights. Run from the project's folder
to redraw them: `python articles/demo/draw.py`.
"""

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1440, 960
HERE = Path(__file__).resolve().parent / "media"

# name: (seed, sky top, sky bottom, ridge colour, water or not, sun)
SCENES = {
    "vienna-dusk": (1, (46, 52, 94), (232, 150, 110), (40, 36, 58), False, True),
    "oil-terminal": (2, (120, 150, 190), (230, 210, 170), (70, 60, 50), True, True),
    "caspian-shore": (3, (90, 150, 210), (200, 225, 240), (60, 90, 80), True, False),
    "plateau": (4, (150, 180, 210), (240, 220, 180), (150, 110, 70), False, True),
    "corridor": (5, (110, 140, 180), (220, 215, 200), (80, 90, 70), False, False),
    "city-heat": (6, (200, 120, 60), (250, 210, 120), (90, 60, 50), False, True),
    "gulf-evening": (7, (30, 50, 100), (240, 170, 90), (30, 30, 40), True, True),
    "caspian-rig": (8, (80, 100, 130), (190, 200, 210), (50, 55, 60), True, False),
    "reservoir": (9, (140, 170, 200), (235, 225, 205), (120, 100, 80), True, True),
}

REPORT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Heat and water in arid cities</title>
<style>
@page { size: A4; margin: 2.5cm; @bottom-center { content: counter(page); } }
body { font-family: serif; font-size: 11pt; line-height: 1.5; }
h1 { font-size: 20pt; } h2 { font-size: 14pt; break-before: page; }
</style></head><body>
<h1>Heat and water in arid cities</h1>
<p>A briefing for municipal planners. Center for Strategic Research, sample content.</p>
<p>Summers of record heat strain the electricity grid and the water network of large
cities at the same time. This briefing sets out what a city can measure, and what it
can change, before the next heat wave.</p>
<h2>What to measure</h2>
<p>Peak electricity demand by district; losses in the water network; the hours each
neighbourhood spends above 40 °C; the places people go to cool down.</p>
<h2>What to change</h2>
<p>Heat action plans with named responsibilities; efficiency standards for new
buildings; treated wastewater for green space; shade and water on the routes people walk.</p>
</body></html>
"""


def write_report(path):
    from weasyprint import HTML

    HTML(string=REPORT).write_pdf(path)


def gradient(top, bottom, height):
    column = Image.new("RGB", (1, height))
    for y in range(height):
        t = y / max(1, height - 1)
        column.putpixel(
            (0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    return column.resize((WIDTH, height))


def ridge(rnd, base, roughness):
    points, y = [], base
    for x in range(0, WIDTH + 40, 40):
        y = max(HEIGHT * 0.25, min(HEIGHT * 0.8, y + rnd.uniform(-roughness, roughness)))
        points.append((x, y))
    return [(0, HEIGHT), *points, (WIDTH, HEIGHT)]


def draw(seed, top, bottom, ridge_colour, water, sun):
    rnd = random.Random(seed)
    picture = gradient(top, bottom, HEIGHT)
    pen = ImageDraw.Draw(picture)
    if sun:
        x, y = rnd.randint(300, 1100), rnd.randint(200, 420)
        pen.ellipse((x - 60, y - 60, x + 60, y + 60), fill=(255, 236, 200))
    horizon = HEIGHT * (0.62 if water else 0.7)
    for layer in range(4):
        shade = tuple(min(255, c + (3 - layer) * 28) for c in ridge_colour)
        pen.polygon(ridge(rnd, horizon - 160 + layer * 55, 30 - layer * 4), fill=shade)
    if water:
        sea = gradient(tuple(c // 2 + 40 for c in bottom), tuple(c // 3 for c in top), HEIGHT)
        picture.paste(sea.crop((0, 0, WIDTH, HEIGHT - int(horizon))), (0, int(horizon)))
    picture = picture.filter(ImageFilter.GaussianBlur(2))
    grain = Image.effect_noise((WIDTH // 2, HEIGHT // 2), 18).resize((WIDTH, HEIGHT))
    return Image.blend(picture, Image.merge("RGB", [grain] * 3), 0.08)


if __name__ == "__main__":
    for name, scene in SCENES.items():
        draw(*scene).save(HERE / f"{name}.jpg", quality=80, optimize=True, progressive=True)
    write_report(HERE / "heat-and-water-briefing.pdf")
