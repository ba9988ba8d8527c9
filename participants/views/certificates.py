"""Training certificates: the public verification page, and the dinas staff's page per package
(issue in bulk, download the PDF, revoke with a reason)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participants.certificates_pdf import certificate_pdf
from participants.models import Certificate, Enrollment
from participants.public_pages import dinas_contact
from participants.services import certificate_revoke, certificates_issue
from participants.services.certificates import REASON_MAX_LENGTH, eligible_enrollments, normalize_code
from pekalongan_training.accounts import rate_limited
from pekalongan_training.middleware import client_ip
from pekalongan_training.roles import staff_view
from programs.models import TrainingPackage

# Look-ups per client address per period (seconds). An employer checks a handful; the codes cannot
# be guessed anyway (participants/services/certificates.py), the limit stops anyone trying.
DEFAULT_CERTIFICATE_LOOKUP_RATE_LIMIT = {"client": 30, "seconds": 3600}


def _lookup_limited(request) -> bool:
    """As the application status look-up (participants/views/public.py): one place claimed per look-up."""
    limits = {**DEFAULT_CERTIFICATE_LOOKUP_RATE_LIMIT, **getattr(settings, "CERTIFICATE_LOOKUP_RATE_LIMIT", {})}
    return rate_limited("certificate-lookup-client", client_ip(request), limits["client"], limits["seconds"])


@never_cache  # a revocation shows at once; no cache answers in the rate limit's place
@require_GET
def certificate_verify(request, code):
    """Public: is this certificate valid, and what does it certify? Name, package, dates, hours,
    provider, number; never the NIK, the birth date or any contact. An unknown or malformed code is
    the plain 404 page; every look-up counts towards the limit, malformed ones too."""
    if _lookup_limited(request):
        response = render(
            request, "participants/public/certificate.html", {"too_many": True, "contact": dinas_contact()}, status=429
        )
        return response
    normalized = normalize_code(code)
    if normalized is None:
        raise Http404
    certificate = (
        Certificate.objects.select_related(
            "enrollment__participant", "enrollment__package__vocation", "enrollment__package__provider"
        )
        .filter(code=normalized)
        .first()
    )
    if certificate is None:
        raise Http404
    response = render(
        request,
        "participants/public/certificate.html",
        {
            "certificate": certificate,
            # Valid only while the record still says completed and passed: a completion undone or a
            # result corrected since shows the certificate as not valid, even before staff revoke it.
            "holds": certificate.revoked_at is None
            and certificate.enrollment.status == Enrollment.Status.COMPLETED
            and certificate.enrollment.assessment == Enrollment.Assessment.PASSED,
            "participant_name": certificate.enrollment.participant.full_name,
            "package": certificate.enrollment.package,
            "contact": dinas_contact(),
        },
    )
    response["X-Robots-Tag"] = "noindex"  # names of people: not for search engines
    return response


def _package(pk) -> TrainingPackage:
    return get_object_or_404(TrainingPackage.objects.select_related("vocation", "provider", "cohort__program"), pk=pk)


def _certificates_page(request, package, *, revoke_errors=None, status=200):
    """The package's certificates, who can get one now, and completers who cannot yet (no passed assessment)."""
    certificates = list(
        Certificate.objects.filter(enrollment__package=package)
        .select_related("enrollment__participant", "issued_by", "revoked_by")
        .order_by("enrollment__participant__full_name", "-issued_on", "pk")
    )
    eligible = list(eligible_enrollments(package))
    not_passed = list(
        package.enrollments.filter(status=Enrollment.Status.COMPLETED)
        .exclude(assessment=Enrollment.Assessment.PASSED)
        .select_related("participant")
        .order_by("participant__full_name", "pk")
    )
    return render(
        request,
        "participants/intake/certificates.html",
        {
            "package": package,
            "certificates": certificates,
            "valid_count": sum(1 for certificate in certificates if certificate.revoked_at is None),
            "eligible": eligible,
            "not_passed": not_passed,
            "revoke_errors": revoke_errors or {},
            "reason_max_length": REASON_MAX_LENGTH,
        },
        status=status,
    )


@staff_view
@require_http_methods(["GET", "POST"])
def package_certificates(request, pk):
    """Dinas staff: the package's certificates; a POST with "issue" issues to everyone who can get one."""
    package = _package(pk)
    if request.method == "POST":
        if "issue" not in request.POST:
            return redirect("intake:certificates", package.pk)
        try:
            issued = certificates_issue(package=package, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if issued:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d certificate issued. Download the PDF to print it.",
                        "%(count)d certificates issued. Download the PDF to print them.",
                        len(issued),
                    )
                    % {"count": len(issued)},
                )
            else:
                messages.info(request, _("Nobody is waiting for a certificate: none was issued."))
        return redirect("intake:certificates", package.pk)
    return _certificates_page(request, package)


@never_cache  # names on every page: no cache keeps the file
@staff_view
@require_GET
def package_certificates_pdf(request, pk):
    """Dinas staff: every valid certificate of the package in one PDF, a page each, to print."""
    package = _package(pk)
    certificates = list(
        Certificate.objects.filter(enrollment__package=package, revoked_at__isnull=True)
        .select_related("enrollment__participant", "enrollment__package__vocation", "enrollment__package__provider")
        .order_by("enrollment__participant__full_name", "pk")
    )
    if not certificates:
        messages.info(request, _("This package has no valid certificate yet: issue them first."))
        return redirect("intake:certificates", package.pk)
    response = HttpResponse(certificate_pdf(certificates), content_type="application/pdf")
    safe_code = "".join(char if char.isalnum() or char in "-_" else "-" for char in package.code)
    response["Content-Disposition"] = f'attachment; filename="sertifikat-{safe_code}.pdf"'
    return response


@staff_view
@require_POST
def certificate_revoke_view(request, pk):
    """Dinas staff: revoke one certificate with a written reason; without one, the page again with the message."""
    certificate = get_object_or_404(Certificate.objects.select_related("enrollment__package"), pk=pk)
    package = _package(certificate.enrollment.package_id)
    try:
        certificate_revoke(certificate=certificate, reason=request.POST.get("reason", ""), by=request.user)
    except ValidationError as error:
        return _certificates_page(request, package, revoke_errors={"pk": certificate.pk, "messages": error.messages})
    messages.success(request, _("Certificate %(number)s is revoked.") % {"number": certificate.number})
    return redirect("intake:certificates", package.pk)
