"""The authors' public addresses; pages the same for every reader go through `public_page`."""

from django.urls import path

from articles.caching import public_page
from articles.feeds import AuthorFeed

from . import views

app_name = "authors"

urlpatterns = [
    path("", public_page(views.AuthorIndexView.as_view()), name="index"),
    path("<uslug:slug>/", public_page(views.AuthorDetailView.as_view()), name="detail"),
    path("<uslug:slug>/feed/", public_page(AuthorFeed()), name="feed"),
]
