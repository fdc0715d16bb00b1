"""Full-text search over public articles.

PostgreSQL: each article keeps a weighted search vector (title above authors
and key words, above summary and headings, above body text) in a GIN-indexed
column, stemmed in English and plain for Persian, refreshed whenever the
article, its sections, bylines or key words change. Queries use the
`websearch` syntax, are ranked, and come with highlighted snippets. Other
databases get a plain substring match on the same normalised text.

However many articles match, a search reads at most the most recent
`SEARCH_RESULTS_LIMIT` of them (and one more, which tells that there are
more): those are ranked, counted and paged, and only the page's articles are
read whole, so a query that matches most of the archive costs about what one
that matches a thousand articles does.

Persian text is normalised the same way on both sides: Arabic yeh and kaf
become Persian ی and ک, and zero-width joiners, tatweel and diacritics go.
"""

import re
from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection, connections, models, router, transaction
from django.db.models import Case, F, Func, Lookup, Q, Value, When
from django.db.models.functions import Left, Length
from django.db.models.lookups import GreaterThan
from django.db.models.signals import post_delete, post_save
from django.utils.html import escape
from django.utils.safestring import mark_safe

from authors.models import Author

from . import calendar, richtext
from .models import EARLIEST, Article, ArticleAuthor, Keyword, Section, TaggedArticle

MAX_QUERY_LENGTH = 200
# Words and operators a query keeps: PostgreSQL's query parser has a small
# stack, and a long run of operators overflows it ("tsquery stack too small").
MAX_QUERY_TERMS = 32
SEARCH_CONFIG = {"en": "english", "fa": "simple"}
# Between an article's own words and its author names and key words in the
# stored text: a control character, which normalised prose never holds.
NAMES_SEPARATOR = "\x1e"
# Between the pieces of a PostgreSQL headline.
FRAGMENT_DELIMITER = " … "
# The characters of an article's text a PostgreSQL headline is drawn from; a
# match further on gets a snippet cut by `_window()` instead.
HEADLINE_TEXT_LENGTH = 2000

_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "\u200c": None, "\u200d": None, "ـ": None})
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")


def normalise(text):
    return _DIACRITICS.sub("", text.translate(_LETTERS))


_MINUS_RUN = re.compile(r"-{2,}")
# A minus sign that negates nothing: not followed by a word or a quoted phrase.
_STRAY_MINUS = re.compile(r"-(?![\w\"])")


def websearch_text(text):
    """The query as PostgreSQL's `websearch` syntax is given it: runs of minus
    signs made one, minus signs that negate nothing dropped, at most
    `MAX_QUERY_TERMS` words and operators."""
    text = _STRAY_MINUS.sub(" ", _MINUS_RUN.sub("-", text))
    return " ".join(text.split()[:MAX_QUERY_TERMS])


def uses_postgres():
    return connection.vendor == "postgresql"


# ---------------------------------------------------------------------------
# Keeping the search data current


# Articles indexed per round of queries.
INDEX_BATCH = 500


def index_articles(article_ids):
    """Recompute the stored search data of the given articles, a few queries
    for every `INDEX_BATCH` of them (an import indexes thousands)."""
    ids = list(article_ids)
    for first in range(0, len(ids), INDEX_BATCH):
        _index_batch(ids[first : first + INDEX_BATCH])


def _index_batch(ids):
    articles = Article.objects.filter(pk__in=ids).only("title", "summary", "language")
    sections, people, keywords = {}, {}, {}
    for article_id, heading, body in Section.objects.filter(article_id__in=ids).values_list(
        "article_id", "heading", "body"
    ):
        sections.setdefault(article_id, []).append((heading, body))
    for article_id, name in ArticleAuthor.objects.filter(article_id__in=ids).values_list(
        "article_id", "author__name"
    ):
        people.setdefault(article_id, []).append(name)
    for article_id, name in TaggedArticle.objects.filter(content_object_id__in=ids).values_list(
        "content_object_id", "tag__name"
    ):
        keywords.setdefault(article_id, []).append(name)
    rows = []
    for article in articles:
        own = sections.get(article.pk, [])
        parts = {
            "A": article.title,
            "B": " ".join(people.get(article.pk, []) + keywords.get(article.pk, [])),
            "C": " ".join([article.summary, *(heading for heading, _ in own)]),
            "D": " ".join(richtext.plain_text(body) for _, body in own),
        }
        parts = {weight: normalise(text) for weight, text in parts.items()}
        # The text the fallback searches and snippets are cut from: the
        # article's own words, then the names after `NAMES_SEPARATOR`, so
        # names stay searchable but never show in a snippet.
        text = " ".join(parts[w] for w in "ACD") + NAMES_SEPARATOR + parts["B"]
        rows.append((article.pk, SEARCH_CONFIG.get(article.language, "simple"), text, parts))
    if not rows:
        return
    if uses_postgres():
        _store_vectors(rows)
    else:
        # A plain queryset: search data is not something readers see on a
        # page, so it need not retire the cached page data.
        for pk, _config, text, _parts in rows:
            models.QuerySet(Article).filter(pk=pk).update(search_text=text)


def _store_vectors(rows):
    """One UPDATE for a batch: each article's text and weighted vector (the
    same vector `SearchVector(..., weight=w, config=c)` would build)."""
    values = ", ".join(["(%s, %s::regconfig, %s, %s, %s, %s, %s)"] * len(rows))
    weighted = " || ".join(
        f"setweight(to_tsvector(v.config, COALESCE(v.{w.lower()}, '')), '{w}')" for w in "ABCD"
    )
    params = [
        value
        for pk, config, text, parts in rows
        for value in (pk, config, text, parts["A"], parts["B"], parts["C"], parts["D"])
    ]
    table = Article._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET search_text = v.text, search_vector = {weighted} "
            f"FROM (VALUES {values}) AS v(id, config, text, a, b, c, d) WHERE {table}.id = v.id",
            params,
        )


def index_on_change(sender, instance, **kwargs):
    """Signal receiver: re-index the articles a saved or deleted row belongs to.

    Once the transaction commits, and once per article however many of its
    rows the transaction wrote (an admin save writes the article, its
    sections, bylines and key words); outside a transaction, at once. A
    callback is registered when an article joins those pending, not for
    every row, so a long import does not pile up one per row.
    """
    if kwargs.get("raw"):
        return
    using = kwargs.get("using") or router.db_for_write(sender)
    connection = connections[using]
    if not hasattr(connection, "search_pending"):
        connection.search_pending = set()
    ids = _articles_of(instance)
    joined = not connection.search_pending.issuperset(ids)
    connection.search_pending.update(ids)
    if not connection.in_atomic_block:
        _index_pending(connection)
    elif joined or not _hook_waiting(connection):
        transaction.on_commit(partial(_index_pending, connection), using=using)
        connection.search_hook = (len(connection.run_on_commit) - 1, connection.run_on_commit[-1])


def _hook_waiting(connection):
    """Whether the last callback registered still waits for the commit (a
    savepoint rolled back drops the callbacks registered inside it)."""
    index, entry = getattr(connection, "search_hook", (None, None))
    callbacks = connection.run_on_commit
    return index is not None and index < len(callbacks) and callbacks[index] is entry


def _index_pending(connection):
    # Everything pending is indexed at once. (What a rollback left pending is
    # indexed with the next commit: indexing an article again changes nothing.)
    ids, connection.search_pending = connection.search_pending, set()
    if ids:
        index_articles(ids)


def _articles_of(instance):
    if isinstance(instance, Article):
        return [instance.pk]
    if isinstance(instance, Author):
        return list(instance.bylines.values_list("article_id", flat=True))
    if isinstance(instance, Keyword):
        return list(instance.tagged_articles.values_list("content_object_id", flat=True))
    if hasattr(instance, "content_object_id"):
        return [instance.content_object_id]
    return [instance.article_id]


# ---------------------------------------------------------------------------
# Asking


def search_articles(q, *, language=None, author=None, keyword=None, year=None):
    """An edition's public articles matching `q`, best first: `Results`."""
    articles = Article.objects.in_edition(language)
    if author:
        articles = articles.filter(bylines__author__slug=author)
    if keyword:
        articles = articles.filter(keywords__slug=keyword)
    if year and year < EARLIEST.year:
        start, end = calendar.solar_range(year)
        articles = articles.in_period(start, end)
    elif year:
        articles = articles.filter(published_at__year=year)
    text = normalise(q)
    if uses_postgres():
        return ranked_search(articles, text)
    return substring_search(articles, text)


def most_recent(matches):
    """The most recent matches, one more than readers are shown.

    The database walks the publication date index from the newest article
    and stops when it has enough matches, or, for a rare word, reads its few
    matches from the full-text index and sorts them.
    """
    return matches.order_by("-published_at", "-pk")[: settings.SEARCH_RESULTS_LIMIT + 1]


def ranked_search(articles, text):
    """PostgreSQL: match the stored vectors; rank the most recent matches,
    best first, and give each article of a page its headline."""
    text = websearch_text(text)
    query = SearchQuery(text, search_type="websearch", config="english") | SearchQuery(
        text, search_type="websearch", config="simple"
    )
    recent = most_recent(articles.filter(search_vector=query)).values("pk")
    # Ranked in a query around the one that finds them, so that only these
    # few are ranked, not every match.
    ranked = (
        Article.objects.filter(OneOf(F("pk"), ArraySubquery(recent)))
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-published_at", "-pk")
        .values_list("pk", "rank")
    )
    headline = SearchHeadline(
        opening(Func(F("search_text"), Value(NAMES_SEPARATOR), Value(1), function="split_part")),
        query,
        config="english",
        start_sel="\x02",
        stop_sel="\x03",
        max_words=30,
        min_words=12,
        max_fragments=2,
        fragment_delimiter=FRAGMENT_DELIMITER,
    )
    return Results(ranked, headline=headline)


class OneOf(Lookup):
    """`lhs = ANY(rhs)`: the value is one of the array's. PostgreSQL looks
    each of an array's ids up by primary key, where given `IN (subquery)` it
    may read the whole table to join them instead."""

    lookup_name = "one_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def opening(text):
    """The first `HEADLINE_TEXT_LENGTH` characters of `text`, cut between
    words: what a headline is drawn from, as parsing the whole text of long
    articles would cost more than the rest of the search."""
    return Case(
        When(
            GreaterThan(Length(text), HEADLINE_TEXT_LENGTH),
            then=Func(
                Left(text, HEADLINE_TEXT_LENGTH + 1),
                Value(r"\s+\S*$"),
                Value(""),
                function="regexp_replace",
            ),
        ),
        default=text,
        output_field=models.TextField(),
    )


def substring_search(articles, text):
    """Any database: every word of the query somewhere in the text, newest first."""
    for word in _words(text):
        articles = articles.filter(Q(search_text__icontains=word))
    return Results(most_recent(articles).values_list("pk", Value(0)))


class Results(Sequence):
    """Search results: the most recent `SEARCH_RESULTS_LIMIT` matches, best
    first, and `more`, true when more matched.

    Made with one query, for the matches' ids and ranks (of one more than
    the limit, the most recent first); a slice is a list of articles, read
    with everything a listing shows (`for_listing()`) and what `highlighted()`
    cuts their snippets from, in one query more.
    """

    def __init__(self, ranked, headline=None):
        ranked = list(ranked)
        limit = settings.SEARCH_RESULTS_LIMIT
        self.more = len(ranked) > limit
        # Best first, the most recent first among equals (the sort is stable).
        self.ids = [pk for pk, rank in sorted(ranked[:limit], key=lambda row: -row[1])]
        self.headline = headline

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1 or None][0]
        ids = self.ids[index]
        # The stored text, which listings leave behind, for the snippets.
        articles = (
            Article.objects.public()
            .filter(pk__in=ids)
            .for_listing()
            .annotate(searched_text=F("search_text"))
        )
        if self.headline is not None:
            articles = articles.annotate(headline=self.headline)
        found = {article.pk: article for article in articles}
        # (An article unpublished since the search began is left out.)
        return [found[pk] for pk in ids if pk in found]


def highlighted(article, q):
    """A safe HTML snippet of a found article's own text (never its author
    names or key words), with the matched words in <mark> and "…" where cut."""
    text = article.searched_text.split(NAMES_SEPARATOR)[0].strip()
    headline = getattr(article, "headline", None) or ""
    if "\x02" in headline:
        # PostgreSQL's headline: one or two pieces of the text, cut between
        # words. It starts (ends) the text only if its first (last) piece does.
        # (Its pieces leave out the punctuation around them.)
        plain = _bare(headline.replace("\x02", "").replace("\x03", ""))
        first, last = plain.split(FRAGMENT_DELIMITER)[0], plain.split(FRAGMENT_DELIMITER)[-1]
        headline = (
            ("" if _bare(text).startswith(first) else "…")
            + headline.strip()
            + ("" if _bare(text).endswith(last) else "…")
        )
    else:
        # Elsewhere, or where the matches lie beyond the opening a headline
        # is drawn from, or only an author's name or a key word matched:
        # cut the text around the first match.
        headline = _window(text, _words(normalise(q)))
    html = escape(headline).replace("\x02", "<mark>").replace("\x03", "</mark>")
    return mark_safe(html)  # escaped above; only <mark> added


_NON_WORD = re.compile(r"\W+")


def _bare(text):
    """`text` without the spaces and punctuation at its ends (matched from
    each end: a pattern for the end of a long text would try every space)."""
    start = _NON_WORD.match(text)
    end = _NON_WORD.match(text[::-1])
    return text[start.end() if start else 0 : len(text) - (end.end() if end else 0)]


def _words(text):
    """The words of a query for the simple fallback, operators and quotes aside."""
    return [word for word in re.findall(r"\w+", text) if len(word) > 1 and word.upper() != "OR"]


def _whole_words(words):
    """A pattern for any of the words standing whole (an English plural
    ending allowed), so "Iran" is never marked inside "Iranian"."""
    alternatives = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?:e?s)?(?!\w)", re.IGNORECASE)


def _window(text, words, size=220):
    """About `size` characters of `text` around the first match, cut between
    words, with "…" where cut and the query's whole words marked."""
    words = [w for w in words if w]
    pattern = _whole_words(words) if words else None
    match = pattern.search(text) if pattern else None
    if match:
        at = match.start()
    else:
        # A match inside a longer word still places the snippet.
        lowered = text.lower()
        at = min((lowered.find(w.lower()) for w in words if w.lower() in lowered), default=0)
    start = max(0, at - size // 3)
    end = start + size
    if start and not text[start - 1].isspace():
        # Mid-word: start at the next word (never after the match itself).
        space = text.find(" ", start, at + 1)
        start = space + 1 if space != -1 else at
    if end < len(text) and not text[end].isspace():
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    snippet = text[start:end].strip()
    if pattern:
        snippet = pattern.sub(lambda m: f"\x02{m.group(0)}\x03", snippet)
    return ("…" if start else "") + snippet + ("…" if end < len(text) else "")


def connect_signals():
    for model in (Article, Section, ArticleAuthor, TaggedArticle, Author, Keyword):
        post_save.connect(index_on_change, sender=model, dispatch_uid=f"search-{model.__name__}")
    for model in (Section, ArticleAuthor, TaggedArticle):
        post_delete.connect(index_on_change, sender=model, dispatch_uid=f"search-{model.__name__}")
