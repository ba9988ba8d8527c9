"""Importing spending entries from a file (dinas staff): upload, preview, confirm; the template to fill in.

The rows are read and checked at upload (participants/forms/spending.py); the preview carries them,
signed, to the confirmation, which checks them again and records them all or none.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from participants.forms.spending import (
    COLUMNS,
    SpendingConfirmForm,
    SpendingUploadForm,
    spending_import,
    template_sheets,
)
from pekalongan_training.formatting import rupiah
from pekalongan_training.roles import staff_view
from pekalongan_training.spreadsheets import xlsx_response

PREVIEW_ROWS = 200
TEMPLATE_NAME = "templat-belanja"


@staff_view
def spending_import_view(request):
    """GET: the upload form. POST with a file: its preview. POST with a preview's rows: the import."""
    upload = SpendingUploadForm()
    result = None
    if request.method == "POST" and "payload" in request.POST:
        confirm = SpendingConfirmForm(request.POST)
        if not confirm.is_valid():
            for message in confirm.errors.get("payload", []):
                messages.error(request, message)
            return redirect("intake:spending-import")
        result = confirm.result
        try:
            saved = spending_import(result=result, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))  # the preview below lists every row's error
        else:
            messages.success(
                request,
                ngettext(
                    "Imported %(count)s spending entry, %(total)s in all.",
                    "Imported %(count)s spending entries, %(total)s in all.",
                    len(saved),
                )
                % {"count": len(saved), "total": rupiah(sum(entry.amount for entry in saved))},
            )
            return redirect("admin:programs_expenditure_changelist")
    elif request.method == "POST":
        upload = SpendingUploadForm(request.POST, request.FILES)
        if upload.is_valid():
            result = upload.result
    return render(
        request,
        "participants/intake/spending_import.html",
        {
            "form": upload,
            "result": result,
            "shown": result.rows[:PREVIEW_ROWS] if result else [],
            "columns": [header for header, _name in COLUMNS],
        },
    )


@require_GET
@staff_view
def spending_import_template(request):
    """The XLSX template: the sheet to fill in (code, date and document number as text), and an example."""
    return xlsx_response(TEMPLATE_NAME, *template_sheets())
