"""Selection: scores as typed, the ranking and its ties and moves, the decision, the announcement, and the
staff pages (the sheet, the file import, the move, the confirmation of the decision)."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django_tasks_db.models import DBTaskResult

from participants import notifications
from participants.lifecycle import Role
from participants.models import Enrollment, Participant
from participants.services import (
    enrollment_change_status,
    enrollment_withdraw,
    selection_announce,
    selection_decide,
    selection_move,
    selection_plan,
    selection_ranking,
    selection_scores_save,
)
from participants.services.selection import ON_RECORD_REASON, parse_score, required_documents, weighted_score
from pekalongan_training.models import Message
from programs.models import CategoryRules, TrainingPackage
from tests import factories

pytestmark = pytest.mark.django_db

Status = Enrollment.Status
DOCS = {"doc_ktp": True, "doc_kk": True, "doc_ak1": True, "doc_employer": True}


def _package(**kwargs):
    """A package open for registration, starting in a month, with weights 40/60 unless told otherwise."""
    today = timezone.localdate()
    defaults = {
        "starts_on": today + datetime.timedelta(days=30),
        "ends_on": today + datetime.timedelta(days=50),
        "status": TrainingPackage.Status.OPEN,
        "test_weight": 40,
        "interview_weight": 60,
        "cohort": factories.CohortFactory(
            program=factories.ProgramFactory(fiscal_year=today.year),
            registration_opens=today - datetime.timedelta(days=5),
            registration_closes=today + datetime.timedelta(days=5),
            starts_on=today + datetime.timedelta(days=30),
            ends_on=today + datetime.timedelta(days=60),
        ),
    }
    return factories.TrainingPackageFactory(**{**defaults, **kwargs})


_clock = {"minutes": 0}


def _applicant(package, name, test=None, interview=None, *, docs=True, receipt=True, person=None, **fields):
    """An applicant who applied a minute after the one made before (so ties go by this order)."""
    _clock["minutes"] += 1
    if package.category == TrainingPackage.Category.FACTORY_WORKERS:  # a worker, unless told otherwise
        person = {"beneficiary_group": "factory_worker", **(person or {})}
    enrollment = factories.EnrollmentFactory(
        package=package,
        status=Status.APPLIED,
        enrolled_on=None,
        participant=factories.ParticipantFactory(full_name=name, **(person or {})),
        test_score=None if test is None else Decimal(str(test)),
        interview_score=None if interview is None else Decimal(str(interview)),
        receipt_number=f"2026-R{_clock['minutes']:05d}" if receipt else None,
        **(dict.fromkeys(DOCS, docs) | fields),
    )
    applied = timezone.now() - datetime.timedelta(days=10) + datetime.timedelta(minutes=_clock["minutes"])
    Enrollment.objects.filter(pk=enrollment.pk).update(created_at=applied)
    enrollment.refresh_from_db()
    return enrollment


def _names(rows):
    return [row.enrollment.participant.full_name for row in rows]


def _submission(receipt_number, **typed):
    """A submission as online registration keeps it (participants.services.public._as_typed)."""
    return {
        "receipt_number": receipt_number,
        "received_at": timezone.now().isoformat(),
        "consent_version": "2026-11",
        "full_name": "",
        "sex": "female",
        "birth_date": "1998-05-17",
        "phone": "081234567890",
        "address": "Jl. Merdeka No. 1",
        "kelurahan": "",
        "kelurahan_name": "",
        "education": "senior_secondary",
        "employment_status_at_intake": "",
        "beneficiary_group": "",
        "employer_name": "",
        "kk_number": "",
        "ak1_number": "",
        "ak1_issued_on": "",
        **typed,
    }


def _online(package, name, test=None, interview=None, *, typed, earlier=(), **kwargs):
    """A person on record who registered online; `typed` is what their last submission typed."""
    enrollment = _applicant(package, name, test, interview, source=Enrollment.Source.REGISTRATION, **kwargs)
    enrollment.submitted = [
        *(_submission(enrollment.receipt_number, full_name=name, **before) for before in earlier),
        _submission(enrollment.receipt_number, full_name=name, **typed),
    ]
    enrollment.save()
    return enrollment


def _staff_client(client, english=False):
    staff = factories.StaffFactory()
    client.force_login(staff)
    if english:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return staff


# --- scores and the weighted score ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "score"),
    [("78", "78"), ("78,5", "78.5"), ("78.5", "78.5"), (" 100 ", "100"), ("0", "0"), ("66,67", "66.67"), ("", None)],
)
def test_scores_are_read_as_people_type_them(typed, score):
    assert parse_score(typed) == (None if score is None else Decimal(score))


@pytest.mark.parametrize("typed", ["abc", "101", "100,5", "-1", "78,555", "1.000,5", "7 8", "²", "78%", "1e2"])
def test_a_score_that_is_no_score_is_refused_with_how_to_write_it(typed):
    with pytest.raises(ValidationError):
        parse_score(typed)


def test_a_number_from_a_spreadsheet_is_rounded_half_up_to_two_decimals():
    assert parse_score(78.333333) == Decimal("78.33")
    assert parse_score(78.125) == Decimal("78.13")
    with pytest.raises(ValidationError):
        parse_score(float("nan"))
    with pytest.raises(ValidationError):
        parse_score(True)


def test_the_weighted_score_by_hand():
    package = TrainingPackage(test_weight=40, interview_weight=60)
    assert weighted_score(Decimal(80), Decimal(70), package) == Decimal("74.00")  # 32 + 42
    assert weighted_score(Decimal("78.5"), Decimal("71.25"), package) == Decimal("74.15")  # 31,4 + 42,75
    assert weighted_score(Decimal(80), None, package) is None
    # 45 × 70 + 55 × 80,3 = 7566,5 -> 75,665 -> 75,67 half up (Python's round() would give 75,66).
    assert weighted_score(Decimal(70), Decimal("80.3"), TrainingPackage(test_weight=45, interview_weight=55)) == (
        Decimal("75.67")
    )
    # A score whose weight is 0 is not needed.
    assert weighted_score(None, Decimal(90), TrainingPackage(test_weight=0, interview_weight=100)) == Decimal("90.00")


# --- the ranking -----------------------------------------------------------------------------------------


def test_the_ranking_by_weighted_score_ties_to_the_earlier_application():
    package = _package()
    dedi = _applicant(package, "Dedi", 74, 74)  # 74,00, applied first
    _applicant(package, "Budi", 90, 65)  # 36 + 39 = 75,00
    _applicant(package, "Ani", 80, 70)  # 32 + 42 = 74,00, applied after Dedi
    _applicant(package, "Citra", 70, "77.5")  # 28 + 46,5 = 74,50
    _applicant(package, "Eka", 60, 60)  # 60,00
    ranking = selection_ranking(package)
    assert [(name, row.rank, row.weighted) for name, row in zip(_names(ranking), ranking, strict=True)] == [
        ("Budi", 1, Decimal("75.00")),
        ("Citra", 2, Decimal("74.50")),
        ("Dedi", 3, Decimal("74.00")),
        ("Ani", 4, Decimal("74.00")),
        ("Eka", 5, Decimal("60.00")),
    ]
    # The same scores, Dedi's application later than Ani's: Ani first.
    Enrollment.objects.filter(pk=dedi.pk).update(created_at=timezone.now())
    assert _names(selection_ranking(package))[2:4] == ["Ani", "Dedi"]


def test_the_ranking_compares_the_scores_before_they_are_rounded():
    package = _package(quota=1)  # 40/60
    _applicant(package, "A", 80, 70)  # 32 + 42 = 74, applied first
    _applicant(package, "B", "80.01", 70)  # 32,004 + 42 = 74,004: shown as 74,00 too, and higher
    ranking = selection_ranking(package)
    assert [(name, row.rank, row.weighted) for name, row in zip(_names(ranking), ranking, strict=True)] == [
        ("B", 1, Decimal("74.00")),
        ("A", 2, Decimal("74.00")),
    ]
    assert _names(selection_plan(package).accepted) == ["B"]


def test_a_move_puts_the_person_at_that_rank_with_the_reason_kept():
    package = _package()
    for name, test, interview in (("Budi", 90, 65), ("Citra", 70, "77.5"), ("Dedi", 74, 74), ("Eka", 60, 60)):
        _applicant(package, name, test, interview)
    eka = Enrollment.objects.get(participant__full_name="Eka")
    staff = factories.StaffFactory()
    selection_move(enrollment=eka, position=2, reason="Nilai praktik dikoreksi penguji", by=staff)
    ranking = selection_ranking(package)
    assert [(row.rank, name) for row, name in zip(ranking, _names(ranking), strict=True)] == [
        (1, "Budi"),
        (2, "Eka"),
        (3, "Citra"),
        (4, "Dedi"),
    ]
    eka.refresh_from_db()
    assert (eka.selection_position, eka.selection_position_reason) == (2, "Nilai praktik dikoreksi penguji")
    latest = eka.history.first()
    assert latest.history_user == staff and "Nilai praktik dikoreksi penguji" in latest.history_change_reason
    # A move beyond the end puts the person last; removing it puts them back by score.
    selection_move(enrollment=eka, position=99, reason="Salah ketik", by=staff)
    assert _names(selection_ranking(package)) == ["Budi", "Citra", "Dedi", "Eka"]
    selection_move(enrollment=eka, position=None, reason="Dikembalikan", by=staff)
    eka.refresh_from_db()
    assert (eka.selection_position, eka.selection_position_reason) == (None, "")


def test_a_move_needs_staff_and_a_reason():
    package = _package()
    enrollment = _applicant(package, "Ani", 80, 70)
    with pytest.raises(ValidationError) as refused:
        selection_move(enrollment=enrollment, position=1, reason=" ", by=factories.StaffFactory())
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError):
        selection_move(enrollment=enrollment, position=1, reason="Alasan", by=factories.OperatorFactory())
    with pytest.raises(ValidationError) as refused:
        selection_move(enrollment=enrollment, position=0, reason="Alasan", by=factories.StaffFactory())
    assert "position" in refused.value.message_dict
    enrollment.refresh_from_db()
    assert enrollment.selection_position is None


def test_who_cannot_be_ranked_is_listed_apart_with_the_reason():
    package = _package(category=TrainingPackage.Category.FACTORY_WORKERS)
    _applicant(package, "Ani", 80, 70)
    _applicant(package, "Luar Kota", 90, 90, person={"kelurahan": None})
    _applicant(
        package,
        "Luar Kota Dimaafkan",
        50,
        50,
        person={"kelurahan": None},
        override_reason="Pindah ke Kota Pekalongan bulan ini",
        overridden_rules=["domicile"],
    )
    _applicant(
        package,
        "Maaf Untuk Aturan Lain",
        95,
        95,
        person={"kelurahan": None},
        override_reason="Umur",
        overridden_rules=["min_age"],
    )
    _applicant(package, "Tanpa Surat", 99, 99, doc_employer=False, doc_kk=False)
    _applicant(package, "Belum Diverifikasi", 99, 99, identity_to_verify=True)
    _applicant(package, "Belum Tes", None, 70)
    rows = selection_ranking(package)
    ranking = dict(zip(_names(rows), rows, strict=True))
    assert _names(rows) == [
        "Ani",
        "Luar Kota Dimaafkan",
        "Belum Tes",
        "Luar Kota",
        "Maaf Untuk Aturan Lain",
        "Tanpa Surat",
        "Belum Diverifikasi",
    ]
    assert (ranking["Ani"].rank, ranking["Luar Kota Dimaafkan"].rank) == (1, 2)
    assert [(rule.rule, rule.overridden) for rule in ranking["Luar Kota Dimaafkan"].rules] == [("domicile", True)]
    assert ranking["Belum Tes"].rank is None and ranking["Belum Tes"].awaiting_scores
    assert len(ranking["Belum Tes"].missing_scores) == 1  # the written test
    for name in ("Luar Kota", "Maaf Untuk Aturan Lain", "Tanpa Surat", "Belum Diverifikasi"):
        assert ranking[name].rank is None and not ranking[name].rankable
    assert [rule.rule for rule in ranking["Maaf Untuk Aturan Lain"].failed_rules] == ["domicile"]
    assert len(ranking["Tanpa Surat"].missing_documents) == 2  # KK and the employer's letter


def test_the_documents_checked_follow_the_program_and_the_category():
    package = _package()
    assert required_documents(package) == ["doc_ktp", "doc_kk"]  # the test factories' programs ask for no AK/1
    package.cohort.program.require_ak1 = True
    package.category = TrainingPackage.Category.FACTORY_WORKERS
    assert required_documents(package) == ["doc_ktp", "doc_kk", "doc_ak1", "doc_employer"]


def test_the_ranking_takes_the_same_number_of_queries_for_3_or_12_applicants(django_assert_num_queries):
    package = _package()
    for serial in range(2):
        _applicant(package, f"Pendaftar {serial}", 70 + serial, 60)
    # Online, with a kelurahan typed that the record lacks: checked as typed too.
    _online(package, "Pendaftar 2", 72, 60, person={"kelurahan": None}, typed={"kelurahan": "33.75.01.1002"})
    package = TrainingPackage.objects.select_related("cohort__program").get(pk=package.pk)
    with CaptureQueriesContext(connection) as three:
        assert len(selection_ranking(package)) == 3
    for serial in range(3, 12):
        if serial % 3 == 0:
            typed = {
                "kelurahan": "33.75.01.1002",
                "ak1_number": f"3375-2026-{serial:05d}",
                "ak1_issued_on": "2026-01-05",
            }
            _online(package, f"Pendaftar {serial}", 70 + serial, 60, person={"kelurahan": None}, typed=typed)
        else:
            _applicant(
                package, f"Pendaftar {serial}", 70 + serial, 60, person={"kelurahan": None} if serial % 4 else None
            )
    with django_assert_num_queries(len(three.captured_queries)):
        rows = selection_ranking(package)
    assert len(rows) == 12
    assert sum(1 for row in rows if row.typed_differs) == 4


# --- saving scores -------------------------------------------------------------------------------------


def test_scores_are_saved_as_typed_with_the_documents():
    package = _package()
    ani = _applicant(package, "Ani", docs=False)
    budi = _applicant(package, "Budi", 50, 50)
    changed = selection_scores_save(
        package=package,
        rows=[
            {"enrollment": ani.pk, "test_score": "78,5", "interview_score": "80", "doc_ktp": True, "doc_kk": True},
            {"enrollment": str(budi.pk), "test_score": "", "interview_score": "66.25"},
        ],
        by=factories.StaffFactory(),
    )
    assert changed == 2
    ani.refresh_from_db()
    budi.refresh_from_db()
    assert (ani.test_score, ani.interview_score, ani.doc_ktp, ani.doc_kk, ani.doc_ak1) == (
        Decimal("78.5"),
        Decimal("80"),
        True,
        True,
        False,
    )
    assert (budi.test_score, budi.interview_score) == (None, Decimal("66.25"))
    assert ani.history.first().history_change_reason == "selection scores"


def test_one_wrong_score_saves_nothing_and_names_the_row_and_field():
    package = _package()
    ani = _applicant(package, "Ani")
    budi = _applicant(package, "Budi")
    with pytest.raises(ValidationError) as refused:
        selection_scores_save(
            package=package,
            rows=[
                {"enrollment": ani.pk, "test_score": "78", "interview_score": "80"},
                {"enrollment": budi.pk, "test_score": "101", "interview_score": "tujuh puluh"},
            ],
            by=factories.StaffFactory(),
        )
    assert set(refused.value.message_dict) == {f"test_score-{budi.pk}", f"interview_score-{budi.pk}"}
    ani.refresh_from_db()
    assert ani.test_score is None


def test_an_enrollment_of_another_package_is_refused():
    package = _package()
    ours = _applicant(package, "Ani")
    theirs = _applicant(_package(), "Orang Lain")
    with pytest.raises(ValidationError):
        selection_scores_save(
            package=package,
            rows=[{"enrollment": ours.pk, "test_score": "70"}, {"enrollment": theirs.pk, "test_score": "90"}],
            by=factories.StaffFactory(),
        )
    theirs.refresh_from_db()
    ours.refresh_from_db()
    assert (ours.test_score, theirs.test_score) == (None, None)


# --- the decision --------------------------------------------------------------------------------------


def _decided_world():
    """Quota 4, one seat taken by staff; six who can be ranked, one from outside the city, one without the KK."""
    package = _package(quota=4)
    factories.EnrollmentFactory(package=package, status=Status.ENROLLED)
    scores = [("A", 90, 90), ("B", 85, 85), ("C", 80, 80), ("D", 75, 75), ("E", 70, 70), ("F", 65, 65)]
    people = {name: _applicant(package, name, test, interview) for name, test, interview in scores}
    people["B"].receipt_number = None  # entered by staff: no receipt yet
    people["B"].save()
    people["Luar"] = _applicant(package, "Luar", 99, 99, person={"kelurahan": None})
    people["TanpaKK"] = _applicant(package, "TanpaKK", 99, 99, doc_kk=False)
    return package, people


def test_the_decision_accepts_the_quota_left_waitlists_in_rank_order_and_rejects_the_rest():
    package, people = _decided_world()
    staff = factories.StaffFactory()
    result = selection_decide(package=package, by=staff, waitlist=2)
    assert (result.accepted, result.waitlisted, result.rejected) == (3, 2, 3)
    status = {name: Enrollment.objects.get(pk=e.pk) for name, e in people.items()}
    assert [status[name].status for name in "ABCDEF"] == ["enrolled"] * 3 + ["waitlisted"] * 2 + ["rejected"]
    assert [status[name].selection_rank for name in "ABCDEF"] == [1, 2, 3, 4, 5, 6]
    assert Enrollment.objects.filter(package=package).holding_seats().count() == 4  # the quota
    assert list(Enrollment.objects.filter(package=package).waitlist()) == [status["D"], status["E"]]
    assert status["F"].decision_reason == "tidak lolos seleksi"
    assert status["Luar"].status == "rejected" and "warga Kota Pekalongan" in status["Luar"].decision_reason
    assert status["TanpaKK"].status == "rejected" and "KK" in status["TanpaKK"].decision_reason
    assert status["Luar"].selection_rank is None
    assert status["B"].receipt_number  # now listed in the announcement by a receipt number
    assert len({e.receipt_number for e in status.values()}) == len(status)
    package.refresh_from_db()
    assert package.selection_decided_by == staff and package.selection_decided_at is not None
    # After the decision the ranking shows the result: ranks as decided, then those turned down.
    ranking = selection_ranking(package)
    assert [row.rank for row in ranking] == [1, 2, 3, 4, 5, 6, None, None]


def test_the_default_waitlist_is_as_long_as_the_quota():
    package, _people = _decided_world()
    plan = selection_plan(package)
    assert plan.counts == {"accepted": 3, "waitlisted": 3, "rejected": 2}
    assert not plan.problems


def test_a_withdrawal_after_the_decision_gives_the_seat_to_the_first_on_the_waitlist():
    package, people = _decided_world()
    staff = factories.StaffFactory()
    selection_decide(package=package, by=staff, waitlist=2)
    promoted = enrollment_withdraw(enrollment=people["A"], reason="Diterima kerja", actor=staff)
    assert promoted.pk == people["D"].pk


def test_the_decision_is_made_once():
    package, _people = _decided_world()
    selection_decide(package=package, by=None)
    with pytest.raises(ValidationError):
        selection_decide(package=package, by=None)


def test_no_decision_while_an_applicant_who_meets_the_rules_has_no_score():
    package, people = _decided_world()
    Enrollment.objects.filter(pk=people["C"].pk).update(interview_score=None)
    Enrollment.objects.filter(pk=people["E"].pk).update(test_score=None)
    with pytest.raises(ValidationError) as refused:
        selection_decide(package=package, by=None)
    message = " ".join(refused.value.messages)
    assert "2" in message and "C" in message and "E" in message
    assert not Enrollment.objects.filter(package=package, status=Status.REJECTED).exists()
    package.refresh_from_db()
    assert package.selection_decided_at is None


def test_no_decision_while_an_identity_is_to_verify():
    package, people = _decided_world()
    Enrollment.objects.filter(pk=people["C"].pk).update(identity_to_verify=True)
    with pytest.raises(ValidationError) as refused:
        selection_decide(package=package, by=None)
    assert people["C"].participant.full_name in " ".join(refused.value.messages)


def test_no_decision_by_an_operator():
    package, _people = _decided_world()
    with pytest.raises(ValidationError):
        selection_decide(package=package, by=factories.OperatorFactory())
    assert not TrainingPackage.objects.get(pk=package.pk).selection_decided_at


def test_the_announcement_after_the_decision_sets_the_time_and_tells_everyone(
    monkeypatch, django_capture_on_commit_callbacks
):
    package, _people = _decided_world()
    told = []
    monkeypatch.setattr(notifications, "selection_results", lambda *, package: told.append(package.pk) or 0)
    with pytest.raises(ValidationError):
        selection_announce(package=package, by=None)  # not decided yet
    selection_decide(package=package, by=None)
    with django_capture_on_commit_callbacks(execute=True):
        selection_announce(package=package, by=factories.StaffFactory())
    package.refresh_from_db()
    assert package.announcement_published_at is not None
    assert told == [package.pk]
    with pytest.raises(ValidationError):
        selection_announce(package=package, by=None)  # once


def _told(text):
    """A text as the people are told it (in Indonesian, once the catalogue is compiled)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def test_a_rule_that_reads_the_record_is_not_told_to_the_person(django_capture_on_commit_callbacks):
    """Anyone can type anyone's NIK: a seat elsewhere on record is not told on the status page or in
    the message, only that a rule is not met; staff keep the reason in the history. A rule on what
    the person typed keeps its reason."""
    package = _package(quota=1)
    program = package.cohort.program
    program.one_per_wave = True
    program.save()
    elsewhere = _package(cohort=package.cohort, code="LAIN-SEAT-07")
    _applicant(package, "Ani", 80, 70)
    seated = _applicant(package, "Sudah Duduk", 99, 99)
    factories.EnrollmentFactory(participant=seated.participant, package=elsewhere, status=Status.ENROLLED)
    both = _applicant(package, "Luar Dan Duduk", 99, 99, person={"kelurahan": None})
    factories.EnrollmentFactory(participant=both.participant, package=elsewhere, status=Status.ENROLLED)
    outside = _applicant(package, "Luar Kota", 99, 99, person={"kelurahan": None})
    staff = factories.StaffFactory()
    selection_decide(package=package, by=staff)
    seated.refresh_from_db()
    both.refresh_from_db()
    outside.refresh_from_db()
    assert seated.status == both.status == outside.status == Status.REJECTED
    assert seated.decision_reason == _told(ON_RECORD_REASON)
    assert "warga Kota Pekalongan" in both.decision_reason and _told(ON_RECORD_REASON) in both.decision_reason
    assert "warga Kota Pekalongan" in outside.decision_reason
    assert _told(ON_RECORD_REASON) not in outside.decision_reason
    for enrollment in (seated, both):
        assert "LAIN-SEAT-07" not in enrollment.decision_reason
        assert "LAIN-SEAT-07" in enrollment.history.latest().history_change_reason  # for staff
        assert enrollment.history.latest().status == Status.REJECTED
    with django_capture_on_commit_callbacks(execute=True):
        selection_announce(package=package, by=staff)
    bodies = {message.about_id: message.body for message in Message.objects.filter(template="selection_result")}
    assert _told(ON_RECORD_REASON) in bodies[seated.pk]
    assert not [body for body in bodies.values() if "LAIN-SEAT-07" in body]


def test_no_worker_of_the_family_on_record_is_not_told_and_a_wrong_employer_is():
    package = _package(category=TrainingPackage.Category.FACTORY_WORKERS)
    program = package.cohort.program
    program.exclude_working = True
    program.save()
    CategoryRules.objects.create(
        program=program, category=TrainingPackage.Category.FACTORY_WORKERS, required_employer="PT Urip Sugiharto"
    )
    _applicant(
        package, "Pekerja", 80, 70, person={"employer_name": "PT Urip Sugiharto", "beneficiary_group": "factory_worker"}
    )
    family = _applicant(
        package,
        "Keluarga",
        99,
        99,
        person={"kk_number": "3375031201150003", "beneficiary_group": "factory_worker_family"},
    )
    other = _applicant(
        package, "Pabrik Lain", 99, 99, person={"employer_name": "PT Lain", "beneficiary_group": "factory_worker"}
    )
    selection_decide(package=package, by=None)
    family.refresh_from_db()
    other.refresh_from_db()
    assert (family.status, family.decision_reason) == (Status.REJECTED, _told(ON_RECORD_REASON))
    assert "No. KK" in family.history.latest().history_change_reason
    assert other.status == Status.REJECTED and "PT Lain" in other.decision_reason


def test_the_announcement_has_the_results_sent_by_the_task_queue_not_in_the_request(
    settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    package, _people = _decided_world()
    selection_decide(package=package, by=None)
    with django_capture_on_commit_callbacks(execute=True):
        selection_announce(package=package, by=factories.StaffFactory())
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.args_kwargs["args"]) == ("participants.tasks.selection_results_send", [package.pk])
    assert not Message.objects.exists()  # written by the worker, later


def test_the_demo_announces_without_telling_anyone(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    package, _people = _decided_world()
    selection_decide(package=package, by=None)
    with django_capture_on_commit_callbacks(execute=True):
        selection_announce(package=package, by=None, notify=False)
    package.refresh_from_db()
    assert package.announcement_published_at is not None
    assert not DBTaskResult.objects.exists()
    assert not Message.objects.exists()


# --- the pages -------------------------------------------------------------------------------------------


def test_the_sheet_shows_every_applicant_with_rank_and_inputs(client):
    package = _package()
    _applicant(package, "Ani", 80, 70)
    _applicant(package, "Budi", 90, 65)
    _applicant(package, "Luar", 99, 99, person={"kelurahan": None})
    _staff_client(client, english=True)
    response = client.get(reverse("intake:selection", args=[package.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Budi") < page.index("Ani") < page.index("Luar")
    assert page.count('inputmode="decimal"') == 6
    assert "75.00" in page and "74.00" in page
    assert "Not ranked" in page and "residents of Kota Pekalongan" in page
    budi = Enrollment.objects.get(participant__full_name="Budi")
    assert budi.participant.masked_nik in page and budi.participant.nik not in page
    assert 'data-rank="1"' in page


def test_staff_save_scores_documents_and_weights_on_the_sheet(client):
    package = _package()
    ani = _applicant(package, "Ani", docs=False)
    staff = _staff_client(client)
    url = reverse("intake:selection", args=[package.pk])
    response = client.post(
        url,
        {
            "test_weight": "30",
            "interview_weight": "70",
            "row": [ani.pk],
            f"test_score-{ani.pk}": "78,5",
            f"interview_score-{ani.pk}": "80",
            f"doc_ktp-{ani.pk}": "on",
            f"doc_kk-{ani.pk}": "on",
        },
    )
    assert response.status_code == 302
    ani.refresh_from_db()
    package.refresh_from_db()
    assert (ani.test_score, ani.interview_score, ani.doc_ktp, ani.doc_kk) == (Decimal("78.5"), 80, True, True)
    assert (package.test_weight, package.interview_weight) == (30, 70)
    assert ani.history.first().history_user == staff
    page = client.get(url).content.decode()
    assert "79,55" in page  # 23,55 + 56
    assert 'value="78,5"' in page


def test_a_wrong_score_is_said_next_to_its_field_and_nothing_is_saved(client):
    package = _package()
    ani = _applicant(package, "Ani")
    budi = _applicant(package, "Budi")
    _staff_client(client, english=True)
    response = client.post(
        reverse("intake:selection", args=[package.pk]),
        {
            "test_weight": "50",
            "interview_weight": "50",
            "row": [ani.pk, budi.pk],
            f"test_score-{ani.pk}": "70",
            f"test_score-{budi.pk}": "seratus",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert f'href="#test_score-{budi.pk}"' in page
    assert f'id="test_score-{budi.pk}-error"' in page and "Write a number from 0 to 100" in page
    assert 'value="seratus"' in page  # what was typed is kept
    ani.refresh_from_db()
    package.refresh_from_db()
    assert ani.test_score is None and (package.test_weight, package.interview_weight) == (40, 60)


def test_weights_that_do_not_add_up_to_100_save_nothing(client):
    package = _package()
    ani = _applicant(package, "Ani")
    _staff_client(client, english=True)
    response = client.post(
        reverse("intake:selection", args=[package.pk]),
        {"test_weight": "50", "interview_weight": "60", "row": [ani.pk], f"test_score-{ani.pk}": "70"},
    )
    assert response.status_code == 200
    assert "add up to 100" in response.content.decode()
    ani.refresh_from_db()
    package.refresh_from_db()
    assert ani.test_score is None and (package.test_weight, package.interview_weight) == (40, 60)


@pytest.mark.parametrize(
    "data",
    [
        {"row": ["abc"]},
        {"row": ["99999999999999999999999"]},
        {"row": ["²"], "test_weight": "²"},
        {"test_weight": "<script>", "interview_weight": "9" * 40},
        {"row": ["1"], "test_score-1": "A" * 5000},
        {},
    ],
)
def test_garbage_posted_to_the_sheet_is_refused_without_an_error(client, data):
    package = _package()
    _applicant(package, "Ani")
    _staff_client(client)
    response = client.post(reverse("intake:selection", args=[package.pk]), data)
    assert response.status_code in (200, 302)
    assert "<script>" not in response.content.decode()


def test_another_packages_applicant_posted_to_the_sheet_is_refused(client):
    package = _package()
    theirs = _applicant(_package(), "Orang Lain")
    _staff_client(client)
    response = client.post(
        reverse("intake:selection", args=[package.pk]),
        {"test_weight": "40", "interview_weight": "60", "row": [theirs.pk], f"test_score-{theirs.pk}": "90"},
    )
    assert response.status_code == 200
    theirs.refresh_from_db()
    assert theirs.test_score is None


def test_the_sheet_takes_the_same_number_of_queries_for_3_or_12_applicants(client):
    package = _package()
    for serial in range(3):
        _applicant(package, f"Pendaftar {serial}", 70 + serial, 60)
    _staff_client(client)
    url = reverse("intake:selection", args=[package.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as three:
        assert client.get(url).status_code == 200
    for serial in range(3, 12):
        _applicant(package, f"Pendaftar {serial}", 70 + serial, 60, person={"kelurahan": None} if serial % 3 else {})
    with CaptureQueriesContext(connection) as twelve:
        assert client.get(url).status_code == 200
    assert len(twelve.captured_queries) == len(three.captured_queries)


def test_a_move_from_the_sheet_and_its_reason_next_to_the_field(client):
    package = _package()
    _applicant(package, "Ani", 90, 90)
    budi = _applicant(package, "Budi", 50, 50)
    _staff_client(client, english=True)
    url = reverse("intake:selection-move", args=[package.pk, budi.pk])
    response = client.post(url, {"position": "1", "reason": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_move-{budi.pk}_reason-error"' in page and "Write why this person is moved" in page
    assert client.post(url, {"position": "satu", "reason": "x"}).status_code == 200
    response = client.post(url, {"position": "1", "reason": "Penguji salah hitung"})
    assert response.status_code == 302
    assert _names(selection_ranking(package)) == ["Budi", "Ani"]
    assert client.get(url).status_code == 405


def test_the_decision_from_the_page_asks_first_then_decides(client):
    package, people = _decided_world()
    _staff_client(client)
    url = reverse("intake:selection-decide", args=[package.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"waitlist": "2"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-count="accepted">3<' in page
    assert 'data-count="waitlisted">2<' in page
    assert 'data-count="rejected">3<' in page
    assert not TrainingPackage.objects.get(pk=package.pk).selection_decided_at
    assert client.post(url, {"waitlist": "dua"}).status_code == 200  # said next to the field
    response = client.post(url, {"waitlist": "2", "confirm": "True"})
    assert response.status_code == 302
    assert Enrollment.objects.get(pk=people["E"].pk).status == Status.WAITLISTED
    assert TrainingPackage.objects.get(pk=package.pk).selection_decided_at
    page = client.get(reverse("intake:selection", args=[package.pk])).content.decode()
    assert 'name="row"' not in page and 'inputmode="decimal"' not in page


def test_after_the_decision_staff_move_someone_by_a_status_change_with_a_reason(client):
    package, people = _decided_world()
    selection_decide(package=package, by=None, waitlist=2)
    _staff_client(client)
    url = reverse("intake:selection-move", args=[package.pk, people["A"].pk])
    assert client.post(url, {"status": "withdrawn", "reason": ""}).status_code == 200
    assert Enrollment.objects.get(pk=people["A"].pk).status == Status.ENROLLED
    response = client.post(url, {"status": "withdrawn", "reason": "Diterima kerja di pabrik"})
    assert response.status_code == 302
    assert Enrollment.objects.get(pk=people["A"].pk).status == Status.WITHDRAWN
    assert Enrollment.objects.get(pk=people["D"].pk).status == Status.ENROLLED  # the first on the waitlist


def test_the_announcement_from_the_page(client, monkeypatch):
    package, _people = _decided_world()
    monkeypatch.setattr(notifications, "selection_results", lambda *, package: 0)
    _staff_client(client)
    url = reverse("intake:selection-announce", args=[package.pk])
    assert client.post(url).status_code == 302
    assert TrainingPackage.objects.get(pk=package.pk).announcement_published_at is None  # not decided
    selection_decide(package=package, by=None)
    assert client.post(url).status_code == 302
    assert TrainingPackage.objects.get(pk=package.pk).announcement_published_at is not None
    assert 'id="announced"' in client.get(reverse("intake:selection", args=[package.pk])).content.decode()


def _csv(*lines):
    return SimpleUploadedFile("nilai.csv", "\n".join(lines).encode(), content_type="text/csv")


def test_scores_imported_from_a_csv_file_after_a_look_at_them(client):
    package = _package()
    ani = _applicant(package, "Ani")
    budi = _applicant(package, "Budi", 10, 20)
    _staff_client(client)
    url = reverse("intake:selection-import", args=[package.pk])
    assert client.get(url).status_code == 200
    upload = _csv(
        "No. Tanda Terima;NIK;Nilai Tes Tertulis;Nilai Wawancara",
        f"{ani.receipt_number};;78,5;80",
        f";{budi.participant.nik};66;",
    )
    response = client.post(url, {"file": upload})
    assert response.status_code == 200
    assert 'name="action" value="save"' in response.content.decode()
    budi.refresh_from_db()
    assert budi.test_score == 10  # nothing saved before the confirmation
    data = {
        "action": "save",
        "row": [ani.pk, budi.pk],
        f"test_score-{ani.pk}": "78.50",
        f"interview_score-{ani.pk}": "80.00",
        f"test_score-{budi.pk}": "66.00",
    }
    assert client.post(url, data).status_code == 302
    ani.refresh_from_db()
    budi.refresh_from_db()
    assert (ani.test_score, ani.interview_score, budi.test_score, budi.interview_score) == (
        Decimal("78.5"),
        80,
        66,
        20,  # an empty cell keeps the score entered
    )


def test_a_file_with_a_bad_row_shows_the_rows_to_fix_and_saves_nothing(client):
    package = _package()
    ani = _applicant(package, "Ani")
    theirs = _applicant(_package(), "Orang Lain")
    _staff_client(client, english=True)
    upload = _csv(
        "No. Tanda Terima,Nilai Tes Tertulis,Nilai Wawancara",
        f"{ani.receipt_number},78,80",
        f"{theirs.receipt_number},90,90",
        f"{ani.receipt_number},101,80",
    )
    response = client.post(reverse("intake:selection-import", args=[package.pk]), {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="score-errors"' in page
    assert "No applicant of package" in page  # row 3
    assert "The same applicant as row 2" in page and "A score is from 0 to 100" in page  # row 4
    assert 'value="save"' not in page
    ani.refresh_from_db()
    assert ani.test_score is None


def test_scores_imported_from_a_workbook_by_nik(client):
    package = _package()
    ani = _applicant(package, "Ani")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["NIK", "Nilai Tes Tertulis", "Nilai Wawancara"])
    sheet.append([ani.participant.nik, 77.333333, 81])
    content = io.BytesIO()
    workbook.save(content)
    _staff_client(client)
    upload = SimpleUploadedFile("nilai.xlsx", content.getvalue())
    response = client.post(reverse("intake:selection-import", args=[package.pk]), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200 and 'value="save"' in page
    assert f'name="test_score-{ani.pk}" value="77.33"' in page


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("nilai.csv", b""),
        ("nilai.csv", b"Nama;Alamat\nAni;Jl. X"),
        ("nilai.xlsx", b"PK\x03\x04 not a zip"),
        ("nilai.pdf", b"%PDF-1.4"),
        ("nilai.csv", b"NIK;Nilai Tes Tertulis\n" + b"x" * 30_000),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_next_to_the_field(client, name, content):
    package = _package()
    _applicant(package, "Ani")
    _staff_client(client)
    response = client.post(
        reverse("intake:selection-import", args=[package.pk]), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert 'id="error-summary"' in response.content.decode()


@pytest.mark.parametrize("factory", [factories.OperatorFactory, factories.OfficialFactory])
def test_the_selection_pages_are_for_dinas_staff_only(client, factory):
    package = _package()
    enrollment = _applicant(package, "Ani", 80, 80)
    client.force_login(factory())
    for name in ("intake:selection", "intake:selection-import"):
        assert client.get(reverse(name, args=[package.pk])).status_code == 403
    for name in ("intake:selection", "intake:selection-import", "intake:selection-decide", "intake:selection-announce"):
        assert client.post(reverse(name, args=[package.pk]), {"waitlist": "1", "confirm": "True"}).status_code == 403
    move = reverse("intake:selection-move", args=[package.pk, enrollment.pk])
    assert client.post(move, {"position": "1", "reason": "x"}).status_code == 403
    enrollment.refresh_from_db()
    assert enrollment.selection_position is None
    assert not TrainingPackage.objects.get(pk=package.pk).selection_decided_at


def test_anonymous_people_are_sent_to_the_log_in(client):
    package = _package()
    response = client.get(reverse("intake:selection", args=[package.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_someone_elses_enrollment_in_the_move_address_is_not_found(client):
    package = _package()
    theirs = _applicant(_package(), "Orang Lain", 80, 80)
    _staff_client(client)
    response = client.post(reverse("intake:selection-move", args=[package.pk, theirs.pk]), {"position": "1"})
    assert response.status_code == 404


def test_the_enrollment_page_and_the_admin_lead_to_the_selection(client):
    package = _package()
    _applicant(package, "Ani")
    _staff_client(client)
    link = f'href="{reverse("intake:selection", args=[package.pk])}"'
    assert link in client.get(reverse("intake:package-enrollment", args=[package.pk])).content.decode()
    admin_page = client.get(reverse("admin:programs_trainingpackage_change", args=[package.pk])).content.decode()
    assert 'data-step="selection"' in admin_page and link in admin_page


@pytest.mark.parametrize(
    "data",
    [
        {"position": "9" * 40, "reason": "x"},
        {"position": "-1", "reason": "<script>alert(1)</script>"},
        {"position": "²", "reason": "A" * 5000},
        {"status": "enrolled", "reason": "x"},
        {},
    ],
)
def test_garbage_posted_to_a_move_or_the_decision_is_refused_without_an_error(client, data):
    package = _package()
    ani = _applicant(package, "Ani", 80, 80)
    staff_added = factories.EnrollmentFactory(package=package, status=Status.ENROLLED)
    _staff_client(client)
    for enrollment in (ani, staff_added):
        response = client.post(reverse("intake:selection-move", args=[package.pk, enrollment.pk]), data)
        assert response.status_code in (200, 302)
        assert "<script>alert(1)</script>" not in response.content.decode()
    for waitlist in ("-1", "9" * 40, "²", "<script>"):
        response = client.post(reverse("intake:selection-decide", args=[package.pk]), {**data, "waitlist": waitlist})
        assert response.status_code == 200
    ani.refresh_from_db()
    assert ani.selection_position is None
    assert not TrainingPackage.objects.get(pk=package.pk).selection_decided_at


def test_a_move_of_someone_the_ranking_does_not_list_is_said_at_the_top(client):
    package = _package()
    staff_added = factories.EnrollmentFactory(package=package, status=Status.ENROLLED)
    _staff_client(client, english=True)
    response = client.post(
        reverse("intake:selection-move", args=[package.pk, staff_added.pk]), {"position": "1", "reason": "Alasan"}
    )
    assert response.status_code == 200
    assert 'id="error-summary"' in response.content.decode()
    assert "Only an applicant waiting for the selection" in response.content.decode()


# --- typed online, not on record -------------------------------------------------------------------------


def _ak1_package():
    package = _package(quota=2)
    package.cohort.program.require_ak1 = True
    package.cohort.program.save()
    return TrainingPackage.objects.select_related("cohort__program").get(pk=package.pk)


def test_an_ak1_typed_online_but_not_on_record_holds_the_decision_until_the_record_is_updated(client):
    package = _ak1_package()
    issued = package.starts_on - datetime.timedelta(days=300)
    ani = _online(
        package,
        "Ani",
        90,
        90,
        person={"ak1_number": ""},
        typed={"ak1_number": "3375-2026-00012", "ak1_issued_on": issued.isoformat()},
    )
    _applicant(package, "Budi", 70, 70, person={"ak1_number": "3375-2025-00001", "ak1_issued_on": issued})
    rows = selection_ranking(package)
    assert _names(rows) == ["Budi", "Ani"]
    row = rows[1]
    assert row.rank is None and not row.rankable
    assert [rule.rule for rule in row.failed_rules] == ["ak1"]  # the record has no AK/1 number
    assert row.typed == [f"AK/1 3375-2026-00012, {date_format(issued)}"]
    assert any("3375-2026-00012" in reason for reason in row.unranked_reasons)
    plan = selection_plan(package, ranking=rows)
    assert len(plan.problems) == 1 and "Ani" in plan.problems[0] and "Budi" not in plan.problems[0]
    with pytest.raises(ValidationError) as refused:
        selection_decide(package=package, by=None)
    assert "Ani" in " ".join(refused.value.messages)
    assert Enrollment.objects.get(pk=ani.pk).status == Status.APPLIED  # not turned down unseen
    package.refresh_from_db()
    assert package.selection_decided_at is None

    _staff_client(client, english=True)
    page = client.get(reverse("intake:selection", args=[package.pk])).content.decode()
    assert "Typed online differs from the record" in page and "3375-2026-00012" in page
    assert reverse("admin:participants_participant_change", args=[ani.participant_id]) in page
    assert "The selection cannot be decided yet" in page

    # Staff checked the card and updated the record: the person is ranked on it, and the decision goes.
    person = ani.participant
    person.ak1_number, person.ak1_issued_on = "3375-2026-00012", issued
    person.save()
    rows = selection_ranking(package)
    assert [(name, row.rank, row.typed) for name, row in zip(_names(rows), rows, strict=True)] == [
        ("Ani", 1, []),
        ("Budi", 2, []),
    ]
    assert not selection_plan(package, ranking=rows).problems
    result = selection_decide(package=package, by=None)
    assert (result.accepted, result.rejected) == (2, 0)
    assert Enrollment.objects.get(pk=ani.pk).status == Status.ENROLLED


def test_an_applicant_rejected_by_staff_no_longer_holds_the_decision():
    package = _ak1_package()
    issued = package.starts_on - datetime.timedelta(days=300)
    ani = _online(
        package,
        "Ani",
        90,
        90,
        person={"ak1_number": ""},
        typed={"ak1_number": "3375-2026-00012", "ak1_issued_on": issued.isoformat()},
    )
    _applicant(package, "Budi", 70, 70, person={"ak1_number": "3375-2025-00001", "ak1_issued_on": issued})
    assert selection_plan(package).problems
    enrollment_change_status(
        enrollment=ani, status=Status.REJECTED, reason="Kartu AK/1 tidak dibawa", actor=None, role=Role.STAFF
    )
    assert not selection_plan(package).problems
    assert selection_decide(package=package, by=None).accepted == 1


@pytest.mark.parametrize(
    "person, typed",
    [
        # The card typed expired before the first day: fails as the record does.
        ({"ak1_number": ""}, {"ak1_number": "3375-2023-00012", "ak1_issued_on": "2023-01-05"}),
        # Typed the same as the record.
        ({"ak1_number": ""}, {}),
    ],
)
def test_typed_values_that_fail_too_leave_the_applicant_unranked_and_rejected_as_before(person, typed):
    package = _ak1_package()
    issued = package.starts_on - datetime.timedelta(days=300)
    # An earlier submission with a valid card does not count: the last one does.
    ani = _online(
        package,
        "Ani",
        90,
        90,
        person=person,
        typed=typed,
        earlier=[{"ak1_number": "3375-2026-00099", "ak1_issued_on": issued.isoformat()}],
    )
    _applicant(package, "Budi", 70, 70, person={"ak1_number": "3375-2025-00001", "ak1_issued_on": issued})
    rows = selection_ranking(package)
    assert _names(rows) == ["Budi", "Ani"]
    assert rows[1].rank is None and not rows[1].rankable and rows[1].typed == []
    assert not selection_plan(package, ranking=rows).problems
    result = selection_decide(package=package, by=None)
    assert (result.accepted, result.rejected) == (1, 1)
    ani.refresh_from_db()
    assert ani.status == Status.REJECTED and "AK/1" in ani.decision_reason


def test_a_factory_worker_typed_online_with_the_new_employer_is_held_for_staff():
    package = _package(category=TrainingPackage.Category.FACTORY_WORKERS)
    CategoryRules.objects.create(
        program=package.cohort.program, category=package.category, required_employer="PR Sekar Tembakau"
    )
    _online(
        package,
        "Citra",
        80,
        80,
        person={"employer_name": "PT Batik Lama"},
        typed={"beneficiary_group": "factory_worker", "employer_name": "pr sekar tembakau"},
    )
    _online(  # typed another wrong employer: turned down as before
        package, "Dewi", 80, 80, person={"employer_name": "PT Batik Lama"}, typed={"employer_name": "CV Lain"}
    )
    rows = {row.enrollment.participant.full_name: row for row in selection_ranking(package)}
    group, employer = rows["Citra"].typed
    assert group == str(Participant.BeneficiaryGroup.FACTORY_WORKER.label) and employer.endswith(" pr sekar tembakau")
    assert rows["Dewi"].typed == [] and [rule.rule for rule in rows["Dewi"].failed_rules] == ["factory_worker"]
    problems = selection_plan(package).problems
    assert len(problems) == 1 and "Citra" in problems[0] and "Dewi" not in problems[0]


def test_a_submission_that_cannot_be_read_is_no_error():
    package = _ak1_package()
    _online(
        package,
        "Ani",
        90,
        90,
        person={"ak1_number": "", "kelurahan": None},
        typed={
            "ak1_number": "3375",
            "ak1_issued_on": "5 Januari",
            "kelurahan": "99.99",
            "employment_status_at_intake": "astronaut",
        },
    )
    rows = selection_ranking(package)
    assert rows[0].rank is None and rows[0].typed == []
    assert [rule.rule for rule in rows[0].failed_rules] == ["domicile", "ak1"]
