"""Head metadata of an article page: Open Graph, Twitter, schema.org, citation_* tags.

One function prepares it all, so `includes/head_meta.html` only prints it.
"""

import json

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from . import citing, editions, pdf
from .caching import recall

# Inside <script>, "<", ">" and "&" could end the element early; JSON lets them
# be written as escapes instead.
_SCRIPT_SAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def shared_image(image, request, credit=""):
    """What other sites are told of a library image (Open Graph, JSON-LD,
    feeds): its copy for sharing, with its text; None without renditions."""
    copy = image.shared if image is not None else None
    if copy is None:
        return None
    return {
        "url": request.build_absolute_uri(copy["url"]),
        "type": copy["type"],
        "width": copy["width"],
        "height": copy["height"],
        "size": copy["size"],
        "alt": image.alt_text,
        "caption": image.caption,
        "credit": image.credit or credit,
    }


def article_metadata(article, bylines, keywords, request):
    url = request.build_absolute_uri(article.get_absolute_url())
    image = shared_image(article.image, request, credit=article.photo_credit)
    published = timezone.localtime(article.published_at)
    modified = timezone.localtime(article.updated_at) if article.updated_at else published
    names = [line.author.name for line in bylines]
    keyword_names = [keyword.name for keyword in keywords]
    accessed = timezone.localdate()
    schema = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title,
        "description": article.description,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": article.language,
        "datePublished": published.isoformat(),
        "dateModified": modified.isoformat(),
        "author": [
            {
                "@type": "Person",
                "name": line.author.name,
                "url": request.build_absolute_uri(line.author.get_absolute_url()),
                **({"jobTitle": line.position} if line.position else {}),
                **(
                    {"affiliation": {"@type": "Organization", "name": line.affiliation}}
                    if line.affiliation
                    else {}
                ),
            }
            for line in bylines
        ],
        "publisher": {
            "@type": "Organization",
            "name": editions.site_name(),
            "url": request.build_absolute_uri(reverse("articles:home")),
        },
        "keywords": keyword_names,
    }
    if article.doi:
        schema["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": article.doi}
        schema["sameAs"] = article.doi_url
    if image:
        schema["image"] = {
            "@type": "ImageObject",
            "url": image["url"],
            "contentUrl": image["url"],
            "width": image["width"],
            "height": image["height"],
            **({"description": image["alt"]} if image["alt"] else {}),
            **({"caption": image["caption"]} if image["caption"] else {}),
            **({"creditText": image["credit"]} if image["credit"] else {}),
        }
    return {
        "url": url,
        "bibtex_url": article.address_in("articles:citation-bib"),
        "pdf_url": article.address_in("articles:pdf") if _offers_pdf(article, request) else "",
        "ris_url": article.address_in("articles:citation-ris"),
        "image": image,
        "published": published,
        "modified": modified,
        "names": names,
        "keywords": keyword_names,
        "locale": editions.OG_LOCALES[article.language],
        "json_ld": mark_safe(json.dumps(schema, ensure_ascii=False).translate(_SCRIPT_SAFE)),
        "reference": citing.reference(article, names, url, accessed),
        "bibtex": citing.bibtex(article, names, url, accessed),
        "ris": citing.ris(article, names, keyword_names, url, accessed),
    }


def _offers_pdf(article, request):
    """Whether the page links the article's PDF: not where PDFs cannot be made,
    nor when making this one failed since the content last changed."""
    return pdf.available() and not recall(pdf.failure_key(article), request=request)
