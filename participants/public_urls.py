from django.urls import path

from participants.views import announcements
from participants.views import public as views

app_name = "public"

urlpatterns = [
    path("", views.public_package_list, name="package-list"),
    path("<id:pk>/daftar/", views.public_register, name="register"),
    path("tanda-terima/", views.public_receipt, name="receipt"),
    path("status/", views.public_status, name="status"),
    path("pengumuman/", announcements.announcement_list, name="announcement-list"),
    path("pengumuman/<id:pk>/", announcements.announcement, name="announcement"),
    path("pengumuman/gelombang/<id:pk>/", announcements.announcement_wave, name="announcement-wave"),
]
