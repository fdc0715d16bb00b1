from django.urls import path

from articles.feeds import AuthorFeed

from . import views

app_name = "authors"

urlpatterns = [
    path("", views.AuthorIndexView.as_view(), name="index"),
    path("<uslug:slug>/", views.AuthorDetailView.as_view(), name="detail"),
    path("<uslug:slug>/feed/", AuthorFeed(), name="feed"),
]
