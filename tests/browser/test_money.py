"""A clerk types an income the way people say it, with dots, on a phone; the whole amount is stored."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Outcome
from pekalongan_training.dates import add_months
from tests.browser.test_login import log_in
from tests.factories import EnrollmentFactory, ParticipantFactory, StaffFactory, TrainingPackageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_income_typed_with_dots_is_stored_as_three_million(page, live_server):
    StaffFactory(username="staf")
    today = timezone.localdate()
    package = TrainingPackageFactory(
        starts_on=add_months(today, -5) - datetime.timedelta(days=20), ends_on=add_months(today, -5)
    )
    person = ParticipantFactory(full_name="Siti Aminah")
    completer = EnrollmentFactory(package=package, participant=person, status="completed")

    log_in(page, live_server, "staf")
    page.goto(live_server.url + reverse("intake:followup-record", args=[completer.pk, 3]))
    expect(page.get_by_role("heading", name="Siti Aminah")).to_be_visible()
    status = page.locator('input[name="status"]')
    expect(status).to_have_count(len(Outcome.Status.choices))
    assert not any(status.nth(index).is_checked() for index in range(status.count()))

    income = page.locator('input[name="monthly_income"]')
    assert income.get_attribute("type") == "text" and income.get_attribute("inputmode") == "numeric"
    page.locator('input[name="status"][value="employed"]').check()
    income.fill("3.000.000")
    page.get_by_role("button", name="Simpan jawaban").click()

    expect(page).to_have_url(live_server.url + reverse("intake:followup-list"))
    assert Outcome.objects.get().monthly_income == 3_000_000
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
