"""The entry rules a program sets (in the admin), checked at enrollment, at registration and in selection.

The rules of a package are its program's, changed for the package's category by the program's
CategoryRules row if it has one (`package_rules`). Each failed rule comes with a reason a clerk
can read out to the person, with the numbers. Staff may override a failed rule with a written
reason (participants/services/enrollments.py keeps which rules the reason was written for); a
resident registering online cannot, and is told why.

Some rules depend on what is on record about other rows (a seat elsewhere, an earlier training, a
worker of the same family): anyone can type anyone's NIK online, so the online answer must not
depend on the record (participants/services/public.py). `typed_only=True` checks only what the
person typed and skips those rules.
"""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participants.models import Enrollment, Participant
from pekalongan_training.dates import add_months
from programs.models import ENTRY_RULE_FIELDS, CategoryRules, TrainingPackage

# Rule codes, as Failure.rule and Enrollment.overridden_rules hold them, with what staff read.
RULE_NAMES = {
    "min_age": gettext_lazy("minimum age"),
    "max_age": gettext_lazy("maximum age"),
    "domicile": gettext_lazy("resident of the city"),
    "in_school": gettext_lazy("not in school"),
    "working": gettext_lazy("not working"),
    "factory_worker": gettext_lazy("worker of the named factory, or family"),
    "ak1": gettext_lazy("AK/1 card valid on the first day"),
    "repeat_vocation": gettext_lazy("no earlier training in the same vocation"),
    "one_per_year": gettext_lazy("one training a year"),
    "one_per_wave": gettext_lazy("one package a wave"),
    # Not an entry rule: completing below the attendance minimum (participants/services/enrollments.py).
    "attendance_minimum": gettext_lazy("attendance minimum for completion"),
}
AK1_VALID_MONTHS = 24
WORKING = (Participant.EmploymentStatus.EMPLOYED, Participant.EmploymentStatus.SELF_EMPLOYED)
FACTORY_GROUPS = (Participant.BeneficiaryGroup.FACTORY_WORKER, Participant.BeneficiaryGroup.FACTORY_WORKER_FAMILY)
# People (and No. KK) per query, as SQLite limits the parameters of one (999 before 3.32).
BATCH = 900


@dataclass(frozen=True)
class Failure:
    rule: str  # a key of RULE_NAMES
    reason: str
    field: str = ""  # the person's field the rule is about, for a message next to it on a form


@dataclass(frozen=True)
class EntryRules:
    """The rules of one package: its program's, with its category's changes applied."""

    min_age: int
    max_age: int
    require_city_domicile: bool
    exclude_in_school: bool
    exclude_working: bool
    require_ak1: bool
    no_repeat_vocation: bool
    one_training_per_year: bool
    one_per_wave: bool
    # A factory-worker package: work at the named factory (or family of a worker) is the rule, whatever
    # exclude_working says, and "not working" never applies.
    factory: bool
    required_employer: str


RULE_FIELDS = ENTRY_RULE_FIELDS


def _category_row(package: TrainingPackage) -> CategoryRules | None:
    """The program's row for the package's category: from a prefetch of `cohort__program__category_rules`
    if there is one (lists of packages), else one query."""
    program = package.cohort.program
    prefetched = getattr(program, "_prefetched_objects_cache", {}).get("category_rules")
    if prefetched is not None:
        return next((row for row in prefetched if row.category == package.category), None)
    return CategoryRules.objects.filter(program=program, category=package.category).first()


def package_rules(package: TrainingPackage) -> EntryRules:
    """The entry rules of a package: the program's values, each replaced by its category's where that is set."""
    program = package.cohort.program
    values = {name: getattr(program, name) for name in RULE_FIELDS}
    row = _category_row(package)
    if row is not None:
        values.update({name: getattr(row, name) for name in RULE_FIELDS if getattr(row, name) is not None})
    return EntryRules(
        **values,
        factory=package.category == TrainingPackage.Category.FACTORY_WORKERS,
        required_employer=(row.required_employer.strip() if row is not None else ""),
    )


# The legal form before an employer's name: PT (perseroan terbatas), PR (perusahaan rokok, as most
# cigarette factories are called), CV and UD; written "P.T.", "pr", "C.V." as well.
LEGAL_FORM = re.compile(r"^\W*(?:p\W*t|p\W*r|c\W*v|u\W*d)\b\W*")
# A listed company's "Tbk" (terbuka) after the name.
LISTED = re.compile(r"\W*\btbk\W*$")


def employer_key(name: str) -> str:
    """An employer compared as people write it: "PT. Urip  Sugiharto Tbk", "pt urip sugiharto" and
    "Urip Sugiharto" are one, as are "PR Sekar Tembakau" and "Sekar Tembakau". Without case,
    punctuation, a leading legal form (PT, PR, CV, UD), a trailing "Tbk" and extra spaces."""
    text = LISTED.sub("", LEGAL_FORM.sub("", (name or "").casefold()))
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def age_on(birth_date, day) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def ak1_expires_on(issued_on):
    """The first day an AK/1 card is no longer valid: 2 years after it was issued (29 February: 28 February)."""
    return add_months(issued_on, AK1_VALID_MONTHS)


def eligibility_failures(
    participant: Participant, package: TrainingPackage, *, typed_only: bool = False
) -> list[Failure]:
    """The entry rules this person does not meet for this package (empty: eligible)."""
    return eligibility_failures_for([participant], package, typed_only=typed_only)[0]


@dataclass
class _Record:
    """What the record says about one person, for the rules that read it."""

    same_year: Enrollment | None = None  # a seat in another package of the program year
    same_wave: Enrollment | None = None  # a seat in another package of the same wave
    same_vocation: Enrollment | None = None  # a completed training in the same vocation
    family_worker: bool = False  # another person of the same No. KK, on a trusted record, works at the named factory


def eligibility_failures_for(
    participants: Sequence[Participant], package: TrainingPackage, *, typed_only: bool = False
) -> list[list[Failure]]:
    """The failed entry rules of each person, in the order given (empty: eligible).

    A few queries for everyone, whatever their number (the category's rules; the others' seats and
    trainings; the workers of the families), a thousand people at a time, never one per person. A
    list rather than a dict by pk: an import checks people not saved yet, who have no pk (their
    other enrollments are none; their family is looked up by the No. KK all the same).

    typed_only: only what the people typed (online registration); the rules that read the record
    are not checked.
    """
    rules = package_rules(package)
    records = [_Record() for _ in participants]
    if not typed_only:
        _read_records(participants, package, rules, records)
    return [
        _failures(participant, package, rules, record, typed_only)
        for participant, record in zip(participants, records, strict=True)
    ]


def _read_records(participants, package: TrainingPackage, rules: EntryRules, records: list[_Record]) -> None:
    """Fill in what the record says for the rules that are on: a query per thousand people for the other
    enrollments, one per thousand No. KK for the families."""
    program = package.cohort.program
    index = {}
    for position, participant in enumerate(participants):
        if participant.pk is not None:
            index.setdefault(participant.pk, []).append(position)
    saved = list(index)
    if rules.one_training_per_year or rules.one_per_wave or rules.no_repeat_vocation:
        for start in range(0, len(saved), BATCH):
            for other in _other_enrollments(saved[start : start + BATCH], package, rules):
                seat = other.status in Enrollment.SEAT_STATUSES
                for position in index[other.participant_id]:
                    record = records[position]
                    # The first of each kind, in the order of the query: the earliest package.
                    if seat and other.package.cohort.program.fiscal_year == program.fiscal_year:
                        record.same_year = record.same_year or other
                    if seat and other.package.cohort_id == package.cohort_id:
                        record.same_wave = record.same_wave or other
                    if other.status == Enrollment.Status.COMPLETED and other.package.vocation_id == package.vocation_id:
                        record.same_vocation = record.same_vocation or other
    if rules.factory and rules.required_employer:
        _read_families(participants, rules, records)


def _other_enrollments(people: list[int], package: TrainingPackage, rules: EntryRules):
    """These people's enrollments in other packages that a rule looks at, earliest package first (one query)."""
    wanted = Q(pk__in=[])
    if rules.one_training_per_year:
        wanted |= Q(
            status__in=Enrollment.SEAT_STATUSES,
            package__cohort__program__fiscal_year=package.cohort.program.fiscal_year,
        )
    if rules.one_per_wave:
        wanted |= Q(status__in=Enrollment.SEAT_STATUSES, package__cohort_id=package.cohort_id)
    if rules.no_repeat_vocation:
        wanted |= Q(status=Enrollment.Status.COMPLETED, package__vocation_id=package.vocation_id)
    return (
        Enrollment.objects.filter(wanted, participant__in=people)
        .exclude(package=package)
        .select_related("package__cohort__program", "package__vocation")
        .order_by("package__starts_on", "package__code", "pk")
    )


def _read_families(participants, rules: EntryRules, records: list[_Record]) -> None:
    """Who claims family of a worker and gave a No. KK: is another person of that KK a worker of the factory?

    Only a worker whose record is trusted counts: one with an enrollment entered by staff or
    imported, or an online registration staff verified. Anyone can register online with any
    employer and No. KK; a "worker" made up that way must not let a second application in as family.
    One query per thousand No. KK.
    """
    factory = employer_key(rules.required_employer)
    claims = {}
    for position, participant in enumerate(participants):
        if (
            participant.beneficiary_group == Participant.BeneficiaryGroup.FACTORY_WORKER_FAMILY
            and participant.kk_number
        ):
            claims.setdefault(participant.kk_number, []).append(position)
    numbers = list(claims)
    for start in range(0, len(numbers), BATCH):
        for nik, kk_number, employer in (
            Participant.objects.filter(kk_number__in=numbers[start : start + BATCH])
            .exclude(employer_name="")
            .filter(Exists(_trusted_enrollments()))
            .values_list("nik", "kk_number", "employer_name")
        ):
            if employer_key(employer) != factory:
                continue
            for position in claims[kk_number]:
                if participants[position].nik != nik:  # another person, not the one who claims
                    records[position].family_worker = True


def _trusted_enrollments():
    """The enrollments that vouch for their person's record (for an Exists on Participant): entered by
    staff, imported, or registered online and verified by staff."""
    return Enrollment.objects.filter(
        ~Q(source=Enrollment.Source.REGISTRATION) | Q(consent_verified_at__isnull=False),
        participant=OuterRef("pk"),
    )


def _failures(
    participant: Participant, package: TrainingPackage, rules: EntryRules, record: _Record, typed_only: bool
) -> list[Failure]:
    """The rules for one person, in the order the form asks; `record` is what the record says (empty if typed_only)."""
    failures = []
    first_day = package.starts_on
    day = date_format(first_day)
    if participant.birth_date is not None and (rules.min_age or rules.max_age):
        age = age_on(participant.birth_date, first_day)
        if rules.min_age and age < rules.min_age:
            failures.append(
                Failure(
                    "min_age",
                    _("Must be at least %(age)s years old on %(date)s, when the training starts; is %(actual)s.")
                    % {"age": rules.min_age, "date": day, "actual": age},
                    "birth_date",
                )
            )
        if rules.max_age and age > rules.max_age:
            failures.append(
                Failure(
                    "max_age",
                    _("Must be at most %(age)s years old on %(date)s, when the training starts; is %(actual)s.")
                    % {"age": rules.max_age, "date": day, "actual": age},
                    "birth_date",
                )
            )
    if rules.require_city_domicile and participant.kelurahan_id is None:
        failures.append(Failure("domicile", _("This program is for residents of Kota Pekalongan."), "kelurahan"))
    if rules.one_training_per_year and record.same_year is not None:
        failures.append(
            Failure(
                "one_per_year",
                _("Already in package %(code)s in %(year)s; one training a year is the rule.")
                % {"code": record.same_year.package.code, "year": package.cohort.program.fiscal_year},
            )
        )
    if rules.exclude_in_school and participant.employment_status_at_intake == Participant.EmploymentStatus.IN_SCHOOL:
        failures.append(
            Failure(
                "in_school",
                _("This program is for people who are no longer in school."),
                "employment_status_at_intake",
            )
        )
    if rules.factory:  # the named factory's rule, whatever "not working" says
        failure = _factory_failure(participant, rules, record, typed_only)
        if failure is not None:
            failures.append(failure)
    elif rules.exclude_working and participant.employment_status_at_intake in WORKING:
        failures.append(
            Failure(
                "working",
                _("This program is for people who are not working: it is not for employees or business owners."),
                "employment_status_at_intake",
            )
        )
    if rules.require_ak1:
        failure = _ak1_failure(participant, first_day)
        if failure is not None:
            failures.append(failure)
    if rules.no_repeat_vocation and record.same_vocation is not None:
        failures.append(
            Failure(
                "repeat_vocation",
                _(
                    "Already completed a training in %(vocation)s (package %(code)s); nobody is trained twice in "
                    "the same vocation."
                )
                % {"vocation": package.vocation.name, "code": record.same_vocation.package.code},
            )
        )
    if rules.one_per_wave and record.same_wave is not None:
        failures.append(
            Failure(
                "one_per_wave",
                _("Already has a seat in package %(code)s of the same wave (%(wave)s); one package a wave.")
                % {"code": record.same_wave.package.code, "wave": package.cohort},
            )
        )
    return failures


def _factory_failure(participant: Participant, rules: EntryRules, record: _Record, typed_only: bool) -> Failure | None:
    """A factory-worker package: a worker of the named factory, or family of one by the same No. KK.

    Without a named factory, the person's group says it. Typed only, a family member who gave a
    No. KK passes: the worker of that family is looked for on the record, by staff.
    """
    if not rules.required_employer:
        if participant.beneficiary_group in FACTORY_GROUPS:
            return None
        return Failure(
            "factory_worker",
            _("This package is for cigarette-factory workers and their families."),
            "beneficiary_group",
        )
    factory = rules.required_employer
    if participant.employer_name and employer_key(participant.employer_name) == employer_key(factory):
        return None
    if participant.beneficiary_group == Participant.BeneficiaryGroup.FACTORY_WORKER_FAMILY:
        if not participant.kk_number:
            return Failure(
                "factory_worker",
                _(
                    "This package is for workers of %(factory)s and their families: family members give the "
                    "No. KK they share with the worker."
                )
                % {"factory": factory},
                "kk_number",
            )
        if typed_only or record.family_worker:
            return None
        return Failure(
            "factory_worker",
            _("No worker of %(factory)s is on record with the same No. KK.") % {"factory": factory},
            "kk_number",
        )
    if participant.employer_name:
        reason = _("This package is for workers of %(factory)s and their families; the employer given is %(employer)s.")
    else:
        reason = _("This package is for workers of %(factory)s and their families; no employer is given.")
    return Failure(
        "factory_worker", reason % {"factory": factory, "employer": participant.employer_name}, "employer_name"
    )


def _ak1_failure(participant: Participant, first_day) -> Failure | None:
    """An AK/1 card (kartu pencari kerja) issued on or before the first day and less than 2 years before it."""
    day = date_format(first_day)
    if not participant.ak1_number.strip():
        return Failure(
            "ak1",
            _("An AK/1 card valid on %(date)s, the first day, is needed; no AK/1 number is given.") % {"date": day},
            "ak1_number",
        )
    issued = participant.ak1_issued_on
    if issued is None:
        return Failure(
            "ak1",
            _("An AK/1 card valid on %(date)s, the first day, is needed; give the day it was issued.") % {"date": day},
            "ak1_issued_on",
        )
    if issued > first_day:
        return Failure(
            "ak1",
            _("The AK/1 card is dated %(issued)s, after the first day (%(date)s).")
            % {"issued": date_format(issued), "date": day},
            "ak1_issued_on",
        )
    expires = ak1_expires_on(issued)
    if first_day >= expires:
        return Failure(
            "ak1",
            _(
                "The AK/1 card issued on %(issued)s was valid for 2 years, until %(last)s; the training starts on "
                "%(date)s. Renew the card at the dinas."
            )
            % {
                "issued": date_format(issued),
                "last": date_format(expires - datetime.timedelta(days=1)),
                "date": day,
            },
            "ak1_issued_on",
        )
    return None
