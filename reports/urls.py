from django.urls import path, re_path

from reports import views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard, name="index"),
    path("indicators/", views.indicator_definitions, name="indicators"),
    path("print/", views.print_view, name="print"),
    # Only the formats that exist: /dashboard/export.json is a 404, not a CSV under another name.
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", views.export, name="export"),
    # The open data moved to /data/: the old addresses redirect there for good (public).
    re_path(r"^open-data\.(?P<fmt>csv|json)$", views.open_data_moved, name="open-data"),
    # The DBHCHT realisation report at the addresses DESIGN.md names ("Names the new parts keep").
    path("realisasi/", views.realisation, name="realisation"),
    path("realisasi.xlsx", views.realisation_export, name="realisation-export"),
    path("realisasi/print/", views.realisation_print, name="realisation-print"),
]
