"""Operations over several key words at once, and key words as editors type them."""

import re
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from . import redirects
from .models import Article, Keyword, TaggedArticle
from .search import index_articles


def _languages(keywords):
    """The languages of the articles each key word is used by: {pk: {"en", …}}."""
    found = {keyword.pk: set() for keyword in keywords}
    pairs = TaggedArticle.objects.filter(tag__in=found).values_list(
        "tag_id", "content_object__language"
    )
    for pk, language in pairs.distinct():
        found[pk].add(language)
    return found


def check_merge(into, others):
    """Refuse to fold key words of one language into a key word of the other.

    "Syria" (English articles) and "سوریه" (Persian articles) are counterparts,
    not one key word: merged, each edition would list the other's word.
    """
    languages = _languages([into, *others])
    for keyword in others:
        mixed = (
            languages[into.pk]
            and languages[keyword.pk]
            and not (languages[into.pk] & languages[keyword.pk])
        )
        if mixed or keyword.pk == into.counterpart_id:
            raise ValidationError(
                _(
                    "“%(other)s” and “%(into)s” are used by articles of different languages: "
                    "link them as counterparts instead of merging them."
                )
                % {"other": keyword.name, "into": into.name},
                code="languages",
            )


@transaction.atomic
def merge_keywords(into, others):
    """Fold `others` into the key word `into`, then delete them.

    Every article tagged with any of them ends up tagged with `into`, once.
    `into` keeps its own description and counterpart, and takes the first
    of the others' where it has none. The others' addresses lead to `into`.
    Key words of different languages are refused (`check_merge`).
    """
    others = [keyword for keyword in others if keyword.pk != into.pk]
    if not others:
        return into.tagged_articles.count()
    check_merge(into, others)
    ids = [keyword.pk for keyword in others]
    tagged = set(
        TaggedArticle.objects.filter(tag__in=ids).values_list("content_object_id", flat=True)
    )
    already = set(
        TaggedArticle.objects.filter(tag=into).values_list("content_object_id", flat=True)
    )
    TaggedArticle.objects.bulk_create(
        TaggedArticle(content_object_id=article_id, tag=into) for article_id in tagged - already
    )
    if not into.description:
        into.description = next((k.description for k in others if k.description), "")
    counterpart = into.counterpart or next(
        (k.counterpart for k in others if k.counterpart_id not in (None, into.pk, *ids)),
        None,
    )
    redirects.keywords_merged(into, others)
    Keyword.objects.filter(pk__in=ids).delete()
    into.save(update_fields=["description"])
    if counterpart is not None and into.counterpart_id != counterpart.pk:
        counterpart.refresh_from_db()
        into.link_counterpart(counterpart)
    # The new links were written in bulk, without the signals that re-index;
    # and editors with one of these articles open must not save the old key
    # words back over the merge.
    index_articles(tagged)
    Article.objects.filter(pk__in=tagged).mark_changed()
    return len(tagged | already)


COMMAS = ",،"


def _split(line):
    """The names on one line: separated by commas, except inside double quotes."""
    pieces, current, quoted = [], [], False
    for char in line:
        if char == '"':
            quoted = not quoted
        if char in COMMAS and not quoted:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    if quoted:
        # A quote never closed: the commas separate after all.
        pieces = re.split(f"[{COMMAS}]", line)
    names = []
    for piece in pieces:
        piece = piece.strip()
        if len(piece) > 1 and piece[0] == piece[-1] == '"':
            piece = piece[1:-1].strip()
        names.append(piece)
    return names


def keywords_text(keywords):
    """Key words as the editor sees them in the article form: one a line, each
    name as it is (no quotes, even around a comma), in the order given."""
    return "\n".join(keyword.name for keyword in keywords)


def parse_keywords(text):
    """The key word names typed in the article form, in the order typed.

    One key word a line, or several on a line separated by commas (Latin or
    Persian); a line that is the whole name of an existing key word ("Iran,
    Islamic Republic") stays one, and a new name holding a comma is typed in
    double quotes. Spaces never separate key words. Names are kept as typed;
    the same name twice, in any case, counts once.
    """
    lines = [line.strip() for line in (text or "").splitlines()]
    # Lines that splitting would change are looked up once, together.
    doubtful = [line for line in lines if re.search(f'[{COMMAS}"]', line)]
    whole = set()
    if doubtful:
        matches = reduce(or_, (Q(name__iexact=line) for line in doubtful))
        whole = {
            name.casefold()
            for name in Keyword.objects.filter(matches).values_list("name", flat=True)
        }
    names = []
    for line in lines:
        if line.casefold() in whole:
            names.append(line)
            continue
        names += _split(line)
    unique = {}
    for name in names:
        if name:
            unique.setdefault(name.casefold(), name)
    return list(unique.values())


def order_keywords(article, names):
    """Put the links of `article` to its key words, `names`, in that order.

    The article form lists key words in the order their links were made, so
    the links from the first one out of place on are made again, in order;
    those before it are left alone.
    """
    manager = article.keywords
    links = list(
        TaggedArticle.objects.filter(content_object=article).select_related("tag").order_by("pk")
    )
    wanted = {name.casefold(): place for place, name in enumerate(names)}
    in_order = sorted(links, key=lambda link: wanted.get(link.tag.name.casefold(), len(wanted)))
    first_out = next(
        (i for i, (a, b) in enumerate(zip(links, in_order, strict=True)) if a != b), None
    )
    if first_out is not None:
        manager.remove(*(link.tag.name for link in links[first_out:]))
        manager.add(*(link.tag for link in in_order[first_out:]))
