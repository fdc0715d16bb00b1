"""The sanitiser, and that every save path uses it."""

import pytest

from articles import richtext
from articles.models import Section
from authors.models import Author

from .factories import ArticleFactory


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>Hi<script>alert(1)</script></p>", "<p>Hi</p>"),
        ('<p onclick="steal()">Hi</p>', "<p>Hi</p>"),
        ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "<a>x</a>"),
        (
            '<a href="https://example.org" target="_blank">x</a>',
            '<a href="https://example.org">x</a>',
        ),
        ('<p class="MsoNormal"><span lang="EN-GB">Word<o:p></o:p></span></p>', "<p>Word</p>"),
        ("<p><b>old bold</b> <i>old italic</i> <u>u</u></p>", "<p>old bold old italic u</p>"),
        ('<p>a<iframe src="https://evil.example"></iframe>b</p>', "<p>ab</p>"),
        ('<img src=x onerror="alert(1)">', ""),
        ("<style>p{color:red}</style><p>text</p>", "<p>text</p>"),
        ('<p style="color:red" class="MsoNormal">Word</p>', "<p>Word</p>"),
        ("<p>x<!-- comment --></p>", "<p>x</p>"),
        ('<svg onload="alert(1)"><circle/></svg>', ""),
    ],
)
def test_sanitiser_removes_what_is_unsafe(dirty, clean):
    assert richtext.clean(dirty) == clean


def test_sanitiser_keeps_links_lists_and_emphasis():
    html = (
        '<p><strong>Bold</strong>, <em>italic</em> and a <a href="https://example.org/x">link</a>'
        '.<br></p><ul><li><p>one</p></li></ul><ol start="2"><li><p>two</p></li></ol>'
        "<blockquote><p>quoted</p></blockquote><h3>Sub-heading</h3><h4>Smaller</h4>"
    )
    assert richtext.clean(html) == html


def test_sanitising_twice_changes_nothing():
    once = richtext.clean('<p>a <a href="https://example.org">b</a><script>x</script></p>')
    assert richtext.clean(once) == once


def test_section_and_bio_are_sanitised_on_save(db):
    article = ArticleFactory(sections=[])
    section = Section.objects.create(
        article=article, body="<p onclick=x>Body<script>1</script></p>"
    )
    section.refresh_from_db()
    assert section.body == "<p>Body</p>"
    author = Author.objects.create(name="A", slug="a", bio="<p>Bio</p><iframe></iframe>")
    author.refresh_from_db()
    assert author.bio == "<p>Bio</p>"


def test_anchors_are_unique_and_keep_persian_letters():
    taken = set()
    assert richtext.anchor_for("Iran's approach", taken) == "irans-approach"
    assert richtext.anchor_for("Iran's approach", taken) == "irans-approach-2"
    assert richtext.anchor_for("رویکرد ایران", taken) == "رویکرد-ایران"
    assert richtext.anchor_for("?!", taken) == "section"
