"""The by-name, by-address list of beneficiaries (DBHCHT accountability), as XLSX, for dinas staff.

    GET /intake/beneficiaries.xlsx?program=<id>   every package of the program but cancelled ones
    GET /intake/beneficiaries.xlsx?package=<id>   one package

Rows are the seat holders (enrolled, completed, dropped out) with their full NIK: so the download
is logged like every export with full NIKs (who, what selection, which people, how many), never
the NIKs themselves. Exactly one of program or package: neither or both is a 400 page saying
which to give; an id that is not a number or not a program or package is a 404.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from participants import exports
from participants.models import PersonalDataExport
from pekalongan_training.params import whole_number
from pekalongan_training.roles import staff_view
from programs.models import Program, TrainingPackage

LOGGED_IDS = 200  # participant ids written into the log, as the admin's export does


def _id(value: str) -> int:
    number = whole_number(value)
    if number is None:
        raise Http404
    return number


@staff_view
@require_GET
def beneficiaries_export(request):
    program_id, package_id = request.GET.get("program"), request.GET.get("package")
    if (program_id is None) == (package_id is None):
        return render(request, "participants/intake/beneficiaries_bad_request.html", status=400)
    if program_id is not None:
        program = get_object_or_404(Program, pk=_id(program_id))
        packages = TrainingPackage.objects.filter(cohort__program=program).exclude(
            status=TrainingPackage.Status.CANCELLED
        )
        selection = _("Program: %(program)s (%(year)s)") % {"program": program.name, "year": program.fiscal_year}
        name = f"penerima-manfaat-{program.fiscal_year}-program-{program.pk}"
    else:
        package = get_object_or_404(TrainingPackage, pk=_id(package_id))
        packages = TrainingPackage.objects.filter(pk=package.pk)
        selection = _("Package: %(code)s · %(title)s") % {"code": package.code, "title": package.title}
        name = f"penerima-manfaat-{package.code}"
    enrollments = list(exports.beneficiary_enrollments(packages))
    if enrollments:
        ids = [str(enrollment.participant_id) for enrollment in enrollments[:LOGGED_IDS]]
        PersonalDataExport.objects.create(
            user=request.user,
            description=_("By-name list of beneficiaries (XLSX); %(selection)s; participant ids: %(ids)s")
            % {"selection": selection, "ids": ", ".join(ids) + (" …" if len(enrollments) > LOGGED_IDS else "")},
            row_count=len(enrollments),
        )
    return exports.beneficiaries_xlsx(name, exports.beneficiaries_table(enrollments, selection))
