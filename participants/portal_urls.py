from django.urls import path

from participants.views import attendance_sheet
from participants.views import portal as views

app_name = "provider"

urlpatterns = [
    path("", views.package_list, name="package-list"),
    path("packages/<id:pk>/", views.package_detail, name="package-detail"),
    path("packages/<id:pk>/export.<str:fmt>", views.package_export, name="package-export"),
    path(
        "packages/<id:pk>/attendance-sheet/",
        attendance_sheet.package_attendance_sheet,
        name="package-attendance-sheet",
    ),
    path("packages/<id:pk>/sessions/add/", views.session_add_view, name="session-add"),
    path("packages/<id:pk>/results/", views.package_results, name="package-results"),
    path("packages/<id:pk>/results/propose/", views.package_propose_completion, name="package-propose-completion"),
    path("packages/<id:pk>/results/confirm/", views.package_confirm_completion, name="package-confirm-completion"),
    path("sessions/<id:pk>/attendance/", views.session_attendance, name="session-attendance"),
    path("sessions/<id:pk>/attendance/all-present/", views.session_all_present, name="session-all-present"),
    path("sessions/<id:pk>/attendance/<id:enrollment_pk>/", views.attendance_mark, name="attendance-mark"),
    path("sessions/<id:pk>/move/", views.session_move_view, name="session-move"),
    # Marking without signal: the service worker (its scope is /provider/), what it keeps, its fallback.
    path("sw.js", views.service_worker, name="service-worker"),
    path("offline-pages.json", views.offline_pages, name="offline-pages"),
    path("offline/", views.offline_page, name="offline"),
]
