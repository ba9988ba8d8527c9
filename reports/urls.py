from django.urls import path

from reports import views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard, name="index"),
    path("indicators/", views.indicator_definitions, name="indicators"),
    path("print/", views.print_view, name="print"),
    path("export.<str:fmt>", views.export, name="export"),
    path("open-data.<str:fmt>", views.open_data, name="open-data"),
]
