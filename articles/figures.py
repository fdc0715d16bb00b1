"""Figures from the image library in section bodies.

A body stores a figure as `<figure data-image="12"></figure>` (all the
sanitiser keeps of it); pages print it in full from the library, with the
picture's renditions, caption and credit, so a change to the image in the
library shows wherever it appears. A figure whose image is gone prints nothing.
"""

import re

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .images import COLUMN_SIZES, Image

FIGURE = re.compile(r'<figure data-image="(\d+)"[^>]*>.*?</figure>', re.DOTALL)


def numbers(html):
    return {int(number) for number in FIGURE.findall(html or "")}


def expand(sections):
    """Give each section `html`, its body (or the `html` it has) with figures
    printed in full.

    One query for the figures of all the sections, and none when there are none.
    """
    wanted = set().union(*(numbers(section.body) for section in sections)) if sections else set()
    images = Image.objects.in_bulk(wanted) if wanted else {}

    def figure(match):
        image = images.get(int(match.group(1)))
        if image is None:
            return ""
        context = {"image": image, "credit": image.credit, "sizes": COLUMN_SIZES}
        return render_to_string("includes/figure.html", context)

    for section in sections:
        section.html = mark_safe(FIGURE.sub(figure, getattr(section, "html", section.body)))
    return sections
