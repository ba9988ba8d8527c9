"""The public announcement of a selection result lists those accepted and on the waiting list by rank, receipt
number and masked name, and nothing else about anyone; the status page shows a result only once it is announced."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.models import Enrollment
from programs.models import TrainingPackage
from tests import factories

pytestmark = pytest.mark.django_db

JAKARTA = datetime.timezone(datetime.timedelta(hours=7))
PUBLISHED = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=JAKARTA)
DECIDED = PUBLISHED - datetime.timedelta(days=1)
BIRTH = datetime.date(1999, 3, 14)
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _receipt(number: int) -> str:
    """2026-AAAAAB for 1: a receipt number in the shape the status page accepts."""
    letters = ""
    for _ in range(6):
        number, digit = divmod(number, len(ALPHABET))
        letters = ALPHABET[digit] + letters
    return f"2026-{letters}"


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _package(*, published=PUBLISHED, decided=DECIDED, **kwargs):
    defaults = {
        "quota": 3,
        "status": TrainingPackage.Status.OPEN,
        "starts_on": datetime.date(2026, 12, 7),
        "ends_on": datetime.date(2026, 12, 14),
    }
    package = factories.TrainingPackageFactory(**{**defaults, **kwargs})
    TrainingPackage.objects.filter(pk=package.pk).update(
        selection_decided_at=decided, announcement_published_at=published
    )
    package.refresh_from_db()
    return package


def _decided(package, rank, *, status, name=None, receipt=None, **kwargs):
    """An applicant as selection_decide leaves them: a rank, a receipt number and the status (set directly)."""
    if status == Enrollment.Status.WAITLISTED:
        kwargs.setdefault("waitlisted_at", DECIDED + datetime.timedelta(seconds=rank))
    if status == Enrollment.Status.REJECTED:
        kwargs.setdefault("decision_reason", "tidak lolos seleksi")
    participant = {"participant__full_name": name} if name else {}
    return factories.EnrollmentFactory(
        package=package,
        status=status,
        selection_rank=rank,
        receipt_number=receipt or _receipt(package.pk * 1000 + rank),
        test_score=Decimal("73.25") + rank,
        interview_score=Decimal("61.75") + rank,
        **participant,
        **kwargs,
    )


def _selection(package, accepted=3, waitlisted=2, rejected=2):
    statuses = (
        [Enrollment.Status.ENROLLED] * accepted
        + [Enrollment.Status.WAITLISTED] * waitlisted
        + [Enrollment.Status.REJECTED] * rejected
    )
    return [_decided(package, rank, status=status) for rank, status in enumerate(statuses, start=1)]


def _rows(response) -> list[tuple[str, str, str, str]]:
    """The table's rows as (rank, receipt number, name, result), in page order."""
    content = response.content.decode()
    rows = re.findall(r'<tr data-result="[a-z]+">(.*?)</tr>', content, re.S)
    return [
        tuple(" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S))
        for row in rows
    ]


# --- one package --------------------------------------------------------------------------------


def test_the_page_lists_the_accepted_and_the_waiting_list_in_rank_order(client):
    package = _package(quota=3, code="BLK-2026-07")
    # Made out of rank order, with names of different lengths: the page sorts by the rank.
    second = _decided(package, 2, status="enrolled", name="Siti Aminah")
    fifth = _decided(package, 5, status="waitlisted", name="Budi")
    first = _decided(package, 1, status="enrolled", name="Ahmad  Fauzi Rahman")
    fourth = _decided(package, 4, status="waitlisted", name="Dewi Lestari")
    third = _decided(package, 3, status="enrolled", name="Rina")
    _decided(package, 6, status="rejected", name="Tono Sugiarto")
    response = client.get(reverse("public:announcement", args=[package.pk]))
    assert response.status_code == 200
    assert _rows(response) == [
        ("1", first.receipt_number, "A**** F**** R*****", "Accepted"),
        ("2", second.receipt_number, "S*** A*****", "Accepted"),
        ("3", third.receipt_number, "R***", "Accepted"),
        ("4", fourth.receipt_number, "D*** L******", "Waiting list 1"),
        ("5", fifth.receipt_number, "B***", "Waiting list 2"),
    ]
    text = _text(response)
    assert "Package code BLK-2026-07" in text and f"Provider {package.provider.name}" in text
    assert "Places 3" in text and "Applications received 6" in text
    assert "3 applicants accepted, 2 on the waiting list" in text
    assert "Announced on 27 November 2026." in text
    assert "come to the opening of the training on 7 December 2026 at 8 a.m." in text and "original KTP" in text
    assert "(0285) 421731" in text  # the dinas's contact, as on the other public pages


def test_the_waiting_list_number_is_the_order_in_which_freed_places_are_given(client):
    package = _package()
    _decided(package, 1, status="enrolled")
    # Rank 3 joined the queue first (say staff moved rank 2 down after the decision): it is called first.
    _decided(package, 2, status="waitlisted", waitlisted_at=DECIDED + datetime.timedelta(minutes=5))
    _decided(package, 3, status="waitlisted", waitlisted_at=DECIDED)
    results = [row[3] for row in _rows(client.get(reverse("public:announcement", args=[package.pk])))]
    assert results == ["Accepted", "Waiting list 2", "Waiting list 1"]


def test_the_page_shows_nothing_personal_nor_anyone_rejected(client):
    package = _package()
    people = _selection(package, accepted=3, waitlisted=2, rejected=2)
    for number, enrollment in enumerate(people):
        person = enrollment.participant
        person.full_name = [
            "Sri Wahyuni",
            "Agus Salim",
            "Rudi Hartono",
            "Nining",
            "Lilis Suryani",
            "Joko Widodo",
            "Yuliana Dwi",
        ][number]
        person.phone = f"0812999900{number:02d}"
        person.address = f"Jl. Kenanga No. {40 + number}"
        person.birth_date = datetime.date(1990 + number, 2, 3)
        person.save()
    rejected = [enrollment for enrollment in people if enrollment.status == "rejected"]
    response = client.get(reverse("public:announcement", args=[package.pk]))
    content = response.content.decode()
    text = _text(response)
    for enrollment in people:
        person = enrollment.participant
        assert person.nik not in content and person.nik[-4:] + "<" not in content
        assert person.full_name not in content and person.full_name.split()[0] not in text
        assert person.address not in content and person.phone not in content
        assert person.birth_date.isoformat() not in content
        assert f"{person.birth_date.day} {person.birth_date:%B %Y}" not in text
        assert str(enrollment.test_score) not in content and str(enrollment.interview_score) not in content
        assert str(enrollment.test_score).replace(".", ",") not in content
    for enrollment in rejected:
        assert enrollment.receipt_number not in content
    assert "J**** W*****" not in content and "Y****** D**" not in content
    assert "tidak lolos seleksi" not in text and "Rejected" not in text and "Not accepted" not in text
    assert len(_rows(response)) == 5


def test_a_package_not_announced_is_a_404_that_says_nothing(client):
    decided = _package(published=None, code="BELUM-UMUM")
    _selection(decided)
    undecided = _package(published=None, decided=None)
    for package in (decided, undecided):
        response = client.get(reverse("public:announcement", args=[package.pk]))
        assert response.status_code == 404
        assert "BELUM-UMUM" not in response.content.decode() and package.title not in response.content.decode()
    assert client.get(reverse("public:announcement", args=[999_999])).status_code == 404
    assert client.get(reverse("public:announcement-wave", args=[decided.cohort_id])).status_code == 404
    assert "BELUM-UMUM" not in client.get(reverse("public:announcement-list")).content.decode()


def test_the_announcement_prints_on_a4_with_letterhead_date_and_signature(client):
    package = _package()
    _selection(package)
    response = client.get(reverse("public:announcement", args=[package.pk]))
    content = response.content.decode()
    assert re.search(r'<link rel="stylesheet" href="[^"]*css/announcement-print\.css" media="print">', content)
    assert 'id="print-button"' in content and "js/print.js" in content  # no inline script (the CSP)
    letterhead = re.search(r'<div class="announcement-letterhead[^"]*">(.*?)</div>', content, re.S).group(1)
    assert "Dinas Perindustrian dan Tenaga Kerja (Dinperinaker) Kota Pekalongan" in letterhead
    signature = " ".join(
        re.search(r'<div class="announcement-signature[^"]*">(.*?)</div>', content, re.S).group(1).split()
    )
    assert "Pekalongan, 27 November 2026" in signature
    assert "Kepala Dinas Perindustrian dan Tenaga Kerja Kota Pekalongan" in signature
    stylesheet = (Path(settings.BASE_DIR) / "static/css/announcement-print.css").read_text()
    assert re.search(r"@page\s*{[^}]*size:\s*A4", stylesheet)
    assert "counter(page)" in stylesheet  # numbered pages
    assert "break-before: page" in stylesheet  # a package a page on the wave's printout


def test_the_signatory_comes_from_the_dinas_setting(client, settings):
    settings.DINAS_CONTACT = {"head_name": "Drs. Contoh Pejabat, M.M."}
    package = _package()
    content = client.get(reverse("public:announcement", args=[package.pk])).content.decode()
    assert "Drs. Contoh Pejabat, M.M." in content


def test_the_announcement_is_not_kept_in_a_shared_cache(client):
    package = _package()
    response = client.get(reverse("public:announcement", args=[package.pk]))
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control  # as every other page (PrivateResponseMiddleware)


def test_a_package_cancelled_after_its_announcement_says_so(client):
    package = _package(status=TrainingPackage.Status.CANCELLED)
    _selection(package)
    response = client.get(reverse("public:announcement", args=[package.pk]))
    assert "This package will not take place." in _text(response)
    running = _package()
    assert "This package will not take place." not in _text(
        client.get(reverse("public:announcement", args=[running.pk]))
    )


def test_a_post_is_refused(client):
    package = _package()
    assert client.post(reverse("public:announcement", args=[package.pk])).status_code == 405


# --- the wave and the list ----------------------------------------------------------------------


def test_the_wave_page_shows_every_announced_package_of_the_wave_and_no_other(client):
    cohort = factories.CohortFactory()
    batik = _package(cohort=cohort, code="W-02-BATIK", title="Batik Tulis")
    sewing = _package(
        cohort=cohort, code="W-01-JAHIT", title="Menjahit Dasar", published=PUBLISHED - datetime.timedelta(days=3)
    )
    hidden = _package(cohort=cohort, code="W-03-LAS", title="Las Listrik", published=None)
    elsewhere = _package(code="LAIN-01", title="Tata Rias Lain")
    batik_people = _selection(batik, accepted=2, waitlisted=1, rejected=1)
    sewing_people = _selection(sewing, accepted=1, waitlisted=0, rejected=0)
    hidden_people = _selection(hidden)
    _selection(elsewhere)
    response = client.get(reverse("public:announcement-wave", args=[cohort.pk]))
    assert response.status_code == 200
    text = _text(response)
    assert text.index("Menjahit Dasar") < text.index("Batik Tulis")  # by package code
    assert "Las Listrik" not in text and "W-03-LAS" not in text and "Tata Rias Lain" not in text
    receipts = [row[1] for row in _rows(response)]
    assert receipts == [e.receipt_number for e in sewing_people] + [e.receipt_number for e in batik_people[:3]]
    assert not {e.receipt_number for e in hidden_people} & set(receipts)
    assert "Announced on 27 November 2026." in text  # the latest of the wave
    assert "Pekalongan, 27 November 2026" in response.content.decode()


def test_the_list_shows_announced_waves_newest_first_with_their_packages(client):
    older_wave = factories.CohortFactory(number=1)
    newer_wave = factories.CohortFactory(number=2, program=older_wave.program)
    old = _package(cohort=older_wave, title="Tata Boga Lama", published=PUBLISHED - datetime.timedelta(days=60))
    new = _package(cohort=newer_wave, title="Barista Baru", code="BAR-01")
    also_new = _package(
        cohort=newer_wave, title="Otomotif Baru", code="OTO-01", published=PUBLISHED - datetime.timedelta(days=1)
    )
    _package(cohort=newer_wave, title="Belum Diumumkan", published=None)
    response = client.get(reverse("public:announcement-list"))
    text = _text(response)
    content = response.content.decode()
    assert text.index("Wave 2 / 2026") < text.index("Barista Baru") < text.index("Otomotif Baru")
    assert text.index("Otomotif Baru") < text.index("Wave 1 / 2026") < text.index("Tata Boga Lama")
    assert "Belum Diumumkan" not in text
    for package in (old, new, also_new):
        assert reverse("public:announcement", args=[package.pk]) in content
    assert reverse("public:announcement-wave", args=[newer_wave.pk]) in content
    assert reverse("public:status") in content


def test_the_list_says_what_to_do_when_nothing_is_announced(client):
    _package(published=None)
    response = client.get(reverse("public:announcement-list"))
    assert "No selection result has been announced yet" in _text(response)


# --- queries ------------------------------------------------------------------------------------


# Not "page": that is Playwright's fixture, and a test taking it is moved among the browser tests.
@pytest.mark.parametrize("url_name", ["announcement", "announcement-wave"])
def test_the_queries_do_not_grow_with_the_applicants(client, django_assert_num_queries, url_name):
    small = _package()
    _selection(small, accepted=1, waitlisted=1, rejected=1)
    big = _package()
    _selection(big, accepted=3, waitlisted=6, rejected=6)
    assert big.enrollments.count() == 15 and small.enrollments.count() == 3

    def url(package):
        return reverse(f"public:{url_name}", args=[package.pk if url_name == "announcement" else package.cohort_id])

    with CaptureQueriesContext(connection) as few:
        assert len(_rows(client.get(url(small)))) == 2
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(_rows(client.get(url(big)))) == 9
    assert len(few.captured_queries) == 2  # the packages with their counts, then the people of all of them


def test_the_list_takes_one_query_however_many_packages(client, django_assert_num_queries):
    _package()
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("public:announcement-list"))
    for _ in range(4):
        _selection(_package())
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(reverse("public:announcement-list"))
    assert len(one.captured_queries) == 1


# --- the resident's status page -------------------------------------------------------------------


def _applied(package, rank, *, status, number, birth_date=BIRTH, **kwargs):
    """An online application (what was typed kept in `submitted`), then decided."""
    typed = {
        "receipt_number": _receipt(number),
        "received_at": "2026-08-10T09:00:00+07:00",
        "full_name": "Dewi Lestari",
        "birth_date": birth_date.isoformat(),
    }
    return _decided(
        package,
        rank,
        status=status,
        receipt=_receipt(number),
        source=Enrollment.Source.REGISTRATION,
        submitted=[typed],
        participant__birth_date=birth_date,
        **kwargs,
    )


def _look_up(client, number, birth_date=BIRTH):
    return client.post(
        reverse("public:status"), {"receipt_number": _receipt(number), "birth_date": birth_date.isoformat()}
    )


def _without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@pytest.mark.parametrize("status", ["enrolled", "waitlisted", "rejected"])
def test_a_decided_result_shows_nothing_until_it_is_announced(client, status):
    package = _package(published=None, decided=None)
    enrollment = _applied(package, 1, status="applied", number=11, decision_reason="")
    before = _look_up(client, 11)
    assert before.context["found"].state == "received"
    # selection_decide ran: the status changed, the announcement is not published yet.
    TrainingPackage.objects.filter(pk=package.pk).update(selection_decided_at=DECIDED)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        status=status,
        waitlisted_at=DECIDED if status == "waitlisted" else None,
        decision_reason="tidak lolos seleksi" if status == "rejected" else "",
    )
    decided = _look_up(client, 11)
    assert decided.context["found"].state == "received"
    text = _text(decided)
    assert "In selection: no result yet" in text and "the result will be announced" in text
    assert "tidak lolos seleksi" not in text and "waiting list." not in text and "Accepted as" not in text
    assert reverse("public:announcement", args=[package.pk]) not in decided.content.decode()
    # Not even the page's shape tells that a decision was made.
    assert _without_csrf(decided) == _without_csrf(before)


def test_after_the_announcement_the_accepted_applicant_sees_it_with_a_link(client):
    package = _package()
    _applied(package, 1, status="enrolled", number=21)
    response = _look_up(client, 21)
    assert response.context["found"].state == "accepted"
    text = _text(response)
    assert "Accepted as a participant" in text and "Received" not in text
    assert reverse("public:announcement", args=[package.pk]) in response.content.decode()
    # The announcement publishes the receipt number: the page guarded by it and the birth date shows
    # the name only shortened, as the announcement does, never in full.
    assert "Name (shortened) D*** L******" in text
    assert "Dewi" not in text and "Lestari" not in text


def test_after_the_announcement_the_waitlisted_applicant_sees_their_number(client):
    package = _package()
    _decided(package, 1, status="enrolled")
    _decided(package, 2, status="waitlisted")
    _applied(package, 3, status="waitlisted", number=31)
    response = _look_up(client, 31)
    assert response.context["found"].state == "waitlisted"
    assert "You are number 2 on the waiting list." in _text(response)
    assert reverse("public:announcement", args=[package.pk]) in response.content.decode()
    # The same number as on the announcement.
    announced = _rows(client.get(reverse("public:announcement", args=[package.pk])))
    assert (_receipt(31), "Waiting list 2") in [(row[1], row[3]) for row in announced]


def test_after_the_announcement_the_rejected_applicant_sees_the_reason(client):
    package = _package()
    _applied(package, 9, status="rejected", number=41, decision_reason="Usia di bawah 18 tahun pada hari pertama.")
    response = _look_up(client, 41)
    assert response.context["found"].state == "not_accepted"
    text = _text(response)
    assert "Not accepted" in text and "Reason: Usia di bawah 18 tahun pada hari pertama." in text
    assert reverse("public:announcement", args=[package.pk]) in response.content.decode()


def test_an_applicant_entered_by_staff_looks_up_the_number_given_at_the_decision(client):
    package = _package()
    person = factories.ParticipantFactory(full_name="Bambang Hartono", birth_date=BIRTH)
    _decided(package, 1, status="enrolled", participant=person, receipt=_receipt(51))
    response = _look_up(client, 51)
    assert response.context["found"].state == "accepted"
    text = _text(response)
    assert "Bambang" not in text and "B****** H******" not in text  # nothing typed: nothing from the record
    assert "Name (shortened)" not in text
    assert _look_up(client, 51, BIRTH + datetime.timedelta(days=1)).context["found"] is None


def test_the_status_page_links_the_selection_results(client):
    content = client.get(reverse("public:status")).content.decode()
    assert reverse("public:announcement-list") in content


def test_the_time_of_publication_is_the_local_day(client):
    # 23.30 UTC on 26 November is already 27 November in Pekalongan.
    package = _package(published=datetime.datetime(2026, 11, 26, 23, 30, tzinfo=datetime.UTC))
    assert timezone.localdate(package.announcement_published_at) == datetime.date(2026, 11, 27)
    assert "Announced on 27 November 2026." in _text(client.get(reverse("public:announcement", args=[package.pk])))
