from django.urls import path

from participants.views import followups, imports, intake

app_name = "intake"

urlpatterns = [
    path("import/", imports.import_upload, name="import-upload"),
    path("import/<id:pk>/", imports.import_preview, name="import-preview"),
    path("import/template.<str:fmt>", imports.import_template, name="import-template"),
    path("packages/<id:pk>/", intake.package_enrollment, name="package-enrollment"),
    path("packages/<id:pk>/add/", intake.enrollment_add, name="enrollment-add"),
    path("packages/<id:pk>/applicants/", intake.applicants_decide, name="applicants-decide"),
    path("packages/<id:pk>/withdraw/<id:enrollment_pk>/", intake.enrollment_withdraw_view, name="enrollment-withdraw"),
    path("followup/", followups.follow_up_list, name="followup-list"),
    path("followup/<id:enrollment_pk>/<id:round_>/", followups.follow_up_record, name="followup-record"),
]
