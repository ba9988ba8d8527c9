from django.urls import path

from participants.views import certificates, followups, imports, intake, selection
from participants.views.allowances import (
    package_allowances,
    package_allowances_export,
    package_allowances_print,
)
from participants.views.beneficiaries import beneficiaries_export
from participants.views.spending import spending_import_template, spending_import_view

app_name = "intake"

urlpatterns = [
    path("import/", imports.import_upload, name="import-upload"),
    path("import/<id:pk>/", imports.import_preview, name="import-preview"),
    path("import/template.<str:fmt>", imports.import_template, name="import-template"),
    path("spending/import/", spending_import_view, name="spending-import"),
    path("spending/import/template.xlsx", spending_import_template, name="spending-import-template"),
    path("packages/<id:pk>/", intake.package_enrollment, name="package-enrollment"),
    path("packages/<id:pk>/add/", intake.enrollment_add, name="enrollment-add"),
    path("packages/<id:pk>/applicants/", intake.applicants_decide, name="applicants-decide"),
    path("packages/<id:pk>/withdraw/<id:enrollment_pk>/", intake.enrollment_withdraw_view, name="enrollment-withdraw"),
    path("packages/<id:pk>/selection/", selection.selection, name="selection"),
    path("packages/<id:pk>/selection/import/", selection.selection_import, name="selection-import"),
    path("packages/<id:pk>/selection/decide/", selection.selection_decide_view, name="selection-decide"),
    path("packages/<id:pk>/selection/move/<id:enrollment_pk>/", selection.selection_move_view, name="selection-move"),
    path("packages/<id:pk>/selection/announce/", selection.selection_announce_view, name="selection-announce"),
    path("packages/<id:pk>/allowances/", package_allowances, name="allowances"),
    path("packages/<id:pk>/allowances.xlsx", package_allowances_export, name="allowances-export"),
    path("packages/<id:pk>/allowances/print/", package_allowances_print, name="allowances-print"),
    path("beneficiaries.xlsx", beneficiaries_export, name="beneficiaries-export"),
    path("packages/<id:pk>/certificates/", certificates.package_certificates, name="certificates"),
    path("packages/<id:pk>/certificates.pdf", certificates.package_certificates_pdf, name="certificates-pdf"),
    path("certificates/<id:pk>/revoke/", certificates.certificate_revoke_view, name="certificate-revoke"),
    path("followup/", followups.follow_up_list, name="followup-list"),
    path("followup/send/", followups.follow_up_links_send_view, name="followup-send"),
    path("followup/remind/", followups.follow_up_reminders_view, name="followup-remind"),
    path("followup/<id:enrollment_pk>/<id:round_>/", followups.follow_up_record, name="followup-record"),
]
