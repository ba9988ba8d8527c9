"""The entry rules a program sets (in the admin), checked at enrollment and at registration.

Each failed rule comes with a reason a clerk can read out to the person. Staff may override a
failed rule with a written reason (stored on the enrollment); a resident registering online
cannot, and is told why.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from participants.models import Enrollment, Participant
from programs.models import TrainingPackage


@dataclass(frozen=True)
class Failure:
    rule: str  # "min_age", "domicile", "one_per_year", "in_school"
    reason: str


def age_on(birth_date, day) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def eligibility_failures(participant: Participant, package: TrainingPackage) -> list[Failure]:
    """The program's entry rules this person does not meet for this package (empty: eligible)."""
    return eligibility_failures_for([participant], package)[0]


def eligibility_failures_for(participants: Sequence[Participant], package: TrainingPackage) -> list[list[Failure]]:
    """The failed entry rules of each person, in the order given (empty: eligible).

    One query for everyone's other packages of the year (one per thousand people, as SQLite limits
    the parameters of a query), not one per person. A list rather than a dict by pk: an import
    checks people not saved yet, who have no pk.
    """
    program = package.cohort.program
    others = {}
    saved = [participant.pk for participant in participants if participant.pk is not None]
    if program.one_training_per_year:  # a new person has no other enrollment
        for start in range(0, len(saved), 1000):
            for other in (
                Enrollment.objects.filter(
                    participant__in=saved[start : start + 1000],
                    package__cohort__program__fiscal_year=program.fiscal_year,
                )
                .holding_seats()
                .exclude(package=package)
                .select_related("package")
            ):
                others.setdefault(other.participant_id, other)  # the first in the default ordering
    return [_failures(participant, package, others.get(participant.pk)) for participant in participants]


def _failures(participant: Participant, package: TrainingPackage, other: Enrollment | None) -> list[Failure]:
    """The rules for one person; `other` is their seat in another package of the same year, if any."""
    program = package.cohort.program
    failures = []
    if program.min_age and age_on(participant.birth_date, package.starts_on) < program.min_age:
        failures.append(
            Failure(
                "min_age",
                _("Must be at least %(age)s years old on %(date)s, when the training starts; is %(actual)s.")
                % {
                    "age": program.min_age,
                    "date": date_format(package.starts_on),
                    "actual": age_on(participant.birth_date, package.starts_on),
                },
            )
        )
    if program.require_city_domicile and participant.kelurahan_id is None:
        failures.append(Failure("domicile", _("This program is for residents of Kota Pekalongan.")))
    if program.one_training_per_year and other is not None:
        failures.append(
            Failure(
                "one_per_year",
                _("Already in package %(code)s in %(year)s; one training a year is the rule.")
                % {"code": other.package.code, "year": program.fiscal_year},
            )
        )
    if program.exclude_in_school and participant.employment_status_at_intake == Participant.EmploymentStatus.IN_SCHOOL:
        failures.append(Failure("in_school", _("This program is for people who are no longer in school.")))
    return failures
