import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import Outcome
from pekalongan_training.dates import add_months
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def completers():
    today = timezone.localdate()
    old = factories.TrainingPackageFactory(
        starts_on=add_months(today, -8) - datetime.timedelta(days=20), ends_on=add_months(today, -8)
    )
    recent = factories.TrainingPackageFactory(
        starts_on=add_months(today, -4) - datetime.timedelta(days=20), ends_on=add_months(today, -4)
    )
    return {
        "old": factories.EnrollmentFactory(package=old, status="completed"),
        "recent": factories.EnrollmentFactory(package=recent, status="completed"),
        "fresh": factories.EnrollmentFactory(package=factories.TrainingPackageFactory(), status="enrolled"),
    }


def test_the_work_list_shows_who_is_due_oldest_first(client, completers):
    client.force_login(factories.StaffFactory())
    response = client.get(reverse("intake:followup-list"))
    items = [(round_, enrollment) for _due, round_, enrollment in response.context["items"]]
    # old: 3 and 6 months due (3 is the older due date); recent: 3 months.
    assert items == [(3, completers["old"]), (6, completers["old"]), (3, completers["recent"])]
    three = response.context["rounds"][0]
    assert (three.due, three.pending) == (2, 2)


def test_recording_an_answer_and_not_reachable_counts_as_answered(client, completers):
    staff = factories.StaffFactory()
    client.force_login(staff)
    url = reverse("intake:followup-record", args=[completers["old"].pk, 3])
    response = client.post(
        url,
        {
            "status": "self_employed",
            "related_to_training": "on",
            "business_name": "Kopi Batik",
            "monthly_income": "2500000",
        },
    )
    assert response.status_code == 302
    outcome = Outcome.objects.get()
    assert (outcome.status, outcome.business_name, outcome.monthly_income, outcome.recorded_by) == (
        "self_employed",
        "Kopi Batik",
        2_500_000,
        staff,
    )
    client.post(reverse("intake:followup-record", args=[completers["recent"].pk, 3]), {"status": "unreachable"})
    items = client.get(reverse("intake:followup-list")).context["items"]
    assert [(r, e) for _d, r, e in items] == [(6, completers["old"])]


def test_a_round_not_yet_due_is_refused(client, completers):
    client.force_login(factories.StaffFactory())
    response = client.post(reverse("intake:followup-record", args=[completers["recent"].pk, 6]), {"status": "employed"})
    assert response.status_code == 200
    assert not Outcome.objects.exists()


def test_follow_ups_are_for_staff(client, completers):
    for user in (factories.OperatorFactory(), factories.OfficialFactory()):
        client.force_login(user)
        assert client.get(reverse("intake:followup-list")).status_code == 403
