"""Ways to cite an article: a formatted reference, BibTeX and RIS."""

import re

from django.utils import timezone
from django.utils.translation import gettext as _

from . import editions

# BibTeX's month names, whatever the interface language.
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_BIBTEX_SPECIAL = re.compile(r"([\\{}%&#_$])")


def _inverted(name):
    """ "Sara Karimi" → "Karimi, Sara"; a single name stays as it is."""
    first, _, last = name.strip().rpartition(" ")
    return f"{last}, {first}" if first else last


def _names_in_prose(names):
    if not names:
        return ""
    written = [_inverted(names[0]), *names[1:]]
    if len(written) == 1:
        return written[0]
    separator = _(", ") if len(written) > 2 else " "
    return _(", ").join(written[:-1]) + separator + _("and") + " " + written[-1]


def reference(article, names, url, accessed):
    """A reference in the author-date style of the Chicago Manual of Style
    (in the Persian edition, in Persian with Solar Hijri dates)."""
    byline = _names_in_prose(names)
    text = _("%(byline)s“%(title)s.” %(site)s, %(date)s. %(url)s (accessed %(accessed)s).") % {
        "byline": f"{byline}. " if byline else "",
        "title": article.title,
        "site": editions.site_name(),
        "date": editions.date_in_words(article.published_at),
        "url": url,
        "accessed": editions.date_in_words(accessed),
    }
    # With a DOI, the reference ends with its address, as the Chicago style asks.
    return f"{text} {article.doi_url}." if article.doi else text


def _bibtex_value(text):
    return _BIBTEX_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def bibtex_key(article, names):
    published = timezone.localtime(article.published_at)
    surname = _inverted(names[0]).split(",")[0] if names else "anonymous"
    first_word = next(iter(re.findall(r"\w+", article.title)), "article")
    return re.sub(r"\W", "", f"{surname}{published.year}{first_word}".lower()) or "article"


def bibtex(article, names, url, accessed):
    published = timezone.localtime(article.published_at)
    fields = [
        ("author", " and ".join(_bibtex_value(_inverted(name)) for name in names)),
        ("title", "{" + _bibtex_value(article.title) + "}"),
        ("year", str(published.year)),
        ("month", MONTHS[published.month - 1]),
        ("howpublished", _bibtex_value(editions.site_name())),
        ("url", url),
        ("urldate", accessed.isoformat()),
        ("doi", article.doi),
        ("language", article.language),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{bibtex_key(article, names)},\n{body}\n}}\n"


def ris(article, names, keywords, url, accessed):
    published = timezone.localtime(article.published_at)
    lines = [("TY", "ELEC")]
    lines += [("AU", _inverted(name)) for name in names]
    lines += [
        ("TI", article.title),
        ("PY", str(published.year)),
        ("DA", published.strftime("%Y/%m/%d")),
        ("PB", editions.site_name()),
        ("UR", url),
        ("Y2", accessed.strftime("%Y/%m/%d")),
        ("LA", article.language),
    ]
    if article.doi:
        lines.append(("DO", article.doi))
    if article.description:
        lines.append(("AB", article.description))
    lines += [("KW", keyword) for keyword in keywords]
    # RIS is one field a line: no value may break its line.
    text = "".join(f"{tag}  - {' '.join(str(value).split())}\r\n" for tag, value in lines)
    return text + "ER  - \r\n"
