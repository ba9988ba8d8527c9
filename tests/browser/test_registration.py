"""A resident registers on a phone; staff accept; the operator sees the person on the roster."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programs.models import TrainingPackage
from tests.browser.test_login import log_in
from tests.factories import (
    CohortFactory,
    KelurahanFactory,
    OperatorFactory,
    ProgramFactory,
    ProviderFactory,
    StaffFactory,
    TrainingPackageFactory,
    VocationFactory,
    make_nik,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_in_rahayu(page):
    """The registration form as Rahayu Ningsih fills it in; nothing is chosen for her: each
    question is answered."""
    page.get_by_label("NIK").fill(make_nik(sex="F", birth_date=datetime.date(2001, 4, 21), serial=31))
    page.get_by_label("Nama lengkap").fill("Rahayu Ningsih")
    page.get_by_label("Perempuan").check()
    page.get_by_label("Tanggal lahir").fill("2001-04-21")
    page.get_by_label("WhatsApp").fill("0856 1234 5678")
    page.get_by_label("Alamat").fill("Jl. Dr. Wahidin 12, RT 3/RW 1")
    page.get_by_label("Kelurahan").select_option(label="Medono")
    page.get_by_label("Pendidikan terakhir").select_option(value="5")
    page.get_by_label("Apa kegiatan Anda sekarang?").select_option(value="unemployed")
    page.get_by_label("Anda termasuk").select_option(value="job_seeker")
    page.get_by_label("Saya setuju").check()


def test_register_accept_and_find_on_the_roster(page, live_server, browser):
    today = timezone.localdate()
    KelurahanFactory()
    operator = OperatorFactory(username="operator-lpk")
    StaffFactory(username="staf")
    package = TrainingPackageFactory(
        title="Pelatihan Barista Gelombang 2",
        vocation=VocationFactory(name="Barista"),
        provider=ProviderFactory(operators=[operator]),
        status=TrainingPackage.Status.OPEN,
        starts_on=today + datetime.timedelta(days=20),
        ends_on=today + datetime.timedelta(days=40),
        cohort=CohortFactory(
            program=ProgramFactory(fiscal_year=today.year),
            registration_opens=today - datetime.timedelta(days=1),
            registration_closes=today + datetime.timedelta(days=10),
            starts_on=today + datetime.timedelta(days=20),
            ends_on=today + datetime.timedelta(days=60),
        ),
    )

    # The resident, not logged in, on a phone.
    page.goto(f"{live_server.url}/pelatihan/")
    page.locator(f"a[href='/pelatihan/{package.pk}/daftar/']").click()
    fill_in_rahayu(page)
    page.get_by_role("button", name="Kirim pendaftaran saya").click()
    expect(page.locator("[data-receipt-number]")).to_have_text(re.compile(rf"^{today.year}-[A-Z2-9]{{6}}$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Dinas staff accept the applicant.
    staff_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(staff_page, live_server, "staf")
    staff_page.goto(f"{live_server.url}/intake/packages/{package.pk}/")
    expect(staff_page.get_by_text("memenuhi semua syarat")).to_be_visible()
    staff_page.get_by_label("Rahayu Ningsih").check()
    staff_page.get_by_role("button", name="Terima yang dicentang").click()
    expect(staff_page.get_by_text(re.compile("Diterima: Rahayu Ningsih"))).to_be_visible()

    # The operator sees her on the roster.
    operator_page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(operator_page, live_server, "operator-lpk")
    operator_page.goto(f"{live_server.url}/provider/packages/{package.pk}/")
    expect(operator_page.get_by_text("Rahayu Ningsih")).to_be_visible()
