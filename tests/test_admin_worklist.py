"""The admin index opens with today's work: each count is right, links to a list showing the same rows,
and costs a fixed number of queries; the sections come in working order."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from participants import followups, worklist
from participants.models import Enrollment, ParticipantImport
from programs.models import Session, TrainingPackage
from tests import factories

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def items(response) -> dict:
    return {item.key: item for item in response.context["today_work"]}


def running_package(**extra):
    today = timezone.localdate()
    return factories.TrainingPackageFactory(starts_on=today - 20 * DAY, ends_on=today + 20 * DAY, **extra)


def ended_package(**extra):
    today = timezone.localdate()
    return factories.TrainingPackageFactory(starts_on=today - 30 * DAY, ends_on=today - DAY, **extra)


def listed(client, url) -> set:
    response = client.get(url)
    assert response.status_code == 200, url
    return set(response.context["cl"].result_list)


def test_applicants_waiting_link_to_the_one_package_or_to_the_packages_with_applicants(staff_client):
    first = factories.TrainingPackageFactory(status=TrainingPackage.Status.OPEN)
    factories.EnrollmentFactory.create_batch(2, package=first, status=Enrollment.Status.APPLIED)
    closed = factories.TrainingPackageFactory(status=TrainingPackage.Status.CANCELLED)
    factories.EnrollmentFactory(package=closed, status=Enrollment.Status.APPLIED)
    factories.EnrollmentFactory(package=first)  # enrolled: decided already

    item = items(staff_client.get(reverse("admin:index")))["applicants"]
    assert item.count == 2
    assert item.url == reverse("intake:package-enrollment", args=[first.pk])

    second = factories.TrainingPackageFactory(status=TrainingPackage.Status.OPEN)
    factories.EnrollmentFactory(package=second, status=Enrollment.Status.APPLIED)
    item = items(staff_client.get(reverse("admin:index")))["applicants"]
    assert item.count == 3
    assert listed(staff_client, item.url) == {first, second}


def test_completions_to_confirm_are_those_whose_last_day_has_come(staff_client):
    now = timezone.now()
    ready = factories.EnrollmentFactory(package=ended_package(), completion_proposed_at=now)
    factories.EnrollmentFactory(package=running_package(), completion_proposed_at=now)  # last day to come
    factories.EnrollmentFactory(
        package=ended_package(status=TrainingPackage.Status.COMPLETED), completion_proposed_at=now
    )  # closed: one by one, with a reason
    factories.EnrollmentFactory(package=ended_package())  # not proposed

    item = items(staff_client.get(reverse("admin:index")))["completions"]
    assert item.count == 1
    assert listed(staff_client, item.url) == {ready}


def test_meetings_past_their_marking_deadline(staff_client):
    today = timezone.localdate()
    package = running_package()
    factories.EnrollmentFactory(package=package)
    late = factories.SessionFactory(package=package, date=today - 2 * DAY)
    factories.SessionFactory(package=package, date=today - DAY)  # may still be marked today
    factories.SessionFactory(package=package, date=today - 3 * DAY, first_marked_at=timezone.now())
    factories.SessionFactory(package=running_package(), date=today - 5 * DAY)  # nobody in the class

    item = items(english(staff_client).get(reverse("admin:index")))["meetings"]
    assert (item.count, item.label, item.detail) == (1, "meeting past its marking deadline", "in 1 package")
    assert listed(staff_client, item.url) == {late}


def test_follow_ups_due_count_what_the_follow_up_list_counts(staff_client):
    today = timezone.localdate()
    long_ago = factories.TrainingPackageFactory(starts_on=today - 420 * DAY, ends_on=today - 400 * DAY)
    recent = factories.TrainingPackageFactory(starts_on=today - 120 * DAY, ends_on=today - 100 * DAY)
    completers = factories.EnrollmentFactory.create_batch(3, package=long_ago, status=Enrollment.Status.COMPLETED)
    factories.EnrollmentFactory.create_batch(2, package=recent, status=Enrollment.Status.COMPLETED)
    factories.OutcomeFactory(enrollment=completers[0], round=3)
    factories.OutcomeFactory(enrollment=completers[0], round=6, status="unreachable")

    item = items(staff_client.get(reverse("admin:index")))["follow_ups"]
    # Long ago: 3 rounds due for 3 people, 2 answered; recent: round 3 for 2 people.
    assert item.count == 3 * 3 - 2 + 2
    assert item.count == sum(round_.pending for round_ in followups.progress(today))
    assert item.url == reverse("intake:followup-list")


def test_uploads_waiting_are_the_users_own(staff_client, staff_user):
    package = factories.TrainingPackageFactory()
    mine = ParticipantImport.objects.create(filename="a.xlsx", content=b"", created_by=staff_user, package=package)
    ParticipantImport.objects.create(
        filename="b.xlsx", content=b"", created_by=staff_user, imported_at=timezone.now()
    )  # done
    ParticipantImport.objects.create(filename="c.xlsx", content=b"", created_by=factories.StaffFactory())

    item = items(staff_client.get(reverse("admin:index")))["imports"]
    assert (item.count, item.url) == (1, reverse("intake:import-preview", args=[mine.pk]))

    second = ParticipantImport.objects.create(filename="d.xlsx", content=b"", created_by=staff_user)
    item = items(staff_client.get(reverse("admin:index")))["imports"]
    assert item.count == 2
    assert listed(staff_client, item.url) == {mine, second}
    assert reverse("intake:import-preview", args=[mine.pk]) in staff_client.get(item.url).content.decode()


def _fill(n):
    """`n` of every kind of work."""
    today = timezone.localdate()
    user = factories.StaffFactory()
    for _ in range(n):
        package = ended_package()
        factories.EnrollmentFactory(package=package, status=Enrollment.Status.APPLIED)
        factories.EnrollmentFactory(package=package, completion_proposed_at=timezone.now())
        factories.SessionFactory(package=package, date=today - 3 * DAY)
        old = factories.TrainingPackageFactory(starts_on=today - 420 * DAY, ends_on=today - 400 * DAY)
        factories.EnrollmentFactory(package=old, status=Enrollment.Status.COMPLETED)
        ParticipantImport.objects.create(filename="x.csv", content=b"", created_by=user)
    return user


def test_the_counts_take_four_queries_whatever_the_rows():
    today = timezone.localdate()
    user = _fill(1)
    with CaptureQueriesContext(connection) as few:
        worklist.today_work(user, today)
    _fill(6)
    with CaptureQueriesContext(connection) as many:
        counts = {item.key: item.count for item in worklist.today_work(user, today)}
    assert len(few) == len(many) == 4
    assert counts == {"applicants": 7, "completions": 7, "meetings": 7, "follow_ups": 21, "imports": 1}


def test_the_index_keeps_a_flat_query_count(staff_client):
    _fill(1)
    staff_client.get(reverse("admin:index"))
    with CaptureQueriesContext(connection) as few:
        staff_client.get(reverse("admin:index"))
    _fill(8)
    with CaptureQueriesContext(connection) as many:
        assert staff_client.get(reverse("admin:index")).status_code == 200
    assert len(many) == len(few)


def test_nothing_to_do_is_shown_as_zero_without_a_link(staff_client):
    content = english(staff_client).get(reverse("admin:index")).content.decode()
    assert content.count('class="worklist-item worklist-none"') == 5
    section = content[content.index('class="worklist-items"') : content.index('id="workpages-heading"')]
    assert "<a " not in section
    assert '<span class="worklist-count">0</span> applicants waiting for a decision' in section


def test_sections_come_in_working_order(staff_client):
    response = staff_client.get(reverse("admin:index"))
    sections = [
        (app["name"], [model["object_name"] for model in app["models"]]) for app in response.context["app_list"]
    ]
    with translation.override("en"):
        names = [str(name) for name, _models in sections]
    assert names == [
        "Programs and waves",
        "Providers and packages",
        "Participants and enrollments",
        "Meetings and attendance",
        "Follow-ups",
        "Certificates",
        "Money (DBHCHT)",
        "Reference data",
        "Messages",
        "Records",
    ]
    assert sections[0][1] == ["Program", "Cohort"]
    assert sections[3][1] == ["Session", "Attendance"]
    assert sections[6][1] == ["Expenditure", "AllowancePayment"]
    # An app's own page keeps Django's list.
    response = staff_client.get(reverse("admin:app_list", args=["programs"]))
    assert [app["app_label"] for app in response.context["app_list"]] == ["programs"]


def test_a_superuser_sees_the_other_apps_after_the_sections(client):
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:index"))
    with translation.override("en"):
        names = [str(app["name"]) for app in response.context["app_list"]]
    assert names[9] == "Records"
    assert "auth" in [app["app_label"] for app in response.context["app_list"][10:]]


def test_the_overdue_filter_and_the_work_filter_keep_the_lists_working(staff_client):
    for model, param in ((Session, {"marking": "overdue"}), (TrainingPackage, {"work": "completions"})):
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert staff_client.get(url, param).status_code == 200
