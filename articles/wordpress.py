"""Moving in from WordPress: reading a WordPress export (WXR 1.1 and 1.2) into
authors, key words, articles and library images, with redirects from the
posts' old permalinks.

The file is read twice, as a stream (memory stays flat whatever its size):
first to check it is well-formed XML and a WordPress export and to gather
what items refer to (authors, attachments), then to write the posts, all in
one transaction. A malformed or hostile file (a document type, entities)
changes nothing; the error names its line. Running an import again changes
nothing: articles are matched by slug and date, authors by slug, key words by
name and images by content.

What WordPress stores differently is turned into what the site stores:
the post's HTML is cut into sections at its `<h2>` headings, block-editor
comments and shortcodes go, and classic posts get the paragraphs WordPress
adds on display (its `wpautop`): a blank line starts a paragraph, a single
newline is a line break.
"""

import datetime
import hashlib
import html
import re
import unicodedata
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import reversion
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator, slugify
from lxml import etree

from authors.models import Author
from csr_site.audit import record_many

from . import caching, redirects, renditions, richtext
from .models import Article, ArticleAuthor, Image, Keyword, Section

WP = "http://wordpress.org/export/"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
UPLOADS = "wp-content/uploads/"

STATUSES = {
    "publish": Article.Status.PUBLISHED,
    # Scheduled: published, with a date still to come.
    "future": Article.Status.PUBLISHED,
    "draft": Article.Status.DRAFT,
    "private": Article.Status.DRAFT,
    "pending": Article.Status.REVIEW,
}
# WordPress's own category for posts filed nowhere: no key word.
DEFAULT_CATEGORY = "uncategorized"


class WordPressError(Exception):
    """The export cannot be imported; nothing was written."""

    def __init__(self, line, message):
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass
class ImportResult:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    # Published posts without content or author, kept as drafts.
    held_back: int = 0
    missing_images: int = 0
    controls_removed: int = 0

    def lines(self):
        def say(counter):
            return ", ".join(f"{n} {kind}" for kind, n in sorted(counter.items())) or "nothing"

        yield f"Created: {say(self.created)}."
        yield f"Updated: {say(self.updated)}."
        yield f"Unchanged: {say(self.unchanged)}."
        yield f"Skipped: {say(self.skipped)}."
        if self.held_back:
            yield f"Kept as drafts (no author or no content): {self.held_back}."
        if self.missing_images:
            yield f"Featured images not found in the media folder: {self.missing_images}."
        yield f"Invisible control characters removed: {self.controls_removed}."


# Reading the file


# Articles recorded in the audit trail at a time.
AUDIT_CHUNK = 500


def _split(tag):
    namespace, _, name = tag.rpartition("}")
    return namespace.lstrip("{"), name


def _text(element):
    return element.text or ""


def _is_wp(namespace):
    return namespace.startswith(WP) and not namespace.endswith("/excerpt/")


def _read_author(element):
    data = {}
    for child in element:
        namespace, name = _split(child.tag)
        if _is_wp(namespace):
            data[name] = _text(child).strip()
    return data


def _read_item(element):
    item = {"line": element.sourceline, "categories": [], "meta": {}, "comments": 0}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        namespace, name = _split(child.tag)
        if child.tag == CONTENT:
            item["content"] = _text(child)
        elif child.tag == DC_CREATOR:
            item["creator"] = _text(child).strip()
        elif namespace.endswith("/excerpt/"):
            item["excerpt"] = _text(child)
        elif namespace == "" and name == "category":
            item["categories"].append(
                (child.get("domain", ""), child.get("nicename", ""), _text(child))
            )
        elif namespace == "" and name in ("title", "link"):
            item[name] = _text(child)
        elif _is_wp(namespace) and name == "postmeta":
            meta = _read_author(child)
            item["meta"][meta.get("meta_key", "")] = meta.get("meta_value", "")
        elif _is_wp(namespace) and name == "comment":
            item["comments"] += 1
        elif _is_wp(namespace):
            item[name] = _text(child).strip()
    return item


def _doctype_line(path, before):
    with open(path, "rb") as file:
        for number, line in enumerate(file, 1):
            if b"<!DOCTYPE" in line.upper() or number >= before:
                return number
    return before


def read(path):
    """The export's records, in order: ("author", dict) and ("item", dict).

    Streamed: each record is dropped from the tree once read. Entities are
    never expanded, nothing is fetched from the network, and a document type
    declaration (which a WordPress export never has) is refused.
    """
    events = etree.iterparse(
        str(path),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    depth, version = 0, None
    # The parser's error log is kept per thread across files: start this one empty.
    etree.clear_error_log()
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1:
                    docinfo = element.getroottree().docinfo
                    if docinfo.doctype or docinfo.internalDTD or docinfo.externalDTD:
                        raise WordPressError(
                            _doctype_line(path, element.sourceline),
                            "the file declares a document type (<!DOCTYPE …>), which a "
                            "WordPress export never does; it is refused.",
                        )
                    if element.tag != "rss":
                        raise WordPressError(
                            element.sourceline, "this is not a WordPress export (no <rss>)."
                        )
                continue
            depth -= 1
            if depth != 2:
                continue
            namespace, name = _split(element.tag) if isinstance(element.tag, str) else ("", "")
            if _is_wp(namespace) and name == "wxr_version":
                version = _text(element).strip()
            elif _is_wp(namespace) and name == "author":
                yield "author", _read_author(element)
            elif namespace == "" and name == "item":
                if version is None:
                    raise WordPressError(
                        element.sourceline,
                        "an item comes before <wp:wxr_version>: this is not a WordPress export.",
                    )
                yield "item", _read_item(element)
            # Done with it: drop it and what came before it.
            element.clear()
            parent = element.getparent()
            while element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as error:
        # The parser's log holds the first fatal error; the exception, at times, a later one.
        fatal = next(iter(error.error_log.filter_from_fatals()), None)
        line, message = (fatal.line, fatal.message) if fatal else (error.lineno, error.msg)
        raise WordPressError(line, f"the file is not well-formed XML: {message}") from None
    if version is None:
        raise WordPressError(None, "this is not a WordPress export (no <wp:wxr_version>).")
    if version.split(".")[0] != "1":
        raise WordPressError(None, f"WXR version {version} is not known.")


@dataclass
class Survey:
    """What the first reading found: what posts refer to, and how many there are."""

    authors: dict = field(default_factory=dict)
    attachments: dict = field(default_factory=dict)
    posts: int = 0


def survey(path):
    found = Survey()
    for kind, data in read(path):
        if kind == "author":
            found.authors[data.get("author_login", "")] = data
        elif data.get("post_type") == "attachment":
            found.attachments[data.get("post_id", "")] = data
        elif data.get("post_type") == "post":
            found.posts += 1
    return found


# Text


# Characters a plain-text field must not keep: controls and invisible format
# characters (bidirectional overrides and embeddings among them), except the
# zero-width non-joiner and joiner that Persian and other scripts write with.
KEPT_FORMAT_CHARACTERS = {"\u200c", "\u200d"}


def strip_controls(value, result):
    kept = []
    for character in value:
        if (
            character not in "\t\n\r"
            and unicodedata.category(character) in ("Cc", "Cf")
            and character not in KEPT_FORMAT_CHARACTERS
        ):
            result.controls_removed += 1
            continue
        kept.append(character)
    return "".join(kept)


def plain(value, result, limit):
    """A title or a name: no tags, no controls, on one line, within `limit` characters."""
    text = " ".join(strip_controls(html.unescape(value or ""), result).split())
    return Truncator(text).chars(limit, truncate="…")


def is_persian(title, content):
    text = title + " " + richtext.plain_text(content[:20000])
    letters = [c for c in text if c.isalpha()]
    arabic = sum(
        1
        for c in letters
        if "\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f" or "\ufb50" <= c <= "\ufeff"
    )
    return bool(letters) and arabic * 2 > len(letters)


# Content

BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->", re.DOTALL)
# Shortcodes that show media kept on the old site: dropped with what they enclose.
MEDIA_SHORTCODES = ["caption", "wp_caption", "gallery", "embed", "audio", "video", "playlist"]
MEDIA_SHORTCODE = re.compile(
    r"\[(?P<name>" + "|".join(MEDIA_SHORTCODES) + r")\b[^\]]*\](?:.*?\[/(?P=name)\])?",
    re.DOTALL | re.IGNORECASE,
)
# Other shortcodes of WordPress and of common page builders: the tags go, the text stays.
OTHER_SHORTCODE = re.compile(
    r"\[/?(?:(?:vc|et_pb|fusion|av|su|tie|x)_[\w-]+|contact-form(?:-7)?|"
    r"dropcap|quote|pullquote|button|columns?|one_half|one_third|two_thirds|"
    r"tabs?|toggle|accordion|spoiler|sourcecode|code)\b[^\]]*\]",
    re.IGNORECASE,
)
# Any other shortcode (a plugin's, a theme's): a tag closed later by its own
# `[/name]`, one that closes itself (`[name /]`) or one with attributes
# (`[name key="value"]`). The tags go, the text stays. A bare `[word]` with
# none of these is taken for text ("[sic]", "[1]").
ANY_SHORTCODE = re.compile(
    r"\[(?P<close>/)?(?P<name>[a-z][\w-]*)(?P<attributes>\s[^\[\]]*?)?(?P<itself>/)?\]",
    re.IGNORECASE,
)
CLOSING_SHORTCODE = re.compile(r"\[/([a-z][\w-]*)\]", re.IGNORECASE)

BLOCKS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|"
    "form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|"
    "article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary"
)
BLOCK_START = re.compile(rf"^</?(?:{BLOCKS})\b", re.IGNORECASE)
H2 = re.compile(r"<h2\b[^>]*>(.*?)</h2\s*>", re.DOTALL | re.IGNORECASE)


def remove_shortcodes(content):
    content = OTHER_SHORTCODE.sub("", MEDIA_SHORTCODE.sub("", content))
    closed = {name.lower() for name in CLOSING_SHORTCODE.findall(content)}

    def drop(match):
        attributes = match["attributes"] or ""
        if (
            match["close"]
            or match["itself"]
            or match["name"].lower() in closed
            or "=" in attributes
        ):
            return ""
        return match[0]

    return ANY_SHORTCODE.sub(drop, content)


def autop(text):
    """WordPress's `wpautop`, in short: blank lines part paragraphs, a single
    newline inside one is a line break; block elements are left as they are."""
    if not text.strip():
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pres = []

    def keep(match):
        pres.append(match.group(0))
        return f"<pre-{len(pres) - 1}>"

    text = re.sub(r"<pre\b.*?</pre>", keep, text, flags=re.DOTALL | re.IGNORECASE)
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text, flags=re.IGNORECASE)
    text = re.sub(rf"(<(?:{BLOCKS})\b[^>]*>)", r"\n\n\1", text, flags=re.IGNORECASE)
    text = re.sub(rf"(</(?:{BLOCKS})>)", r"\1\n\n", text, flags=re.IGNORECASE)
    paragraphs = []
    for chunk in re.split(r"\n\s*\n", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if BLOCK_START.match(chunk) or chunk.startswith("<pre-"):
            paragraphs.append(chunk)
        else:
            paragraphs.append("<p>" + re.sub(r"\s*\n\s*", "<br>\n", chunk) + "</p>")
    text = "\n".join(paragraphs)
    text = re.sub(r"<pre-(\d+)>", lambda m: pres[int(m.group(1))], text)
    return text


def sections_of(content, result):
    """The post's content as [(heading, body HTML)], cut at its <h2> headings."""
    content = strip_controls(content, result)
    block_editor = "<!-- wp:" in content
    content = remove_shortcodes(BLOCK_COMMENT.sub("", content))
    if not block_editor:
        content = autop(content)
    parts = H2.split(content)
    sections = []
    opening = richtext.clean(parts[0], section=True)
    if richtext.plain_text(opening) or "<img" in opening:
        sections.append(("", opening))
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        heading = plain(richtext.plain_text(heading), result, 300)
        sections.append((heading, richtext.clean(body, section=True)))
    return sections


# Writing


def _date(item, zone):
    gmt = item.get("post_date_gmt", "")
    local = item.get("post_date", "")
    try:
        if gmt and not gmt.startswith("0000"):
            moment = datetime.datetime.fromisoformat(gmt)
            return moment.replace(tzinfo=datetime.UTC)
        if local and not local.startswith("0000"):
            return timezone.make_aware(datetime.datetime.fromisoformat(local), zone)
    except ValueError:
        raise WordPressError(
            item["line"], f"the post's date “{gmt or local}” is no date."
        ) from None
    return timezone.now()


def _slug(item, title):
    slug = slugify(unquote(item.get("post_name", "")), allow_unicode=True)
    slug = slug or slugify(title, allow_unicode=True) or f"post-{item.get('post_id', '')}"
    return slug[:200].strip("-")


class Importer:
    def __init__(self, survey, *, media_dir=None, language=None, zone=None, progress=None):
        self.survey = survey
        self.media_dir = Path(media_dir).resolve() if media_dir else None
        self.language = language
        self.zone = zone or timezone.get_default_timezone()
        self.progress = progress
        self.result = ImportResult()
        self.authors = {}
        self.keywords = {}
        self.new_files = []
        self.articles = []

    def author(self, login, line):
        if login not in self.authors:
            data = self.survey.authors.get(login, {})
            slug = slugify(login, allow_unicode=True)[:200] or "author"
            author = Author.objects.filter(slug=slug).first()
            if author is None:
                name = plain(data.get("author_display_name") or login, self.result, 200)
                author = Author(name=name or slug, slug=slug)
                self.check(author, line, f"author “{login}”")
                author.save()
                self.result.created["authors"] += 1
            else:
                self.result.unchanged["authors"] += 1
            self.authors[login] = author
        return self.authors[login]

    def keyword(self, name):
        key = name.lower()
        if key not in self.keywords:
            keyword = Keyword.objects.filter(name__iexact=name).first()
            if keyword is None:
                keyword = Keyword.objects.create(name=name)
                self.result.created["key words"] += 1
            self.keywords[key] = keyword
        return self.keywords[key]

    def check(self, obj, line, what, exclude=()):
        try:
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            problems = "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
            )
            raise WordPressError(line, f"{what}: {problems}") from None

    def image(self, item):
        attachment = self.survey.attachments.get(item["meta"].get("_thumbnail_id", ""))
        if attachment is None or self.media_dir is None:
            return None
        url = urlsplit(attachment.get("attachment_url", "")).path
        if UPLOADS not in url:
            self.result.missing_images += 1
            return None
        relative = PurePosixPath(unquote(url.split(UPLOADS, 1)[1]))
        path = (self.media_dir / relative).resolve()
        # Never a file outside the media folder ("../" in an address).
        if not path.is_relative_to(self.media_dir) or not path.is_file():
            self.result.missing_images += 1
            return None
        data = path.read_bytes()
        existing = Image.objects.filter(sha256=hashlib.sha256(data).hexdigest()).first()
        if existing is not None:
            return existing
        title = attachment.get("title", "")
        alt = attachment["meta"].get("_wp_attachment_image_alt") or title or item.get("title", "")
        image = Image(
            file=ContentFile(data, name=path.name),
            alt=plain(alt, self.result, 300),
            caption=plain(richtext.plain_text(attachment.get("excerpt", "")), self.result, 300),
        )
        try:
            image.save()
        except ValidationError as error:
            raise WordPressError(
                attachment["line"], f"the image {relative}: {' '.join(error.messages)}"
            ) from None
        self.new_files.extend(image.stored_names())
        self.result.created["images"] += 1
        return image

    def post(self, item):
        line = item["line"]
        result = self.result
        title = plain(item.get("title", ""), result, 300)
        content = item.get("content", "")
        sections = sections_of(content, result)
        status = STATUSES[item["status"]]
        published_at = _date(item, self.zone)
        language = self.language or ("fa" if is_persian(title, content) else "en")
        authors = [self.author(item["creator"], line)] if item.get("creator") else []
        if status == Article.Status.PUBLISHED and Article.publishing_problems(
            authors=len(authors), sections=len(sections)
        ):
            status = Article.Status.DRAFT
            result.held_back += 1
        names = []
        for domain, nicename, text in item["categories"]:
            if domain not in ("category", "post_tag") or nicename == DEFAULT_CATEGORY:
                continue
            name = plain(text, result, 100)
            if name and name.lower() not in {n.lower() for n in names}:
                names.append(name)
        fields = {
            "title": title or "Untitled",
            "summary": " ".join(
                strip_controls(richtext.plain_text(item.get("excerpt", "")), result).split()
            ),
            "language": language,
            "status": status,
            "published_at": published_at,
        }
        slug = _slug(item, title)
        day = timezone.localdate(published_at)
        article = Article.objects.filter(slug=slug, publish_date=day).first()
        adding = article is None
        if adding:
            article = Article(slug=slug)
        image = self.image(item)
        wanted = {
            **fields,
            "authors": [a.pk for a in authors],
            "keywords": sorted(n.lower() for n in names),
            "sections": sections,
            "image": image.pk if image else (None if adding else article.image_id),
        }
        if not adding and self.state(article) == wanted:
            result.unchanged["articles"] += 1
        else:
            for name, value in fields.items():
                setattr(article, name, value)
            article.image = image if image else article.image
            article.publish_date = day
            self.check(article, line, f"post “{title}”", exclude=["authors", "keywords"])
            with reversion.create_revision():
                reversion.set_comment("Imported from WordPress")
                article.save()
                article.bylines.all().delete()
                for order, author in enumerate(authors):
                    ArticleAuthor.objects.create(article=article, author=author, order=order)
                article.sections.all().delete()
                for order, (heading, body) in enumerate(sections):
                    Section.objects.create(article=article, order=order, heading=heading, body=body)
                article.keywords.set([self.keyword(name) for name in names])
            (result.created if adding else result.updated)["articles"] += 1
            self.articles.append(article)
            if len(self.articles) >= AUDIT_CHUNK:
                self.audit()
        old_path = redirects.path_of(urlsplit(item.get("link", "")).path)
        if old_path not in ("", "/") and old_path != redirects.path_of(article.get_absolute_url()):
            redirects.remember(old_path, article=article)

    @staticmethod
    def state(article):
        return {
            "title": article.title,
            "summary": article.summary,
            "language": article.language,
            "status": article.status,
            "published_at": article.published_at,
            "authors": [line.author_id for line in article.bylines.all()],
            "keywords": sorted(k.name.lower() for k in article.keywords.all()),
            "sections": [(s.heading, s.body) for s in article.sections.all()],
            "image": article.image_id,
        }

    def run(self, path):
        done = 0
        for kind, item in read(path):
            if kind != "item":
                continue
            self.result.skipped["comments"] += item["comments"]
            post_type = item.get("post_type", "")
            if post_type != "post":
                self.result.skipped[f"{post_type or 'untyped'} items"] += 1
                continue
            if item.get("status") not in STATUSES:
                self.result.skipped[f"posts ({item.get('status') or 'no status'})"] += 1
            else:
                self.post(item)
            done += 1
            if self.progress:
                self.progress(done, self.survey.posts)
        self.audit()
        return self.result

    def audit(self):
        """Record the articles written since the last time in the audit trail
        (a chunk at a time, so memory does not grow with the export)."""
        record_many(None, self.articles, "Imported from WordPress")
        self.articles = []


def import_wordpress(path, *, media_dir=None, language=None, time_zone=None, progress=None):
    """Import the export at `path`: all of it, or (raising WordPressError) nothing."""
    zone = zoneinfo.ZoneInfo(time_zone) if time_zone else None
    found = survey(path)
    importer = Importer(found, media_dir=media_dir, language=language, zone=zone, progress=progress)
    try:
        # One content-version change, at the end, not one a row written.
        with transaction.atomic(), caching.changes_batched():
            return importer.run(path)
    except BaseException:
        # The database is as it was; so is the media storage.
        renditions.delete(importer.new_files)
        raise
