"""The enrollment lifecycle, pair by pair: every (from, to, role, timing), through the services and the admin.

The expectations below are written out by hand from DESIGN.md ("The enrollment lifecycle"), not read
from participants/lifecycle.py, so a change to the table that the design does not allow fails here.
"""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from participants.lifecycle import Role, Timing, errors
from participants.models import Enrollment
from participants.services import enrollment_change_status, enrollment_create, registration_create
from programs.models import TrainingPackage
from tests.factories import (
    AttendanceFactory,
    CohortFactory,
    EnrollmentFactory,
    KelurahanFactory,
    OfficialFactory,
    OperatorFactory,
    OutcomeFactory,
    ParticipantFactory,
    ProviderFactory,
    SessionFactory,
    StaffFactory,
    TrainingPackageFactory,
)

S = Enrollment.Status
B, R, E, C = Timing.BEFORE, Timing.RUNNING, Timing.ENDED, Timing.CLOSED
OPEN, ANY = {B, R, E}, {B, R, E, C}
NEW = None

# (from, to) -> {role: (timings allowed, timings in which a written reason is required)}
STAFF_ONLY = Role.STAFF
EXPECTED = {
    (NEW, S.APPLIED): {Role.STAFF: (OPEN, set()), Role.RESIDENT: ({B}, set())},
    (NEW, S.ENROLLED): {STAFF_ONLY: (OPEN, set())},
    (NEW, S.WAITLISTED): {STAFF_ONLY: ({B, R}, set())},
    (NEW, S.REJECTED): {STAFF_ONLY: (OPEN, OPEN)},
    (S.APPLIED, S.ENROLLED): {STAFF_ONLY: (OPEN, set())},
    (S.APPLIED, S.WAITLISTED): {STAFF_ONLY: ({B, R}, set())},
    (S.APPLIED, S.REJECTED): {STAFF_ONLY: (ANY, ANY)},
    (S.APPLIED, S.WITHDRAWN): {STAFF_ONLY: (ANY, set())},
    (S.WAITLISTED, S.ENROLLED): {STAFF_ONLY: (OPEN, set()), Role.SYSTEM: ({B}, set())},
    (S.WAITLISTED, S.REJECTED): {STAFF_ONLY: (ANY, ANY)},
    (S.WAITLISTED, S.WITHDRAWN): {STAFF_ONLY: (ANY, set())},
    (S.ENROLLED, S.WITHDRAWN): {STAFF_ONLY: ({B}, set())},
    (S.ENROLLED, S.DROPPED_OUT): {STAFF_ONLY: ({R, E, C}, {C})},
    (S.ENROLLED, S.COMPLETED): {Role.STAFF: ({E, C}, {C}), Role.TRUSTED_OPERATOR: ({E}, set())},
    (S.COMPLETED, S.DROPPED_OUT): {STAFF_ONLY: ({E, C}, {E, C})},
    (S.COMPLETED, S.ENROLLED): {STAFF_ONLY: ({E, C}, {E, C})},
    (S.DROPPED_OUT, S.ENROLLED): {STAFF_ONLY: ({R, E, C}, {R, E, C})},
}
ROLES = [Role.STAFF, Role.OPERATOR, Role.TRUSTED_OPERATOR, Role.RESIDENT, Role.SYSTEM, None]
SOURCES = [NEW, *S.values]
PAIRS = [(source, target) for source in SOURCES for target in S.values if source != target]


def expected(source, target, role, when):
    """'yes', 'reason' (only with a written reason) or 'no'."""
    timings, with_reason = EXPECTED.get((source, target), {}).get(role, (set(), set()))
    if when not in timings:
        return "no"
    return "reason" if when in with_reason else "yes"


@pytest.mark.parametrize("source,target", PAIRS)
def test_the_table_answers_every_pair_for_every_role_and_timing(source, target):
    for role, when in itertools.product(ROLES, Timing):
        found = errors(source=source, target=target, role=role, when=when)
        with_reason = errors(source=source, target=target, role=role, when=when, reason="Salah input")
        want = expected(source, target, role, when)
        case = (source, target, role, when)
        if want == "yes":
            assert found == {}, case
        elif want == "reason":
            assert set(found) == {"reason"} and with_reason == {}, case
        else:
            assert set(found) == {"status"} and set(with_reason) == {"status"}, case


# --- through the services --------------------------------------------------------------------------


def _packages(operator, trusted_operator):
    """One package per timing (relative to today), each with one meeting; two providers' operators."""
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    # Registration closes before a wave's training starts: the coming package has a wave of its own.
    coming = CohortFactory(
        registration_opens=today - 30 * day,
        registration_closes=today + 2 * day,
        starts_on=today + 5 * day,
        ends_on=today + 60 * day,
    )
    earlier = CohortFactory(
        registration_opens=today - 90 * day,
        registration_closes=today - 61 * day,
        starts_on=today - 60 * day,
        ends_on=today + 60 * day,
    )
    dates = {
        B: (today + 5 * day, today + 20 * day, TrainingPackage.Status.OPEN),
        R: (today - 5 * day, today + 5 * day, TrainingPackage.Status.RUNNING),
        E: (today - 20 * day, today, TrainingPackage.Status.RUNNING),  # from the last day on
        C: (today - 40 * day, today - 10 * day, TrainingPackage.Status.COMPLETED),
    }
    packages = {}
    for when, (starts_on, ends_on, status) in dates.items():
        for trusted in (False, True):
            provider = ProviderFactory(operators=[trusted_operator if trusted else operator])
            package = TrainingPackageFactory(
                cohort=coming if when == B else earlier,
                provider=provider,
                starts_on=starts_on,
                ends_on=ends_on,
                status=status,
                operators_confirm_completion=trusted,
                quota=500,
            )
            SessionFactory(package=package, date=starts_on)
            packages[when, trusted] = package
    return packages


def _enrollment(package, status):
    enrollment = EnrollmentFactory(
        package=package,
        status=status,
        waitlisted_at=timezone.now() if status == S.WAITLISTED else None,
        enrolled_on=package.starts_on if status in Enrollment.SEAT_STATUSES else None,
    )
    if status in Enrollment.SEAT_STATUSES:  # attendance reaching the minimum, so completion can follow
        AttendanceFactory(enrollment=enrollment, session=package.sessions.get())
    return enrollment


@pytest.mark.django_db
def test_every_pair_through_the_services_for_every_role_and_timing():
    operator, trusted_operator, official = OperatorFactory(), OperatorFactory(), OfficialFactory()
    staff = StaffFactory()
    packages = _packages(operator, trusted_operator)
    actors = {Role.STAFF: staff, Role.OPERATOR: operator, Role.TRUSTED_OPERATOR: trusted_operator, None: official}
    # One row per package and status, each case in a savepoint rolled back afterwards.
    rows = {(key, status): _enrollment(package, status) for key, package in packages.items() for status in S.values}
    newcomer = ParticipantFactory()
    checked = 0
    for (source, target), (role, actor), when in itertools.product(PAIRS, actors.items(), Timing):
        key = (when, role == Role.TRUSTED_OPERATOR)
        package = packages[key]
        want = expected(source, target, role, when)
        for reason in ("", "Data dikoreksi"):
            case = (source, target, role, when, reason)
            with transaction.atomic():
                sid = transaction.savepoint()
                try:
                    if source is NEW:
                        enrollment = enrollment_create(
                            participant=newcomer, package=package, status=target, reason=reason, actor=actor
                        )
                    else:
                        enrollment = rows[key, source]
                        enrollment_change_status(enrollment=enrollment, status=target, reason=reason, actor=actor)
                    outcome = "saved"
                except ValidationError as error:
                    outcome = "refused"
                    assert set(error.message_dict) <= {"status", "reason", "package"}, case
                    if source is not NEW:
                        enrollment.refresh_from_db()
                        assert enrollment.status == source, case
                    else:
                        assert not Enrollment.objects.filter(participant=newcomer).exists(), case
                if outcome == "saved":
                    stored = Enrollment.objects.get(pk=enrollment.pk)
                    assert stored.status == target, case
                    if reason:
                        assert stored.decision_reason == reason, case
                transaction.savepoint_rollback(sid)
            should_save = want == "yes" or (want == "reason" and reason)
            assert outcome == ("saved" if should_save else "refused"), case
            checked += 1
    assert checked == len(PAIRS) * len(actors) * len(Timing) * 2


@pytest.mark.django_db
def test_registration_is_the_residents_only_way_in_and_only_before_the_start():
    packages = _packages(OperatorFactory(), OperatorFactory())
    for when in Timing:
        package = packages[when, False]
        TrainingPackage.objects.filter(pk=package.pk).update(status=TrainingPackage.Status.OPEN)
        person = ParticipantFactory.build(kelurahan=KelurahanFactory())
        data = {
            name: getattr(person, name)
            for name in ("nik", "full_name", "sex", "birth_date", "phone", "address", "education")
        }
        data.update(
            kelurahan=person.kelurahan,
            employment_status_at_intake=person.employment_status_at_intake,
            beneficiary_group=person.beneficiary_group,
        )
        if when == B:
            enrollment, created = registration_create(package=package, participant_data=data)
            assert (created, enrollment.status, enrollment.source) == (True, S.APPLIED, Enrollment.Source.REGISTRATION)
        else:
            with pytest.raises(ValidationError):
                registration_create(package=package, participant_data=data)
            assert not Enrollment.objects.filter(package=package).exists()


# --- what follows a change ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_seat_freed_before_the_start_goes_to_the_first_on_the_waitlist_as_the_system():
    packages = _packages(OperatorFactory(), OperatorFactory())
    package = packages[B, False]
    leaving = _enrollment(package, S.ENROLLED)
    first = EnrollmentFactory(package=package, status=S.WAITLISTED, waitlisted_at=timezone.now(), enrolled_on=None)
    change = enrollment_change_status(enrollment=leaving, status=S.WITHDRAWN, actor=StaffFactory())
    first.refresh_from_db()
    assert change.promoted == first
    assert first.status == S.ENROLLED
    assert leaving.participant.full_name in first.decision_reason


@pytest.mark.django_db
def test_setting_a_completer_back_needs_a_reason_keeps_it_and_says_the_follow_ups_stop_counting():
    packages = _packages(OperatorFactory(), OperatorFactory())
    completer = _enrollment(packages[C, False], S.COMPLETED)
    OutcomeFactory(enrollment=completer)
    staff = StaffFactory()
    with pytest.raises(ValidationError) as error:
        enrollment_change_status(enrollment=completer, status=S.DROPPED_OUT, actor=staff)
    assert "reason" in error.value.message_dict
    with translation.override("en"):
        change = enrollment_change_status(
            enrollment=completer, status=S.DROPPED_OUT, reason="Tidak hadir ujian akhir", actor=staff
        )
    completer.refresh_from_db()
    assert (completer.status, completer.completed_on, completer.decision_reason) == (
        S.DROPPED_OUT,
        None,
        "Tidak hadir ujian akhir",
    )
    assert completer.history.first().history_change_reason == "Tidak hadir ujian akhir"
    assert completer.history.first().history_user == staff
    assert change.notices == [
        f"1 follow-up answer of {completer.participant.full_name} no longer counts in the figures."
    ]


@pytest.mark.django_db
def test_a_drop_out_in_a_running_package_cannot_become_withdrew_before_the_start():
    packages = _packages(OperatorFactory(), OperatorFactory())
    package = packages[R, False]
    dropped = _enrollment(package, S.DROPPED_OUT)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        enrollment_change_status(enrollment=dropped, status=S.WITHDRAWN, reason="salah", actor=StaffFactory())
    assert error.value.message_dict["status"] == [
        "An enrollment cannot go from “Dropped out” to “Withdrew before the start”. "
        "From “Dropped out” it can go to: Enrolled."
    ]
    dropped.refresh_from_db()
    assert dropped.status == S.DROPPED_OUT
    assert Enrollment.objects.filter(package=package).holding_seats().count() == 1


# --- through the admin's change form -------------------------------------------------------------------


def _form_data(enrollment, status, reason):
    return {
        "status": status,
        "reason": reason,
        "override_reason": enrollment.override_reason,
        "assessment": enrollment.assessment,
        "certificate_number": enrollment.certificate_number,
        "competency": enrollment.competency,
        "_save": "Simpan",
    }


@pytest.mark.django_db
def test_every_pair_through_the_admin_change_form(client):
    staff = StaffFactory()
    client.force_login(staff)
    packages = _packages(OperatorFactory(), OperatorFactory())
    rows = {(when, status): _enrollment(packages[when, False], status) for when in Timing for status in S.values}
    checked = 0
    for (source, target), when in itertools.product(PAIRS, Timing):
        package = packages[when, False]
        want = expected(source, target, Role.STAFF, when)
        for reason in ("", "Data dikoreksi"):
            case = (source, target, when, reason)
            with transaction.atomic():
                sid = transaction.savepoint()
                if source is NEW:
                    person = ParticipantFactory()
                    data = {"participant": person.pk, "package": package.pk, "status": target, "reason": reason}
                    response = client.post(reverse("admin:participants_enrollment_add"), data)
                    saved = Enrollment.objects.filter(participant=person, package=package, status=target).exists()
                else:
                    enrollment = rows[when, source]
                    url = reverse("admin:participants_enrollment_change", args=[enrollment.pk])
                    response = client.post(url, _form_data(enrollment, target, reason))
                    enrollment.refresh_from_db()
                    saved = enrollment.status == target
                should_save = want == "yes" or (want == "reason" and reason)
                assert saved == bool(should_save), case
                if should_save:
                    assert response.status_code == 302, case
                else:
                    assert response.status_code == 200, case
                    page = response.content.decode()
                    assert "errorlist" in page, case
                transaction.savepoint_rollback(sid)
            checked += 1
    assert checked == len(PAIRS) * len(Timing) * 2


@pytest.mark.django_db
def test_the_admin_offers_only_the_changes_the_table_allows(client):
    client.force_login(StaffFactory())
    packages = _packages(OperatorFactory(), OperatorFactory())
    dropped = _enrollment(packages[R, False], S.DROPPED_OUT)
    page = client.get(reverse("admin:participants_enrollment_change", args=[dropped.pk])).content.decode()
    assert f'value="{S.DROPPED_OUT}"' in page and f'value="{S.ENROLLED}"' in page
    for impossible in (S.WITHDRAWN, S.COMPLETED, S.APPLIED, S.REJECTED, S.WAITLISTED):
        assert f'<option value="{impossible}"' not in page


# --- no other way --------------------------------------------------------------------------------------


def _status_writes():
    """Places in the apps that write an enrollment's status themselves, outside participants/lifecycle.py."""
    import ast
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    others = {"attendance", "outcome", "package", "session", "mark"}  # other models with a status
    for app in ("participants", "programs", "reports"):
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts or "management" in path.parts or path.name == "lifecycle.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Attribute) and target.attr == "status":
                            owner = ast.unparse(target.value).split(".")[-1].lower()
                            if owner not in others:
                                yield f"{path.relative_to(root)}:{node.lineno}"
                elif isinstance(node, ast.Call):
                    name = ast.unparse(node.func)
                    writes = name.endswith((".update", ".create", ".bulk_create")) or name == "Enrollment"
                    enrollment = "Enrollment" in name or "Enrollment.Status" in ast.unparse(node)
                    if writes and enrollment and any(k.arg == "status" for k in node.keywords):
                        yield f"{path.relative_to(root)}:{node.lineno}"


def test_no_code_outside_the_lifecycle_writes_an_enrollment_status():
    assert list(_status_writes()) == []


@pytest.mark.django_db
def test_an_enrollment_is_never_deleted_in_the_admin(client):
    client.force_login(StaffFactory())
    enrollment = EnrollmentFactory()
    assert client.get(reverse("admin:participants_enrollment_delete", args=[enrollment.pk])).status_code == 403
    response = client.post(
        reverse("admin:participants_enrollment_changelist"),
        {"action": "delete_selected", "_selected_action": [enrollment.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()
