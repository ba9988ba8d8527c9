"""What the public pages under /pelatihan/ tell a resident, read from the records.

- how to reach the dinas (one place: settings.DINAS_CONTACT over the defaults here);
- a package's facts: who may apply (the program's entry rules, participants/eligibility.py), when
  and where the class meets, and whether one can apply today (places, the wave's window);
- an application's status, found by its receipt number and the birth date typed with it;
- the announcement of a package's selection result: ranks, receipt numbers and masked names of
  those accepted and on the waiting list, nothing else about anyone.

The status lookup keeps the rule of online registration (services/public.py): it answers from
what was typed with that receipt and from the application's own status, never with anything else
on the person's record (no NIK, phone, address, nor the name on record). Even the name typed
shows only shortened (mask_name), as in the announcement: the announcement publishes receipt
numbers, so a receipt number is no secret and only the birth date guards the page.
"""

import datetime
import enum
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participants.eligibility import package_rules
from participants.models import Enrollment
from participants.services.public import Availability, normalized_name, registration_availability
from pekalongan_training.formatting import whatsapp_number
from programs.models import WEEKDAY_CHOICES, Cohort, Session, TrainingPackage

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
    # Who signs a printed announcement, and where: the name is left for the dinas to set (an empty
    # name prints a line to write it on).
    "place": "Pekalongan",
    "head_title": "Kepala Dinas Perindustrian dan Tenaga Kerja Kota Pekalongan",
    "head_name": "",
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
    place: str
    head_title: str
    head_name: str

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
    """Who may apply, in plain words: the package's entry rules as participants/eligibility.py checks them
    (the program's, with its category's changes).

    Keep in step with eligibility: each rule there is said here the other way round.
    """
    rules_ = package_rules(package)
    first_day = date_format(package.starts_on)
    rules = []
    if rules_.min_age and rules_.max_age:
        rules.append(
            _("%(min)s to %(max)s years old on %(date)s, the first day of the training.")
            % {"min": rules_.min_age, "max": rules_.max_age, "date": first_day}
        )
    elif rules_.min_age:
        rules.append(
            _("At least %(age)s years old on %(date)s, the first day of the training.")
            % {"age": rules_.min_age, "date": first_day}
        )
    elif rules_.max_age:
        rules.append(
            _("At most %(age)s years old on %(date)s, the first day of the training.")
            % {"age": rules_.max_age, "date": first_day}
        )
    if rules_.require_city_domicile:
        rules.append(_("You live in Kota Pekalongan (a kelurahan of the city)."))
    if rules_.exclude_in_school:
        rules.append(_("You are no longer in school."))
    # A factory-worker package always has its factory's rule, and never "not working" (eligibility._failures).
    if rules_.factory and rules_.required_employer:
        rules.append(
            _("You work at %(employer)s, or you are family of a worker there (the same No. KK).")
            % {"employer": rules_.required_employer}
        )
    elif rules_.factory:
        rules.append(_("Meant for cigarette-factory workers and their families."))
    elif rules_.exclude_working:
        rules.append(_("You are not working and do not run a business."))
    if rules_.require_ak1:
        rules.append(_("A job-seeker card (AK/1) issued within 2 years before %(date)s.") % {"date": first_day})
    if rules_.no_repeat_vocation:
        rules.append(_("Not trained before in %(vocation)s.") % {"vocation": package.vocation.name})
    if rules_.one_training_per_year:
        rules.append(
            _("Not in another training in %(year)s: one training a year.")
            % {"year": package.cohort.program.fiscal_year}
        )
    if rules_.one_per_wave:
        rules.append(_("Not accepted in another package of the same wave."))
    rules.append(_("Places are filled by selection, not by who applies first."))
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
    return (
        TrainingPackage.objects.filter(status=TrainingPackage.Status.OPEN, starts_on__gt=timezone.localdate())
        .select_related("vocation", "provider", "venue_kelurahan", "cohort__program")
        .prefetch_related("cohort__program__category_rules")
    )


# --- an application's status ----------------------------------------------------------------------

RECEIPT_NUMBER = re.compile(r"^(\d{4})-?([A-HJ-NP-Z2-9]{6})$")


def normalize_receipt_number(text: str) -> str | None:
    """ "2026 k7f3q9", "2026-K7F3Q9 " and "2026K7F3Q9" are 2026-K7F3Q9; None for anything else."""
    match = RECEIPT_NUMBER.match(re.sub(r"\s", "", text or "").upper())
    return f"{match[1]}-{match[2]}" if match else None


class PublicState(enum.StrEnum):
    RECEIVED = "received"  # applied: received, in selection, no result announced
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


# What a decided selection's result may say before it is announced: nothing. Until the package's
# announcement is published these statuses read as an application still in selection, exactly as
# before the decision, so that neither the result nor the fact of a decision shows early.
UNANNOUNCED = (PublicState.ACCEPTED, PublicState.WAITLISTED, PublicState.NOT_ACCEPTED)


@dataclass(frozen=True)
class ApplicationStatus:
    receipt_number: str
    received_on: datetime.date | None
    # The name typed with this receipt, shortened (mask_name); never the name on record ("" if entered by staff).
    masked_name: str
    facts: PackageFacts
    state: PublicState
    reason: str = ""  # the reason given when not accepted
    waitlist_position: int | None = None
    next_meeting: Session | None = None
    announced: bool = False  # the result comes from a published selection: link to its announcement


def _received_on(typed: dict) -> datetime.date | None:
    try:
        return timezone.localdate(datetime.datetime.fromisoformat(typed["received_at"]))
    except (KeyError, TypeError, ValueError):
        return None


def result_announced(package: TrainingPackage) -> bool:
    """Whether an applicant may see their selection result: always once it is announced, and also
    for a package whose selection was never decided in the system (staff enrolled people directly)."""
    return package.announcement_published_at is not None or package.selection_decided_at is None


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

    An applicant entered by staff or imported gets a receipt number when the selection is decided,
    and nothing was typed with it: the birth date is compared with the record (staff saw the KTP).

    A selection result shows only once the package's announcement is published (result_announced):
    before that, a decided applicant reads exactly as one not yet decided.
    """
    candidates = list(
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
        for enrollment in candidates:
            if enrollment.receipt_number == receipt_number:
                person = enrollment.participant
                typed = {
                    "birth_date": person.birth_date.isoformat() if person.birth_date else "",
                    "received_at": enrollment.created_at.isoformat(),
                }
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
        "masked_name": mask_name(typed.get("full_name", "")),
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
    if state in UNANNOUNCED:
        if not result_announced(package):
            return ApplicationStatus(**common, state=PublicState.RECEIVED)
        common["announced"] = package.announcement_published_at is not None
    extra = {}
    if state == PublicState.NOT_ACCEPTED:
        # A rejection always carries its reason (the lifecycle asks for one) and it is meant for the
        # person. Other statuses keep the reason of an earlier change, which can name someone else
        # (a waitlist promotion names who left): never shown.
        extra["reason"] = enrollment.decision_reason
    elif state == PublicState.WAITLISTED and enrollment.waitlisted_at:
        extra["waitlist_position"] = waitlist_position(enrollment)
    elif state == PublicState.ACCEPTED:
        extra["next_meeting"] = (
            Session.objects.filter(package=package, date__gte=today).order_by("date", "starts_at").first()
        )
    return ApplicationStatus(**common, state=state, **extra)


def waitlist_position(enrollment: Enrollment) -> int:
    """1 for the first on the package's waiting list: the order in which places freed are given
    (Enrollment.objects.waitlist()), the same the announcement numbers by."""
    ahead = Enrollment.objects.waitlist().filter(package_id=enrollment.package_id)
    ahead = ahead.filter(
        Q(waitlisted_at__lt=enrollment.waitlisted_at) | Q(waitlisted_at=enrollment.waitlisted_at, pk__lt=enrollment.pk)
    )
    return ahead.count() + 1


# --- the announcement of a selection result --------------------------------------------------------


def mask_name(name: str) -> str:
    """ "Siti Aminah" is "S*** A*****": each word's first letter and a star for each other letter.

    Enough for an applicant to find themselves next to their receipt number, not enough to name
    anyone. Extra spaces do not count; a one-letter word stays as it is.
    """
    return " ".join(word[0].upper() + "*" * (len(word) - 1) for word in (name or "").split())


ACCEPTED_STATUSES = (Enrollment.Status.ENROLLED, Enrollment.Status.COMPLETED, Enrollment.Status.DROPPED_OUT)
# The only columns an announcement reads: no NIK, birth date, address, phone, score or rule result.
ANNOUNCED_FIELDS = (
    "pk",
    "package_id",
    "status",
    "selection_rank",
    "receipt_number",
    "waitlisted_at",
    "participant__full_name",
)


@dataclass(frozen=True)
class AnnouncedPerson:
    """One line of an announcement: nothing else about the person is ever read for it."""

    rank: int
    receipt_number: str
    masked_name: str
    accepted: bool
    waitlist_position: int | None = None


@dataclass(frozen=True)
class Announcement:
    package: TrainingPackage
    published_on: datetime.date
    applicants: int  # every application received
    venue: str
    days: str
    people: list[AnnouncedPerson] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return sum(1 for person in self.people if person.accepted)

    @property
    def waitlisted(self) -> int:
        return sum(1 for person in self.people if not person.accepted)


def announced_packages():
    """Packages whose selection result is published, each with its count of applications (every
    enrollment of the package, whatever became of it)."""
    return (
        TrainingPackage.objects.filter(announcement_published_at__isnull=False)
        .select_related("vocation", "provider", "venue_kelurahan", "cohort__program")
        .annotate(applicants=Count("enrollments"))
    )


def announcements(packages: list[TrainingPackage]) -> list[Announcement]:
    """The announcements of these packages (from announced_packages()), with one query for all their people.

    Listed: those the selection ranked and who hold a seat (accepted) or wait for one, in rank
    order; the rejected, and anyone who withdrew since, are not. The waiting-list number is the
    place in the queue by which freed seats are given (waitlist_position), counted over everyone
    on the package's waiting list.
    """
    if not packages:
        return []
    rows = (
        Enrollment.objects.filter(package__in=packages)
        .filter(Q(status=Enrollment.Status.WAITLISTED) | Q(status__in=ACCEPTED_STATUSES, selection_rank__isnull=False))
        .order_by("selection_rank", "pk")
        .values(*ANNOUNCED_FIELDS)
    )
    by_package: dict[int, list[dict]] = {package.pk: [] for package in packages}
    for row in rows:
        by_package[row["package_id"]].append(row)
    result = []
    for package in packages:
        rows = by_package[package.pk]
        queue = sorted(
            (row for row in rows if row["status"] == Enrollment.Status.WAITLISTED),
            key=lambda row: (row["waitlisted_at"], row["pk"]),
        )
        positions = {row["pk"]: number for number, row in enumerate(queue, start=1)}
        people = [
            AnnouncedPerson(
                rank=row["selection_rank"],
                receipt_number=row["receipt_number"] or "",
                masked_name=mask_name(row["participant__full_name"]),
                accepted=row["status"] != Enrollment.Status.WAITLISTED,
                waitlist_position=positions.get(row["pk"]),
            )
            for row in rows
            if row["selection_rank"] is not None
        ]
        result.append(
            Announcement(
                package=package,
                published_on=timezone.localdate(package.announcement_published_at),
                applicants=package.applicants,
                venue=venue_text(package),
                days=weekdays_text(package.weekdays),
                people=people,
            )
        )
    return result


@dataclass(frozen=True)
class AnnouncedWave:
    cohort: Cohort  # with its program
    packages: list[TrainingPackage]

    @property
    def published_on(self) -> datetime.date:
        return max(timezone.localdate(package.announcement_published_at) for package in self.packages)


def announced_waves() -> list[AnnouncedWave]:
    """Every wave with a published announcement and its announced packages, the newest announcement first
    (one query)."""
    waves: dict[int, AnnouncedWave] = {}
    for package in announced_packages().order_by("-announcement_published_at", "code"):
        wave = waves.setdefault(package.cohort_id, AnnouncedWave(cohort=package.cohort, packages=[]))
        wave.packages.append(package)
    return list(waves.values())
