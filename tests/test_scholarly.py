"""What makes an article citable: its DOI everywhere a citation reads it."""

import json

import lxml.html
import pytest
from django.core.management import CommandError
from django.urls import reverse

from articles.models import Article

from .conftest import form_values
from .factories import ArticleFactory
from .test_interchange import ARCHIVE, broken, run_export, run_import, write

DOI = "10.1234/csr.2016.0420"


@pytest.fixture
def cited(published):
    published.doi = DOI
    published.save()
    return published


def test_doi_is_shown_with_the_citation_and_in_every_citation_format(client, cited):
    page = client.get(cited.get_absolute_url()).content.decode()
    tree = lxml.html.fromstring(page)
    assert tree.xpath('//meta[@name="citation_doi"]/@content') == [DOI]
    reference = tree.xpath('//p[@class="reference"]')[0].text_content()
    assert reference.endswith(f"https://doi.org/{DOI}.")
    assert tree.xpath(f'//a[@href="https://doi.org/{DOI}"]')
    schema = json.loads(tree.xpath('//script[@type="application/ld+json"]')[0].text)
    assert schema["identifier"] == {"@type": "PropertyValue", "propertyID": "DOI", "value": DOI}
    assert schema["sameAs"] == f"https://doi.org/{DOI}"
    bibtex = client.get(cited.address_in("articles:citation-bib")).content.decode()
    assert f"  doi = {{{DOI}}}" in bibtex
    ris = client.get(cited.address_in("articles:citation-ris")).content.decode()
    assert f"DO  - {DOI}\r\n" in ris


def test_article_without_a_doi_has_none_of_it(client, published):
    page = client.get(published.get_absolute_url()).content.decode()
    assert "citation_doi" not in page and "doi.org" not in page
    bibtex = client.get(published.address_in("articles:citation-bib")).content.decode()
    assert "doi =" not in bibtex


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://doi.org/10.1234/x", "Give the DOI as 10.NNNN/…"),
        ("10.12/short-registrant", "Give the DOI as 10.NNNN/…"),
        ("10.1234/with space", "Give the DOI as 10.NNNN/…"),
        (DOI, "Another article has this DOI."),
    ],
)
def test_admin_refuses_a_bad_or_taken_doi(admin_client, cited, value, message):
    other = ArticleFactory()
    url = reverse("admin:articles_article_change", args=[other.pk])
    values = form_values(admin_client.get(url), "article_form")
    values["doi"] = [value]
    response = admin_client.post(url, values)
    assert response.status_code == 200
    assert message in response.content.decode()
    other.refresh_from_db()
    assert other.doi == ""


def test_admin_stores_a_doi_and_filters_by_it(admin_client, published):
    url = reverse("admin:articles_article_change", args=[published.pk])
    values = form_values(admin_client.get(url), "article_form")
    values["doi"] = [DOI]
    assert admin_client.post(url, values).status_code == 302
    published.refresh_from_db()
    assert published.doi == DOI
    ArticleFactory(title="Uncited piece")
    changelist = reverse("admin:articles_article_changelist")
    with_doi = admin_client.get(changelist, {"doi": "yes"}).content.decode()
    assert published.title in with_doi and "Uncited piece" not in with_doi
    without = admin_client.get(changelist, {"doi": "no"}).content.decode()
    assert published.title not in without and "Uncited piece" in without


def test_doi_travels_through_export_and_import(db, tmp_path):
    data = broken(lambda d: d["articles"][0].update(doi=DOI))
    run_import(write(tmp_path, data))
    assert Article.objects.get(slug=data["articles"][0]["slug"]).doi == DOI
    exported = run_export()
    assert [a.get("doi") for a in exported["articles"] if a["doi"]] == [DOI]


def test_import_refuses_a_bad_doi_and_changes_nothing(db, tmp_path):
    data = broken(lambda d: d["articles"][0].update(doi="doi:10.1234/x"))
    with pytest.raises(CommandError) as error:
        run_import(write(tmp_path, data))
    assert 'article "russia-us-syria" (#1): doi: Give the DOI as 10.NNNN/…' in str(error.value)
    assert not Article.objects.exists()
    assert ARCHIVE["articles"][0].get("doi") is None
