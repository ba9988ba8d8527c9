"""Pages go out gzip-compressed (TextCompressionMiddleware); compressed formats and static files do not."""

import datetime
import gzip

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db


def _get(client, url):
    return client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")


def test_the_marking_page_goes_out_compressed_and_reads_back_whole(client):
    operator = factories.OperatorFactory()
    today = timezone.localdate()
    package = factories.TrainingPackageFactory(
        provider=factories.ProviderFactory(operators=[operator]),
        starts_on=today - datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=20),
    )
    factories.EnrollmentFactory.create_batch(20, package=package)
    session = factories.SessionFactory(package=package, date=today)
    client.force_login(operator)
    plain = client.get(reverse("provider:session-attendance", args=[session.pk]))
    response = _get(client, reverse("provider:session-attendance", args=[session.pk]))
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert html.count('class="att-row') == 20
    assert len(response.content) < len(plain.content) / 3


def test_the_dashboard_goes_out_compressed(client):
    client.force_login(factories.OfficialFactory())
    response = _get(client, reverse("dashboard:index"))
    assert response["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(response.content)


def test_a_browser_that_does_not_ask_for_it_gets_plain_html(client):
    client.force_login(factories.OfficialFactory())
    response = client.get(reverse("dashboard:index"))
    assert not response.has_header("Content-Encoding")
    assert b"<html" in response.content


def test_a_spreadsheet_is_sent_as_it_is(client):
    client.force_login(factories.OfficialFactory())
    response = _get(client, reverse("dashboard:export", args=["xlsx"]))
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert response.content[:2] == b"PK"  # the XLSX's own zip


def test_two_answers_to_the_same_page_differ_in_length_or_bytes(client):
    """The CSRF token is masked afresh and the padding is random: no stable compressed size to measure."""
    client.force_login(factories.StaffFactory())
    first = _get(client, reverse("account"))
    second = _get(client, reverse("account"))
    assert first["Content-Encoding"] == second["Content-Encoding"] == "gzip"
    assert first.content != second.content
