"""A clerk's journey in the back office, in Chromium at 1280 and 390 px: the index says what waits,
a new package opens on its page, and its next steps generate the meetings and enroll people."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Enrollment
from programs.models import Kelurahan, Session, TrainingPackage
from tests.browser.test_login import log_in
from tests.factories import (
    CohortFactory,
    EnrollmentFactory,
    ParticipantFactory,
    ProgramFactory,
    ProviderFactory,
    StaffFactory,
    TrainingPackageFactory,
    VocationFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def choose(page, field, text):
    """Pick `text` in the admin's autocomplete (select2) for `field`."""
    page.locator(f'[aria-labelledby="select2-id_{field}-container"]').click()
    page.locator(".select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


@pytest.fixture
def back_office():
    today = timezone.localdate()
    StaffFactory(username="staf")
    program = ProgramFactory(name="Pelatihan Keterampilan Kerja DBHCHT", fiscal_year=today.year)
    cohort = CohortFactory(
        program=program,
        number=3,
        registration_opens=None,
        registration_closes=None,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=90),
    )
    ProviderFactory(name="UPTD Balai Latihan Kerja (BLK) Dinperinaker Kota Pekalongan")
    VocationFactory(name="Barista")
    # Two people of one name, told apart by birth date and kelurahan.
    ParticipantFactory(
        full_name="Sri Aminah", birth_date=datetime.date(1990, 3, 4), kelurahan=Kelurahan.objects.get(name="Medono")
    )
    ParticipantFactory(
        full_name="Sri Aminah",
        birth_date=datetime.date(1998, 5, 17),
        kelurahan=Kelurahan.objects.get(name="Bendan Kergon"),
    )
    # Work waiting: an applicant in an open package.
    waiting = TrainingPackageFactory(cohort=cohort, status=TrainingPackage.Status.OPEN)
    EnrollmentFactory(package=waiting, status=Enrollment.Status.APPLIED)
    return {"today": today, "cohort": cohort}


def test_staff_save_a_package_and_follow_its_next_steps(page, live_server, back_office):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "staf")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    applicants = page.locator('[data-work="applicants"]')
    expect(applicants.locator(".worklist-count")).to_have_text("1")
    expect(page.locator('[data-work="completions"] .worklist-count')).to_have_text("0")
    assert fits(page)
    page.screenshot(path="/tmp/staff-index-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert fits(page)
    page.screenshot(path="/tmp/staff-index-390.png", full_page=True)
    page.set_viewport_size({"width": 320, "height": 800})
    assert fits(page)

    # A new package, saved with "Simpan".
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/programs/trainingpackage/add/")
    start = back_office["today"] + datetime.timedelta(days=14)
    page.locator("#id_code").fill("2026-BLK-90")
    page.locator("#id_title").fill("Pelatihan Barista")
    choose(page, "vocation", "Barista")
    choose(page, "cohort", "Gelombang 3")
    choose(page, "provider", "UPTD Balai")
    page.locator("#id_category").select_option("blk")
    page.locator("#id_quota").fill("16")
    page.locator("#id_starts_on").fill(start.isoformat())
    page.locator("#id_ends_on").fill((start + datetime.timedelta(days=11)).isoformat())
    page.locator('input[name="_save"]').click()

    package = TrainingPackage.objects.get(code="2026-BLK-90")
    expect(page).to_have_url(re.compile(rf"/admin/programs/trainingpackage/{package.pk}/change/$"))
    steps = page.locator("section.next-steps")
    expect(steps).to_be_visible()
    assert fits(page)
    page.screenshot(path="/tmp/staff-package-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert fits(page)
    page.screenshot(path="/tmp/staff-package-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Step 1: the meetings, by a button that posts.
    meetings = steps.locator('[data-step="meetings"]')
    meetings.locator("button").click()
    expect(page).to_have_url(re.compile(rf"/trainingpackage/{package.pk}/change/$"))
    count = Session.objects.filter(package=package).count()
    assert count > 0
    expect(page.locator(".messagelist")).to_contain_text("2026-BLK-90")
    expect(page.locator("section.next-steps [data-step='meetings'] p").first).to_contain_text(str(count))

    # Step 2: enroll people; the two Sri Aminah differ on the search results.
    steps = page.locator("section.next-steps")
    steps.locator('[data-step="people"] a').click()
    expect(page).to_have_url(re.compile(rf"/intake/packages/{package.pk}/$"))
    page.locator("#q").fill("sri aminah")
    page.locator("#q").press("Enter")
    results = page.locator("form.card", has_text="Sri Aminah")
    expect(results).to_have_count(2)
    expect(results.filter(has_text="4 Maret 1990")).to_contain_text("Medono")
    expect(results.filter(has_text="17 Mei 1998")).to_contain_text("Bendan Kergon")
    assert fits(page)
    results.filter(has_text="17 Mei 1998").get_by_role("button").click()
    expect(page.get_by_role("status").first).to_contain_text("Sri Aminah")
    enrolled = Enrollment.objects.get(package=package)
    assert (enrolled.participant.birth_date, enrolled.status) == (
        datetime.date(1998, 5, 17),
        Enrollment.Status.ENROLLED,
    )

    # Back on the package: one seat taken.
    page.goto(f"{live_server.url}/admin/programs/trainingpackage/{package.pk}/change/")
    expect(page.locator(".next-steps-status")).to_contain_text("1")
    page.set_viewport_size({"width": 390, "height": 844})
    assert fits(page)
