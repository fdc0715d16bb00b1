"""The cost of an upload's renditions, and what readers download.

Draws a 24-megapixel photograph-like JPEG (6000 × 4000: sky, ridges, grain)
with Pillow, then, in a child process so that its peak memory is its own,
makes its renditions as an upload does; prints the time, the peak resident
memory, every rendition's size, and the files a browser picks through the
lead image's `sizes` for a 360 px phone and a desktop column, at one and two
device pixels per CSS pixel. Budgets: under 5 s and 400 MB; at most 60 KB
on the phone and 200 KB on the desktop.

    python bench/renditions.py
"""

import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csr_site.settings")

# Slot widths in CSS pixels, as the lead image's `sizes` gives them.
PHONE = 360 - 32  # calc(100vw - 2rem)
DESKTOP = 38 * 16  # 38rem


def draw(path, width=6000, height=4000):
    """A photograph-like JPEG; its grain is 1200 cells across whatever its size,
    so a smaller one (for a test) is as detailed at the rendition widths."""
    from PIL import Image, ImageDraw, ImageFilter

    rnd = random.Random(1)
    small = Image.linear_gradient("L").resize((width // 8, height // 8))
    sky = Image.merge("RGB", [small.point(lambda v, k=k: 70 + v // k) for k in (3, 3, 5)])
    pen = ImageDraw.Draw(sky)
    for n in range(6):
        top = height // 16 + n * height // 64
        ridge = [(x, top + rnd.randint(-40, 40)) for x in range(0, width // 8 + 50, 25)]
        pen.polygon(
            [(0, height // 8), *ridge, (width // 8, height // 8)], fill=(30 + n * 15, 70, 40)
        )
    picture = sky.resize((width, height), Image.BICUBIC)
    grain = Image.effect_noise((1200, 1200 * height // width), 60).resize(
        (width, height), Image.BICUBIC
    )
    picture = Image.blend(picture, Image.merge("RGB", [grain] * 3), 0.3)
    picture.filter(ImageFilter.GaussianBlur(0.6)).save(path, "JPEG", quality=90)


def child(path, media):
    """Make the renditions of `path` once; print seconds, peak MB and the list."""
    import django

    django.setup()
    from django.core.files import File
    from django.core.files.storage import FileSystemStorage

    from articles import renditions

    storage = FileSystemStorage(location=media)
    started = time.perf_counter()
    with open(path, "rb") as original:
        made = renditions.make(File(original), "bench", storage)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(repr((seconds, peak, made)))


def main():
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "photo.jpg"
        draw(path)
        size = path.stat().st_size
        command = [sys.executable, __file__, "--child", str(path), folder]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    seconds, peak, made = eval(output.strip().splitlines()[-1])  # Our own child's repr.
    print(f"original: 6000 × 4000 JPEG, {size / 1024 / 1024:.1f} MB")
    print(f"renditions: {len(made)} files in {seconds:.2f} s, peak memory {peak:.0f} MB")
    by_format = {}
    for item in made:
        by_format.setdefault(item["format"], []).append(item)
    for extension, items in by_format.items():
        print(
            f"  {extension:5}"
            + "".join(f"  {i['width']}w {i['size'] / 1024:6.1f} KB" for i in items)
        )
    print("chosen by the lead image's sizes:")
    for label, slot in (("phone 360 px", PHONE), ("desktop", DESKTOP)):
        for density in (1, 2):
            row = []
            for extension, items in by_format.items():
                pick = next((i for i in items if i["width"] >= slot * density), items[-1])
                row.append(f"{extension} {pick['width']}w {pick['size'] / 1024:.0f} KB")
            print(f"  {label} ×{density}: " + ", ".join(row))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(*sys.argv[2:4])
    else:
        main()
