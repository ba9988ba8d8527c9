"""Importing a participant list (dinas staff): upload, preview, confirm; the template to fill in."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from participants import imports
from participants.forms.intake import ImportUploadForm
from participants.models import ParticipantImport
from pekalongan_training.roles import staff_view
from pekalongan_training.spreadsheets import spreadsheet_response, xlsx_response

PREVIEW_ROWS = 200
TEMPLATE_NAME = "templat-peserta"


@staff_view
def import_upload(request):
    """The file is read here, once, within the upload limits; the preview and the import use its rows."""
    # "Upload again" from a preview keeps the package chosen for the first file.
    package = request.GET.get("package", "")
    initial = {"package": int(package)} if package.isascii() and package.isdigit() else {}  # "²" is a digit too
    form = ImportUploadForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        batch = ParticipantImport.objects.create(
            filename=form.cleaned_data["file"].name[:255],
            content=form.cleaned_data["content"],  # the file as sent, for the record until the import
            rows=form.cleaned_data["rows"],
            package=form.cleaned_data["package"],
            created_by=request.user,
        )
        return redirect("intake:import-preview", pk=batch.pk)
    return render(request, "participants/intake/import_upload.html", {"form": form})


def _rows(batch: ParticipantImport) -> list[list]:
    """The rows kept at upload; an upload from before they were kept is read this once and keeps them."""
    if batch.rows is None:
        batch.rows = imports.storable(imports.read_table(bytes(batch.content), batch.filename))
        batch.save(update_fields=["rows"])
    return batch.rows


@staff_view
def import_preview(request, pk):
    batch = get_object_or_404(ParticipantImport.objects.select_related("package"), pk=pk, created_by=request.user)
    if batch.imported_at:
        messages.info(
            request, _("This file was imported on %(when)s.") % {"when": timezone.localtime(batch.imported_at)}
        )
        return redirect("intake:import-upload")
    try:
        rows = _rows(batch)
    except ValidationError as error:
        result = imports.Preview(rows=[], file_errors=error.messages, package=batch.package)
    else:
        if request.method == "POST":
            try:
                result = imports.import_rows(table=rows, package=batch.package, actor=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                # The file has done its work: keep the record of the import, not the personal data in it.
                batch.imported_at = timezone.now()
                batch.row_count = len(result.rows)
                batch.content = b""
                batch.rows = None
                batch.save(update_fields=["imported_at", "row_count", "content", "rows"])
                messages.success(
                    request,
                    _("Imported %(total)s rows: %(new)s new people, %(updated)s updated.")
                    % {"total": len(result.rows), "new": result.new_count, "updated": result.update_count},
                )
                if batch.package:
                    return redirect("intake:package-enrollment", pk=batch.package_id)
                return redirect("intake:import-upload")
        result = imports.preview_table(rows, batch.package)
    return render(
        request,
        "participants/intake/import_preview.html",
        {
            "batch": batch,
            "result": result,
            "shown": result.rows[:PREVIEW_ROWS],
            "warnings": [(row.line, warning) for row in result.rows for warning in row.warnings],
        },
    )


@require_GET
@staff_view
def import_template(request, fmt):
    """The template: in XLSX the sheet to fill in and the example sheet; in CSV the header alone."""
    if fmt == "xlsx":
        return xlsx_response(TEMPLATE_NAME, *imports.template_sheets())
    return spreadsheet_response(fmt, TEMPLATE_NAME, imports.template_sheet())  # CSV, or a 404
