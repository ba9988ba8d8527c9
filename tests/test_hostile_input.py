"""Random and hostile values posted to every form view: never a 500, never markup rendered unescaped."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participants.models import Attendance
from programs.models import TrainingPackage
from tests import factories

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
HOSTILE = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            SCRIPT,
            "<b>x</b>",
            "' OR 1=1 --",
            "'; DROP TABLE participants_participant; --",
            "\x00",
            "²",
            "-1",
            "0",
            "9" * 40,
            "A" * 5000,
            "2026-02-30",
            "31/02/1990",
            "25:99",
            "present",
            "on",
            "",
            "null",
            "{{ 7*7 }}",
        ]
    ),
)
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def form_data(fields):
    """Some of the fields (missing ones too), each with a hostile value."""
    return st.dictionaries(st.sampled_from(fields), HOSTILE, max_size=len(fields))


@pytest.fixture
def world(client):
    today = timezone.localdate()
    operator = factories.OperatorFactory()
    staff = factories.StaffFactory()
    package = factories.TrainingPackageFactory(
        provider=factories.ProviderFactory(operators=[operator]),
        starts_on=today - datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=10),
    )
    session = factories.SessionFactory(package=package, date=today)
    future = factories.SessionFactory(package=package, date=today + datetime.timedelta(days=2))
    enrollment = factories.EnrollmentFactory(package=package)
    open_package = factories.TrainingPackageFactory(
        status=TrainingPackage.Status.OPEN,
        starts_on=today + datetime.timedelta(days=20),
        ends_on=today + datetime.timedelta(days=40),
        cohort=factories.CohortFactory(
            registration_opens=today - datetime.timedelta(days=1),
            registration_closes=today + datetime.timedelta(days=5),
            starts_on=today + datetime.timedelta(days=20),
            ends_on=today + datetime.timedelta(days=60),
        ),
    )
    return locals()


REGISTRATION = [
    "nik",
    "full_name",
    "sex",
    "birth_date",
    "phone",
    "address",
    "kelurahan",
    "education",
    "employment_status_at_intake",
    "beneficiary_group",
    "consent",
    "website",
]


@FUZZ
@given(data=form_data(REGISTRATION))
def test_public_registration(client, world, data, settings):
    settings.REGISTRATION_RATE_LIMIT = (10_000, 3600)
    response = client.post(reverse("public:register", args=[world["open_package"].pk]), data)
    assert response.status_code in (200, 302, 400, 429)
    assert SCRIPT not in response.content.decode()


@FUZZ
@given(data=form_data(["username", "password", "next"]))
def test_login(client, world, data):
    assert client.post(reverse("login"), data).status_code in (200, 302, 400, 429)


@FUZZ
@given(status=HOSTILE, remark=HOSTILE)
def test_one_tap_and_the_page_after_it(client, world, status, remark):
    client.force_login(world["operator"])
    enrollment, session = world["enrollment"], world["session"]
    response = client.post(
        reverse("provider:attendance-mark", args=[session.pk, enrollment.pk]),
        {f"status-{enrollment.pk}": status, f"remark-{enrollment.pk}": remark},
        headers={"HX-Request": "true"},
    )
    assert response.status_code in (200, 400)
    page = client.get(reverse("provider:session-attendance", args=[session.pk])).content.decode()
    assert SCRIPT not in page
    if Attendance.objects.filter(remark__contains="<").exists():
        assert "&lt;" in page


@FUZZ
@given(data=form_data(["date", "starts_at", "ends_at", "topic"]))
def test_schedule_forms(client, world, data):
    client.force_login(world["operator"])
    for url in (
        reverse("provider:session-add", args=[world["package"].pk]),
        reverse("provider:session-move", args=[world["future"].pk]),
    ):
        assert client.post(url, data).status_code in (200, 302, 400)


@FUZZ
@given(values=st.lists(HOSTILE, min_size=3, max_size=3))
def test_results_form(client, world, values):
    client.force_login(world["operator"])
    prefix = world["enrollment"].pk
    data = dict(
        zip((f"{prefix}-assessment", f"{prefix}-certificate_number", f"{prefix}-competency"), values, strict=True)
    )
    response = client.post(reverse("provider:package-results", args=[world["package"].pk]), data)
    assert response.status_code in (200, 302, 400)
    assert SCRIPT not in client.get(reverse("provider:package-results", args=[world["package"].pk])).content.decode()


@FUZZ
@given(data=form_data(["participant", "override_reason", "action", "enrollment", "reason"]))
def test_staff_intake_posts(client, world, data):
    client.force_login(world["staff"])
    package = world["package"]
    for url in (
        reverse("intake:enrollment-add", args=[package.pk]),
        reverse("intake:applicants-decide", args=[package.pk]),
        reverse("intake:enrollment-withdraw", args=[package.pk, world["enrollment"].pk]),
    ):
        assert client.post(url, data).status_code in (302, 400, 404)
    assert (
        SCRIPT
        not in client.get(
            reverse("intake:package-enrollment", args=[package.pk]), {"q": data.get("reason", "")}
        ).content.decode()
    )


@FUZZ
@given(
    data=form_data(
        ["status", "related_to_training", "business_name", "sector", "monthly_income", "employer_name", "notes"]
    )
)
def test_follow_up_form(client, world, data):
    client.force_login(world["staff"])
    today = timezone.localdate()
    ended = factories.TrainingPackageFactory(
        starts_on=today - datetime.timedelta(days=200), ends_on=today - datetime.timedelta(days=120)
    )
    completer = factories.EnrollmentFactory(package=ended, status="completed")
    response = client.post(reverse("intake:followup-record", args=[completer.pk, 3]), data)
    assert response.status_code in (200, 302, 400)


@FUZZ
@given(params=form_data(["year", "wave", "category", "kecamatan", "provider", "vocation", "funding"]))
def test_dashboard_filters(client, world, params):
    client.force_login(factories.OfficialFactory())
    for name, args in (("dashboard:index", []), ("dashboard:export", ["csv"]), ("dashboard:open-data", ["json"])):
        response = client.get(reverse(name, args=args), params)
        assert response.status_code in (200, 400)
        assert SCRIPT not in response.content.decode("utf-8", errors="ignore")


@pytest.mark.parametrize(
    "path",
    [
        "/provider/packages/99999999999999999999999/",
        "/provider/sessions/99999999999999999999/attendance/",
        "/intake/packages/99999999999999999999/",
        "/pelatihan/99999999999999999999/daftar/",
    ],
)
def test_a_huge_id_in_the_address_is_not_found(client, world, path):
    client.force_login(world["staff"])
    assert client.get(path).status_code == 404


def test_a_nul_character_anywhere_is_a_400_not_an_error(client, world):
    client.force_login(world["staff"])
    response = client.post(
        reverse("intake:enrollment-withdraw", args=[world["package"].pk, world["enrollment"].pk]), {"reason": "a\x00b"}
    )
    assert response.status_code == 400
    assert "tidak dapat diproses" in response.content.decode()
    assert (
        client.get(reverse("intake:package-enrollment", args=[world["package"].pk]), {"q": "\x00"}).status_code == 400
    )
