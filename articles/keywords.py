"""Operations over several key words at once."""

from django.db import transaction
from taggit.utils import _parse_tags

from .models import Article, Keyword, TaggedArticle
from .search import index_articles


@transaction.atomic
def merge_keywords(into, others):
    """Fold `others` into the key word `into`, then delete them.

    Every article tagged with any of them ends up tagged with `into`, once.
    `into` keeps its own description and counterpart, and takes the first
    of the others' where it has none.
    """
    others = [keyword for keyword in others if keyword.pk != into.pk]
    if not others:
        return into.tagged_articles.count()
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
