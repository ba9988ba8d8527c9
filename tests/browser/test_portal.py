"""An operator's morning in class, on a 390 x 844 phone."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_login import log_in
from tests.factories import (
    EnrollmentFactory,
    OperatorFactory,
    ParticipantFactory,
    ProviderFactory,
    SessionFactory,
    TrainingPackageFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def class_today():
    today = timezone.localdate()
    operator = OperatorFactory(username="operator-blk")
    OperatorFactory(username="operator-lain")
    package = TrainingPackageFactory(
        code="BLK-01",
        title="Pelatihan Barista",
        provider=ProviderFactory(operators=[operator]),
        starts_on=today - datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=3),
    )
    SessionFactory(package=package, date=today - datetime.timedelta(days=1))
    session = SessionFactory(package=package, date=today)
    SessionFactory(package=package, date=today + datetime.timedelta(days=1))
    for name in ("Siti Aminah", "Slamet", "Dewi Lestari"):
        EnrollmentFactory(package=package, participant=ParticipantFactory(full_name=name))
    return {"package": package, "session": session}


def test_operator_marks_todays_class_and_the_roster_follows(page, live_server, class_today):
    log_in(page, live_server, "operator-blk")
    page.get_by_role("link", name="Tandai presensi hari ini").click()
    expect(page).to_have_url(re.compile(rf"/provider/sessions/{class_today['session'].pk}/attendance/$"))
    expect(page.get_by_text("0 dari 3 sudah ditandai")).to_be_visible()

    page.once("dialog", lambda dialog: dialog.accept())  # "Mark 3 participants ...?"
    page.get_by_role("button", name=re.compile("Semua hadir")).click()
    expect(page.get_by_text("3 dari 3 sudah ditandai")).to_be_visible()
    slamet = page.locator("fieldset", has_text="Slamet")
    # One tap: the mark goes to the server by htmx (a POST answered with the row), no page load.
    with page.expect_response(lambda r: r.request.method == "POST" and "/attendance/" in r.url) as answer:
        slamet.get_by_text("S", exact=True).click()
    assert answer.value.status == 200
    expect(page.locator("fieldset", has_text="Slamet").locator("input[value=sick]")).to_be_checked()
    # Saved without a reload: the tap went by htmx; now reload and both marks are there.
    page.reload()
    expect(page.locator("fieldset", has_text="Slamet").locator("input[value=sick]")).to_be_checked()
    expect(page.locator("fieldset", has_text="Siti Aminah").locator("input[value=present]")).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("fieldset", has_text="Siti Aminah").locator("label.btn").first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44

    page.get_by_role("link", name="Kembali ke daftar peserta").click()
    slamet_row = page.locator("tr", has_text="Slamet")
    # Two meetings held: yesterday unmarked, today sick -> 0 of 1 marked held meeting, 0 of 3 planned.
    expect(slamet_row.locator("td").nth(0)).to_contain_text("0%")
    siti_row = page.locator("tr", has_text="Siti Aminah")
    expect(siti_row.locator("td").nth(0)).to_contain_text("100%")
    expect(siti_row.locator("td").nth(1)).to_contain_text("33%")


def test_another_operator_gets_the_not_found_page(page, live_server, class_today):
    log_in(page, live_server, "operator-lain")
    response = page.goto(f"{live_server.url}/provider/sessions/{class_today['session'].pk}/attendance/")
    assert response.status == 404
    expect(page.get_by_text("Slamet")).to_have_count(0)
