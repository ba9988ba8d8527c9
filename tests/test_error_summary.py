"""The error summary above a form links to each field with an error, radio groups included, and the
site script moves the focus to it."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import EnrollmentFactory, OutcomeFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_the_summary_links_a_radio_group_to_its_first_choice(client):
    completed = EnrollmentFactory(status="completed")
    OutcomeFactory(enrollment=completed)
    client.force_login(StaffFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post(reverse("intake:followup-record", args=[completed.pk, 3]), {"notes": ""}).content.decode()
    assert 'id="error-summary"' in page
    assert 'href="#id_status_0"' in page and 'id="id_status_0"' in page
    assert 'href="#"' not in page
    assert "js/site.js" in page
