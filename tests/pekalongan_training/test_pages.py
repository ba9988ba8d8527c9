import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from pekalongan_training.formatting import rupiah
from tests.factories import OfficialFactory, OperatorFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_indonesian_with_a_language_switch(client):
    content = client.get(reverse("login")).content.decode()
    assert '<html lang="id">' in content
    assert "Masuk" in content
    assert 'value="en"' in content
    assert 'href="/static/vendor/bootstrap/css/bootstrap.min.css"' in content


def test_staff_go_to_the_admin(client):
    client.force_login(StaffFactory())
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_operators_go_to_the_provider_portal(client):
    client.force_login(OperatorFactory())
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("provider:package-list")


def test_officials_go_to_the_dashboard(client):
    client.force_login(OfficialFactory())
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("dashboard:index")


def test_a_user_without_a_role_is_told_so(client):
    client.force_login(UserFactory())
    assert "belum punya peran" in client.get(reverse("home")).content.decode()


def test_logout_is_a_post(client):
    client.force_login(StaffFactory())
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_english_is_the_second_language(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log in" in client.get(reverse("login")).content.decode()


def test_dates_money_and_time_zone_as_people_write_them(settings):
    assert settings.TIME_ZONE == "Asia/Jakarta"
    with translation.override("id"):
        assert date_format(datetime.date(2026, 11, 27)) == "27 November 2026"
        assert date_format(datetime.date(2026, 8, 17)) == "17 Agustus 2026"
        assert rupiah(1_500_000) == "Rp1.500.000"
        rendered = Template("{% load formatting %}{{ value|rupiah }}").render(Context({"value": 4_307_000_000}))
        assert rendered == "Rp4.307.000.000"
    with translation.override("en"):
        assert date_format(datetime.date(2026, 11, 27)) == "27 November 2026"
        assert rupiah(1_500_000) == "Rp1,500,000"
    assert rupiah(None) == "–"


def test_an_english_browser_still_gets_indonesian_until_the_switch_is_used(client):
    assert "Masuk" in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log in" in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="id").content.decode()


def test_percentages_round_half_up_with_the_locale_decimal_mark():
    from pekalongan_training.formatting import percent, whatsapp_number

    with translation.override("id"):
        assert percent(200 / 3) == "67%"
        assert percent(300 / 7, 1) == "42,9%"
        assert percent(None) == "–"
    assert whatsapp_number("0812-3456-7890") == "6281234567890"
    assert whatsapp_number("+62 812 3456 7890") == "6281234567890"
    assert whatsapp_number("(0285) 421234") == ""
