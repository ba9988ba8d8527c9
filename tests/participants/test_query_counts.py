"""Intake pages that check the entry rules of many people do it in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.eligibility import eligibility_failures, eligibility_failures_for
from participants.models import Enrollment, Participant, ParticipantImport
from programs.models import TrainingPackage
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = ["NIK", "Nama Lengkap", "Jenis Kelamin (L/P)", "Tanggal Lahir", "No. HP", "Kelurahan", "Pendidikan"]


def _future_package(**kwargs):
    today = timezone.localdate()
    program = factories.ProgramFactory(fiscal_year=today.year)
    cohort = factories.CohortFactory(
        program=program,
        registration_opens=today - datetime.timedelta(days=5),
        registration_closes=today + datetime.timedelta(days=5),
        starts_on=today + datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=60),
    )
    defaults = {
        "starts_on": today + datetime.timedelta(days=30),
        "ends_on": today + datetime.timedelta(days=50),
        "status": TrainingPackage.Status.OPEN,
        "cohort": cohort,
        "quota": 40,
    }
    return factories.TrainingPackageFactory(**{**defaults, **kwargs})


def _people(count, elsewhere):
    """`count` people; every second one already holds a seat in `elsewhere` (same year: a failed rule)."""
    people = [factories.ParticipantFactory() for _ in range(count)]
    for person in people[::2]:
        factories.EnrollmentFactory(participant=person, package=elsewhere)
    return people


def test_the_enrollment_page_checks_every_applicant_in_the_same_queries(staff_client):
    package = _future_package()
    elsewhere = _future_package(cohort=package.cohort)
    url = reverse("intake:package-enrollment", args=[package.pk])

    def apply(people):
        for person in people:
            factories.EnrollmentFactory(participant=person, package=package, status=Enrollment.Status.APPLIED)

    apply(_people(2, elsewhere))
    staff_client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        response = staff_client.get(url)
    assert [bool(failures) for _e, failures in response.context["applicants"]] == [True, False]
    apply(_people(18, elsewhere))
    with CaptureQueriesContext(connection) as many:
        response = staff_client.get(url)
    applicants = response.context["applicants"]
    assert len(applicants) == 20
    assert sum(1 for _e, failures in applicants if failures) == 10
    assert response.content.decode().count(elsewhere.code) == 10  # the reason names the other package
    assert len(many) == len(few), [query["sql"] for query in many.captured_queries]


def _csv(people) -> bytes:
    rows = [HEADER] + [
        [person.nik, person.full_name, "P", f"{person.birth_date:%d/%m/%Y}", "0812-3456-7890", "Medono", "SLTA"]
        for person in people
    ]
    return "\r\n".join(";".join(row) for row in rows).encode("utf-8-sig")


def test_an_import_preview_into_a_package_checks_every_row_in_the_same_queries(staff_client, staff_user):
    package = _future_package()
    elsewhere = _future_package(cohort=package.cohort)

    def preview(people):
        batch = ParticipantImport.objects.create(
            filename="peserta.csv", content=_csv(people), package=package, created_by=staff_user
        )
        url = reverse("intake:import-preview", args=[batch.pk])
        staff_client.get(url)  # warm caches
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(url)
        return response, queries

    response, few = preview(_people(2, elsewhere))
    assert len(response.context["result"].errors) == 1
    response, many = preview(_people(2, elsewhere) + _people(18, elsewhere))
    errors = response.context["result"].errors
    assert len(errors) == 10
    assert all(elsewhere.code in message for _line, _column, message in errors)
    assert len(many) == len(few), [query["sql"] for query in many.captured_queries]


def test_the_batch_gives_each_person_the_same_reasons_as_one_by_one():
    package = _future_package(cohort=factories.CohortFactory(program=factories.ProgramFactory(min_age=18)))
    elsewhere = _future_package(cohort=package.cohort)
    people = [
        factories.ParticipantFactory(kelurahan=None),
        factories.ParticipantFactory(employment_status_at_intake=Participant.EmploymentStatus.IN_SCHOOL),
        factories.ParticipantFactory(birth_date=package.starts_on.replace(year=package.starts_on.year - 17)),
        factories.ParticipantFactory(),
        Participant(full_name="Belum tersimpan", birth_date=datetime.date(2000, 1, 1)),  # not saved: no pk
    ]
    factories.EnrollmentFactory(participant=people[3], package=elsewhere)
    batch = eligibility_failures_for(people, package)
    assert batch == [eligibility_failures(person, package) for person in people]
    assert [[failure.rule for failure in failures] for failures in batch] == [
        ["domicile"],
        ["in_school"],
        ["min_age"],
        ["one_per_year"],
        ["domicile"],
    ]
