"""The message service: backends, the log, opt-outs, nothing sent twice, and what participants are told."""

import datetime
import io
import json
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from participants import notifications
from participants.models import Enrollment
from participants.tasks import selection_results_send
from pekalongan_training.messaging import backends, message_send
from pekalongan_training.messaging.tasks import message_deliver
from pekalongan_training.models import Message, OptOut
from programs.models import TrainingPackage
from programs.services import session_move
from tests.factories import (
    EnrollmentFactory,
    ParticipantFactory,
    SessionFactory,
    TrainingPackageFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _empty_outbox():
    backends.outbox.clear()
    yield
    backends.outbox.clear()


def _send(key="test:1", to="0812-3456-7890", channel=Message.Channel.WHATSAPP, **extra):
    return message_send(
        key=key, to=to, channel=channel, template="owner_notice", context={"text": "Halo & selamat pagi"}, **extra
    )


def _message(**fields):
    """A logged message as message_send leaves it, without queueing it."""
    values = {
        "key": "row:1",
        "channel": Message.Channel.WHATSAPP,
        "recipient": "081234567890",
        "template": "owner_notice",
        "body": "Halo",
    }
    return Message.objects.create(**{**values, **fields})


# The log ------------------------------------------------------------------------------------------


def test_a_message_is_logged_then_sent_when_the_transaction_commits(django_capture_on_commit_callbacks):
    enrollment = EnrollmentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        message = _send(about=enrollment)
        assert backends.outbox == []  # nothing leaves before the commit
    message.refresh_from_db()
    assert message.key == "test:1"
    assert message.channel == "whatsapp"
    assert message.recipient == "081234567890"  # normalised
    assert message.template == "owner_notice"
    assert message.body == "Halo & selamat pagi"  # plain text: nothing escaped
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
    assert message.created_at <= message.sent_at <= timezone.now()
    assert (message.about_kind, message.about_id) == ("participants.enrollment", enrollment.pk)
    assert backends.outbox == [
        {"id": "test:1", "to": "081234567890", "channel": "whatsapp", "subject": "", "text": "Halo & selamat pagi"}
    ]
    assert message.masked_recipient == "0812*****890"


def test_a_rolled_back_write_sends_and_logs_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _send()
    assert len(callbacks) == 1  # the delivery waits for the commit
    assert backends.outbox == []


def test_the_same_key_twice_makes_one_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _send()
        second = _send(to="089999999999")
    assert first.pk == second.pk
    assert Message.objects.count() == 1
    assert [item["to"] for item in backends.outbox] == ["081234567890"]


def test_an_address_that_is_no_phone_number_is_refused_and_nothing_logged():
    with pytest.raises(ValidationError):
        _send(to="not a number")
    with pytest.raises(ValidationError):
        _send(to="siti@", channel=Message.Channel.EMAIL)
    assert not Message.objects.exists()


def test_an_opted_out_number_is_logged_but_never_sent(django_capture_on_commit_callbacks):
    OptOut.objects.create(address="081234567890")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = _send(to="+62 812 3456 7890")
    assert callbacks == []
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("opted_out", 0)
    assert backends.outbox == []


def test_an_opt_out_made_after_queueing_stops_the_delivery():
    message = _message()
    OptOut.objects.create(address="081234567890")
    assert message_deliver.call(message.pk) == "opted_out"
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("opted_out", 0)
    assert backends.outbox == []


# Nothing twice -------------------------------------------------------------------------------------


def test_the_task_run_twice_sends_once():
    message = _message()
    assert message_deliver.call(message.pk) == "sent"
    assert message_deliver.call(message.pk) == "sent"  # a worker restarted and ran it again
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert len(backends.outbox) == 1


def test_a_message_left_sending_by_a_dead_worker_is_not_sent_again():
    message = _message(status=Message.Status.SENDING, attempts=1)
    assert message_deliver.call(message.pk) == "sending"
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sending", 1)
    assert backends.outbox == []


class WatchingBackend:
    """Notes the message's status in the database at the moment the backend is called."""

    seen: list[str] = []

    def send(self, message):
        self.seen.append(Message.objects.get(pk=message.pk).status)


def test_the_row_is_marked_sending_before_the_backend_is_called(settings):
    settings.MESSAGE_BACKEND = "tests.pekalongan_training.test_messaging.WatchingBackend"
    WatchingBackend.seen.clear()
    message_deliver.call(_message().pk)
    assert WatchingBackend.seen == ["sending"]


def test_a_failed_message_with_no_attempts_left_is_not_tried_again():
    message = _message(status=Message.Status.FAILED, attempts=3, last_error="HTTP 500")
    assert message_deliver.call(message.pk) == "failed"
    message.refresh_from_db()
    assert message.attempts == 3
    assert backends.outbox == []


def test_a_failed_message_with_attempts_left_is_sent_by_the_retry():
    message = _message(status=Message.Status.FAILED, attempts=1, last_error="HTTP 500")
    assert message_deliver.call(message.pk) == "sent"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, "HTTP 500")


def test_the_database_queue_and_its_worker_deliver_a_message(settings, monkeypatch, django_capture_on_commit_callbacks):
    """The production path: the task is a row in the database until `manage.py db_worker` runs it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker drops connections it finds inside a transaction: here, the test's own.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    with django_capture_on_commit_callbacks(execute=True):
        message = _send(key="db:1")
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert backends.outbox == []
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:  # the worker sets its own signal handlers in this process
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert [item["id"] for item in backends.outbox] == ["db:1"]


# Backends ------------------------------------------------------------------------------------------


def test_the_file_backend_appends_a_json_line(settings, tmp_path):
    settings.MESSAGE_BACKEND = "pekalongan_training.messaging.backends.FileBackend"
    settings.MESSAGE_FILE_PATH = tmp_path / "out"
    message_deliver.call(_message(key="file:1").pk)
    message_deliver.call(_message(key="file:2", recipient="089876543210").pk)
    lines = (tmp_path / "out" / "messages.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["id"], r["to"], r["channel"], r["text"]) for r in records] == [
        ("file:1", "081234567890", "whatsapp", "Halo"),
        ("file:2", "089876543210", "whatsapp", "Halo"),
    ]
    assert Message.objects.filter(status="sent").count() == 2


def test_the_console_backend_prints_the_message_with_the_number_masked():
    stream = io.StringIO()
    backends.ConsoleBackend(stream=stream).send(_message(key="console:1", subject="Tanda terima"))
    printed = stream.getvalue()
    assert "console:1" in printed and "0812*****890" in printed and "Subject: Tanda terima" in printed
    assert "Halo" in printed and "081234567890" not in printed


def test_the_smtp_backend_sends_email_through_django_mail(settings, django_capture_on_commit_callbacks):
    settings.MESSAGE_BACKEND = "pekalongan_training.messaging.backends.SmtpBackend"
    with django_capture_on_commit_callbacks(execute=True):
        message = _send(key="mail:1", to="Siti@Example.com", channel=Message.Channel.EMAIL, subject="Tanda terima")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert (sent.to, sent.subject, sent.body) == (["siti@example.com"], "Tanda terima", "Halo & selamat pagi")
    message.refresh_from_db()
    assert message.status == "sent"


def test_the_smtp_backend_refuses_a_whatsapp_message(settings):
    settings.MESSAGE_BACKEND = "pekalongan_training.messaging.backends.SmtpBackend"
    message = _message()
    assert message_deliver.call(message.pk) == "failed"
    message.refresh_from_db()
    assert "e-mail only" in message.last_error and mail.outbox == []


class FakeGateway:
    """A real HTTP server on 127.0.0.1 with a free port that records each request and answers with
    the next status code of `answers` (200 once they run out)."""

    def __init__(self, answers=()):
        self.requests = []
        self.answers = list(answers)
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                gateway.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": json.loads(self.rfile.read(length))}
                )
                code = gateway.answers.pop(0) if gateway.answers else 200
                reply = json.dumps({"ok": code < 300}).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway_settings(settings):
    settings.MESSAGE_BACKEND = "pekalongan_training.messaging.backends.HttpGatewayBackend"
    settings.MESSAGE_GATEWAY_TOKEN = "rahasia-123"
    settings.MESSAGE_GATEWAY_TIMEOUT = 5
    return settings


def test_the_gateway_gets_the_message_as_json_with_the_bearer_token(
    gateway_settings, django_capture_on_commit_callbacks
):
    with FakeGateway() as gateway:
        gateway_settings.MESSAGE_GATEWAY_URL = gateway.url
        with django_capture_on_commit_callbacks(execute=True):
            message = _send(key="gw:1")
    assert len(gateway.requests) == 1
    request = gateway.requests[0]
    assert request["path"] == "/send"
    assert request["headers"]["Authorization"] == "Bearer rahasia-123"
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert request["body"] == {"to": "081234567890", "channel": "whatsapp", "text": "Halo & selamat pagi", "id": "gw:1"}
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)


def test_a_500_from_the_gateway_is_recorded_as_failed_and_tried_again_later(
    gateway_settings, django_capture_on_commit_callbacks
):
    # A queue that can run a task later (the database backend does; the immediate one of the tests not).
    gateway_settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    gateway_settings.MESSAGE_RETRY_SECONDS = 600
    queue = task_backends["default"]
    with FakeGateway(answers=[500]) as gateway:
        gateway_settings.MESSAGE_GATEWAY_URL = gateway.url
        with django_capture_on_commit_callbacks(execute=True):
            message = _send(key="gw:retry")
        assert [result.args for result in queue.results] == [[message.pk]]
        before = timezone.now()
        assert message_deliver.call(message.pk) == "failed"  # what the worker runs
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("failed", 1)
        assert "HTTP 500" in message.last_error and "rahasia" not in message.last_error
        retry = queue.results[-1]
        assert len(queue.results) == 2 and retry.args == [message.pk]
        assert retry.task.run_after >= before + datetime.timedelta(seconds=600)
        assert message_deliver.call(*retry.args) == "sent"  # the worker, ten minutes later
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert len(gateway.requests) == 2
    assert len(queue.results) == 2  # no third try after success


def test_an_unreachable_gateway_is_a_failure(gateway_settings):
    with FakeGateway() as gateway:
        url = gateway.url
    gateway_settings.MESSAGE_GATEWAY_URL = url  # the server is gone: connection refused
    message = _message()
    assert message_deliver.call(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == "failed" and "could not be reached" in message.last_error


def test_the_routing_backend_sends_email_by_smtp_and_whatsapp_by_the_gateway(gateway_settings):
    gateway_settings.MESSAGE_BACKEND = "pekalongan_training.messaging.backends.RoutingBackend"
    with FakeGateway() as gateway:
        gateway_settings.MESSAGE_GATEWAY_URL = gateway.url
        message_deliver.call(_message(key="route:wa").pk)
        message_deliver.call(
            _message(key="route:mail", channel=Message.Channel.EMAIL, recipient="a@example.com", subject="S").pk
        )
    assert [r["body"]["id"] for r in gateway.requests] == ["route:wa"]
    assert [m.to for m in mail.outbox] == [["a@example.com"]]


# What participants are told ---------------------------------------------------------------------------


def _applicant(package, status, **extra):
    return EnrollmentFactory(
        package=package, status=status, receipt_number=f"2026-R{status[:3].upper()}{extra.pop('n', 1)}", **extra
    )


def test_the_registration_receipt(django_capture_on_commit_callbacks):
    enrollment = EnrollmentFactory(
        status=Enrollment.Status.APPLIED, receipt_number="2026-K7F3Q9", submitted=[{"receipt_number": "2026-K7F3Q9"}]
    )
    with django_capture_on_commit_callbacks(execute=True):
        notifications.registration_receipt(enrollment=enrollment, phone="0812 1111 2222", email="warga@example.com")
        notifications.registration_receipt(enrollment=enrollment, phone="0812 1111 2222")  # the same submission
    messages = {m.channel: m for m in Message.objects.all()}
    assert set(messages) == {"whatsapp", "email"}
    whatsapp = messages["whatsapp"]
    assert whatsapp.key == "registration-receipt:2026-K7F3Q9" and whatsapp.recipient == "081211112222"
    for text in (
        "2026-K7F3Q9",
        enrollment.package.code,
        enrollment.package.vocation.name,
        "http://testserver/pelatihan/status/",
    ):
        assert text in whatsapp.body
    assert enrollment.participant.nik not in whatsapp.body
    assert "2026-K7F3Q9" in messages["email"].subject
    assert sorted(item["channel"] for item in backends.outbox) == ["email", "whatsapp"]


def test_the_owner_notice_of_an_unsaved_enrollment_waits_for_the_save(django_capture_on_commit_callbacks):
    participant = ParticipantFactory(phone="081233334444")
    package = TrainingPackageFactory()
    enrollment = Enrollment(participant=participant, package=package, submitted=[{"receipt_number": "2026-AAAA22"}])
    with django_capture_on_commit_callbacks(execute=True):
        notifications.owner_notice(
            enrollment=enrollment, phone=participant.phone, text="Ada pendaftaran dengan NIK Anda."
        )
        assert not Message.objects.exists()
        enrollment.save()
    message = Message.objects.get()
    assert message.key == f"owner-notice:{enrollment.pk}:2026-AAAA22"
    assert message.body == "Ada pendaftaran dengan NIK Anda."
    assert (message.recipient, message.status, message.about_id) == ("081233334444", "sent", enrollment.pk)


def test_each_applicant_gets_their_own_selection_result(django_capture_on_commit_callbacks):
    decided = timezone.now()
    package = TrainingPackageFactory(
        status=TrainingPackage.Status.OPEN,
        venue_address="BLK Kota Pekalongan, Jl. Sriwijaya",
        selection_decided_at=decided,
        announcement_published_at=decided,
    )
    accepted = _applicant(package, Enrollment.Status.ENROLLED)
    first = _applicant(package, Enrollment.Status.WAITLISTED, waitlisted_at=decided, n=1)
    second = _applicant(package, Enrollment.Status.WAITLISTED, waitlisted_at=decided + DAY, n=2)
    rejected = _applicant(package, Enrollment.Status.REJECTED, decision_reason="tidak lolos seleksi")
    no_phone = EnrollmentFactory(package=package, status=Enrollment.Status.REJECTED, participant__phone="")
    EnrollmentFactory(package=package, status=Enrollment.Status.WITHDRAWN)  # not an applicant of this decision
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.selection_results(package=package) == 4
        assert notifications.selection_results(package=package) == 0  # the same decision: told already
    messages = {m.about_id: m for m in Message.objects.all()}
    assert set(messages) == {accepted.pk, first.pk, second.pk, rejected.pk}
    assert no_phone.pk not in messages
    assert messages[accepted.pk].key == f"selection-result:{accepted.pk}:{decided.isoformat()}"
    assert "Anda DITERIMA" in messages[accepted.pk].body and "BLK Kota Pekalongan" in messages[accepted.pk].body
    assert "DAFTAR TUNGGU, nomor urut 1" in messages[first.pk].body
    assert "DAFTAR TUNGGU, nomor urut 2" in messages[second.pk].body
    assert "tidak lolos seleksi" in messages[rejected.pk].body
    announcement = "http://testserver" + reverse("public:announcement", args=[package.pk])
    assert all(announcement in m.body for m in messages.values())
    assert all(accepted.receipt_number not in m.body for pk, m in messages.items() if pk != accepted.pk)
    assert all(m.status == "sent" for m in messages.values()) and len(backends.outbox) == 4


def _announced_package(applicants=3):
    decided = timezone.now()
    package = TrainingPackageFactory(
        status=TrainingPackage.Status.OPEN, selection_decided_at=decided, announcement_published_at=decided
    )
    people = [
        _applicant(package, Enrollment.Status.REJECTED, n=n, decision_reason="tidak lolos seleksi")
        for n in range(applicants)
    ]
    return package, people


def test_the_selection_results_task_run_twice_tells_each_applicant_once(django_capture_on_commit_callbacks):
    package, people = _announced_package()
    with django_capture_on_commit_callbacks(execute=True):
        assert selection_results_send.call(package.pk) == 3
        assert selection_results_send.call(package.pk) == 0  # a worker restarted and ran it again
    assert sorted(Message.objects.values_list("about_id", flat=True)) == sorted(e.pk for e in people)
    assert len(backends.outbox) == 3


def test_the_selection_results_task_run_again_after_an_error_tells_only_the_rest(
    monkeypatch, django_capture_on_commit_callbacks
):
    package, people = _announced_package()
    real_send = notifications.message_send
    calls = []

    def send_then_break(**message):
        calls.append(message["key"])
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real_send(**message)

    monkeypatch.setattr(notifications, "message_send", send_then_break)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        selection_results_send.call(package.pk)
    assert Message.objects.count() == 1
    monkeypatch.setattr(notifications, "message_send", real_send)
    with django_capture_on_commit_callbacks(execute=True):
        assert selection_results_send.call(package.pk) == 2
    assert sorted(Message.objects.values_list("about_id", flat=True)) == sorted(e.pk for e in people)
    assert sorted(item["id"] for item in backends.outbox) == sorted(Message.objects.values_list("key", flat=True))


def test_the_selection_result_names_the_receipt_number_the_announcement_lists(django_capture_on_commit_callbacks):
    package, _people = _announced_package(applicants=0)
    enrollment = EnrollmentFactory(
        package=package,
        status=Enrollment.Status.ENROLLED,
        receipt_number="2026-TERDAF1",
        submitted=[{"receipt_number": "2026-TERDAF1"}, {"receipt_number": "2026-KIRIM22"}],
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.selection_results(package=package) == 1
    body = Message.objects.get(about_id=enrollment.pk).body
    assert "2026-TERDAF1" in body and "2026-KIRIM22" not in body


def test_no_selection_results_before_the_decision():
    package = TrainingPackageFactory()
    EnrollmentFactory(package=package)
    assert notifications.selection_results(package=package) == 0
    assert not Message.objects.exists()


def _future_package():
    today = timezone.localdate()
    return TrainingPackageFactory(
        status=TrainingPackage.Status.OPEN,
        starts_on=today + 10 * DAY,
        ends_on=today + 40 * DAY,
        venue_address="Aula Kelurahan Medono",
    )


def test_moving_a_meeting_tells_everyone_enrolled(staff_user, django_capture_on_commit_callbacks):
    package = _future_package()
    meeting = SessionFactory(package=package, date=package.starts_on + DAY)
    enrolled = EnrollmentFactory.create_batch(2, package=package, status=Enrollment.Status.ENROLLED)
    EnrollmentFactory(package=package, status=Enrollment.Status.DROPPED_OUT)
    EnrollmentFactory(package=package, status=Enrollment.Status.WAITLISTED, waitlisted_at=timezone.now())
    EnrollmentFactory(package=package, status=Enrollment.Status.APPLIED)
    old_date, new_date = meeting.date, package.starts_on + 3 * DAY
    with django_capture_on_commit_callbacks(execute=True):
        session_move(
            session=meeting,
            date=new_date,
            starts_at=datetime.time(13, 0),
            ends_at=datetime.time(16, 0),
            actor=staff_user,
            on_holiday=True,
        )
    messages = Message.objects.order_by("about_id")
    assert [m.about_id for m in messages] == [e.pk for e in enrolled]
    for message in messages:
        assert message.template == "schedule_changed" and message.status == "sent"
        assert message.key.startswith(f"schedule-changed:{meeting.pk}:{old_date.isoformat()}:")
        assert str(new_date.day) in message.body and "13.00" in message.body and "16.00" in message.body
        assert "Aula Kelurahan Medono" in message.body


def test_moving_it_again_tells_people_again_and_a_topic_alone_tells_nobody(
    staff_user, django_capture_on_commit_callbacks
):
    package = _future_package()
    meeting = SessionFactory(package=package, date=package.starts_on + DAY)
    EnrollmentFactory(package=package, status=Enrollment.Status.ENROLLED)
    with django_capture_on_commit_callbacks(execute=True):
        for day in (3, 1):
            session_move(
                session=meeting,
                date=package.starts_on + day * DAY,
                starts_at=None,
                ends_at=None,
                actor=staff_user,
                on_holiday=True,
            )
        session_move(
            session=meeting, date=meeting.date, starts_at=None, ends_at=None, topic="Praktik", actor=staff_user
        )
    assert Message.objects.count() == 2


def test_a_meeting_in_the_past_moved_in_the_past_tells_nobody():
    package = TrainingPackageFactory()  # September 2026
    meeting = SessionFactory(package=package, date=package.starts_on)
    EnrollmentFactory(package=package)
    today = timezone.localdate()
    if meeting.date >= today:
        pytest.skip("the factory's package is not in the past on this date")
    assert notifications.schedule_changed(session=meeting, old_date=meeting.date - DAY) == 0


# The back office -------------------------------------------------------------------------------------


def test_staff_read_the_log_masked_and_find_a_number_written_any_way(staff_client):
    _message(key="a")
    _message(key="b", recipient="089876543210")
    url = reverse("admin:pekalongan_training_message_changelist")
    response = staff_client.get(url, {"q": "+62 812-3456-7890"})
    assert response.status_code == 200
    assert [m.key for m in response.context["cl"].result_list] == ["a"]
    page = response.content.decode()
    assert "0812*****890" in page and "081234567890" not in page
    assert staff_client.get(url, {"q": "0812"}).context["cl"].result_count == 0  # no part of a number
    assert staff_client.get(url, {"q": "<script>"}).status_code == 200


def test_staff_cannot_change_or_delete_a_message(staff_client):
    message = _message()
    change = reverse("admin:pekalongan_training_message_change", args=[message.pk])
    assert staff_client.get(change).status_code == 200  # read-only view
    staff_client.post(change, {"status": "sent", "body": "lain"})
    message.refresh_from_db()
    assert (message.status, message.body) == ("queued", "Halo")
    assert staff_client.get(reverse("admin:pekalongan_training_message_delete", args=[message.pk])).status_code == 403
    assert staff_client.get(reverse("admin:pekalongan_training_message_add")).status_code == 403


def test_staff_add_an_opt_out_in_any_form_of_the_number_and_delete_it(staff_client, staff_user):
    add = reverse("admin:pekalongan_training_optout_add")
    response = staff_client.post(add, {"address": "+62 812-3456-7890", "note": "Minta lewat telepon"})
    assert response.status_code == 302
    opt_out = OptOut.objects.get()
    assert (opt_out.address, opt_out.created_by) == ("081234567890", staff_user)
    again = staff_client.post(add, {"address": "0812 3456 7890"})
    assert again.status_code == 200 and OptOut.objects.count() == 1
    delete = reverse("admin:pekalongan_training_optout_delete", args=[opt_out.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 302
    assert not OptOut.objects.exists()
