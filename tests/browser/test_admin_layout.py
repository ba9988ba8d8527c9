"""No page of the back office scrolls sideways at 1280 px (nor a list inside its box), nor the index at 320 px."""

import re

import pytest
from playwright.sync_api import expect

from participants.models import Enrollment
from tests.browser.test_login import log_in
from tests.factories import (
    AttendanceFactory,
    EnrollmentFactory,
    OutcomeFactory,
    ParticipantFactory,
    ProviderFactory,
    SessionFactory,
    StaffFactory,
    TrainingPackageFactory,
)
from tests.test_admin import REGISTERED, make_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Boxes that scroll on their own (Django's admin wraps its lists in one): the page may fit while the
# table inside still scrolls sideways.
SIDEWAYS = """() => [...document.querySelectorAll('#container *')]
    .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1)
    .map(e => (e.id || e.className) + ' ' + e.scrollWidth + '/' + e.clientWidth)"""


def sideways(page) -> list:
    too_wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    return [*(["page"] if too_wide else []), *page.evaluate(SIDEWAYS)]


@pytest.fixture
def long_names():
    """Rows with the long names the city really has, which widen tables the most."""
    package = TrainingPackageFactory(
        code="2023-PPR-05",
        title="Pelatihan Administrasi Perkantoran bagi Pekerja Pabrik Rokok",
        provider=ProviderFactory(name="UPTD Balai Latihan Kerja (BLK) Dinperinaker Kota Pekalongan"),
    )
    person = ParticipantFactory(full_name="Muhammad Rizky Pratama Ramadhan Saputra")
    enrollment = EnrollmentFactory(package=package, participant=person, completion_proposed_at="2026-09-30T08:00Z")
    AttendanceFactory(enrollment=enrollment, session=SessionFactory(package=package, topic="Pembukaan dan orientasi"))
    OutcomeFactory(enrollment=EnrollmentFactory(package=package, status=Enrollment.Status.COMPLETED))


def test_no_admin_page_scrolls_sideways(page, live_server, long_names):
    StaffFactory(username="staf")
    objects = {model: make_rows(model, 1)[0] for model in REGISTERED}
    page.set_viewport_size({"width": 320, "height": 800})
    log_in(page, live_server, "staf")
    # Measured once the index has loaded with its styles, not while the log-in still navigates.
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.wait_for_load_state("load")
    assert sideways(page) == [], "index at 320 px"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/")
    assert sideways(page) == [], "index at 1280 px"
    wide = {}
    for model, obj in objects.items():
        base = f"{live_server.url}/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for url in (base, f"{base}{obj.pk}/change/"):
            response = page.goto(url)
            assert response.status == 200, url
            if found := sideways(page):
                wide[url] = found
    assert wide == {}
