"""No page with personal data is kept in a cache; no browser feature is allowed to any page."""

import datetime

import pytest
from django.urls import reverse

from tests import factories

LIMITS = "pekalongan_training.middleware.RequestSizeLimitMiddleware"
PRIVATE = "pekalongan_training.middleware.PrivateResponseMiddleware"


@pytest.fixture(autouse=True)
def _headers(settings):
    chain = [m for m in settings.MIDDLEWARE if m not in (LIMITS, PRIVATE)]
    chain.insert(chain.index("django.middleware.security.SecurityMiddleware") + 1, PRIVATE)
    settings.MIDDLEWARE = [LIMITS, *chain]


def _private(response) -> bool:
    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= cache_control and "public" not in cache_control


@pytest.fixture
def package(db):
    operator = factories.OperatorFactory(username="operator")
    package = factories.TrainingPackageFactory(provider=factories.ProviderFactory(operators=[operator]))
    factories.AttendanceFactory(enrollment__package=package, session__date=datetime.date(2026, 9, 8))
    return package


@pytest.mark.django_db
def test_the_operator_pages_and_exports_are_not_stored(client, package):
    client.force_login(package.provider.operators.get())
    for url in (
        reverse("provider:package-detail", args=[package.pk]),
        reverse("provider:package-export", args=[package.pk, "csv"]),
        reverse("provider:package-export", args=[package.pk, "xlsx"]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _private(response), url
        assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_the_staff_pages_and_the_admin_are_not_stored(staff_client, package):
    for url in (
        reverse("intake:package-enrollment", args=[package.pk]) + "?q=Peserta",
        reverse("intake:followup-list"),
        reverse("admin:index"),
        reverse("admin:participants_participant_changelist"),
    ):
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert _private(response), url


@pytest.mark.django_db
def test_the_public_receipt_is_not_stored(client):
    response = client.get(reverse("public:receipt"))
    assert _private(response)


@pytest.mark.django_db
def test_every_response_has_a_permissions_policy(client):
    response = client.get("/healthz")
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


@pytest.mark.django_db
def test_static_files_keep_their_caching_even_for_a_logged_in_person(staff_client):
    response = staff_client.get("/static/vendor/bootstrap/css/bootstrap.min.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "max-age" in response["Cache-Control"]
    assert "Permissions-Policy" in response
