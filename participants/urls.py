from django.urls import path

from participants import views

app_name = "intake"

urlpatterns = [
    path("import/", views.import_upload, name="import-upload"),
    path("import/<id:pk>/", views.import_preview, name="import-preview"),
    path("import/template.<str:fmt>", views.import_template, name="import-template"),
    path("packages/<id:pk>/", views.package_enrollment, name="package-enrollment"),
    path("packages/<id:pk>/add/", views.enrollment_add, name="enrollment-add"),
    path("packages/<id:pk>/applicants/", views.applicants_decide, name="applicants-decide"),
    path("packages/<id:pk>/withdraw/<id:enrollment_pk>/", views.enrollment_withdraw_view, name="enrollment-withdraw"),
    path("followup/", views.follow_up_list, name="followup-list"),
    path("followup/<id:enrollment_pk>/<id:round_>/", views.follow_up_record, name="followup-record"),
]
