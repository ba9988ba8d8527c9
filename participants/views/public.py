"""Online registration for residents (no login): open packages, the form, the receipt."""

import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from participants.forms.public import RegistrationForm
from participants.selectors import with_registration_places
from participants.services import (
    registration_create,
    registration_places_left,
)
from participants.services.public import receipt_of
from pekalongan_training.middleware import client_ip
from pekalongan_training.params import whole_number
from programs.models import TrainingPackage


def _open_packages():
    today = timezone.localdate()
    return (
        TrainingPackage.objects.filter(status=TrainingPackage.Status.OPEN)
        .filter(Q(cohort__registration_opens__isnull=True) | Q(cohort__registration_opens__lte=today))
        .filter(Q(cohort__registration_closes__isnull=True) | Q(cohort__registration_closes__gte=today))
        .select_related("vocation", "provider", "venue_kelurahan", "cohort__program")
    )


@require_GET
def public_package_list(request):
    packages = list(with_registration_places(_open_packages()).order_by("starts_on", "vocation__name"))
    return render(request, "participants/public/package_list.html", {"packages": packages})


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
    """The form. Every accepted registration, whatever the NIK, ends on the same receipt."""
    package = get_object_or_404(_open_packages(), pk=pk)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST":
        if _rate_limited(request):
            return render(request, "participants/public/too_many.html", status=429)
        if form.is_valid():
            if form.cleaned_data["website"]:
                # A bot filled the hidden field: answer like a failure, store nothing.
                form.add_error(None, _("Your registration could not be processed. Please try again."))
            else:
                try:
                    enrollment, _created = registration_create(
                        package=package, participant_data=form.participant_data()
                    )
                except ValidationError as error:
                    # Only about the package or what was typed, never about a record (services/public.py).
                    for message in error.messages:
                        form.add_error(None, message)
                else:
                    # What was typed, not the enrollment: the receipt shows nothing from a record.
                    request.session["receipt"] = {
                        "number": receipt_of(enrollment),
                        "full_name": form.cleaned_data["full_name"],
                        "package": package.pk,
                    }
                    return redirect("public:receipt")
    return render(
        request,
        "participants/public/register.html",
        {"package": package, "form": form, "places_left": registration_places_left(package)},
    )


@never_cache  # personal: Cache-Control no-store, so no shared or back-button cache keeps it
@require_GET
def public_receipt(request):
    """The receipt of the registration made in this browser session (no id in the address)."""
    receipt = request.session.get("receipt")
    if not isinstance(receipt, dict):
        raise Http404
    package = get_object_or_404(
        TrainingPackage.objects.select_related("vocation", "provider"), pk=whole_number(receipt.get("package")) or 0
    )
    return render(request, "participants/public/receipt.html", {"receipt": receipt, "package": package})
