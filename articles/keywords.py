"""Operations over several key words at once."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from taggit.utils import _parse_tags

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


def parse_keywords(text):
    """Key words typed in one field: separated by Latin or Persian commas."""
    return _parse_tags(text.replace("،", ","))
