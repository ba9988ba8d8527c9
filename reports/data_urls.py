"""/data/: the open data (reports/data_views.py). Every page is public, GET only."""

from django.urls import path, re_path

from reports import data_views

app_name = "data"

SLUG = r"(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)"

urlpatterns = [
    path("", data_views.index, name="index"),
    path("catalog.json", data_views.catalog, name="catalog"),
    path("hasil/", data_views.results, name="results"),
    re_path(r"^hasil/(?P<year>[0-9]{4})/$", data_views.results, name="results-year"),
    # Only the formats that exist: /data/<slug>.pdf is a 404.
    re_path(rf"^{SLUG}\.meta\.json$", data_views.metadata, name="metadata"),
    re_path(rf"^{SLUG}\.(?P<fmt>csv|xlsx|json)$", data_views.download, name="download"),
    re_path(rf"^{SLUG}/$", data_views.dataset, name="dataset"),
]
