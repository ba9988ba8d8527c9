"""Taps sent late (made in a class without signal, queued on the phone): their time, their order,
their history, and what the phone is told (participants/views/portal.py, services/portal.py)."""

import datetime
import json
import re

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from participants.models import Attendance
from participants.services import attendance_record
from programs.models import TrainingPackage
from tests import factories

pytestmark = pytest.mark.django_db

JAKARTA = datetime.timezone(datetime.timedelta(hours=7))
DISABLED = re.compile(r"\sdisabled[\s>]")  # the attribute, not hx-disabled-elt


@pytest.fixture
def klass():
    """Provider A's running package: a meeting three days ago, one today, one in two days; provider B's."""
    today = timezone.localdate()
    operator = factories.OperatorFactory(username="operator-a")
    package = factories.TrainingPackageFactory(
        provider=factories.ProviderFactory(operators=[operator]),
        starts_on=today - datetime.timedelta(days=7),
        ends_on=today + datetime.timedelta(days=7),
        status=TrainingPackage.Status.RUNNING,
    )
    other_operator = factories.OperatorFactory(username="operator-b")
    other = factories.TrainingPackageFactory(provider=factories.ProviderFactory(operators=[other_operator]))
    return {
        "today": today,
        "operator": operator,
        "colleague": _colleague(package),
        "package": package,
        "past": factories.SessionFactory(package=package, date=today - datetime.timedelta(days=3)),
        "session": factories.SessionFactory(package=package, date=today),
        "future": factories.SessionFactory(package=package, date=today + datetime.timedelta(days=2)),
        "people": factories.EnrollmentFactory.create_batch(3, package=package),
        "other_operator": other_operator,
        "other_session": factories.SessionFactory(package=other, date=today),
        "other_person": factories.EnrollmentFactory(package=other),
    }


def _colleague(package):
    colleague = factories.OperatorFactory(username="operator-a2")
    package.provider.operators.add(colleague)
    return colleague


def _yesterday(klass):
    """A meeting yesterday: a tap made up to hours ago is on its day or the next at any hour (today's
    meeting would refuse one made before midnight)."""
    return factories.SessionFactory(package=klass["package"], date=klass["today"] - datetime.timedelta(days=1))


def _send(client, session, enrollment, status, tapped_at, *, remark="", if_unmarked=False, queued=True):
    """A tap as offline-queue.js sends it (JSON answer), or as htmx does."""
    data = {f"status-{enrollment.pk}": status, f"remark-{enrollment.pk}": remark, "tapped_at": tapped_at}
    if if_unmarked:
        data["if_unmarked"] = "1"
    headers = {"Accept": "application/json"} if queued else {"HX-Request": "true"}
    return client.post(reverse("provider:attendance-mark", args=[session.pk, enrollment.pk]), data, headers=headers)


def _at(day, hour, minute, second=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute, second), tzinfo=JAKARTA)


def test_a_late_tap_is_kept_with_its_time_up_to_the_end_of_the_next_day(english, client, klass, monkeypatch):
    client.force_login(klass["operator"])
    past, first, second = klass["past"], *klass["people"][:2]
    last_minute = _at(past.date + datetime.timedelta(days=1), 23, 59, 59)
    # Sent at the very end of the next day (the phone found signal at home that night).
    arrives = last_minute + datetime.timedelta(milliseconds=500)
    monkeypatch.setattr("participants.services.portal.timezone.now", lambda: arrives)
    response = _send(client, past, first, "sick", last_minute.isoformat())
    assert response.status_code == 200
    assert Attendance.objects.values_list("status", "marked_at").get() == ("sick", last_minute)
    assert 'value="sick" autocomplete="off" checked' in response.json()["row"]

    monkeypatch.undo()  # now: three days after the meeting (the session saved "then" has expired)
    client.force_login(klass["operator"])
    day_after = _at(past.date + datetime.timedelta(days=2), 0, 0)
    response = _send(client, past, second, "present", day_after.isoformat())
    assert response.status_code == 400
    assert "made on the meeting's day or the next day" in response.json()["error"]
    assert not Attendance.objects.filter(enrollment=second).exists()


def test_a_tap_made_on_the_day_but_sent_days_later_is_refused(english, client, klass):
    """Else a register made days later would pass for one marked on time (Session.first_marked_at)."""
    client.force_login(klass["operator"])
    past, person = klass["past"], klass["people"][0]  # three days ago
    response = _send(client, past, person, "present", _at(past.date, 9, 0).isoformat())
    assert response.status_code == 400
    assert "made on the meeting's day or the next day" in response.json()["error"]
    assert not Attendance.objects.exists()
    past.refresh_from_db()
    assert past.first_marked_at is None


def test_a_tap_time_no_calendar_can_show_is_refused_without_an_error_page(client, klass):
    client.force_login(klass["operator"])
    session, person = klass["session"], klass["people"][0]
    for sent in ("9999-12-31T23:00:00+00:00", "0001-01-01T00:00:00+14:00", "253402300799999"):
        assert _send(client, session, person, "present", sent).status_code == 400
    assert not Attendance.objects.exists()


def test_a_late_tap_from_before_the_meetings_day_is_refused(client, klass):
    client.force_login(klass["operator"])
    session, person = klass["session"], klass["people"][0]
    evening_before = _at(klass["today"] - datetime.timedelta(days=1), 23, 59)
    assert _send(client, session, person, "present", evening_before.isoformat()).status_code == 400
    assert not Attendance.objects.exists()


def test_a_tap_dated_in_the_future_is_refused_beyond_the_clock_skew(english, client, klass):
    client.force_login(klass["operator"])
    session, first, second = klass["session"], *klass["people"][:2]
    far = timezone.now() + datetime.timedelta(minutes=6)
    response = _send(client, session, first, "present", far.isoformat())
    assert response.status_code == 400 and "check the phone's clock" in response.json()["error"]
    assert not Attendance.objects.exists()
    before = timezone.now()
    near = before + datetime.timedelta(minutes=4)
    assert _send(client, session, second, "present", near.isoformat()).status_code == 200
    mark = Attendance.objects.get()
    assert before <= mark.marked_at <= timezone.now()  # counted as made now, never stored in the future


@pytest.mark.parametrize("older_arrives", ["first", "last"])
def test_the_newest_tap_wins_whichever_arrives_first(english, client, klass, older_arrives):
    """The operator's phone tapped A without signal; a colleague marked S online a minute later."""
    session, person = _yesterday(klass), klass["people"][0]
    offline_tap = timezone.now() - datetime.timedelta(minutes=30)
    colleague_tap = offline_tap + datetime.timedelta(minutes=1)
    client.force_login(klass["operator"])
    if older_arrives == "first":
        assert _send(client, session, person, "absent", offline_tap.isoformat()).status_code == 200
        attendance_record(
            session=session, enrollment=person, status="sick", actor=klass["colleague"], tapped_at=colleague_tap
        )
    else:
        attendance_record(
            session=session, enrollment=person, status="sick", actor=klass["colleague"], tapped_at=colleague_tap
        )
        response = _send(client, session, person, "absent", offline_tap.isoformat())
        assert response.status_code == 409
        assert "already has a newer mark" in response.json()["error"]
        assert 'value="sick" autocomplete="off" checked' in response.json()["row"]
    mark = Attendance.objects.get()
    assert (mark.status, mark.marked_by, mark.marked_at) == ("sick", klass["colleague"], colleague_tap)
    history = list(mark.history.order_by("history_date").values_list("status", "history_user", "marked_at"))
    expected = [("sick", klass["colleague"].pk, colleague_tap)]
    if older_arrives == "first":
        expected.insert(0, ("absent", klass["operator"].pk, offline_tap))
    assert history == expected


def test_the_same_tap_sent_twice_changes_nothing_the_second_time(client, klass):
    client.force_login(klass["operator"])
    session, person = _yesterday(klass), klass["people"][0]
    tapped = (timezone.now() - datetime.timedelta(minutes=45)).isoformat()
    first = _send(client, session, person, "excused", tapped, remark="ke dokter")
    again = _send(client, session, person, "excused", tapped, remark="ke dokter")
    assert first.status_code == again.status_code == 200
    mark = Attendance.objects.get()
    assert (mark.status, mark.remark, mark.marked_at.isoformat()) == (
        "excused",
        "ke dokter",
        datetime.datetime.fromisoformat(tapped).astimezone(datetime.UTC).isoformat(),
    )
    assert mark.history.count() == 1
    person.refresh_from_db()
    assert (person.marks_total, person.marks_excused) == (1, 1)


def test_every_change_is_in_the_history_with_who_and_when_it_was_made(client, klass):
    client.force_login(klass["operator"])
    session, person = _yesterday(klass), klass["people"][0]
    start = timezone.now() - datetime.timedelta(hours=2)
    taps = [
        ("present", start),
        ("sick", start + datetime.timedelta(minutes=5)),
        ("absent", start + datetime.timedelta(minutes=9)),
    ]
    for status, when in taps:
        assert _send(client, session, person, status, when.isoformat()).status_code == 200
    assert Attendance.objects.count() == 1
    history = Attendance.history.filter(enrollment=person).order_by("history_date")
    assert list(history.values_list("status", "marked_at", "history_user")) == [
        (status, when, klass["operator"].pk) for status, when in taps
    ]
    assert list(history.values_list("history_type", flat=True)) == ["+", "~", "~"]


def test_the_database_never_holds_two_marks_for_one_person_and_meeting(klass):
    session, person = klass["session"], klass["people"][0]
    attendance_record(session=session, enrollment=person, status="present", actor=klass["operator"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(enrollment=person, session=session, status="sick", marked_at=timezone.now())
    assert Attendance.objects.count() == 1


def test_all_present_made_offline_marks_only_who_has_no_mark_whatever_its_time(client, klass):
    client.force_login(klass["operator"])
    session, marked, unmarked = _yesterday(klass), *klass["people"][:2]
    early = timezone.now() - datetime.timedelta(hours=1)
    attendance_record(session=session, enrollment=marked, status="sick", actor=klass["colleague"], tapped_at=early)
    tapped = (early + datetime.timedelta(minutes=20)).isoformat()
    assert _send(client, session, marked, "present", tapped, if_unmarked=True).status_code == 200
    assert _send(client, session, unmarked, "present", tapped, if_unmarked=True).status_code == 200
    assert dict(Attendance.objects.values_list("enrollment", "status")) == {marked.pk: "sick", unmarked.pk: "present"}
    assert Attendance.objects.get(enrollment=unmarked).marked_at.isoformat() == (
        datetime.datetime.fromisoformat(tapped).astimezone(datetime.UTC).isoformat()
    )
    assert Attendance.history.filter(enrollment=marked).count() == 1


def test_a_tap_for_someone_elses_package_is_not_found(client, klass):
    client.force_login(klass["operator"])
    tapped = timezone.now().isoformat()
    assert _send(client, klass["other_session"], klass["other_person"], "present", tapped).status_code == 404
    # One's own meeting, with a person of the other package: not found either.
    assert _send(client, klass["session"], klass["other_person"], "present", tapped).status_code == 404
    client.force_login(klass["other_operator"])
    assert _send(client, klass["session"], klass["people"][0], "present", tapped).status_code == 404
    assert not Attendance.objects.exists()


def test_an_expired_session_answers_so_that_the_phone_keeps_the_tap(client, klass):
    session, person = _yesterday(klass), klass["people"][0]
    tapped = (timezone.now() - datetime.timedelta(minutes=20)).isoformat()
    response = _send(client, session, person, "present", tapped)
    assert response.status_code == 403
    assert response.json()["login"] == reverse(settings.LOGIN_URL)
    # The same tap by htmx: the page goes to the login (attendance.js keeps the tap first).
    htmx = _send(client, session, person, "present", tapped, queued=False)
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith(reverse(settings.LOGIN_URL))
    assert not Attendance.objects.exists()
    # Logged in again, the kept tap goes through with its time.
    client.force_login(klass["operator"])
    assert _send(client, session, person, "present", tapped).status_code == 200
    assert Attendance.objects.get().marked_at == datetime.datetime.fromisoformat(tapped)


def test_the_tap_time_is_read_as_iso_with_an_offset_or_as_milliseconds(client, klass):
    client.force_login(klass["operator"])
    session, first, second, third = _yesterday(klass), *klass["people"]
    when = (timezone.now() - datetime.timedelta(minutes=30)).replace(microsecond=123000)
    _send(client, session, first, "present", when.astimezone(JAKARTA).isoformat())
    _send(client, session, second, "present", str(int(when.timestamp() * 1000)))
    before = timezone.now()
    _send(client, session, third, "present", when.replace(tzinfo=None).isoformat())  # no offset: counts as now
    marks = dict(Attendance.objects.values_list("enrollment", "marked_at"))
    assert marks[first.pk] == marks[second.pk] == when
    assert marks[third.pk] >= before


def test_the_service_worker_is_served_for_the_portal_without_caching(client):
    response = client.get(reverse("provider:service-worker"))  # public: code, no data
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    assert reverse("provider:service-worker") == "/provider/sw.js"  # its scope covers /provider/
    body = response.content.decode()
    config = json.loads(body.split("self.offlineConfig = ", 1)[1].split(";\n", 1)[0])
    assert config["scope"] == "/provider/"
    assert config["pages"] == reverse("provider:offline-pages")
    assert any(asset.endswith("attendance.js") for asset in config["assets"])
    assert 'importScripts("/static/js/offline-sw.js")' in body
    assert "worker-src 'self'" in response["Content-Security-Policy"]


def test_the_pages_kept_offline_are_the_operators_meetings_from_yesterday_to_a_week_ahead(client, klass):
    today, package = klass["today"], klass["package"]
    yesterday = factories.SessionFactory(package=package, date=today - datetime.timedelta(days=1))
    in_a_week = factories.SessionFactory(package=package, date=today + datetime.timedelta(days=7))
    factories.SessionFactory(package=package, date=today + datetime.timedelta(days=8))
    closed = factories.TrainingPackageFactory(provider=package.provider, status=TrainingPackage.Status.COMPLETED)
    factories.SessionFactory(package=closed, date=today)
    url = reverse("provider:offline-pages")
    client.force_login(klass["operator"])
    pages = client.get(url).json()["pages"]
    expected = [yesterday, klass["session"], klass["future"], in_a_week]
    assert pages == [reverse("provider:session-attendance", args=[session.pk]) for session in expected]
    client.force_login(klass["other_operator"])
    assert client.get(url).json()["pages"] == [reverse("provider:session-attendance", args=[klass["other_session"].pk])]
    client.force_login(factories.StaffFactory())
    assert client.get(url).json()["pages"] == []  # dinas staff mark from the office
    client.logout()
    assert client.get(url, headers={"Accept": "application/json"}).status_code == 403
    assert client.get(url).status_code == 302


def test_the_page_shown_without_signal_lists_the_kept_meetings(english, client, klass):
    client.force_login(klass["operator"])
    content = client.get(reverse("provider:offline")).content.decode()
    assert "Marking without signal" in content
    for session in (klass["session"], klass["future"]):
        assert reverse("provider:session-attendance", args=[session.pk]) in content
    assert reverse("provider:session-attendance", args=[klass["past"].pk]) not in content


def test_a_future_meetings_page_has_its_controls_disabled_until_its_day(client, klass):
    client.force_login(klass["operator"])
    content = client.get(reverse("provider:session-attendance", args=[klass["future"].pk])).content.decode()
    data = json.loads(
        content.split('<script id="attendance-page" type="application/json">', 1)[1].split("</script>")[0]
    )
    assert data["opens_on"] == klass["future"].date.isoformat()
    radios = content.count('type="radio"')
    assert radios == 12 and len(DISABLED.findall(content)) == radios + 3 + 2  # radios, remarks, both buttons
    offline = json.loads(
        content.split('<script id="offline-config" type="application/json">', 1)[1].split("</script>")[0]
    )
    assert offline["served"] == "network" and offline["user"] == klass["operator"].pk
    assert '"served": "network"' in content  # the text offline-sw.js changes in the copy it keeps
    today = client.get(reverse("provider:session-attendance", args=[klass["session"].pk])).content.decode()
    assert '"opens_on": null' in today and not DISABLED.search(today)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_tap_kept_for_someone_else_on_a_shared_phone_is_refused_and_kept_for_them(client, klass):
    """The phone sends whose tap it is; a colleague logged in on it cannot send it in their name."""
    client.force_login(klass["colleague"])
    session, person = klass["session"], klass["people"][0]
    data = {f"status-{person.pk}": "present", "tapped_at": timezone.now().isoformat(), "user": klass["operator"].pk}
    url = reverse("provider:attendance-mark", args=[session.pk, person.pk])
    response = client.post(url, data, headers={"Accept": "application/json"})
    assert response.status_code == 403  # offline-queue.js keeps a tap answered 403
    assert not Attendance.objects.exists()
    data["user"] = klass["colleague"].pk
    assert client.post(url, data, headers={"Accept": "application/json"}).status_code == 200
    assert Attendance.objects.get().marked_by == klass["colleague"]
