"""Sending the personal follow-up links in bulk, the reminders after 7 and 14 days, the call list, and
the staff's own follow-up form with the tracer questions."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from participants import followups
from participants.models import Enrollment, FollowUpInvitation, Outcome
from participants.services import (
    follow_up_link,
    follow_up_links_send,
    follow_up_reminders_send,
    outcome_record,
    outcome_self_report,
    outcome_verify,
)
from participants.services.followup_links import answer_version, links_to_send, reminders_due
from pekalongan_training.dates import add_months
from pekalongan_training.messaging import backends
from pekalongan_training.models import Message
from programs.models import TrainingPackage
from tests import factories

pytestmark = pytest.mark.django_db


def _package(months_ago: int, **kwargs):
    ends_on = add_months(timezone.localdate(), -months_ago)
    return factories.TrainingPackageFactory(starts_on=ends_on - datetime.timedelta(days=30), ends_on=ends_on, **kwargs)


def _completer(months_ago=4, phone="081299887766", name="Siti Aminah", **package):
    person = factories.ParticipantFactory(full_name=name, phone=phone)
    return factories.EnrollmentFactory(
        participant=person, package=_package(months_ago, **package), status=Enrollment.Status.COMPLETED
    )


def _days_ago(invitation, days, **changes):
    """Move an invitation's messages `days` back in time (sent and last sent)."""
    moment = timezone.now() - datetime.timedelta(days=days)
    FollowUpInvitation.objects.filter(pk=invitation.pk).update(sent_at=moment, last_sent_at=moment, **changes)
    invitation.refresh_from_db()
    return invitation


@pytest.fixture(autouse=True)
def _outbox():
    backends.outbox.clear()
    yield
    backends.outbox.clear()


# --- who is sent a link -------------------------------------------------------------------------


def test_links_go_to_completers_whose_round_is_open_and_unanswered():
    waiting = _completer()
    no_phone = _completer(phone="")
    by_call = _completer()
    outcome_record(enrollment=by_call, round_=3, data={"status": "employed"}, actor=None)
    not_reached = _completer()
    outcome_record(enrollment=not_reached, round_=3, data={"status": "unreachable"}, actor=None)
    by_link = _completer()
    outcome_self_report(enrollment=by_link, round=3, data={"status": "not_working", "satisfaction": 3})
    cancelled = _completer(status=TrainingPackage.Status.CANCELLED)
    closed = _completer(months_ago=7)  # the 3-month window closed when the 6-month round came due
    not_due = _completer(months_ago=2)
    dropped = factories.EnrollmentFactory(package=_package(4), status=Enrollment.Status.DROPPED_OUT)

    assert set(links_to_send(3)) == {waiting, not_reached}  # a "not reachable" gives way to the link
    assert set(links_to_send(6)) == {closed}
    assert not {no_phone, by_call, by_link, cancelled, not_due, dropped} & set(links_to_send(3))


def test_the_bulk_send_queues_one_message_a_person_with_their_own_link(django_capture_on_commit_callbacks):
    siti = _completer(name="Siti Aminah Rahayu")
    budi = _completer(name="Budi Santoso", phone="081355512345")
    with django_capture_on_commit_callbacks(execute=True):
        assert follow_up_links_send(round=3) == 2
    messages = {m.about_id: m for m in Message.objects.filter(template="followup_link")}
    assert set(messages) == {siti.pk, budi.pk}
    body = messages[siti.pk].body
    assert settings.MESSAGE_SITE_URL + follow_up_link(enrollment=siti, round=3) in body
    assert "Siti" in body and "Rahayu" not in body and siti.participant.nik not in body
    assert follow_up_link(enrollment=budi, round=3) not in body
    assert messages[siti.pk].key == f"followup-link:{siti.pk}:3:0"
    assert {m.recipient for m in messages.values()} == {"081299887766", "081355512345"}
    assert len(backends.outbox) == 2  # delivered by the task queue after the commit
    invitation = FollowUpInvitation.objects.get(enrollment=siti, round=3)
    assert invitation.sent_at is not None and invitation.last_sent_at == invitation.sent_at
    assert invitation.reminders_sent == 0 and invitation.answered_at is None
    # Sent once: a second run, or a click from another clerk, sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert follow_up_links_send(round=3) == 0
    assert Message.objects.filter(template="followup_link").count() == 2
    assert list(links_to_send(3)) == []


def test_the_message_is_in_indonesian_with_the_last_day():
    enrollment = _completer()
    follow_up_links_send(round=3)
    body = Message.objects.get().body
    last_day = followups.round_window(enrollment.package.ends_on, 3)[1]
    assert "Halo Siti" in body
    assert f"{last_day.day} " in body and str(last_day.year) in body


def test_an_unknown_round_is_refused():
    with pytest.raises(ValueError):
        follow_up_links_send(round=4)


# --- reminders ------------------------------------------------------------------------------------


def test_reminders_follow_after_7_and_14_days_then_stop():
    enrollment = _completer()
    follow_up_links_send(round=3)
    invitation = FollowUpInvitation.objects.get(enrollment=enrollment)
    assert list(reminders_due()) == []  # sent today
    _days_ago(invitation, 6)
    assert list(reminders_due()) == []
    _days_ago(invitation, 7)
    assert list(reminders_due()) == [invitation]
    assert follow_up_reminders_send() == 1
    assert follow_up_reminders_send() == 0  # the same day again: nothing twice
    invitation.refresh_from_db()
    assert invitation.reminders_sent == 1 and invitation.last_sent_at.date() == timezone.now().date()
    reminder = Message.objects.get(key=f"followup-link:{enrollment.pk}:3:1")
    assert reminder.body.startswith("Pengingat")
    assert settings.MESSAGE_SITE_URL + follow_up_link(enrollment=enrollment, round=3) in reminder.body
    # A week after the first reminder (14 days after the link), the second; then no more.
    FollowUpInvitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=14), last_sent_at=timezone.now() - datetime.timedelta(days=7)
    )
    assert follow_up_reminders_send() == 1
    _days_ago(invitation, 30)
    assert follow_up_reminders_send() == 0
    invitation.refresh_from_db()
    assert invitation.reminders_sent == 2
    keys = set(Message.objects.values_list("key", flat=True))
    assert keys == {f"followup-link:{enrollment.pk}:3:{n}" for n in (0, 1, 2)}


def test_no_reminder_after_an_answer_or_once_the_window_closed():
    answered = _completer()
    called = _completer()
    closing = _completer()
    follow_up_links_send(round=3)
    outcome_self_report(enrollment=answered, round=3, data={"status": "not_working", "satisfaction": 4})
    outcome_record(enrollment=called, round_=3, data={"status": "employed"}, actor=None)
    for invitation in FollowUpInvitation.objects.all():
        _days_ago(invitation, 8)
    assert {i.enrollment for i in reminders_due()} == {closing}
    # The 6-month round came due: the 3-month link no longer opens, so no reminder for it.
    TrainingPackage.objects.filter(pk=closing.package_id).update(
        ends_on=add_months(timezone.localdate(), -6), starts_on=add_months(timezone.localdate(), -7)
    )
    assert list(reminders_due()) == []
    assert follow_up_reminders_send() == 0


def test_the_command_sends_the_reminders_due(capsys):
    enrollment = _completer()
    follow_up_links_send(round=3)
    _days_ago(FollowUpInvitation.objects.get(enrollment=enrollment), 7)
    call_command("follow_up_reminders")
    assert "1 reminder(s) queued." in capsys.readouterr().out
    assert Message.objects.filter(key=f"followup-link:{enrollment.pk}:3:1").exists()


# --- the call list --------------------------------------------------------------------------------


def _call_list():
    return {
        (enrollment, round_) for _due, round_, enrollment in followups.pending(timezone.localdate(), call_list=True)
    }


def test_the_call_list_holds_who_did_not_answer_a_week_after_the_last_reminder():
    silent = _completer()
    still_waiting = _completer()
    never_sent = _completer()
    closed = _completer(months_ago=7)  # round 3's window closed without an answer
    follow_up_links_send(round=3)
    _days_ago(FollowUpInvitation.objects.get(enrollment=silent), 7, reminders_sent=2)
    _days_ago(FollowUpInvitation.objects.get(enrollment=still_waiting), 6, reminders_sent=2)
    assert _call_list() == {(silent, 3), (closed, 3)}
    assert (never_sent, 3) not in _call_list()
    outcome_record(enrollment=silent, round_=3, data={"status": "employed"}, actor=None)
    assert _call_list() == {(closed, 3)}


def test_the_work_list_shows_what_was_sent_and_the_call_list(client):
    silent = _completer(name="Rina Wati")
    other = _completer(name="Dewi Lestari")
    follow_up_links_send(round=3)
    _days_ago(FollowUpInvitation.objects.get(enrollment=silent), 7, reminders_sent=2)
    client.force_login(factories.StaffFactory())
    page = client.get(reverse("intake:followup-list")).content.decode()
    assert page.count("data-invitation") == 2
    assert "2 pengingat" in page
    assert 'data-copy="link-' in page
    call = client.get(reverse("intake:followup-list") + "?show=call").content.decode()
    assert "Rina Wati" in call and "Dewi Lestari" not in call
    assert other.participant.full_name in page


# --- the staff's buttons --------------------------------------------------------------------------


def test_staff_send_a_round_from_the_work_list(client, django_capture_on_commit_callbacks):
    enrollment = _completer()
    _completer(phone="")
    client.force_login(factories.StaffFactory())
    page = client.get(reverse("intake:followup-list")).content.decode()
    assert re.search(r'name="round" value="3">\s*<button[^>]*>Kirim tautan 3 bulan \(1\)', page)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:followup-send"), {"round": "3"}, follow=True)
    assert "sedang dikirim ke 1 orang" in response.content.decode()
    assert Message.objects.filter(about_id=enrollment.pk, template="followup_link").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:followup-send"), {"round": "3"}, follow=True)
    assert Message.objects.count() == 1
    assert "Tidak ada yang menunggu tautan 3 bulan" in response.content.decode()


@pytest.mark.parametrize("value", ["", "4", "x", "3' or 1=1", "9" * 50])
def test_a_bad_round_is_told_and_sends_nothing(client, value):
    _completer()
    client.force_login(factories.StaffFactory())
    response = client.post(reverse("intake:followup-send"), {"round": value}, follow=True)
    assert response.status_code == 200
    assert "Pilih putaran tindak lanjut" in response.content.decode()
    assert not Message.objects.exists()


def test_staff_send_the_reminders_due(client, django_capture_on_commit_callbacks):
    enrollment = _completer()
    follow_up_links_send(round=3)
    client.force_login(factories.StaffFactory())
    response = client.post(reverse("intake:followup-remind"), follow=True)
    assert "Tidak ada pengingat" in response.content.decode()
    _days_ago(FollowUpInvitation.objects.get(enrollment=enrollment), 7)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("intake:followup-remind"))
    assert FollowUpInvitation.objects.get(enrollment=enrollment).reminders_sent == 1


def test_the_buttons_are_for_staff_only_and_post_only(client):
    _completer()
    for name in ("intake:followup-send", "intake:followup-remind"):
        assert client.post(reverse(name), {"round": "3"}).status_code == 302  # to the login
        for user in (factories.OperatorFactory(), factories.OfficialFactory()):
            client.force_login(user)
            assert client.post(reverse(name), {"round": "3"}).status_code == 403
            client.logout()
        client.force_login(factories.StaffFactory())
        assert client.get(reverse(name)).status_code == 405
        client.logout()
    assert not Message.objects.exists()


# --- the staff's form: the tracer questions -------------------------------------------------------


def _record_url(enrollment, round_=3):
    return reverse("intake:followup-record", args=[enrollment.pk, round_])


def test_the_staff_form_asks_the_tracer_questions_unanswered(client):
    enrollment = _completer()
    client.force_login(factories.StaffFactory())
    page = client.get(_record_url(enrollment)).content.decode()
    for name in ("satisfaction", "contact_again", "help_needed", "work_started_on"):
        assert f'name="{name}"' in page
    assert re.findall(r"<input[^>]*\bchecked\b[^>]*>", page) == []


def test_staff_record_the_tracer_answers_on_a_call(client):
    enrollment = _completer()
    staff = factories.StaffFactory()
    client.force_login(staff)
    started = enrollment.package.ends_on + datetime.timedelta(days=20)
    response = client.post(
        _record_url(enrollment),
        {
            "status": "employed",
            "work_started_on": started.isoformat(),
            "related_to_training": "on",
            "employer_name": "PT Batik Jaya",
            "monthly_income": "Rp 2.100.000",
            "satisfaction": "5",
            "help_needed": ["placement", "capital"],
            "contact_again": "no",
        },
    )
    assert response.status_code == 302
    outcome = Outcome.objects.get()
    assert (outcome.source, outcome.recorded_by, outcome.work_started_on) == ("staff_call", staff, started)
    assert (outcome.satisfaction, outcome.help_needed, outcome.contact_again) == (5, ["capital", "placement"], False)
    assert outcome.monthly_income == 2_100_000


def test_the_staff_form_refuses_a_start_before_the_training_or_in_the_future(client):
    enrollment = _completer()
    client.force_login(factories.StaffFactory())
    base = {"status": "self_employed", "business_name": "Warung", "satisfaction": "4"}
    early = enrollment.package.starts_on - datetime.timedelta(days=1)
    response = client.post(_record_url(enrollment), {**base, "work_started_on": early.isoformat()})
    assert response.status_code == 200
    assert "setelah pelatihan dimulai" in response.content.decode()
    future = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(_record_url(enrollment), {**base, "work_started_on": future.isoformat()})
    assert "tidak boleh setelah hari ini" in response.content.decode()
    response = client.post(_record_url(enrollment), {**base, "satisfaction": "7"})
    assert response.status_code == 200
    assert not Outcome.objects.exists()


def test_not_reachable_keeps_no_tracer_answers():
    enrollment = _completer()
    outcome = outcome_record(
        enrollment=enrollment,
        round_=3,
        data={"status": "unreachable", "satisfaction": 4, "help_needed": ["tools"], "contact_again": True},
        actor=None,
    )
    assert (outcome.satisfaction, outcome.help_needed, outcome.contact_again) == (None, [], None)


# --- verifying what was seen ----------------------------------------------------------------------


def test_a_verification_of_an_answer_changed_since_is_refused():
    enrollment = _completer()
    answer = {"status": "not_working", "satisfaction": 3}
    outcome = outcome_self_report(enrollment=enrollment, round=3, data=answer)
    seen = answer_version(outcome)
    outcome_self_report(enrollment=enrollment, round=3, data={**answer, "satisfaction": 1})
    with pytest.raises(Exception, match="mengubah jawabannya") as refused:
        outcome_verify(outcome=outcome, by=None, seen=seen)
    assert refused.type.__name__ == "ValidationError"
    outcome.refresh_from_db()
    assert outcome.verified_at is None
    outcome_verify(outcome=outcome, by=None, seen=answer_version(outcome))
    outcome.refresh_from_db()
    assert outcome.verified_at is not None


def test_a_correction_cannot_make_the_alumnus_not_reachable(client):
    enrollment = _completer()
    outcome_self_report(enrollment=enrollment, round=3, data={"status": "not_working", "satisfaction": 3})
    client.force_login(factories.StaffFactory())
    url = _record_url(enrollment)
    seen = re.search(r'name="seen" value="(\d*)"', client.get(url).content.decode()).group(1)
    response = client.post(url, {"status": "unreachable", "seen": seen})
    assert response.status_code == 200
    assert "menjawab sendiri" in response.content.decode()
    assert Outcome.objects.get().status == "not_working"
