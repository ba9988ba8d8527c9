"""seed_demo: the 2023 package mix, valid people, every enrollment rule kept, the follow-up links of the
open rounds and the tracer answers, the DBHCHT plan, spending and allowances, an idempotent second run."""

import datetime
import io
import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from participants.allowances import allowance_list
from participants.followups import REMINDER_AFTER_DAYS, due_for_round, round_due_on, to_call
from participants.models import AllowancePayment, Attendance, Enrollment, FollowUpInvitation, Outcome, Participant
from participants.nik import parse_nik
from participants.selectors import with_seat_counts
from participants.services.followup_links import window_open
from pekalongan_training.dates import add_months
from pekalongan_training.roles import is_dinas_staff, is_official, is_operator
from programs.forms import BUDGET_CODE, accreditation_warning
from programs.models import (
    JOB_SEEKER_TRAINING_SUB_ACTIVITY,
    Cohort,
    Expenditure,
    Kelurahan,
    Program,
    ProgramFunding,
    Provider,
    Session,
    TrainingPackage,
    Vocation,
)
from programs.services import session_generate
from reports.realisation import realisation_report

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = {"staf", "pejabat", "operator-blk"}
Status = TrainingPackage.Status


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [
        Program,
        Cohort,
        TrainingPackage,
        Session,
        Provider,
        Participant,
        Enrollment,
        Attendance,
        Outcome,
        FollowUpInvitation,
        ProgramFunding,
        Expenditure,
        AllowancePayment,
    ]
    counts = {model.__name__: model.objects.count() for model in models}
    counts["User"] = get_user_model().objects.count()
    return counts


def test_first_run_builds_the_2023_program_with_the_city_mix():
    seed()

    program = Program.objects.get(fiscal_year=2023)
    assert program.name == "Pelatihan Keterampilan Kerja DBHCHT 2023"
    assert program.funding_source == Program.FundingSource.DBHCHT
    waves = list(program.cohorts.order_by("number"))
    assert [wave.number for wave in waves] == [1, 2, 3]
    assert (waves[2].registration_opens.month, waves[2].registration_opens.day <= 7) == (9, True)
    packages_2023 = TrainingPackage.objects.filter(cohort__program=program)
    assert Counter(packages_2023.values_list("category", flat=True)) == {
        TrainingPackage.Category.KELURAHAN: 8,
        TrainingPackage.Category.FACTORY_WORKERS: 17,
        TrainingPackage.Category.BLK: 33,
    }
    assert all(package.starts_on.year == package.ends_on.year == 2023 for package in packages_2023)
    assert set(packages_2023.exclude(status=TrainingPackage.Status.COMPLETED).values_list("status", flat=True)) <= {
        TrainingPackage.Status.CANCELLED
    }
    assert not packages_2023.filter(status=TrainingPackage.Status.CANCELLED, enrollments__isnull=False).exists()
    assert set(
        TrainingPackage.objects.filter(category=TrainingPackage.Category.BLK).values_list("quota", flat=True)
    ) == {16}
    assert set(
        TrainingPackage.objects.exclude(category=TrainingPackage.Category.BLK).values_list("quota", flat=True)
    ) == {20}
    assert not packages_2023.exclude(status=TrainingPackage.Status.CANCELLED).filter(sessions__isnull=True).exists()

    current = Program.objects.get(fiscal_year=timezone.localdate().year)
    assert current.cohorts.count() == 4
    for cohort in current.cohorts.all():  # registration closes before the wave's training starts
        assert cohort.registration_closes < cohort.starts_on
    assert {TrainingPackage.Status.RUNNING, TrainingPackage.Status.OPEN, TrainingPackage.Status.PLANNED} <= set(
        current.cohorts.values_list("packages__status", flat=True)
    )

    # Follow-ups: every round of 2023 by staff calls, long closed to the personal links.
    outcomes_2023 = Outcome.objects.filter(enrollment__package__cohort__program=program)
    assert set(outcomes_2023.values_list("round", flat=True)) == set(Outcome.Round.values)
    assert set(outcomes_2023.values_list("source", flat=True)) == {Outcome.Source.STAFF_CALL}
    assert not FollowUpInvitation.objects.filter(enrollment__package__cohort__program=program).exists()

    # Last year's program, all completed, so a 6- or 12-month round is open on any day of this year.
    last_year = Program.objects.get(fiscal_year=timezone.localdate().year - 1)
    assert set(last_year.cohorts.values_list("packages__status", flat=True)) == {TrainingPackage.Status.COMPLETED}
    assert all(
        package.ends_on.year == last_year.fiscal_year
        for package in TrainingPackage.objects.filter(cohort__program=last_year)
    )


def test_first_run_makes_valid_people_spread_over_the_city():
    seed()
    today = timezone.localdate()

    participants = list(Participant.objects.select_related("kelurahan__kecamatan"))
    assert 1000 <= len(participants) <= 1600
    for person in participants:
        info = parse_nik(person.nik, today=today)
        assert (info.sex, info.birth_date) == (person.sex, person.birth_date), person.nik
        if person.kelurahan is not None:
            assert person.nik[:6] == person.kelurahan.kecamatan.code.replace(".", "")
    assert any(person.kelurahan is None for person in participants)
    assert any(" " not in person.full_name for person in participants)
    assert Kelurahan.objects.annotate(people=Count("participants")).filter(people=0).count() == 0
    assert Kelurahan.objects.count() == 27
    factory_people = Participant.objects.filter(
        enrollments__package__category=TrainingPackage.Category.FACTORY_WORKERS
    ).values_list("beneficiary_group", flat=True)
    assert set(factory_people) == {Participant.BeneficiaryGroup.FACTORY_WORKER}


def test_first_run_keeps_every_enrollment_rule():
    seed()
    today = timezone.localdate()

    assert not with_seat_counts(TrainingPackage.objects).filter(seats_used__gt=F("quota")).exists()
    same_year = (
        Enrollment.objects.exclude(status=Enrollment.Status.REJECTED)
        .values("participant", "package__cohort__program__fiscal_year")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not same_year.exists()
    trained_twice = Participant.objects.annotate(
        years=Count(
            "enrollments__package__cohort__program__fiscal_year",
            filter=Q(enrollments__status__in=Enrollment.SEAT_STATUSES),
            distinct=True,
        )
    ).filter(years=2)
    assert trained_twice.exists()

    assert not Attendance.objects.exclude(session__package=F("enrollment__package")).exists()
    assert not Attendance.objects.filter(session__date__gte=today).exists()
    assert Enrollment.objects.filter(status=Enrollment.Status.DROPPED_OUT).exists()

    # Completed only with present marks at the package's minimum share of all its meetings.
    present = (
        Attendance.objects.filter(enrollment=OuterRef("pk"), status=Attendance.Status.PRESENT)
        .values("enrollment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    planned = Session.objects.filter(package=OuterRef("package")).values("package").annotate(n=Count("pk")).values("n")
    completed = Enrollment.objects.filter(status=Enrollment.Status.COMPLETED)
    below_minimum = (
        completed.annotate(present=Coalesce(Subquery(present), Value(0)), planned=Coalesce(Subquery(planned), Value(0)))
        .annotate(present_x100=F("present") * 100, required_x100=F("planned") * F("package__min_attendance_percent"))
        .filter(Q(planned=0) | Q(present_x100__lt=F("required_x100")))
    )
    assert completed.count() > 800
    assert not below_minimum.exists()
    assert not completed.exclude(completed_on=F("package__ends_on")).exists()
    assert not completed.exclude(package__status=TrainingPackage.Status.COMPLETED).exists()
    assert not Outcome.objects.exclude(enrollment__status=Enrollment.Status.COMPLETED).exists()
    assert not Outcome.objects.filter(recorded_on__gt=today).exists()

    # The provider portal has today's meeting of a running class to mark.
    todays = Session.objects.filter(date=today, package__status=TrainingPackage.Status.RUNNING)
    assert todays.annotate(marks=Count("attendances")).filter(marks=0).exists()

    # The meetings are exactly what session_generate would make.
    for package in TrainingPackage.objects.exclude(status=TrainingPackage.Status.CANCELLED)[:5]:
        result = session_generate(package=package)
        assert (result.created, result.removed) == (0, 0)


def test_first_run_sends_the_links_of_the_open_rounds_and_some_answer_through_them():
    seed()
    today, now = timezone.localdate(), timezone.now()
    completers = Enrollment.objects.filter(status=Enrollment.Status.COMPLETED).select_related("participant", "package")
    invitations = list(FollowUpInvitation.objects.select_related("enrollment__package"))
    sent = {(invitation.enrollment_id, invitation.round) for invitation in invitations}

    # Everyone with a phone whose 6- or 12-month round is open got its link a few days after it came due.
    open_rounds = 0
    for round_ in (Outcome.Round.MONTH_6, Outcome.Round.MONTH_12):
        for enrollment in due_for_round(completers, round_, today):
            due_on = round_due_on(enrollment.package.ends_on, round_)
            if (
                window_open(enrollment, round_, today)
                and enrollment.participant.phone
                and due_on < today - datetime.timedelta(days=5)
            ):
                open_rounds += 1
                assert (enrollment.pk, round_) in sent, (enrollment.package.code, round_)
    assert open_rounds >= 40

    for invitation in invitations:
        enrollment, round_ = invitation.enrollment, invitation.round
        assert window_open(enrollment, round_, today)  # no link for a round whose window has closed
        sent_on = timezone.localdate(invitation.sent_at)  # the dinas's day, Asia/Jakarta
        assert round_due_on(enrollment.package.ends_on, round_) < sent_on < today
        assert invitation.reminders_sent in (0, 1, 2)
        assert invitation.last_sent_at == invitation.sent_at + datetime.timedelta(
            days=REMINDER_AFTER_DAYS * invitation.reminders_sent
        )
        assert invitation.last_sent_at < now
        if invitation.answered_at is not None:
            assert invitation.last_sent_at < invitation.answered_at < now
    assert {invitation.reminders_sent for invitation in invitations} == {0, 1, 2}

    # About 40% answered through the link, among those who had three weeks to (the others: sent lately).
    old = [i for i in invitations if timezone.localdate(i.sent_at) <= today - datetime.timedelta(days=21)]
    answered = [i for i in old if i.answered_at is not None]
    assert 0.3 <= len(answered) / len(old) <= 0.55, (len(answered), len(old))

    self_reported = Outcome.objects.filter(source=Outcome.Source.SELF_REPORTED).select_related("verified_by")
    assert self_reported.count() >= 15
    assert not self_reported.filter(recorded_by__isnull=False).exists()
    answered_at = {(i.enrollment_id, i.round): i.answered_at for i in invitations}
    for outcome in self_reported:
        answer = answered_at.get((outcome.enrollment_id, outcome.round))
        assert answer is not None, outcome
        assert outcome.recorded_on == timezone.localdate(answer)
        assert outcome.status != Outcome.Status.UNREACHABLE
        assert outcome.satisfaction is not None and outcome.contact_again is not None
        if outcome.verified_at is not None:
            assert answer < outcome.verified_at < now
            assert outcome.verified_by.username == "staf"
    assert sum(o.answered_at is not None for o in invitations) == self_reported.count()
    assert self_reported.filter(verified_at__isnull=False).exists()
    assert self_reported.filter(verified_at__isnull=True).exists()

    # The others: some called by staff from the call list, some still on it.
    called = Outcome.objects.filter(
        source=Outcome.Source.STAFF_CALL,
        enrollment__followup_invitations__round=F("round"),
        enrollment__followup_invitations__answered_at__isnull=True,
    )
    assert called.exists()
    call_list = 0
    for round_ in Outcome.Round.values:
        due = to_call(due_for_round(Enrollment.objects.all(), round_, today), round_, today)
        call_list += due.filter(followup_invitations__round=round_).exclude(outcomes__round=round_).count()
    assert call_list > 0


def test_first_run_gives_the_tracer_answers_realistic_figures():
    seed()
    today = timezone.localdate()
    outcomes = Outcome.objects.select_related("enrollment__package")
    working = outcomes.filter(status__in=Outcome.WORKING_STATUSES)

    # Since when: for everyone working, never before the training began, never after the answer or today.
    assert not working.filter(work_started_on__isnull=True).exists()
    assert not outcomes.exclude(status__in=Outcome.WORKING_STATUSES).filter(work_started_on__isnull=False).exists()
    assert not outcomes.filter(work_started_on__lt=F("enrollment__package__starts_on")).exists()
    assert not outcomes.filter(work_started_on__gt=F("recorded_on")).exists()
    assert not outcomes.filter(work_started_on__gt=today).exists()
    assert not outcomes.filter(recorded_on__gt=today).exists()
    assert not outcomes.filter(verified_at__gt=timezone.now()).exists()
    # The waiting time from the training's end falls in every band the dashboard shows.
    bands = Counter()
    for outcome in working:
        ends_on = outcome.enrollment.package.ends_on
        months = next(m for m in (3, 6, 12, 120) if outcome.work_started_on <= add_months(ends_on, m))
        bands[months] += 1
    assert bands[3] > bands[6] > bands[12] > 0, bands

    # Satisfaction: most answers have one, mostly 4-5, some 2-3.
    reached = outcomes.exclude(status=Outcome.Status.UNREACHABLE)
    scores = Counter(reached.exclude(satisfaction=None).values_list("satisfaction", flat=True))
    assert sum(scores.values()) >= 0.75 * reached.count()
    assert scores[4] + scores[5] >= 0.7 * sum(scores.values())
    assert scores[2] > 0 and scores[3] > 0
    assert not outcomes.filter(status=Outcome.Status.UNREACHABLE, satisfaction__isnull=False).exists()

    # What would help: capital first for the self-employed, placement for those not working.
    helps = {status: Counter() for status in Outcome.Status.values}
    for status, help_needed in outcomes.values_list("status", "help_needed"):
        assert help_needed == [value for value in Outcome.Help.values if value in help_needed]  # the form's order
        helps[status].update(help_needed)
    assert helps[Outcome.Status.SELF_EMPLOYED].most_common(1)[0][0] == Outcome.Help.CAPITAL
    assert helps[Outcome.Status.NOT_WORKING].most_common(1)[0][0] == Outcome.Help.PLACEMENT
    assert reached.filter(help_needed=[]).exists()
    assert reached.filter(contact_again=True).count() > 3 * reached.filter(contact_again=False).count()


def spent_by_package() -> dict[int, int]:
    return dict(Expenditure.objects.values("package").annotate(total=Sum("amount")).values_list("package", "total"))


def test_first_run_plans_and_spends_2023_a_little_under_the_pagu():
    seed()
    today = timezone.localdate()
    packages = list(TrainingPackage.objects.filter(cohort__program__fiscal_year=2023).exclude(status=Status.CANCELLED))
    assert len(packages) == 57
    spent = spent_by_package()
    seats = Counter(
        Enrollment.objects.filter(package__in=packages, status__in=Enrollment.SEAT_STATUSES).values_list(
            "package", flat=True
        )
    )
    completed = Counter(
        Enrollment.objects.filter(package__in=packages, status=Enrollment.Status.COMPLETED).values_list(
            "package", flat=True
        )
    )

    # The plan: the default sub-activity, an account code in the DPA's shape, the volume as the
    # budget revision left it (the seats filled, at most one more, never above the quota), a daily
    # allowance, and support costs only where a kelurahan hosts the class.
    for package in packages:
        assert package.sub_activity_code == JOB_SEEKER_TRAINING_SUB_ACTIVITY
        assert BUDGET_CODE.fullmatch(package.account_code), package.account_code
        assert package.account_code.startswith("5.1.02.")
        assert seats[package.pk] <= package.planned_participants <= min(package.quota, seats[package.pk] + 1)
        assert package.allowance_daily_rate in (30_000, 40_000)
        assert (package.support_cost > 0) == (package.category == TrainingPackage.Category.KELURAHAN)
        assert package.support_cost <= package.budget
        # A little under the pagu, never over it.
        assert 0.88 * package.budget <= spent[package.pk] <= package.budget, (package.code, spent[package.pk])
    cancelled = TrainingPackage.objects.get(cohort__program__fiscal_year=2023, status=Status.CANCELLED)
    assert not cancelled.spending.exists()

    entries = Expenditure.objects.filter(package__cohort__program__fiscal_year=2023).select_related(
        "package", "entered_by"
    )
    assert set(entries.values_list("kind", flat=True)) == set(Expenditure.Kind.values) - {Expenditure.Kind.OTHER}
    for entry in entries:
        assert entry.package.starts_on <= entry.spent_on <= entry.package.ends_on, entry
        assert entry.entered_by.username == "staf"
        assert entry.over_pagu_reason == ""
    numbers = list(entries.values_list("document_number", flat=True))
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"\d{4}/SP2D-(LS|GU)/DINPERINAKER/2023", number) for number in numbers)

    # The realisation report: financial a little under the pagu, physical about 100%.
    report = realisation_report(year=2023, period="year", as_of=today)
    assert report.total.pagu == sum(package.budget for package in packages)
    assert report.total.spent == sum(spent[package.pk] for package in packages) == sum(e.amount for e in entries)
    assert report.total.completed == sum(completed.values())
    assert report.total.volume == sum(package.planned_participants for package in packages)
    assert 90 <= report.total.financial.percent < 100, report.total.financial
    assert 95 <= report.total.physical.percent <= 105, report.total.physical
    assert report.total.meetings.percent == 100
    assert all(row.spent <= row.pagu for row in report.packages)

    # Each program's pagu by funding source adds up to its budget, which holds its packages' pagu.
    for program in Program.objects.all():
        funding = dict(program.funding.values_list("funding_source", "pagu"))
        assert sum(funding.values()) == program.budget, program
        assert funding[Program.FundingSource.DBHCHT] > funding.get(Program.FundingSource.APBD, 0)
        package_pagu = (
            TrainingPackage.objects.filter(cohort__program=program)
            .exclude(status=Status.CANCELLED)
            .aggregate(total=Sum("budget"))["total"]
        )
        assert package_pagu <= program.budget
    assert set(ProgramFunding.objects.filter(program__fiscal_year=2023).values_list("funding_source", flat=True)) == {
        Program.FundingSource.DBHCHT,
        Program.FundingSource.APBD,
    }

    # Kemnaker's references, well formed, and no package warned about its LPK's accreditation.
    assert not Vocation.objects.filter(kejuruan_code="").exists()
    assert all(
        re.fullmatch(r"[A-Z]{2,3}\.\d{2}", code) for code in Vocation.objects.values_list("kejuruan_code", flat=True)
    )
    for provider in Provider.objects.all():
        provider.full_clean()  # the NIB's 13 digits
        assert provider.vin_lpk and provider.accreditation_grade and provider.accreditation_expires_on > today
        if provider.kind == Provider.Kind.LPK:
            assert re.fullmatch(r"\d{13}", provider.nib), provider
    for package in TrainingPackage.objects.select_related("provider"):
        assert accreditation_warning(package) == "", package.code
    assert TrainingPackage.objects.filter(
        status__in=[Status.PLANNED, Status.OPEN], provider__kind=Provider.Kind.LPK
    ).exists()  # so the check above checked something


def test_first_run_spends_this_year_as_far_as_the_classes_have_run_and_pays_the_allowances():
    seed()
    today = timezone.localdate()
    year = today.year
    spent = spent_by_package()
    assert not Expenditure.objects.filter(spent_on__gt=today).exists()
    assert not Expenditure.objects.exclude(spent_on__year=F("package__cohort__program__fiscal_year")).exists()
    assert not Expenditure.objects.filter(spent_on__lt=F("package__starts_on")).exists()

    packages = list(TrainingPackage.objects.filter(cohort__program__fiscal_year=year))
    by_status = Counter(package.status for package in packages)
    assert by_status[Status.COMPLETED] and by_status[Status.RUNNING] and by_status[Status.OPEN]
    for package in packages:
        share = spent.get(package.pk, 0) / package.budget
        if package.status == Status.COMPLETED:  # nearly fully spent
            assert 0.88 <= share <= 1, (package.code, share)
        elif package.status == Status.RUNNING:  # materials, and the meetings held so far; no allowances yet
            assert 0.2 < share < 0.8, (package.code, share)
            assert not package.spending.filter(kind=Expenditure.Kind.ALLOWANCES).exists()
        else:  # not begun: nothing
            assert share == 0, package.code
    report = realisation_report(year=year, period="year", as_of=today)
    assert report.total.spent == sum(spent.get(package.pk, 0) for package in packages)
    assert report.total.pagu == sum(package.budget for package in packages)
    assert 20 <= report.total.financial.percent <= 80, report.total.financial
    completers = Enrollment.objects.filter(package__in=packages, status=Enrollment.Status.COMPLETED).count()
    assert report.total.completed == completers > 0
    assert report.total.volume == sum(package.quota for package in packages)

    # Allowances: each completed class paid once, everyone with a day counted, as the marks count them
    # (excused days too where the package says so), and the payments add up to their spending entry.
    marks = {
        row["enrollment"]: row
        for row in Attendance.objects.values("enrollment").annotate(
            present=Count("pk", filter=Q(status=Attendance.Status.PRESENT)),
            excused=Count("pk", filter=Q(status=Attendance.Status.EXCUSED)),
        )
    }
    completed_packages = TrainingPackage.objects.filter(status=Status.COMPLETED)
    assert completed_packages.count() > 60
    entries = Expenditure.objects.filter(kind=Expenditure.Kind.ALLOWANCES)
    assert sorted(entries.values_list("package", flat=True)) == sorted(completed_packages.values_list("pk", flat=True))
    paid_days, totals = Counter(), Counter()
    payments = AllowancePayment.objects.select_related("spending__package", "enrollment")
    for payment in payments:
        package, entry = payment.spending.package, payment.spending
        assert entry.kind == Expenditure.Kind.ALLOWANCES
        assert payment.enrollment.package_id == package.pk
        assert payment.paid_on == entry.spent_on and payment.daily_rate == package.allowance_daily_rate
        counted = marks[payment.enrollment_id]["present"]
        if package.allowance_counts_excused:
            counted += marks[payment.enrollment_id]["excused"]
        assert payment.days == counted > 0
        assert payment.amount == payment.days * payment.daily_rate
        paid_days[package.allowance_counts_excused] += payment.days - marks[payment.enrollment_id]["present"]
        totals[entry.pk] += payment.amount
    assert paid_days[True] > 0 and paid_days[False] == 0  # excused days paid, in the factory classes only
    assert totals == dict(entries.values_list("pk", "amount"))  # each entry is its payments' total
    paid = dict(entries.values_list("package", "amount"))
    for package in completed_packages:
        allowances = allowance_list(package)
        assert allowances.to_pay == [], package.code
        assert allowances.total_paid == allowances.total == paid[package.pk]
    assert not AllowancePayment.objects.exclude(enrollment__package__status=Status.COMPLETED).exists()


def test_first_run_makes_an_account_for_each_role_and_provider():
    output = seed()
    User = get_user_model()

    staff = User.objects.get(username="staf")
    assert staff.is_staff and is_dinas_staff(staff)
    assert is_official(User.objects.get(username="pejabat"))
    assert not User.objects.get(username="pejabat").is_staff
    providers = list(Provider.objects.prefetch_related("operators"))
    assert len(providers) >= 6
    for provider in providers:
        operators = list(provider.operators.all())
        assert len(operators) == 1, provider
        assert is_operator(operators[0])
        assert operators[0].username.startswith("operator-")
    blk = Provider.objects.get(kind=Provider.Kind.BLK)
    assert [user.username for user in blk.operators.all()] == ["operator-blk"]
    # every demo account has an address, so the password reset can be tried
    assert staff.email == "staf@example.org"
    assert set(User.objects.filter(email="").values_list("username", flat=True)) == set()
    assert User.objects.get(username="operator-blk").email == "operator-blk@example.org"
    assert "Password of the new accounts:" in output
    assert all(username in output for username in DEMO_USERNAMES)


def test_second_run_changes_nothing_and_keeps_passwords():
    seed()
    User = get_user_model()
    counts = row_counts()
    passwords = dict(User.objects.values_list("username", "password"))

    output = seed()

    assert row_counts() == counts
    assert dict(User.objects.values_list("username", "password")) == passwords
    assert "already there" in output
    assert "kept their passwords" in output

    seed("--password", "demo-pekalongan-2026")

    assert row_counts() == counts
    demo_users = User.objects.filter(Q(username__in=DEMO_USERNAMES) | Q(username__startswith="operator-"))
    assert demo_users.count() == len(Provider.objects.all()) + 2
    assert all(user.check_password("demo-pekalongan-2026") for user in demo_users)
