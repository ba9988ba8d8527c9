import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import OperatorFactory, ProviderFactory, StaffFactory, TrainingPackageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username, password="test-pass-123"):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    # The page the form answers with is the one a test goes on from, not the log-in page still shown.
    with page.expect_navigation():
        page.get_by_role("button", name="Masuk").click()


def test_operator_logs_in_on_a_phone_and_lands_on_their_packages(page, live_server):
    operator = OperatorFactory(username="operator-blk")
    today = timezone.localdate()
    TrainingPackageFactory(
        title="Pelatihan Barista",
        provider=ProviderFactory(operators=[operator]),
        starts_on=today,
        ends_on=today + datetime.timedelta(days=10),
    )
    TrainingPackageFactory(title="Pelatihan Menjahit")
    log_in(page, live_server, "operator-blk")
    expect(page.get_by_role("heading", name="Paket saya")).to_be_visible()
    expect(page.get_by_text("Pelatihan Barista")).to_be_visible()
    expect(page.get_by_text("Pelatihan Menjahit")).to_have_count(0)
    # Bootstrap is served from our own static files: the navbar is styled, not a plain list.
    assert page.evaluate("getComputedStyle(document.querySelector('header.navbar')).display") == "flex"
    # Nothing spills over the side of a 390-px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_wrong_password_says_so_in_indonesian(page, live_server):
    StaffFactory(username="staf")
    log_in(page, live_server, "staf", password="salah")
    expect(page.get_by_role("alert")).to_contain_text("Nama pengguna atau kata sandi tidak benar")


def test_staff_land_in_the_admin_and_can_switch_to_english(page, live_server):
    StaffFactory(username="staf")
    log_in(page, live_server, "staf")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("link", name="Paket pelatihan").first).to_be_visible()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
