"""What the public pages under /pelatihan/ tell a resident, read from the records.

- how to reach the dinas (one place: settings.DINAS_CONTACT over the defaults here);
- a package's facts: who may apply (the program's entry rules, participants/eligibility.py), when
  and where the class meets, and whether one can apply today (places, the wave's window);
- an application's status, found by its receipt number and the birth date typed with it.

The status lookup keeps the rule of online registration (services/public.py): it answers from
what was typed with that receipt and from the application's own status, never with anything else
on the person's record (no NIK, phone, address, nor the name on record).
"""

import datetime
import enum
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participants.models import Enrollment
from participants.services.public import Availability, normalized_name, registration_availability
from pekalongan_training.formatting import whatsapp_number
from programs.models import WEEKDAY_CHOICES, Session, TrainingPackage

# --- the dinas ----------------------------------------------------------------------------------

# From the dinas's own service page (dinperinaker.pekalongankota.go.id, "Pelayanan Pengaduan").
# The street address is left empty until the dinas confirms it: set DINAS_CONTACT in the settings
# (any of these keys) to change what every public page shows.
DEFAULT_DINAS_CONTACT = {
    "name": "Dinas Perindustrian dan Tenaga Kerja (Dinperinaker) Kota Pekalongan",
    "address": "",
    "phone": "(0285) 421731",
    "whatsapp": "0815 9946 937",
    "email": "dinperinaker@gmail.com",
    "website": "https://dinperinaker.pekalongankota.go.id",
    "hours": gettext_lazy("Monday to Thursday 07.30–15.45, Friday 08.00–10.30 WIB"),
}


@dataclass(frozen=True)
class DinasContact:
    name: str
    address: str
    phone: str
    whatsapp: str
    email: str
    website: str
    hours: str

    @property
    def phone_link(self) -> str:
        """tel:+62285421731 for (0285) 421731."""
        digits = re.sub(r"\D", "", self.phone)
        if not digits:
            return ""
        return "tel:+62" + digits[1:] if digits.startswith("0") else "tel:+" + digits

    @property
    def whatsapp_link(self) -> str:
        number = whatsapp_number(self.whatsapp)
        return f"https://wa.me/{number}" if number else ""


def dinas_contact() -> DinasContact:
    contact = {**DEFAULT_DINAS_CONTACT, **getattr(settings, "DINAS_CONTACT", {})}
    return DinasContact(**{key: contact.get(key) or "" for key in DEFAULT_DINAS_CONTACT})


# --- a package ----------------------------------------------------------------------------------

WEEKDAY_NAMES = dict(WEEKDAY_CHOICES)


def weekdays_text(days: list[int]) -> str:
    """ "Monday to Friday" for a run of three or more days, else "Monday, Wednesday and Friday"."""
    names = [str(WEEKDAY_NAMES[str(day)]) for day in days]
    if not names:
        return ""
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return _("%(first)s to %(last)s") % {"first": names[0], "last": names[-1]}
    if len(names) == 1:
        return names[0]
    return _("%(days)s and %(last)s") % {"days": ", ".join(names[:-1]), "last": names[-1]}


def venue_text(package: TrainingPackage) -> str:
    """Where the class meets: the venue's address and kelurahan, else the provider's address."""
    parts = [package.venue_address.strip()]
    if package.venue_kelurahan_id:
        parts.append(_("Kelurahan %(name)s") % {"name": package.venue_kelurahan.name})
    text = ", ".join(part for part in parts if part)
    if text:
        return text
    return package.provider.address.strip() or str(package.provider)


def entry_rules(package: TrainingPackage) -> list[str]:
    """Who may apply, in plain words: the program's entry rules as participants/eligibility.py checks them.

    Keep in step with eligibility._failures: each rule there is said here the other way round.
    """
    program = package.cohort.program
    rules = []
    if program.min_age:
        rules.append(
            _("At least %(age)s years old on %(date)s, the first day of the training.")
            % {"age": program.min_age, "date": date_format(package.starts_on)}
        )
    if program.require_city_domicile:
        rules.append(_("You live in Kota Pekalongan (a kelurahan of the city)."))
    if program.exclude_in_school:
        rules.append(_("You are no longer in school."))
    if program.one_training_per_year:
        rules.append(_("Not in another training in %(year)s: one training a year.") % {"year": program.fiscal_year})
    if package.category == TrainingPackage.Category.FACTORY_WORKERS:
        rules.append(_("Meant for cigarette-factory workers and their families."))
    return rules


@dataclass(frozen=True)
class PackageFacts:
    """A package as the public pages show it."""

    package: TrainingPackage
    availability: Availability
    places_left: int
    venue: str
    days: str
    rules: list[str]

    @property
    def can_apply(self) -> bool:
        return self.availability == Availability.OPEN


def package_facts(package: TrainingPackage, *, places_left: int, today: datetime.date) -> PackageFacts:
    """Needs the package's cohort__program, provider and venue_kelurahan loaded (no query of its own)."""
    return PackageFacts(
        package=package,
        availability=registration_availability(package, max(places_left, 0), today),
        places_left=max(places_left, 0),
        venue=venue_text(package),
        days=weekdays_text(package.weekdays),
        rules=entry_rules(package),
    )


def public_packages():
    """Packages a resident may see: open ones not yet started, whatever their window or places."""
    return TrainingPackage.objects.filter(
        status=TrainingPackage.Status.OPEN, starts_on__gt=timezone.localdate()
    ).select_related("vocation", "provider", "venue_kelurahan", "cohort__program")


# --- an application's status ----------------------------------------------------------------------

RECEIPT_NUMBER = re.compile(r"^(\d{4})-?([A-HJ-NP-Z2-9]{6})$")


def normalize_receipt_number(text: str) -> str | None:
    """ "2026 k7f3q9", "2026-K7F3Q9 " and "2026K7F3Q9" are 2026-K7F3Q9; None for anything else."""
    match = RECEIPT_NUMBER.match(re.sub(r"\s", "", text or "").upper())
    return f"{match[1]}-{match[2]}" if match else None


class PublicState(enum.StrEnum):
    RECEIVED = "received"  # applied: received, not yet decided
    WAITLISTED = "waitlisted"
    ACCEPTED = "accepted"  # enrolled: a participant
    COMPLETED = "completed"
    STOPPED = "stopped"  # dropped out
    WITHDRAWN = "withdrawn"
    NOT_ACCEPTED = "not_accepted"
    CANCELLED = "cancelled"  # the package was cancelled


STATES = {
    Enrollment.Status.APPLIED: PublicState.RECEIVED,
    Enrollment.Status.WAITLISTED: PublicState.WAITLISTED,
    Enrollment.Status.ENROLLED: PublicState.ACCEPTED,
    Enrollment.Status.COMPLETED: PublicState.COMPLETED,
    Enrollment.Status.DROPPED_OUT: PublicState.STOPPED,
    Enrollment.Status.WITHDRAWN: PublicState.WITHDRAWN,
    Enrollment.Status.REJECTED: PublicState.NOT_ACCEPTED,
}


@dataclass(frozen=True)
class ApplicationStatus:
    receipt_number: str
    received_on: datetime.date | None
    full_name: str  # as typed with this receipt, never the name on record
    facts: PackageFacts
    state: PublicState
    reason: str = ""  # the reason given when not accepted
    waitlist_position: int | None = None
    next_meeting: Session | None = None


def _received_on(typed: dict) -> datetime.date | None:
    try:
        return timezone.localdate(datetime.datetime.fromisoformat(typed["received_at"]))
    except (KeyError, TypeError, ValueError):
        return None


def application_status(*, receipt_number: str, birth_date: datetime.date) -> ApplicationStatus | None:
    """The application with this receipt number, if the birth date is the one typed with it; else None.

    One query finds the receipt, whether it is an enrollment's own number or a later submission
    kept in its `submitted` list, and it runs the same way for a receipt that does not exist, so a
    wrong pair costs the same whether or not the receipt exists. The birth date is compared with
    what was typed with that receipt, not with the record.

    A later submission for the same NIK and package was filed on an earlier enrollment
    (registration_create); that enrollment may be someone else's (anyone can type anyone's NIK).
    Its status is shown only when the name and birth date typed match the person on record; any
    other such receipt reads as received and waiting, as a new application does.
    """
    candidates = (
        Enrollment.objects.filter(Q(receipt_number=receipt_number) | Q(submitted__icontains=f'"{receipt_number}"'))
        .select_related(
            "participant",
            "package__vocation",
            "package__provider",
            "package__venue_kelurahan",
            "package__cohort__program",
        )
        .order_by("pk")
    )
    found = None
    for enrollment in candidates:
        for typed in enrollment.submitted:
            if isinstance(typed, dict) and typed.get("receipt_number") == receipt_number:
                found = enrollment, typed
    if found is None:
        return None
    enrollment, typed = found
    if not constant_time_compare(str(typed.get("birth_date", "")), birth_date.isoformat()):
        return None
    package = enrollment.package
    today = timezone.localdate()
    facts = package_facts(package, places_left=0, today=today)  # places are not what this page is about
    own = enrollment.receipt_number == receipt_number
    person = enrollment.participant
    same_person = normalized_name(person.full_name) == normalized_name(typed.get("full_name", "")) and (
        person.birth_date == birth_date
    )
    common = {
        "receipt_number": receipt_number,
        "received_on": _received_on(typed),
        "full_name": typed.get("full_name", ""),
        "facts": facts,
    }
    if not (own or same_person):
        return ApplicationStatus(**common, state=PublicState.RECEIVED)
    state = STATES[enrollment.status]
    if package.status == TrainingPackage.Status.CANCELLED and state in (
        PublicState.RECEIVED,
        PublicState.WAITLISTED,
        PublicState.ACCEPTED,
    ):
        return ApplicationStatus(**common, state=PublicState.CANCELLED)
    extra = {}
    if state == PublicState.NOT_ACCEPTED:
        # A rejection always carries its reason (the lifecycle asks for one) and it is meant for the
        # person. Other statuses keep the reason of an earlier change, which can name someone else
        # (a waitlist promotion names who left): never shown.
        extra["reason"] = enrollment.decision_reason
    elif state == PublicState.WAITLISTED and enrollment.waitlisted_at:
        ahead = Enrollment.objects.waitlist().filter(package=package)
        ahead = ahead.filter(
            Q(waitlisted_at__lt=enrollment.waitlisted_at)
            | Q(waitlisted_at=enrollment.waitlisted_at, pk__lt=enrollment.pk)
        )
        extra["waitlist_position"] = ahead.count() + 1
    elif state == PublicState.ACCEPTED:
        extra["next_meeting"] = (
            Session.objects.filter(package=package, date__gte=today).order_by("date", "starts_at").first()
        )
    return ApplicationStatus(**common, state=state, **extra)
