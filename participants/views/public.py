"""The resident's pages (no login): open packages, the form, the receipt, and the status lookup."""

import datetime
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from participants.forms.public import RegistrationForm, StatusLookupForm
from participants.public_pages import (
    application_status,
    dinas_contact,
    normalize_receipt_number,
    package_facts,
    public_packages,
)
from participants.services import (
    registration_create,
    registration_places_left,
)
from participants.services.public import receipt_of, with_applications_left
from pekalongan_training.accounts import rate_limited
from pekalongan_training.middleware import client_ip
from pekalongan_training.params import whole_number
from programs.models import TrainingPackage

# Status lookups per period (seconds): from one address, and for one receipt number from anywhere
# (so that guessing the birth date of one receipt from many addresses stops too).
DEFAULT_STATUS_LOOKUP_RATE_LIMIT = {"client": 20, "receipt": 10, "seconds": 3600}


@require_GET
def public_package_list(request):
    """Every open package not yet started: those one can apply for first, then those one cannot yet or any more.

    Applications are taken up to each package's limit, beyond its quota: the "places" the list
    counts are those applications (people are chosen by selection afterwards).
    """
    today = timezone.localdate()
    packages = with_applications_left(public_packages()).order_by("starts_on", "vocation__name", "pk")
    facts = [package_facts(package, places_left=package.applications_left, today=today) for package in packages]
    return render(
        request,
        "participants/public/package_list.html",
        {
            "open": [fact for fact in facts if fact.can_apply],
            "not_open": [fact for fact in facts if not fact.can_apply],
            "contact": dinas_contact(),
        },
    )


def _rate_limited(request) -> bool:
    """More than `limit` posts from this address in the current period (fixed windows).

    Each post claims one of `limit` numbered places of the period with cache.add, which is atomic
    on every backend (the database cache's through its table's primary key), so posts arriving at
    the same moment each count. Neither get-then-set nor cache.incr is: the database cache's incr
    is a get and a set, which loses concurrent posts and sets the expiry back to the cache's
    default 5 minutes. The key holds the period's number, so the places expire with their period,
    and a keyed hash of the address, so the shared cache holds no IP address.
    """
    limit, seconds = settings.REGISTRATION_RATE_LIMIT
    window = int(time.time() // seconds)
    address = salted_hmac("registration-rate-limit", client_ip(request)).hexdigest()[:32]
    places = [f"registration:{window}:{address}:{place}" for place in range(limit)]
    taken = cache.get_many(places)
    # The first free place that this post wins; another post may win a place between the two calls.
    return not any(cache.add(key, 1, seconds) for key in places if key not in taken)


def public_register(request, pk):
    """The form, offered only while one can apply. Every accepted registration, whatever the NIK, ends on the
    same receipt. A package one cannot apply for (the application limit reached, not open yet, closed) says
    so instead of the form."""
    package = get_object_or_404(
        TrainingPackage.objects.exclude(status=TrainingPackage.Status.PLANNED).select_related(
            "vocation", "provider", "venue_kelurahan", "cohort__program"
        ),
        pk=pk,
    )
    if request.method == "POST" and _rate_limited(request):
        return render(request, "participants/public/too_many.html", {"contact": dinas_contact()}, status=429)
    facts = package_facts(package, places_left=registration_places_left(package), today=timezone.localdate())
    context = {"package": package, "facts": facts, "contact": dinas_contact()}
    if not facts.can_apply:
        return render(request, "participants/public/register.html", context)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            # A bot filled the hidden field: answer like a failure, store nothing.
            form.add_error(None, _("Your registration could not be processed. Please try again."))
        else:
            try:
                enrollment, _created = registration_create(package=package, participant_data=form.participant_data())
            except ValidationError as error:
                # Only about the package or what was typed, never about a record (services/public.py):
                # a failed entry rule stands next to the answer it is about.
                by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
                for field, messages in by_field.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                # What was typed, not the enrollment: the receipt shows nothing from a record.
                request.session["receipt"] = {
                    "number": receipt_of(enrollment),
                    "full_name": form.cleaned_data["full_name"],
                    "package": package.pk,
                    "received_on": timezone.localdate().isoformat(),
                }
                return redirect("public:receipt")
    return render(request, "participants/public/register.html", {**context, "form": form})


def _date_or_none(text) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


@never_cache  # personal: Cache-Control no-store, so no shared or back-button cache keeps it
@require_GET
def public_receipt(request):
    """The receipt of the registration made in this browser session (no id in the address)."""
    receipt = request.session.get("receipt")
    if not isinstance(receipt, dict):
        raise Http404
    package = get_object_or_404(
        TrainingPackage.objects.select_related("vocation", "provider", "venue_kelurahan", "cohort__program"),
        pk=whole_number(receipt.get("package")) or 0,
    )
    return render(
        request,
        "participants/public/receipt.html",
        {
            "receipt": receipt,
            "received_on": _date_or_none(receipt.get("received_on")),
            "package": package,
            "facts": package_facts(package, places_left=0, today=timezone.localdate()),
            "contact": dinas_contact(),
            "status_address": request.build_absolute_uri(reverse("public:status")),  # for the printed receipt
        },
    )


def _lookup_limited(request) -> bool:
    """Both counts are claimed on every lookup, as the password reset does (pekalongan_training.accounts)."""
    limits = {**DEFAULT_STATUS_LOOKUP_RATE_LIMIT, **getattr(settings, "STATUS_LOOKUP_RATE_LIMIT", {})}
    typed = "".join(str(request.POST.get("receipt_number", "")).split()).upper()[:40]
    typed = normalize_receipt_number(typed) or typed  # "2026K7F3Q9" and "2026-K7F3Q9" count as one
    by_client = rate_limited("status-lookup-client", client_ip(request), limits["client"], limits["seconds"])
    by_receipt = rate_limited("status-lookup-receipt", typed, limits["receipt"], limits["seconds"])
    return by_client or by_receipt


@never_cache
@require_http_methods(["GET", "POST"])
def public_status(request):
    """A resident looks an application up by its receipt number and the birth date typed with it.

    A wrong pair gets one answer, the form again with one message, whether or not the receipt
    exists (application_status does the same work for both). The answer is a POST's response, so
    neither the receipt number nor the birth date ends up in an address or a log.
    """
    form = StatusLookupForm(request.POST or None)
    found = None
    if request.method == "POST":
        if _lookup_limited(request):
            return render(request, "participants/public/status_too_many.html", {"contact": dinas_contact()}, status=429)
        if form.is_valid():
            found = application_status(
                receipt_number=form.cleaned_data["receipt_number"], birth_date=form.cleaned_data["birth_date"]
            )
            if found is None:
                form.add_error(
                    None,
                    _(
                        "We found no application with this receipt number and date of birth. Check both against "
                        "your receipt: the date of birth is the one you typed when you applied."
                    ),
                )
    return render(
        request,
        "participants/public/status.html",
        {"form": form, "found": found, "contact": dinas_contact()},
    )
