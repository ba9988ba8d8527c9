"""The personal follow-up link (/alumni/<token>/): who it opens for, the form, the answer, and staff verifying it."""

import base64
import datetime
import json
import re

import pytest
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants import followups
from participants.models import Enrollment, FollowUpInvitation, Outcome
from participants.services import follow_up_link, outcome_record, outcome_self_report
from participants.services.followup_links import SALT, round_window
from pekalongan_training.dates import add_months
from tests import factories

pytestmark = pytest.mark.django_db


def _package(months_ago: int, **kwargs):
    ends_on = add_months(timezone.localdate(), -months_ago)
    return factories.TrainingPackageFactory(
        starts_on=ends_on - datetime.timedelta(days=30), ends_on=ends_on, title="Menjahit Busana Dasar", **kwargs
    )


@pytest.fixture
def completer():
    """Ended 4 months ago: the 3-month round is open, the 6-month one not yet due."""
    person = factories.ParticipantFactory(full_name="Siti Aminah Rahayu", phone="081299887766")
    return factories.EnrollmentFactory(participant=person, package=_package(4), status=Enrollment.Status.COMPLETED)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _answer(**changes):
    data = {
        "status": "self_employed",
        "work_started_on": (timezone.localdate() - datetime.timedelta(days=40)).isoformat(),
        "related_to_training": "yes",
        "monthly_income": "Rp 2.500.000",
        "business_name": "Jahit Siti",
        "sector": "Penjahit",
        "employer_name": "",
        "satisfaction": "4",
        "help_needed": ["capital", "tools"],
        "contact_again": "yes",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _seen(client, url) -> str:
    """The version of the answer the staff page shows (what a verification says it checked)."""
    return re.search(r'name="seen" value="(\d*)"', client.get(url).content.decode()).group(1)


def _checked(page: str) -> list[str]:
    return re.findall(r"<input[^>]*\bchecked\b[^>]*>", page)


# --- who a link opens for ------------------------------------------------------------------------


def test_a_valid_link_opens_the_form_with_first_name_and_package_only(client, completer):
    path = follow_up_link(enrollment=completer, round=3)
    assert path.startswith("/alumni/") and path.endswith("/")
    assert follow_up_link(enrollment=completer, round=3) == path  # the same link in every reminder
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Siti" in page and "Menjahit Busana Dasar" in page
    for personal in ("Aminah", "Rahayu", completer.participant.nik, completer.participant.nik[:6], "081299887766"):
        assert personal not in page
    assert "no-store" in response.headers["Cache-Control"]
    # No question starts answered.
    assert _checked(page) == []
    assert len(re.findall(r'type="radio"[^>]*name="satisfaction"', page)) == 5
    assert len(re.findall(r'type="radio"[^>]*name="status"', page)) == 4  # no "not reachable"
    assert 'value="unreachable"' not in page
    assert re.search(r'<input[^>]*type="date"[^>]*name="work_started_on"', page)
    income = re.search(r'<input[^>]*name="monthly_income"[^>]*>', page)[0]
    assert 'type="text"' in income and 'inputmode="numeric"' in income


def test_a_token_of_one_person_cannot_be_turned_into_another(client, completer):
    other = factories.EnrollmentFactory(package=completer.package, status=Enrollment.Status.COMPLETED)
    token = follow_up_link(enrollment=completer, round=3).split("/")[2]
    payload, signature = token.rsplit(":", 1)
    # Someone else's id with this token's signature.
    forged = base64.urlsafe_b64encode(json.dumps([other.pk, 3], separators=(",", ":")).encode()).decode().rstrip("=")
    assert forged != payload
    assert client.get(f"/alumni/{forged}:{signature}/").status_code == 404
    # Signed with another salt (another part of the site's signatures) does not open it either.
    assert client.get(f"/alumni/{signing.Signer(salt='another').sign_object([other.pk, 3])}/").status_code == 404
    # The other person's own link opens their page, not this one's.
    page = client.get(follow_up_link(enrollment=other, round=3)).content.decode()
    assert other.participant.full_name.split()[0] in page and "Siti" not in page


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token[:5] + token[6:],
        lambda token: "x" * 500,
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_token_is_a_404(client, completer, mangle):
    token = follow_up_link(enrollment=completer, round=3).split("/")[2]
    response = client.get(f"/alumni/{mangle(token)}/")
    assert response.status_code == 404
    assert client.post(f"/alumni/{mangle(token)}/", _answer()).status_code == 404
    assert not Outcome.objects.exists()


def test_a_round_not_due_or_not_a_round_is_a_404(client, completer):
    assert client.get(follow_up_link(enrollment=completer, round=6)).status_code == 404
    assert client.get(follow_up_link(enrollment=completer, round=12)).status_code == 404
    assert client.get(f"/alumni/{signing.Signer(salt=SALT).sign_object([completer.pk, 4])}/").status_code == 404
    assert client.get(f"/alumni/{signing.Signer(salt=SALT).sign_object({'e': completer.pk})}/").status_code == 404
    with pytest.raises(ValueError):
        follow_up_link(enrollment=completer, round=4)


def test_an_expired_round_is_a_404_and_the_next_one_opens(client):
    enrollment = factories.EnrollmentFactory(package=_package(7), status=Enrollment.Status.COMPLETED)
    assert client.get(follow_up_link(enrollment=enrollment, round=3)).status_code == 404
    assert client.get(follow_up_link(enrollment=enrollment, round=6)).status_code == 200


def test_the_window_closes_the_day_the_next_round_is_due(client, completer, monkeypatch):
    ends = completer.package.ends_on
    opens, last_day = round_window(ends, 3)
    assert (opens, last_day) == (add_months(ends, 3), add_months(ends, 6) - datetime.timedelta(days=1))
    assert round_window(ends, 12)[1] == add_months(ends, 18) - datetime.timedelta(days=1)
    path = follow_up_link(enrollment=completer, round=3)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: last_day)
    assert client.get(path).status_code == 200
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: last_day + datetime.timedelta(days=1))
    assert client.get(path).status_code == 404
    assert client.post(path, _answer()).status_code == 404
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: opens - datetime.timedelta(days=1))
    assert client.get(path).status_code == 404
    assert not Outcome.objects.exists()


@pytest.mark.parametrize("status", [Enrollment.Status.ENROLLED, Enrollment.Status.DROPPED_OUT])
def test_a_link_for_someone_who_did_not_complete_is_a_404(client, status):
    enrollment = factories.EnrollmentFactory(package=_package(4), status=status)
    assert client.get(follow_up_link(enrollment=enrollment, round=3)).status_code == 404


# --- the form ------------------------------------------------------------------------------------


def test_an_empty_answer_says_what_to_choose_and_saves_nothing(english, completer):
    response = english.post(follow_up_link(enrollment=completer, round=3), {})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["status"] == ["Choose what you do now."]
    assert errors["satisfaction"] == ["Choose a number from 1 to 5."]
    assert errors["contact_again"] == ["Choose yes or no."]
    page = response.content.decode()
    assert "There is a problem" in page and 'href="#id_status_0"' in page
    assert not Outcome.objects.exists() and not FollowUpInvitation.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"monthly_income": "3,5"}, "monthly_income", "Write the amount in whole rupiah, like 3.000.000."),
        ({"monthly_income": "3.000.00"}, "monthly_income", "Write the amount in whole rupiah, like 3.000.000."),
        (
            {"work_started_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()},
            "work_started_on",
            "The date cannot be in the future.",
        ),
        ({"work_started_on": ""}, "work_started_on", "Choose the date your current work or business started."),
        ({"work_started_on": "31/02/2026"}, "work_started_on", None),
        ({"related_to_training": None}, "related_to_training", "Choose yes or no."),
        ({"satisfaction": "7"}, "satisfaction", "Choose a number from 1 to 5."),
        ({"status": "unreachable"}, "status", "Choose what you do now."),
        ({"help_needed": ["money"]}, "help_needed", "Tick only the choices shown."),
        ({"contact_again": "maybe"}, "contact_again", "Choose yes or no."),
    ],
)
def test_bad_input_is_refused_next_to_the_field(english, completer, changes, field, message):
    response = english.post(follow_up_link(enrollment=completer, round=3), _answer(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
        assert message in response.content.decode()
    assert not Outcome.objects.exists()


def test_a_start_before_the_training_is_refused(english, completer):
    before = completer.package.starts_on - datetime.timedelta(days=1)
    response = english.post(follow_up_link(enrollment=completer, round=3), _answer(work_started_on=before.isoformat()))
    assert "work_started_on" in response.context["form"].errors
    assert not Outcome.objects.exists()


def test_an_implausible_income_needs_the_box_ticked(english, completer):
    path = follow_up_link(enrollment=completer, round=3)
    response = english.post(path, _answer(monthly_income="50.000"))
    assert response.context["form"].errors["monthly_income"] == [
        "Rp50,000 a month? Check the amount; if it is right, tick the box below and save again."
    ]
    assert 'name="monthly_income_confirmed"' in response.content.decode()
    assert not Outcome.objects.exists()
    assert (
        english.post(path, {**_answer(monthly_income="50.000"), "monthly_income_confirmed": "50000"}).status_code == 302
    )
    assert Outcome.objects.get().monthly_income == 50_000


def test_a_good_answer_is_a_self_reported_outcome(client, completer):
    path = follow_up_link(enrollment=completer, round=3)
    response = client.post(path, _answer())
    assert response.status_code == 302 and response.url == path
    outcome = Outcome.objects.get()
    started = timezone.localdate() - datetime.timedelta(days=40)
    assert (outcome.enrollment, outcome.round, outcome.source, outcome.recorded_by) == (
        completer,
        3,
        "self_reported",
        None,
    )
    assert outcome.recorded_on == timezone.localdate()
    assert (outcome.status, outcome.work_started_on, outcome.related_to_training) == ("self_employed", started, True)
    assert (outcome.monthly_income, outcome.business_name, outcome.sector, outcome.employer_name) == (
        2_500_000,
        "Jahit Siti",
        "Penjahit",
        "",
    )
    assert (outcome.satisfaction, outcome.help_needed, outcome.contact_again) == (4, ["capital", "tools"], True)
    assert outcome.verified_at is None
    invitation = FollowUpInvitation.objects.get()
    assert (invitation.enrollment, invitation.round) == (completer, 3) and invitation.answered_at is not None
    # The thank-you page, on the same link, with a way to change the answer.
    page = client.get(path)
    assert page.status_code == 200 and 'data-answered="self"' in page.content.decode()
    assert "?change=1" in page.content.decode()
    # Answered: out of the staff's pending list.
    assert not [item for item in _pending() if item[2] == completer]


def _pending():
    return followups.pending(timezone.localdate())


def test_not_working_clears_the_work_answers(client, completer):
    client.post(follow_up_link(enrollment=completer, round=3), _answer(status="not_working", contact_again="no"))
    outcome = Outcome.objects.get()
    assert (outcome.status, outcome.work_started_on, outcome.monthly_income, outcome.business_name) == (
        "not_working",
        None,
        None,
        "",
    )
    assert (outcome.related_to_training, outcome.contact_again, outcome.help_needed) == (
        False,
        False,
        ["capital", "tools"],
    )


def test_a_correction_within_the_window_keeps_the_history(client, completer):
    path = follow_up_link(enrollment=completer, round=3)
    client.post(path, _answer())
    page = client.get(path + "?change=1").content.decode()
    assert [re.search(r'value="([^"]*)"', box)[1] for box in _checked(page)] == [
        "self_employed",
        "yes",
        "4",
        "capital",
        "tools",
        "yes",
    ]
    # The income is asked again: whoever else sees the link must not read it.
    assert 'value="Rp2.500.000"' not in page and 'value="2.500.000"' not in page
    response = client.post(
        path, _answer(status="employed", employer_name="PT Batik Jaya", business_name="", monthly_income="3.000.000")
    )
    assert response.status_code == 302
    outcome = Outcome.objects.get()
    assert (outcome.status, outcome.employer_name, outcome.business_name, outcome.monthly_income) == (
        "employed",
        "PT Batik Jaya",
        "",
        3_000_000,
    )
    history = list(outcome.history.order_by("history_date").values_list("status", "monthly_income"))
    assert history == [("self_employed", 2_500_000), ("employed", 3_000_000)]
    assert FollowUpInvitation.objects.count() == 1


def test_an_answer_staff_recorded_on_a_call_is_not_overwritten(client, completer):
    factories.OutcomeFactory(enrollment=completer, round=3, status=Outcome.Status.EMPLOYED, employer_name="PT A")
    path = follow_up_link(enrollment=completer, round=3)
    assert 'data-answered="staff"' in client.get(path).content.decode()
    client.post(path, _answer())
    assert Outcome.objects.get().employer_name == "PT A"
    assert Outcome.objects.get().source == "staff_call"


def test_the_person_answers_after_staff_could_not_reach_them(client, completer):
    factories.OutcomeFactory(enrollment=completer, round=3, status=Outcome.Status.UNREACHABLE, monthly_income=None)
    assert client.post(follow_up_link(enrollment=completer, round=3), _answer()).status_code == 302
    outcome = Outcome.objects.get()
    assert (outcome.status, outcome.source) == ("self_employed", "self_reported")


def test_the_service_refuses_outside_the_window_and_writes_nothing(completer):
    late = factories.EnrollmentFactory(package=_package(7), status=Enrollment.Status.COMPLETED)
    with pytest.raises(ValidationError):
        outcome_self_report(enrollment=late, round=3, data={"status": "not_working", "satisfaction": 3})
    assert not Outcome.objects.exists() and not FollowUpInvitation.objects.exists()


# --- staff: verify, correct, copy the link --------------------------------------------------------


@pytest.fixture
def answered(client, completer):
    client.post(follow_up_link(enrollment=completer, round=3), _answer())
    return Outcome.objects.get()


def test_staff_see_the_alumnus_answer_and_mark_it_verified(client, completer, answered):
    staff = factories.StaffFactory()
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("intake:followup-record", args=[completer.pk, 3])
    page = client.get(url).content.decode()
    assert "Answered by the alumnus on" in page and 'data-source="self_reported"' in page
    assert 'name="verify"' in page
    assert client.post(url, {"verify": "1", "seen": _seen(client, url)}).status_code == 302
    answered.refresh_from_db()
    assert (answered.source, answered.verified_by, answered.monthly_income) == ("self_reported", staff, 2_500_000)
    assert answered.verified_at is not None
    assert answered.recorded_by is None  # still the person's own answer


def test_staff_correct_an_alumnus_answer_and_it_stays_self_reported(client, completer, answered):
    staff = factories.StaffFactory()
    client.force_login(staff)
    url = reverse("intake:followup-record", args=[completer.pk, 3])
    response = client.post(
        url,
        {
            "status": "self_employed",
            "related_to_training": "on",
            "business_name": "Jahit Siti",
            "sector": "Penjahit",
            "monthly_income": "1.500.000",
            "work_started_on": answered.work_started_on.isoformat(),
            "satisfaction": "4",
            "help_needed": ["tools", "capital"],
            "seen": _seen(client, url),
        },
    )
    assert response.status_code == 302
    answered.refresh_from_db()
    assert (answered.source, answered.monthly_income, answered.verified_by) == ("self_reported", 1_500_000, staff)
    assert answered.satisfaction == 4 and answered.help_needed == ["capital", "tools"]
    incomes = list(answered.history.order_by("history_date").values_list("monthly_income", flat=True))
    assert incomes == [2_500_000, 1_500_000]
    assert answered.history.latest().history_user == staff


def test_a_correction_by_the_person_after_verification_needs_verifying_again(client, completer, answered):
    client.force_login(factories.StaffFactory())
    url = reverse("intake:followup-record", args=[completer.pk, 3])
    client.post(url, {"verify": "1", "seen": _seen(client, url)})
    client.logout()
    client.post(follow_up_link(enrollment=completer, round=3), _answer(monthly_income="2.750.000"))
    answered.refresh_from_db()
    assert (answered.monthly_income, answered.verified_at, answered.verified_by) == (2_750_000, None, None)


def test_the_staff_list_gives_each_open_round_its_link(client, completer):
    late = factories.EnrollmentFactory(package=_package(7), status=Enrollment.Status.COMPLETED)
    client.force_login(factories.StaffFactory())
    response = client.get(reverse("intake:followup-list"))
    rows = {(row[2].pk, row[1]): row[3] for row in response.context["rows"]}
    expected = settings.MESSAGE_SITE_URL + follow_up_link(enrollment=completer, round=3)
    assert rows[(completer.pk, 3)] == expected
    assert rows[(late.pk, 3)] == ""  # its window has closed: a call
    assert rows[(late.pk, 6)] == settings.MESSAGE_SITE_URL + follow_up_link(enrollment=late, round=6)
    page = response.content.decode()
    assert f'value="{expected}"' in page
    assert "https://wa.me/6281299887766?text=" in page
    # The copied link works for the person.
    assert client.get(expected.removeprefix(settings.MESSAGE_SITE_URL)).status_code == 200


def test_the_staff_list_shows_answers_to_verify(client, completer, answered):
    client.force_login(factories.StaffFactory())
    response = client.get(reverse("intake:followup-list"))
    assert list(response.context["to_verify"]) == [answered]
    url = reverse("intake:followup-record", args=[completer.pk, 3])
    client.post(url, {"verify": "1", "seen": _seen(client, url)})
    assert list(client.get(reverse("intake:followup-list")).context["to_verify"]) == []


def test_the_staff_pages_stay_staff_only(client, completer, answered):
    record = reverse("intake:followup-record", args=[completer.pk, 3])
    for url in (reverse("intake:followup-list"), record):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url
    assert client.post(record, {"verify": "1"}).status_code == 302
    for user in (factories.OperatorFactory(), factories.OfficialFactory()):
        client.force_login(user)
        assert client.get(reverse("intake:followup-list")).status_code == 403
        assert client.post(record, {"verify": "1"}).status_code == 403
    answered.refresh_from_db()
    assert answered.verified_at is None
    # The alumni page itself needs no login.
    client.logout()
    assert client.get(follow_up_link(enrollment=completer, round=3)).status_code == 200


def test_the_alumni_page_answers_only_get_and_post(client, completer):
    assert client.put(follow_up_link(enrollment=completer, round=3)).status_code == 405


def test_the_staff_list_does_not_query_per_row(client):
    client.force_login(factories.StaffFactory())

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("intake:followup-list")).status_code == 200
        return len(queries)

    package = _package(4)
    first = factories.EnrollmentFactory(package=package, status=Enrollment.Status.COMPLETED)
    outcome_self_report(enrollment=first, round=3, data={"status": "not_working", "satisfaction": 3})
    factories.EnrollmentFactory(package=package, status=Enrollment.Status.COMPLETED)
    few = count()
    for _ in range(4):
        enrollment = factories.EnrollmentFactory(package=_package(7), status=Enrollment.Status.COMPLETED)
        outcome_self_report(enrollment=enrollment, round=6, data={"status": "not_working", "satisfaction": 5})
        factories.EnrollmentFactory(package=package, status=Enrollment.Status.COMPLETED)
    assert count() == few


def test_a_staff_call_form_saved_after_the_alumnus_answered_does_not_overwrite_it(client, completer):
    path = follow_up_link(enrollment=completer, round=3)
    client.post(path, _answer())
    with pytest.raises(ValidationError):
        outcome_record(
            enrollment=completer,
            round_=3,
            data={"status": Outcome.Status.NOT_WORKING},
            actor=factories.StaffFactory(),
        )
    outcome = Outcome.objects.get()
    assert (outcome.source, outcome.status) == (Outcome.Source.SELF_REPORTED, "self_employed")
