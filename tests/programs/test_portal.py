"""The provider portal: who may see what, marking attendance, schedule changes, results, exports."""

import csv
import datetime
import gzip
import io
import json
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from participants.models import Attendance, Enrollment
from programs.models import Session, TrainingPackage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal():
    """Provider A's running package (a meeting two days ago, today, in two days) and provider B's."""
    today = timezone.localdate()
    operator_a = factories.OperatorFactory(username="operator-a")
    operator_b = factories.OperatorFactory(username="operator-b")
    package = factories.TrainingPackageFactory(
        provider=factories.ProviderFactory(name="LPK A", operators=[operator_a]),
        starts_on=today - datetime.timedelta(days=7),
        ends_on=today + datetime.timedelta(days=7),
        status=TrainingPackage.Status.RUNNING,
    )
    other = factories.TrainingPackageFactory(provider=factories.ProviderFactory(name="LPK B", operators=[operator_b]))
    past, now, future = (
        factories.SessionFactory(package=package, date=today + datetime.timedelta(days=offset)) for offset in (-2, 0, 2)
    )
    enrollments = factories.EnrollmentFactory.create_batch(3, package=package)
    return {
        "today": today,
        "operator": operator_a,
        "other_operator": operator_b,
        "package": package,
        "other_package": other,
        "past": past,
        "session": now,
        "future": future,
        "enrollments": enrollments,
        "other_session": factories.SessionFactory(package=other, date=today),
    }


def _urls(p):
    """(name, url, methods that are allowed) for every portal view, on provider A's objects."""
    package, session, enrollment = p["package"], p["session"], p["enrollments"][0]
    return [
        ("package-list", reverse("provider:package-list"), {"GET"}),
        ("package-detail", reverse("provider:package-detail", args=[package.pk]), {"GET"}),
        ("package-export", reverse("provider:package-export", args=[package.pk, "csv"]), {"GET"}),
        ("session-add", reverse("provider:session-add", args=[package.pk]), {"GET", "POST"}),
        ("package-results", reverse("provider:package-results", args=[package.pk]), {"GET", "POST"}),
        ("propose", reverse("provider:package-propose-completion", args=[package.pk]), {"POST"}),
        ("confirm", reverse("provider:package-confirm-completion", args=[package.pk]), {"POST"}),
        ("session-attendance", reverse("provider:session-attendance", args=[session.pk]), {"GET", "POST"}),
        ("all-present", reverse("provider:session-all-present", args=[session.pk]), {"POST"}),
        ("mark", reverse("provider:attendance-mark", args=[session.pk, enrollment.pk]), {"POST"}),
        ("session-move", reverse("provider:session-move", args=[p["future"].pk]), {"GET", "POST"}),
    ]


@pytest.fixture
def english(client):
    """The pages in English (the msgids), whatever the catalogue says."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _user(p, role):
    return {
        "anonymous": None,
        "other_operator": p["other_operator"],
        "official": factories.OfficialFactory(),
        "staff": factories.StaffFactory(),
        "operator": p["operator"],
    }[role]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", ["anonymous", "other_operator", "official", "staff", "operator"])
def test_permission_ladder(client, portal, role, method):
    user = _user(portal, role)
    if user:
        client.force_login(user)
    for name, url, allowed in _urls(portal):
        response = client.get(url) if method == "GET" else client.post(url)
        code = response.status_code
        if method not in allowed:
            assert code == 405, (name, code)
        elif role == "anonymous":
            assert code == 302 and response["Location"].startswith(reverse("login")), (name, code)
        elif role == "official":
            assert code == 403, (name, code)
        elif role == "other_operator":
            assert code == (200 if name == "package-list" else 404), (name, code)
        elif name == "confirm" and role == "operator":
            assert code == 403, name  # this package leaves confirmation to the dinas
        else:
            assert code in (200, 302), (name, code)


def test_another_providers_package_and_meeting_are_404_even_for_posts(client, portal):
    client.force_login(portal["operator"])
    other, session = portal["other_package"], portal["other_session"]
    enrollment = factories.EnrollmentFactory(package=other)
    for url in (
        reverse("provider:package-detail", args=[other.pk]),
        reverse("provider:package-export", args=[other.pk, "xlsx"]),
        reverse("provider:session-attendance", args=[session.pk]),
    ):
        assert client.get(url).status_code == 404
    mark_url = reverse("provider:attendance-mark", args=[session.pk, enrollment.pk])
    assert client.post(mark_url, {f"status-{enrollment.pk}": "present"}).status_code == 404
    # A person of the other package through one's own meeting: also 404.
    own = reverse("provider:attendance-mark", args=[portal["session"].pk, enrollment.pk])
    assert client.post(own, {f"status-{enrollment.pk}": "present"}).status_code == 404
    assert client.post(reverse("provider:session-all-present", args=[session.pk])).status_code == 404
    assert not Attendance.objects.exists()


def test_the_package_list_shows_only_ones_own_packages_grouped(client, portal):
    client.force_login(portal["operator"])
    response = client.get(reverse("provider:package-list"))
    groups = response.context["groups"]
    assert [p.pk for p in groups["running"]] == [portal["package"].pk]
    assert groups["upcoming"] == [] and groups["finished"] == []
    content = response.content.decode()
    assert reverse("provider:session-attendance", args=[portal["session"].pk]) in content
    assert portal["other_package"].code not in content


def test_staff_see_every_providers_packages(client, portal):
    client.force_login(factories.StaffFactory())
    listed = client.get(reverse("provider:package-list")).context["groups"]
    codes = {p.code for packages in listed.values() for p in packages}
    assert {portal["package"].code, portal["other_package"].code} <= codes


def _mark(client, session, enrollment, status, remark="", htmx=True):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        reverse("provider:attendance-mark", args=[session.pk, enrollment.pk]),
        {f"status-{enrollment.pk}": status, f"remark-{enrollment.pk}": remark},
        headers=headers,
    )


def test_one_tap_saves_a_mark_and_answers_with_the_row(client, portal):
    client.force_login(portal["operator"])
    # A big id, as on a busy server: ids in the page must not become "12.345" in Indonesian.
    enrollment = factories.EnrollmentFactory(pk=12345, package=portal["package"])
    response = _mark(client, portal["session"], enrollment, "sick", "demam")
    assert response.status_code == 200
    content = response.content.decode()
    assert f'id="row-{enrollment.pk}"' in content
    assert 'value="sick" autocomplete="off" checked' in content
    assert 'id="marked-count" hx-swap-oob="true"' in content
    mark = Attendance.objects.get()
    assert (mark.status, mark.remark, mark.marked_by) == ("sick", "demam", portal["operator"])


def test_a_mark_is_changed_in_place_and_its_history_kept(client, portal):
    client.force_login(portal["operator"])
    enrollment = portal["enrollments"][0]
    _mark(client, portal["session"], enrollment, "present")
    staff = factories.StaffFactory()
    client.force_login(staff)
    _mark(client, portal["session"], enrollment, "absent")
    mark = Attendance.objects.get()
    assert mark.status == "absent" and mark.marked_by == staff
    history = list(mark.history.order_by("history_date").values_list("status", "history_user__username"))
    assert history == [("present", "operator-a"), ("absent", staff.username)]


def test_a_future_meeting_cannot_be_marked(client, portal):
    client.force_login(portal["operator"])
    response = _mark(client, portal["future"], portal["enrollments"][0], "present")
    assert "belum bisa ditandai" in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_closed_package_cannot_be_marked(client, portal):
    TrainingPackage.objects.filter(pk=portal["package"].pk).update(status=TrainingPackage.Status.COMPLETED)
    client.force_login(portal["operator"])
    _mark(client, portal["past"], portal["enrollments"][0], "present")
    assert not Attendance.objects.exists()


def _all_present(client, session, data=None, htmx=True):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("provider:session-all-present", args=[session.pk]), data or {}, headers=headers)


def test_all_present_marks_only_the_confirmed_people_still_not_marked(english, client, portal):
    client.force_login(portal["operator"])
    first, second, third = portal["enrollments"]
    _mark(client, portal["session"], first, "sick")
    factories.EnrollmentFactory(package=portal["package"], status=Enrollment.Status.APPLIED)
    # The page counted first (marked since, on another phone) and second; third was not shown unmarked.
    response = _all_present(client, portal["session"], {"confirm": "1", "enrollment": [first.pk, second.pk]})
    assert response.status_code == 200
    content = response.content.decode()
    assert "1 person marked present." in content
    # The rows it counted come back out of band, with the counter; the others are left alone.
    assert f'id="row-{first.pk}" class="att-row' in content and f'id="row-{second.pk}" class="att-row' in content
    assert f'id="row-{third.pk}"' not in content
    assert content.count('hx-swap-oob="true"') == 3
    marks = dict(Attendance.objects.values_list("enrollment_id", "status"))
    assert marks == {first.pk: "sick", second.pk: "present"}


def test_all_present_by_htmx_without_confirmation_marks_nobody(english, client, portal):
    client.force_login(portal["operator"])
    response = _all_present(client, portal["session"])
    assert "Nobody was marked" in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_failed_all_present_says_why(english, client, portal):
    TrainingPackage.objects.filter(pk=portal["package"].pk).update(status=TrainingPackage.Status.COMPLETED)
    client.force_login(portal["operator"])
    ids = [e.pk for e in portal["enrollments"]]
    response = _all_present(client, portal["past"], {"confirm": "1", "enrollment": ids})
    content = response.content.decode()
    assert 'class="alert alert-danger mb-2" role="alert"' in content and "is closed" in content
    assert not Attendance.objects.exists()


def test_the_page_works_as_a_plain_form_without_javascript(client, portal):
    client.force_login(portal["operator"])
    first, second, third = portal["enrollments"]
    url = reverse("provider:session-attendance", args=[portal["session"].pk])
    page = client.get(url).content.decode()
    assert f'name="status-{first.pk}"' in page and 'type="submit"' in page
    response = client.post(
        url, {f"status-{first.pk}": "present", f"status-{second.pk}": "excused", f"remark-{second.pk}": "kondangan"}
    )
    assert response.status_code == 302
    marks = {e: (s, r) for e, s, r in Attendance.objects.values_list("enrollment_id", "status", "remark")}
    assert marks == {first.pk: ("present", ""), second.pk: ("excused", "kondangan")}
    assert 'class="att-row card card-body p-2 mb-2 att-unmarked"' in client.get(url).content.decode()  # third


def test_an_unknown_status_is_refused(client, portal):
    client.force_login(portal["operator"])
    _mark(client, portal["session"], portal["enrollments"][0], "<script>")
    assert not Attendance.objects.exists()


def test_roster_shows_the_grid_percentages_flags_and_session_totals(client, portal):
    client.force_login(portal["operator"])
    good, poor, _unmarked = portal["enrollments"]
    for session in (portal["past"], portal["session"]):
        _mark(client, session, good, "present")
        _mark(client, session, poor, "absent")
    response = client.get(reverse("provider:package-detail", args=[portal["package"].pk]))
    roster = response.context["roster"]
    rows = {row.enrollment.pk: row for row in roster.rows}
    assert rows[good.pk].marks == ["H", "H", ""]
    assert (rows[good.pk].held_percent, round(rows[good.pk].planned_percent)) == (100, 67)
    assert rows[good.pk].flag is None
    # 3 planned, 80% needs 3 present; two absences already: the minimum is out of reach.
    assert rows[poor.pk].flag == "cannot_reach"
    content = response.content.decode()
    assert "1/3 hadir · I0 S0 A1" in content
    assert "67%" in content
    for enrollment in portal["enrollments"]:
        assert enrollment.participant.nik not in content
        assert enrollment.participant.masked_nik in content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_have_the_marks_and_mask_the_nik(client, portal, fmt):
    client.force_login(portal["operator"])
    enrollment = portal["enrollments"][0]
    _mark(client, portal["past"], enrollment, "present")
    response = client.get(reverse("provider:package-export", args=[portal["package"].pk, fmt]))
    assert response.status_code == 200
    if fmt == "csv":
        assert response.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [
            ["" if value is None else str(value) for value in row]
            for row in sheet.iter_rows(min_row=4, values_only=True)
        ]
    header, *body = rows
    assert header[:3] == ["Nama", "NIK", "Status"]
    row = next(r for r in body if r[0] == enrollment.participant.full_name)
    assert row[1] == enrollment.participant.masked_nik
    assert row[3] == "H"
    assert enrollment.participant.nik not in response.content.decode("latin-1")


def _roster_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_roster_and_marking_pages_keep_their_query_count_from_5_to_40_people(client, portal):
    client.force_login(portal["operator"])
    package, session = portal["package"], portal["session"]
    urls = [
        reverse("provider:package-detail", args=[package.pk]),
        reverse("provider:session-attendance", args=[session.pk]),
    ]

    def grow(count):
        for enrollment in factories.EnrollmentFactory.create_batch(count, package=package):
            factories.AttendanceFactory(enrollment=enrollment, session=portal["past"], marked_by=portal["operator"])
            factories.AttendanceFactory(enrollment=enrollment, session=session, marked_by=portal["operator"])

    TrainingPackage.objects.filter(pk=package.pk).update(quota=60)
    grow(2)  # 5 people
    few = [_roster_queries(client, url) for url in urls]
    grow(35)  # 40 people
    many = [_roster_queries(client, url) for url in urls]
    assert many == few


def test_operator_adds_a_meeting_and_moves_a_future_one(client, portal):
    client.force_login(portal["operator"])
    package, today = portal["package"], portal["today"]
    add = reverse("provider:session-add", args=[package.pk])
    response = client.post(add, {"date": (today + datetime.timedelta(days=3)).isoformat(), "topic": "Praktik"})
    assert response.status_code == 302
    assert package.sessions.get(date=today + datetime.timedelta(days=3)).topic == "Praktik"

    response = client.post(add, {"date": (today - datetime.timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    assert "masa lalu" in " ".join(response.context["form"].errors["date"])

    move = reverse("provider:session-move", args=[portal["future"].pk])
    new_day = today + datetime.timedelta(days=4)
    assert client.post(move, {"date": new_day.isoformat()}).status_code == 302
    portal["future"].refresh_from_db()
    assert portal["future"].date == new_day
    roster = client.get(reverse("provider:package-detail", args=[package.pk])).context["roster"]
    assert roster.planned == 4


def test_a_held_or_marked_meeting_cannot_be_moved_by_an_operator(client, portal):
    client.force_login(portal["operator"])
    _mark(client, portal["past"], portal["enrollments"][0], "present")
    later = (portal["today"] + datetime.timedelta(days=5)).isoformat()
    for session in (portal["past"], portal["session"]):
        response = client.post(reverse("provider:session-move", args=[session.pk]), {"date": later})
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not Session.objects.filter(date=portal["today"] + datetime.timedelta(days=5)).exists()


def test_a_meeting_must_stay_within_the_package_dates(client, portal):
    client.force_login(portal["operator"])
    response = client.post(
        reverse("provider:session-add", args=[portal["package"].pk]),
        {"date": (portal["package"].ends_on + datetime.timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200
    assert not Session.objects.filter(date=portal["package"].ends_on + datetime.timedelta(days=1)).exists()


def test_results_are_saved_and_a_certificate_needs_a_pass(client, portal):
    client.force_login(portal["operator"])
    first, second, _third = portal["enrollments"]
    url = reverse("provider:package-results", args=[portal["package"].pk])

    def data(**rows):
        payload = {}
        for enrollment in portal["enrollments"]:
            values = rows.get(f"e{enrollment.pk}", ("not_assessed", "", "not_tested"))
            for name, value in zip(("assessment", "certificate_number", "competency"), values, strict=True):
                payload[f"{enrollment.pk}-{name}"] = value
        return payload

    response = client.post(url, data(**{f"e{first.pk}": ("failed", "CERT-1", "not_tested")}))
    assert response.status_code == 200
    first.refresh_from_db()
    assert first.certificate_number == ""

    response = client.post(
        url,
        data(**{f"e{first.pk}": ("passed", "CERT-1", "competent"), f"e{second.pk}": ("failed", "", "not_tested")}),
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.assessment, first.certificate_number, first.competency) == ("passed", "CERT-1", "competent")
    assert second.assessment == "failed"


def test_completion_is_proposed_for_operators_and_confirmed_by_whoever_the_package_allows(client, portal):
    package = portal["package"]
    TrainingPackage.objects.filter(pk=package.pk).update(ends_on=portal["today"])
    Session.objects.filter(pk=portal["future"].pk).delete()
    client.force_login(portal["operator"])
    full = portal["enrollments"][0]
    for session in (portal["past"], portal["session"]):
        _mark(client, session, full, "present")
    client.post(reverse("provider:package-propose-completion", args=[package.pk]))
    assert list(Enrollment.objects.completion_proposed()) == [full]

    confirm = reverse("provider:package-confirm-completion", args=[package.pk])
    assert client.post(confirm).status_code == 403
    TrainingPackage.objects.filter(pk=package.pk).update(operators_confirm_completion=True)
    assert client.post(confirm).status_code == 302
    full.refresh_from_db()
    assert (full.status, full.completion_confirmed_by) == ("completed", portal["operator"])


def test_the_marking_page_is_light_on_a_phone(client, portal):
    """First load of the marking page, compressed, with every stylesheet and script it loads."""
    client.force_login(portal["operator"])
    html = client.get(reverse("provider:session-attendance", args=[portal["session"].pk])).content
    total = len(gzip.compress(html))
    assets = re.findall(rb'(?:href|src)="/static/([^"?]+)', html)
    assert assets, "the page loads our static files"
    for asset in assets:
        path = finders.find(asset.decode())
        with open(path, "rb") as handle:
            total += len(gzip.compress(handle.read()))
    assert b"woff" not in html and b"bootstrap-icons" not in html
    assert total < 120_000, total


def test_a_tap_for_someone_without_a_seat_is_404_not_an_error(client, portal):
    client.force_login(portal["operator"])
    applicant = factories.EnrollmentFactory(package=portal["package"], status=Enrollment.Status.APPLIED)
    assert _mark(client, portal["session"], applicant, "present").status_code == 404


@pytest.mark.parametrize("times", [{"starts_at": "16:00"}, {"ends_at": "07:00"}, {"starts_at": "25:99"}])
def test_odd_meeting_times_get_a_message_not_an_error(client, portal, times):
    client.force_login(portal["operator"])
    day = (portal["today"] + datetime.timedelta(days=3)).isoformat()
    response = client.post(reverse("provider:session-add", args=[portal["package"].pk]), {"date": day, **times})
    assert response.status_code == 200
    assert response.context["form"].errors
    move = client.post(reverse("provider:session-move", args=[portal["future"].pk]), {"date": day, **times})
    assert move.status_code == 200


def test_exported_names_never_run_as_formulas(client, portal):
    client.force_login(portal["operator"])
    person = portal["enrollments"][0].participant
    person.full_name = '=HYPERLINK("http://example.com","klik")'
    person.save()
    response = client.get(reverse("provider:package-export", args=[portal["package"].pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=5)]
    assert '\'=HYPERLINK("http://example.com","klik")' in names
    assert all(row[0].data_type != "f" for row in sheet.iter_rows(min_row=5))


def test_meeting_totals_count_a_drop_out_only_where_marked(client, portal):
    client.force_login(portal["operator"])
    first, second, leaver = portal["enrollments"]
    for enrollment in (first, second, leaver):
        _mark(client, portal["past"], enrollment, "present")
    Enrollment.objects.filter(pk=leaver.pk).update(status=Enrollment.Status.DROPPED_OUT)
    _mark(client, portal["session"], first, "present")
    roster = client.get(reverse("provider:package-detail", args=[portal["package"].pk])).context["roster"]
    past, today, _future = roster.columns
    assert (past.present, past.expected, past.unmarked) == (3, 3, 0)
    assert (today.present, today.expected, today.unmarked) == (1, 2, 1)


def test_a_closed_package_is_listed_as_finished_and_not_proposed(client, portal):
    TrainingPackage.objects.filter(pk=portal["package"].pk).update(status=TrainingPackage.Status.COMPLETED)
    client.force_login(portal["operator"])
    groups = client.get(reverse("provider:package-list")).context["groups"]
    assert [p.pk for p in groups["finished"]] == [portal["package"].pk]
    client.post(reverse("provider:package-propose-completion", args=[portal["package"].pk]))
    assert not Enrollment.objects.completion_proposed().exists()


def test_a_tap_after_the_session_expired_sends_the_page_to_the_login(client, portal):
    response = _mark(client, portal["session"], portal["enrollments"][0], "present")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_all_present_without_javascript_saves_the_chosen_marks_then_asks_how_many(english, client, portal):
    client.force_login(portal["operator"])
    first, *others = portal["enrollments"]
    response = _all_present(client, portal["session"], {f"status-{first.pk}": "sick"}, htmx=False)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Mark 2 participants not yet marked as present?" in content
    for enrollment in others:
        assert enrollment.participant.full_name in content
        assert f'name="enrollment" value="{enrollment.pk}"' in content
    assert first.participant.full_name not in content.split("<h2")[1]
    # Nothing is marked present before the confirmation; the chosen mark is saved.
    assert dict(Attendance.objects.values_list("enrollment_id", "status")) == {first.pk: "sick"}
    confirm = {"confirm": "1", "enrollment": [e.pk for e in others]}
    response = _all_present(client, portal["session"], confirm, htmx=False)
    assert response.status_code == 302
    marks = dict(Attendance.objects.values_list("enrollment_id", "status"))
    assert marks == {first.pk: "sick", **{e.pk: "present" for e in others}}


def test_the_confirmation_of_all_present_counts_one_in_the_singular(english, client, portal):
    client.force_login(portal["operator"])
    first, second, third = portal["enrollments"]
    _mark(client, portal["session"], first, "present")
    _mark(client, portal["session"], second, "absent")
    content = _all_present(client, portal["session"], htmx=False).content.decode()
    assert "Mark 1 participant not yet marked as present?" in content
    _mark(client, portal["session"], third, "present")
    content = _all_present(client, portal["session"], htmx=False).content.decode()
    assert "Everyone is marked already." in content and 'name="confirm"' not in content


def test_all_present_of_a_future_meeting_asks_nothing_and_marks_nobody(client, portal):
    client.force_login(portal["operator"])
    response = _all_present(client, portal["future"], htmx=False)
    assert response.status_code == 302
    assert not Attendance.objects.exists()


def test_the_default_button_of_the_marking_form_saves_marks_and_is_not_all_present(client, portal):
    """Enter in a field clicks the form's first submit button: it must not be "Semua hadir"."""
    client.force_login(portal["operator"])
    url = reverse("provider:session-attendance", args=[portal["session"].pk])
    page = client.get(url).content.decode()
    form = page[page.index('<form method="post" action="' + url) :]
    first_submit = re.search(r"<button[^>]*type=\"submit\"[^>]*>", form).group(0)
    assert 'id="marking-default"' in first_submit and "formaction" not in first_submit
    assert form.index('id="marking-default"') < form.index('id="all-present"')
    # What that button does: the marks as chosen, the others untouched.
    first, second, third = portal["enrollments"]
    client.post(url, {f"status-{first.pk}": "present", f"remark-{second.pk}": "datang terlambat"})
    assert dict(Attendance.objects.values_list("enrollment_id", "status")) == {first.pk: "present"}


def test_a_late_tap_older_than_the_stored_mark_is_refused_and_the_row_says_so(english, client, portal):
    client.force_login(portal["operator"])
    enrollment = portal["enrollments"][0]
    now = int(timezone.now().timestamp() * 1000)
    url = reverse("provider:attendance-mark", args=[portal["session"].pk, enrollment.pk])

    def tap(status, tapped_at):
        data = {f"status-{enrollment.pk}": status, f"remark-{enrollment.pk}": "", "tapped_at": str(tapped_at)}
        return client.post(url, data, headers={"HX-Request": "true"}).content.decode()

    tap("excused", now - 1000)  # I, tapped second, arrives first
    content = tap("absent", now - 3000)  # A, tapped first, arrives last
    assert Attendance.objects.get().status == "excused"
    assert 'value="excused" autocomplete="off" checked' in content
    assert "already has a newer mark" in content
    tap("present", "not-a-time")  # a tap without a usable time counts as made now, and wins
    assert Attendance.objects.get().status == "present"


def test_a_refused_tap_keeps_the_typed_remark_in_the_row(client, portal):
    client.force_login(portal["operator"])
    enrollment = portal["enrollments"][0]
    content = _mark(client, portal["session"], enrollment, "", "izin ke dokter").content.decode()
    assert 'value="izin ke dokter"' in content
    assert not Attendance.objects.exists()


def test_the_marking_page_gives_its_script_the_clock_and_the_messages(english, client, portal):
    client.force_login(portal["operator"])
    response = client.get(reverse("provider:session-attendance", args=[portal["session"].pk]))
    data = json.loads(
        re.search(
            r'<script id="attendance-page" type="application/json">(.*?)</script>', response.content.decode()
        ).group(1)
    )
    assert abs(data["now"] - timezone.now().timestamp() * 1000) < 60_000
    assert data["messages"]["confirm_other"] == "Mark {count} participants not yet marked as present?"
    assert data["messages"]["confirm_one"] == "Mark {count} participant not yet marked as present?"
    assert data["messages"]["unsaved"] == "Not saved, try again."


def test_the_package_list_keeps_its_query_count_from_1_to_12_packages(client, portal):
    client.force_login(portal["operator"])
    url = reverse("provider:package-list")
    few = _roster_queries(client, url)
    provider = portal["package"].provider
    for _ in range(11):
        package = factories.TrainingPackageFactory(provider=provider)
        factories.AttendanceFactory(enrollment=factories.EnrollmentFactory(package=package))
    assert _roster_queries(client, url) == few
