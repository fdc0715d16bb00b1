"""The sample content a new user sees."""

from io import StringIO

from django.contrib.auth.models import User
from django.core.management import call_command

from articles.models import Article
from authors.models import Author


def test_demo_content_fills_an_empty_database(client, db):
    out = StringIO()
    call_command("load_demo", "--admin", stdout=out)
    public = Article.objects.public()
    assert public.filter(language="en").count() >= 8
    assert public.filter(language="fa").exists()
    assert Article.objects.filter(status="draft").exists()
    assert Article.objects.filter(status="published").exclude(pk__in=public).exists()
    assert Author.objects.count() >= 3
    assert any(
        a.keywords.count() >= 3 and a.sections.exclude(heading="").count() >= 2 for a in public
    )
    translated = public.filter(language="fa", translation__isnull=False).get()
    assert (
        translated.translation.language == "en" and translated.translation.translation == translated
    )
    assert User.objects.get(username="admin").is_superuser
    assert "Admin login: user 'admin', password '" in out.getvalue()
    for article in public:
        page = client.get(article.get_absolute_url())
        assert page.status_code == 200
        # No photo credit without a photo; each photo with its text and renditions.
        if article.photo_credit or article.image:
            assert article.image is not None and article.image.alt and article.image.credit
            assert b"<picture>" in page.content
            assert article.image.credit in page.content.decode()
    assert Article.objects.filter(image__isnull=False).count() >= 6


def test_demo_content_has_a_figure_and_documents_for_the_page_checks(client, db):
    # tests/test_page_quality.py checks the newest public article of each edition.
    call_command("load_demo", stdout=StringIO())
    english = Article.objects.public().filter(language="en").first()
    persian = Article.objects.public().filter(language="fa").first()
    page = client.get(english.get_absolute_url()).content.decode()
    article = page[page.index('<article class="article"') : page.index("</article>")]
    assert english.image and article.count("<picture>") == 2  # The lead image and a figure.
    assert "A reservoir at the end of summer." in page
    assert "Briefing: heat and water in arid cities</a> (PDF, 9 KB, 3 pages)" in page
    assert english.documents.get().page_count == 3
    assert persian.documents.exists()


def test_demo_content_is_loaded_once(db):
    call_command("load_demo", stdout=StringIO())
    count = Article.objects.count()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert Article.objects.count() == count
    assert "already has articles" in out.getvalue()


def test_demo_content_fills_the_home_pages_in_depth_slot(client, db):
    call_command("load_demo", stdout=StringIO())
    for url, name in [("/", "Energy"), ("/fa/", "سوریه")]:
        page = client.get(url).content.decode()
        in_depth = page[page.index('<section class="in-depth"') :]
        in_depth = in_depth[: in_depth.index("</section>")]
        assert f"<bdi>{name}</bdi>" in in_depth
        assert in_depth.count('class="card') >= 2
