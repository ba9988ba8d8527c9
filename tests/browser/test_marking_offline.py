"""Marking a class without signal: the page kept by the service worker, taps queued on the phone and
sent with their time when the signal returns, through a log-out and an expired session."""

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Attendance
from participants.services import attendance_record
from tests.browser.server import ONE_AT_A_TIME
from tests.browser.test_accessibility import RUN
from tests.browser.test_login import log_in
from tests.factories import (
    EnrollmentFactory,
    OperatorFactory,
    ParticipantFactory,
    ProviderFactory,
    SessionFactory,
    TrainingPackageFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = [
    "Ahmad Fauzi",
    "Bayu Saputra",
    "Citra Lestari",
    "Dewi Anggraini",
    "Eko Prasetyo",
    "Fitri Handayani",
    "Gilang Ramadhan",
    "Hana Pertiwi",
    "Indra Gunawan",
]
TAPS = {"Ahmad Fauzi": "S", "Bayu Saputra": "A", "Citra Lestari": "I", "Dewi Anggraini": "H", "Eko Prasetyo": "A"}
STATUS = {"H": "present", "I": "excused", "S": "sick", "A": "absent"}
AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
# New words, in Indonesian once the catalogue has them (English, the msgids, until then).
NOT_SENT = re.compile("^(belum terkirim|not sent yet)$")


def _unsent(count):
    return re.compile(rf"^{count} (belum terkirim|marks? not sent yet)$")


@pytest.fixture
def offline_class(page, live_server):
    """Nine people at today's meeting; the operator on its marking page, kept by the service worker."""
    # A service worker needs a secure context: http://localhost (or 127.0.0.1) is one.
    assert re.match(r"http://(localhost|127\.0\.0\.1):\d+$", live_server.url), live_server.url
    today = timezone.localdate()
    operator = OperatorFactory(username="operator-blk")
    colleague = OperatorFactory(username="operator-dua")
    package = TrainingPackageFactory(
        code="BLK-07",
        provider=ProviderFactory(operators=[operator, colleague]),
        starts_on=today - datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=10),
        quota=20,
    )
    session = SessionFactory(package=package, date=today)
    people = {
        name: EnrollmentFactory(package=package, participant=ParticipantFactory(full_name=name)) for name in NAMES
    }
    log_in(page, live_server, "operator-blk")
    url = f"{live_server.url}/provider/sessions/{session.pk}/attendance/"
    page.goto(url)
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    expect(page.locator("#offline-ready")).to_be_visible()  # the worker kept this page
    return {
        "session": session,
        "people": people,
        "url": url,
        "colleague": colleague,
        "live_server": live_server,
    }


def _row(page, name):
    return page.locator("fieldset.att-row", has_text=name)


def _tap(page, name, letter):
    _row(page, name).locator("label.btn", has_text=re.compile(rf"^{letter}")).click()


def _marks(session):
    with ONE_AT_A_TIME:
        return _read_marks(session)


def _read_marks(session):
    return {
        name: (status, marked_at)
        for name, status, marked_at in Attendance.objects.filter(session=session).values_list(
            "enrollment__participant__full_name", "status", "marked_at"
        )
    }


def _queued(page, count):
    """The `count` taps waiting on the phone: {name: (status, tap time)}, the last per person."""
    page.wait_for_function("n => offlineQueue.pending().length === n", arg=count)
    entries = page.evaluate("offlineQueue.pending().map(e => [e.name, e.status, e.tapped_at])")
    return {name: (status, datetime.datetime.fromisoformat(when)) for name, status, when in entries}


def _axe(page):
    """Serious or critical WCAG 2.1 A/AA violations on the page (as tests/browser/test_accessibility.py)."""
    page.evaluate(AXE.read_text() + ";0")
    return page.evaluate(RUN)


def _wait_for_marks(page, session, count):
    for _ in range(100):
        with ONE_AT_A_TIME:
            found = Attendance.objects.filter(session=session).count()
        if found >= count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{found} marks, expected {count}")


def test_taps_without_signal_wait_on_the_phone_survive_a_reload_and_arrive_with_their_time(page, offline_class):
    session = offline_class["session"]
    page.context.set_offline(True)
    for name, letter in TAPS.items():
        _tap(page, name, letter)
        expect(_row(page, name)).to_have_class(re.compile("att-queued"))
        expect(_row(page, name).locator(".att-queued-badge")).to_have_text(NOT_SENT)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile("Semua hadir")).click()
    expect(page.locator("#all-present-status")).to_contain_text(
        re.compile(r"\b4 (peserta ditandai hadir di ponsel ini|people marked present on this phone)")
    )
    expect(page.locator("#unsent-count")).to_have_text(_unsent(9))
    expect(page.locator("#offline-status")).to_contain_text(re.compile("Tidak ada sinyal|No signal"))
    page.screenshot(path="/tmp/marking/offline-queued-390.png", full_page=True)
    assert _axe(page) == []
    with ONE_AT_A_TIME:
        assert not Attendance.objects.exists()

    # Reloaded without signal: the worker serves the page it kept, and the page shows the queue.
    response = page.reload()
    assert response is not None and response.from_service_worker
    assert page.evaluate("JSON.parse(document.getElementById('offline-config').textContent).served") == "cache"
    expect(page.locator(".att-queued-badge")).to_have_count(9)
    expect(page.locator("#unsent-count")).to_have_text(_unsent(9))
    expect(page.locator("#marked-count")).to_contain_text("9 dari 9 sudah ditandai")
    for name, letter in TAPS.items():
        expect(_row(page, name).locator(f"input[value={STATUS[letter]}]")).to_be_checked()
    queued = _queued(page, len(NAMES))
    assert {name: status for name, (status, _) in queued.items()} == {
        **dict.fromkeys(NAMES, "present"),
        **{name: STATUS[letter] for name, letter in TAPS.items()},
    }

    # The signal returns: every tap reaches the server, in order, with the time it was made.
    page.context.set_offline(False)
    expect(page.locator("#unsent-count")).to_be_hidden()
    _wait_for_marks(page, session, len(NAMES))
    assert _marks(session) == queued
    with ONE_AT_A_TIME:
        assert Attendance.history.count() == len(NAMES)
    expect(page.locator(".att-queued-badge")).to_have_count(0)
    expect(page.locator("#marked-count")).to_contain_text("9 dari 9 sudah ditandai")
    expect(_row(page, "Ahmad Fauzi").locator(".att-state")).to_contain_text("operator-blk")
    page.screenshot(path="/tmp/marking/offline-sent-390.png", full_page=True)


def test_an_older_tap_kept_offline_never_overwrites_a_newer_mark_made_online(page, offline_class):
    session, ahmad = offline_class["session"], offline_class["people"]["Ahmad Fauzi"]
    page.context.set_offline(True)
    _tap(page, "Ahmad Fauzi", "A")
    expect(page.locator("#unsent-count")).to_have_text(_unsent(1))
    page.wait_for_timeout(50)
    # Meanwhile a colleague with signal marks him sick.
    with ONE_AT_A_TIME:
        attendance_record(session=session, enrollment=ahmad, status="sick", actor=offline_class["colleague"])
    page.context.set_offline(False)
    refused = page.locator("#offline-status .alert-danger")
    expect(refused).to_contain_text("Ahmad Fauzi")
    expect(refused).to_contain_text("tanda yang lebih baru")
    expect(page.locator("#unsent-count")).to_be_hidden()
    expect(_row(page, "Ahmad Fauzi").locator("input[value=sick]")).to_be_checked()
    with ONE_AT_A_TIME:
        mark = Attendance.objects.get()
        assert (mark.status, mark.marked_by) == ("sick", offline_class["colleague"])
        assert mark.history.count() == 1
    page.screenshot(path="/tmp/marking/offline-refused-390.png", full_page=True)
    assert _axe(page) == []
    # Read: the message goes, and stays gone after a reload.
    refused.get_by_role("button").click()
    expect(refused).to_have_count(0)
    page.reload()
    expect(page.locator("#offline-status .alert-danger")).to_have_count(0)


def test_taps_kept_through_a_log_out_arrive_after_the_next_log_in(page, offline_class):
    session, live_server = offline_class["session"], offline_class["live_server"]
    page.context.set_offline(True)
    _tap(page, "Citra Lestari", "I")
    _tap(page, "Gilang Ramadhan", "S")
    queued = _queued(page, 2)
    # The signal is back but too weak for the taps; the operator logs out.
    page.route(re.compile(r"/attendance/\d+/$"), lambda route: route.abort("internetdisconnected"))
    page.context.set_offline(False)
    page.wait_for_timeout(300)
    with ONE_AT_A_TIME:
        assert not Attendance.objects.exists()
    page.get_by_role("button", name="Keluar").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.unroute(re.compile(r"/attendance/\d+/$"))
    log_in(page, live_server, "operator-blk")
    expect(page.get_by_role("heading", name="Paket saya")).to_be_visible()
    _wait_for_marks(page, session, 2)
    assert _marks(session) == queued
    with ONE_AT_A_TIME:
        assert set(Attendance.objects.values_list("marked_by__username", flat=True)) == {"operator-blk"}


def test_taps_kept_when_the_session_expired_are_sent_after_logging_in_again(page, offline_class):
    session = offline_class["session"]
    page.context.set_offline(True)
    _tap(page, "Hana Pertiwi", "H")
    queued = _queued(page, 1)
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)  # the session expired
    page.context.set_offline(False)
    notice = page.locator("#offline-status .alert-warning")
    expect(notice).to_contain_text(re.compile("Anda sudah keluar|You are logged out"))
    expect(page.locator("#unsent-count")).to_have_text(_unsent(1))
    with ONE_AT_A_TIME:
        assert not Attendance.objects.exists()
    notice.get_by_role("link", name="Masuk").click()
    page.get_by_label("Nama pengguna").fill("operator-blk")
    page.get_by_label("Kata sandi").fill("test-pass-123")
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(offline_class["url"])  # back on the marking page, which sends the tap
    _wait_for_marks(page, session, 1)
    assert _marks(session) == queued
    expect(page.locator("#unsent-count")).to_be_hidden()


def test_a_tap_whose_session_expired_on_its_way_is_kept_before_the_login(page, offline_class):
    session = offline_class["session"]
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)  # expired while the page was open
    _tap(page, "Indra Gunawan", "I")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Nama pengguna").fill("operator-blk")
    page.get_by_label("Kata sandi").fill("test-pass-123")
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(offline_class["url"])
    _wait_for_marks(page, session, 1)
    assert _marks(session)["Indra Gunawan"][0] == "excused"


def test_a_tap_refused_for_a_missing_csrf_cookie_is_kept_and_sent_after_logging_in(page, offline_class):
    session = offline_class["session"]
    page.context.clear_cookies()  # no session, no CSRF cookie: the server answers 403
    _tap(page, "Eko Prasetyo", "S")
    expect(_row(page, "Eko Prasetyo")).to_have_class(re.compile("att-queued"))
    expect(page.locator("#offline-status .alert-warning")).to_be_visible()  # log in again
    log_in(page, offline_class["live_server"], "operator-blk")
    _wait_for_marks(page, session, 1)
    assert _marks(session)["Eko Prasetyo"][0] == "sick"


@pytest.mark.parametrize(
    "viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}], ids=["390", "1280"]
)
def test_without_signal_a_portal_page_not_kept_shows_the_kept_meetings(page, offline_class, viewport):
    page.set_viewport_size(viewport)
    live_server, session = offline_class["live_server"], offline_class["session"]
    with ONE_AT_A_TIME:
        tomorrow = SessionFactory(package=session.package, date=session.date + datetime.timedelta(days=1))
    page.goto(f"{live_server.url}/provider/")  # with signal: the worker keeps tomorrow's page too
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    tomorrow_url = f"/provider/sessions/{tomorrow.pk}/attendance/"
    expect(page.locator("html")).to_have_attribute("data-offline-kept", "3")  # two meetings and the list
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/provider/packages/{session.package_id}/")  # never kept
    expect(page.get_by_role("heading", name=re.compile("Marking without signal|Absen tanpa sinyal"))).to_be_visible()
    expect(page.locator("main a[href$='/attendance/']")).to_have_count(2)
    page.screenshot(path=f"/tmp/marking/offline-list-{viewport['width']}.png", full_page=True)
    assert _axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.locator(f"main a[href='/provider/sessions/{session.pk}/attendance/']").click()
    expect(page.locator("#offline-ready")).to_be_visible()
    _tap(page, "Ahmad Fauzi", "H")
    expect(page.locator("#unsent-count")).to_have_text(_unsent(1))
    # Tomorrow's page, kept before its day: not open yet (the phone's date is today).
    page.goto(f"{live_server.url}{tomorrow_url}")
    expect(page.locator("#not-yet")).to_be_visible()
    expect(_row(page, "Ahmad Fauzi").locator("input[value=present]")).to_be_disabled()


def test_a_second_portal_page_fetches_again_only_the_list_of_kept_meetings(page, offline_class, served_requests):
    """A kept marking page is fresh for ten minutes: the next portal pages do not fetch it again (a
    metered phone would pay for every kept page on every page it opens), but a new meeting is kept."""
    live_server, session = offline_class["live_server"], offline_class["session"]
    with ONE_AT_A_TIME:
        tomorrow = SessionFactory(package=session.package, date=session.date + datetime.timedelta(days=1))
    page.goto(f"{live_server.url}/provider/")
    expect(page.locator("html")).to_have_attribute("data-offline-kept", "3")  # two meetings and the list
    today_page, tomorrow_page = (f"/provider/sessions/{pk}/attendance/" for pk in (session.pk, tomorrow.pk))
    with ONE_AT_A_TIME:
        fetched = [path for method, path in served_requests if method == "GET"]
        served_requests.clear()
    assert tomorrow_page in fetched and today_page not in fetched, fetched
    page.goto(f"{live_server.url}/provider/")
    expect(page.locator("html")).to_have_attribute("data-offline-kept", "3")
    with ONE_AT_A_TIME:
        fetched = [path for method, path in served_requests if method == "GET" and "/attendance/" in path]
    assert fetched == [], fetched

    # A mark sent from today's page changes it: the next portal page keeps it again, with the mark.
    page.goto(f"{live_server.url}{today_page}")
    _tap(page, "Ahmad Fauzi", "S")
    expect(_row(page, "Ahmad Fauzi").locator("input[value=sick]")).to_be_checked()
    with ONE_AT_A_TIME:
        served_requests.clear()
    page.goto(f"{live_server.url}/provider/")
    expect(page.locator("html")).to_have_attribute("data-offline-kept", "3")
    with ONE_AT_A_TIME:
        fetched = [path for method, path in served_requests if method == "GET" and "/attendance/" in path]
    assert fetched == [today_page], fetched
    page.context.set_offline(True)
    page.goto(f"{live_server.url}{today_page}")
    expect(page.locator("#offline-ready")).to_be_visible()
    expect(_row(page, "Ahmad Fauzi").locator("input[value=sick]")).to_be_checked()
