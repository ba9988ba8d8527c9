"""A staff member's first log-in in production: password, then setting up the authenticator app on the
phone, then the recovery codes; the next log-in asks for the code."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.test_login import log_in
from tests.factories import StaffFactory
from tests.pekalongan_training.test_two_factor import code_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_staff_set_up_the_app_at_first_log_in_then_give_its_code(page, live_server, settings, width):
    settings.OTP_REQUIRED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    page.set_viewport_size({"width": width, "height": 900})
    StaffFactory(username="staf")
    log_in(page, live_server, "staf")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/\?next="))
    expect(page.get_by_role("heading", name="Atur verifikasi dua langkah")).to_be_visible()
    expect(page.get_by_role("img", name="Kode QR untuk aplikasi autentikator")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=f"/tmp/otp-setup-{width}.png", full_page=True)

    device = TOTPDevice.objects.get(user__username="staf")
    field = page.get_by_role("textbox", name="Kode")
    field.fill("000000")
    page.get_by_role("button", name="Aktifkan").click()
    expect(page.get_by_text("Kode ini salah")).to_be_visible()
    page.get_by_role("textbox", name="Kode").fill(code_for(device))
    page.get_by_role("button", name="Aktifkan").click()

    expect(page.get_by_role("heading", name="Kode pemulihan")).to_be_visible()
    codes = page.locator("ol.recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(path=f"/tmp/otp-codes-{width}.png", full_page=True)
    page.get_by_role("link", name="Sudah saya simpan: lanjut").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    page.get_by_role("button", name="Keluar").first.click()
    log_in(page, live_server, "staf")
    expect(page.get_by_role("heading", name="Verifikasi dua langkah")).to_be_visible()
    page.get_by_role("textbox", name="Kode").fill(code_for(device, 1))
    page.get_by_role("button", name="Lanjut").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
