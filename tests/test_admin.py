"""Every admin page of the back office opens for dinas staff, and no changelist grows its query count with rows."""

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import (
    AllowancePayment,
    Attendance,
    Certificate,
    Enrollment,
    Outcome,
    Participant,
    ParticipantImport,
    PersonalDataExport,
)
from programs.models import (
    Cohort,
    Expenditure,
    Kecamatan,
    Kelurahan,
    OperatorAccount,
    Program,
    Provider,
    Session,
    TrainingPackage,
    Vocation,
)
from tests import factories

pytestmark = pytest.mark.django_db

OUR_APPS = {"programs", "participants"}
REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in OUR_APPS), key=lambda m: m._meta.label
)


def make_spending(**fields) -> Expenditure:
    """A spending entry of a package of its own (2026, pagu Rp60.000.000), as spending_record would write it."""
    defaults = {
        "spent_on": datetime.date(2026, 9, 10),
        "amount": 2_500_000,
        "kind": Expenditure.Kind.MATERIALS,
        "document_number": f"SP2D-{Expenditure.objects.count() + 1:04d}",
        "entered_by": factories.StaffFactory(),
    }
    if "package" not in fields:
        fields["package"] = factories.TrainingPackageFactory()
    return Expenditure.objects.create(**{**defaults, **fields})


def make_allowance_payment() -> AllowancePayment:
    """A paid allowance of a completer: 12 days at Rp50.000, in the payment list's spending entry."""
    enrollment = factories.EnrollmentFactory(status=Enrollment.Status.COMPLETED)
    spending = make_spending(package=enrollment.package, kind=Expenditure.Kind.ALLOWANCES, amount=600_000)
    return AllowancePayment.objects.create(
        enrollment=enrollment,
        days=12,
        daily_rate=50_000,
        amount=600_000,
        paid_on=spending.spent_on,
        spending=spending,
        paid_by=spending.entered_by,
    )


def make_rows(model, count):
    """`count` more rows of `model`, each with its own related rows (the worst case for queries)."""
    start = model.objects.count()
    if model is Expenditure:
        return [make_spending() for _ in range(count)]
    if model is AllowancePayment:
        return [make_allowance_payment() for _ in range(count)]
    if model is Kecamatan:
        return [
            Kecamatan.objects.create(code=f"33.76.{n:02d}", name=f"Kecamatan {n}") for n in range(start, start + count)
        ]
    if model is Kelurahan:
        kecamatan, _ = Kecamatan.objects.get_or_create(code="33.77.01", defaults={"name": "Kecamatan uji"})
        return [
            Kelurahan.objects.create(code=f"33.77.01.{2000 + n}", name=f"Kelurahan {n}", kecamatan=kecamatan)
            for n in range(start, start + count)
        ]
    if model is Provider:
        return [factories.ProviderFactory(operators=[factories.OperatorFactory()]) for _ in range(count)]
    if model is OperatorAccount:
        operators = [factories.OperatorFactory() for _ in range(count)]
        for operator in operators:
            factories.ProviderFactory(operators=[operator])
        return [OperatorAccount.operators.get(pk=operator.pk) for operator in operators]
    if model is PersonalDataExport:
        user = factories.StaffFactory()
        return [PersonalDataExport.objects.create(user=user, description="uji", row_count=n) for n in range(count)]
    if model is ParticipantImport:
        user = factories.StaffFactory()
        package = factories.TrainingPackageFactory()
        return [
            ParticipantImport.objects.create(filename=f"daftar-{n}.xlsx", content=b"", created_by=user, package=package)
            for n in range(count)
        ]
    if model is Certificate:
        return [
            Certificate.objects.create(
                enrollment=factories.EnrollmentFactory(status="completed", assessment="passed"),
                number=f"SRT/{start + n:06d}",
                code=f"KODEUJI{start + n:013d}",
                issued_on=datetime.date(2026, 11, 27),
            )
            for n in range(count)
        ]
    if model is Vocation:
        return [Vocation.objects.create(name=f"Kejuruan {n}") for n in range(start, start + count)]
    factory = {
        Program: factories.ProgramFactory,
        Cohort: factories.CohortFactory,
        TrainingPackage: factories.TrainingPackageFactory,
        Session: factories.SessionFactory,
        Participant: factories.ParticipantFactory,
        Enrollment: factories.EnrollmentFactory,
        Attendance: factories.AttendanceFactory,
        Outcome: factories.OutcomeFactory,
    }[model]
    return factory.create_batch(count)


def changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_model_of_the_domain_is_in_the_admin():
    assert set(REGISTERED) == {
        Kecamatan,
        Kelurahan,
        Provider,
        Vocation,
        Program,
        Cohort,
        TrainingPackage,
        Session,
        Participant,
        Enrollment,
        Attendance,
        Outcome,
        PersonalDataExport,
        ParticipantImport,
        OperatorAccount,
        Certificate,
        Expenditure,
        AllowancePayment,
    }


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_changelist_query_count_stays_flat_from_2_to_30_rows(staff_client, model):
    url = changelist_url(model)
    make_rows(model, 2)
    staff_client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        response = staff_client.get(url)
    assert response.status_code == 200
    make_rows(model, 28)
    with CaptureQueriesContext(connection) as many:
        response = staff_client.get(url)
    assert response.status_code == 200
    rows = OperatorAccount.operators if model is OperatorAccount else model.objects
    assert response.context["cl"].result_count == rows.count()
    assert len(many) == len(few), [query["sql"] for query in many.captured_queries]


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_add_page_opens_for_staff(staff_client, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    response = staff_client.get(url)
    if model in (Kecamatan, Kelurahan, PersonalDataExport, ParticipantImport, Certificate, AllowancePayment):
        # Seeded by a migration, a log nobody writes by hand, an upload, or made by a service.
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert b'name="_save"' in response.content


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_change_page_opens_for_staff(staff_client, model):
    obj = make_rows(model, 1)[0]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    assert staff_client.get(url).status_code == 200


def test_admin_speaks_indonesian(staff_client):
    factories.TrainingPackageFactory()
    response = staff_client.get(changelist_url(TrainingPackage))
    content = response.content.decode()
    assert "Paket pelatihan" in content
    assert "Kursi terisi" in content


def test_package_list_shows_seats_used_and_left(staff_client):
    package = factories.TrainingPackageFactory(quota=20)
    factories.EnrollmentFactory.create_batch(3, package=package)
    factories.EnrollmentFactory(package=package, status=Enrollment.Status.APPLIED)
    response = staff_client.get(changelist_url(TrainingPackage))
    row = response.context["cl"].result_list.get(pk=package.pk)
    assert (row.seats_used, row.seats_left) == (3, 17)


def test_package_filters_by_year_wave_category_provider_vocation_and_status(staff_client):
    wanted = factories.TrainingPackageFactory(category=TrainingPackage.Category.BLK)
    other = factories.TrainingPackageFactory(
        cohort=factories.CohortFactory(program=factories.ProgramFactory(fiscal_year=2023)),
        status=TrainingPackage.Status.COMPLETED,
    )
    url = changelist_url(TrainingPackage)
    filters = {
        "year": "2026",
        "wave": wanted.cohort_id,
        "category": "blk",
        "provider__id__exact": wanted.provider_id,
        "vocation__id__exact": wanted.vocation_id,
        "status": "running",
    }
    for name, value in filters.items():
        listed = set(staff_client.get(url, {name: value}).context["cl"].result_list)
        assert wanted in listed and other not in listed, name


def test_participants_searchable_by_nik_and_name(staff_client):
    siti = factories.ParticipantFactory(full_name="Siti Aminah")
    slamet = factories.ParticipantFactory(full_name="Slamet", sex="M")
    url = changelist_url(Participant)
    assert list(staff_client.get(url, {"q": siti.nik}).context["cl"].result_list) == [siti]
    assert list(staff_client.get(url, {"q": slamet.nik[:12]}).context["cl"].result_list) == [slamet]
    assert list(staff_client.get(url, {"q": "aminah"}).context["cl"].result_list) == [siti]
    assert list(staff_client.get(url, {"q": "  SITI   amin "}).context["cl"].result_list) == [siti]
    assert list(staff_client.get(url, {"q": "siti slamet"}).context["cl"].result_list) == []
    assert list(staff_client.get(url, {"q": f"siti {siti.nik[:6]}"}).context["cl"].result_list) == [siti]
    assert list(staff_client.get(url, {"q": '"siti aminah"'}).context["cl"].result_list) == [siti]
    assert list(staff_client.get(url, {"q": '"aminah siti"'}).context["cl"].result_list) == []
    assert list(staff_client.get(url, {"q": "'"}).context["cl"].result_list) == []


def test_participants_filter_by_kelurahan_sex_education_and_group(staff_client):
    siti = factories.ParticipantFactory(
        sex="F", education=Participant.Education.BACHELOR, beneficiary_group="factory_worker"
    )
    other = factories.ParticipantFactory(
        sex="M", kelurahan=Kelurahan.objects.get(code="33.75.04.1010"), beneficiary_group="job_seeker"
    )
    url = changelist_url(Participant)
    for params in (
        {"kelurahan__id__exact": siti.kelurahan_id},
        {"sex__exact": "F"},
        {"education__exact": "8"},
        {"beneficiary_group__exact": "factory_worker"},
    ):
        listed = list(staff_client.get(url, params).context["cl"].result_list)
        assert listed == [siti], params
    assert other.pk


def test_operators_and_officials_cannot_open_the_admin(client):
    for user in (factories.OperatorFactory(), factories.OfficialFactory()):
        client.force_login(user)
        response = client.get(changelist_url(Participant))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_package_page_with_its_meetings_and_enrollments_keeps_a_flat_query_count(staff_client):
    package = factories.TrainingPackageFactory(quota=40)
    url = reverse("admin:programs_trainingpackage_change", args=[package.pk])

    def add(count):
        factories.SessionFactory.create_batch(count, package=package)
        factories.EnrollmentFactory.create_batch(count, package=package)

    add(2)
    staff_client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(url).status_code == 200
    add(20)
    with CaptureQueriesContext(connection) as many:
        response = staff_client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('name="enrollments-') > 20 * 4
    assert len(many) == len(few), [query["sql"] for query in many.captured_queries]


@pytest.mark.parametrize(
    ("model", "add_children"),
    [
        (Participant, lambda obj, n: factories.EnrollmentFactory.create_batch(n, participant=obj)),
        (Program, lambda obj, n: factories.CohortFactory.create_batch(n, program=obj)),
    ],
    ids=["participant", "program"],
)
def test_change_pages_with_inlines_keep_a_flat_query_count(staff_client, model, add_children):
    obj = make_rows(model, 1)[0]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    add_children(obj, 2)
    staff_client.get(url)
    with CaptureQueriesContext(connection) as few:
        staff_client.get(url)
    add_children(obj, 15)
    with CaptureQueriesContext(connection) as many:
        assert staff_client.get(url).status_code == 200
    assert len(many) == len(few)
