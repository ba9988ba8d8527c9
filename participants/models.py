"""People, their enrollments in packages, their attendance and their follow-up outcomes."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from participants.nik import mask_nik, validate_kk, validate_nik
from pekalongan_training.money import RupiahField
from programs.models import Expenditure, Kelurahan, Session, TrainingPackage


class Participant(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Education(models.IntegerChoices):
        """Dukcapil's education codes, as on the KK."""

        NONE = 1, _("No schooling")
        PRIMARY_INCOMPLETE = 2, _("Primary school not finished")
        PRIMARY = 3, _("Primary school (SD)")
        JUNIOR_SECONDARY = 4, _("Junior secondary (SLTP)")
        SENIOR_SECONDARY = 5, _("Senior secondary (SLTA)")
        DIPLOMA_1_2 = 6, _("Diploma I/II")
        DIPLOMA_3 = 7, _("Academy / Diploma III")
        BACHELOR = 8, _("Diploma IV / Bachelor (S1)")
        MASTER = 9, _("Master (S2)")
        DOCTORATE = 10, _("Doctorate (S3)")

    class EmploymentStatus(models.TextChoices):
        """Labour-force status at intake, after BPS."""

        SELF_EMPLOYED = "self_employed", _("Running own business")
        EMPLOYED = "employed", _("Employee / worker")
        UNEMPLOYED = "unemployed", _("Unemployed, looking for work")
        IN_SCHOOL = "in_school", _("In school")
        HOMEMAKER = "homemaker", _("Homemaker")
        OTHER = "other", _("Other, not in the labour force")

    class BeneficiaryGroup(models.TextChoices):
        FACTORY_WORKER = "factory_worker", _("Cigarette-factory worker")
        FACTORY_WORKER_FAMILY = "factory_worker_family", _("Family of a cigarette-factory worker")
        TOBACCO_FARM_WORKER = "tobacco_farm_worker", _("Tobacco-farm worker")
        JOB_SEEKER = "job_seeker", _("Job seeker")

    nik = models.CharField(
        _("NIK"),
        max_length=16,
        unique=True,
        validators=[validate_nik],
        help_text=_("16 digits, as on the KTP or KK."),
        error_messages={"unique": _("A participant with this NIK is already registered.")},
    )
    full_name = models.CharField(
        _("full name"), max_length=150, db_index=True, help_text=_("As on the KTP; one name is fine.")
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_place = models.CharField(_("place of birth"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"))
    phone = models.CharField(_("phone / WhatsApp"), max_length=20, blank=True)
    address = models.TextField(_("address"), blank=True, help_text=_("Street, RT/RW, as the person writes it."))
    kelurahan = models.ForeignKey(
        Kelurahan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
        verbose_name=_("kelurahan of domicile"),
        help_text=_("Empty when the person lives outside Kota Pekalongan."),
    )
    education = models.PositiveSmallIntegerField(_("education"), choices=Education.choices)
    vocational_school = models.BooleanField(
        _("vocational school (SMK)"), default=False, help_text=_("Graduated from a vocational school.")
    )
    employment_status_at_intake = models.CharField(
        _("employment status at intake"), max_length=20, choices=EmploymentStatus.choices
    )
    beneficiary_group = models.CharField(
        _("beneficiary group"), max_length=30, choices=BeneficiaryGroup.choices, default=BeneficiaryGroup.JOB_SEEKER
    )
    ak1_number = models.CharField(_("job-seeker card (AK1) number"), max_length=40, blank=True)
    ak1_issued_on = models.DateField(
        _("AK1 issued on"), null=True, blank=True, help_text=_("The card is valid for 2 years from this day.")
    )
    kk_number = models.CharField(
        _("No. KK"),
        max_length=16,
        blank=True,
        db_index=True,
        validators=[validate_kk],
        help_text=_("The family card's number, 16 digits: tells the families of factory workers."),
    )
    employer_name = models.CharField(
        _("employer"),
        max_length=150,
        blank=True,
        help_text=_("For workers: the company as the person names it (factory-worker packages check it)."),
    )
    has_disability = models.BooleanField(_("has a disability"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        indexes = [
            models.Index(fields=["sex"], name="participants_sex_idx"),
            models.Index(fields=["education"], name="participants_education_idx"),
            models.Index(fields=["beneficiary_group"], name="participants_beneficiary_idx"),
            # Searching by the first digits of a NIK (LIKE '3375%') on PostgreSQL; ignored by SQLite.
            models.Index(fields=["nik"], name="participants_nik_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Exact(Length("nik"), 16), name="participants_participant_nik_16"),
            models.CheckConstraint(condition=Q(sex__in=["M", "F"]), name="participants_participant_sex_valid"),
            models.CheckConstraint(
                condition=Q(education__gte=1, education__lte=10), name="participants_participant_education_valid"
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik)

    def identity_label(self) -> str:
        """The name with what tells two people of that name apart: "Sri Aminah · 3375********0001 ·
        17 Mei 1998 · Kergon". The NIK masked: the label is shown where the full number is not."""
        place = self.kelurahan.name if self.kelurahan_id else gettext("outside the city")
        return " · ".join([self.full_name, self.masked_nik, date_format(self.birth_date), place])


class EnrollmentQuerySet(models.QuerySet):
    def holding_seats(self):
        return self.filter(status__in=Enrollment.SEAT_STATUSES)

    def waitlist(self):
        """Waiting for a seat, first come first served."""
        return self.filter(status=Enrollment.Status.WAITLISTED).order_by("waitlisted_at", "pk")

    def completion_proposed(self):
        return self.filter(status=Enrollment.Status.ENROLLED, completion_proposed_at__isnull=False)


class Enrollment(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        WAITLISTED = "waitlisted", _("On the waitlist")
        ENROLLED = "enrolled", _("Enrolled")
        COMPLETED = "completed", _("Completed")
        DROPPED_OUT = "dropped_out", _("Dropped out")
        WITHDRAWN = "withdrawn", _("Withdrew before the start")
        REJECTED = "rejected", _("Rejected")

    class Source(models.TextChoices):
        STAFF = "staff", _("Entered by staff")
        IMPORT = "import", _("Imported from a file")
        REGISTRATION = "registration", _("Registered online")

    class Assessment(models.TextChoices):
        NOT_ASSESSED = "not_assessed", _("Not assessed")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    class Competency(models.TextChoices):
        """The LSP's competency test (BNSP), separate from the provider's training certificate."""

        NOT_TESTED = "not_tested", _("Not tested")
        COMPETENT = "competent", _("Competent")
        NOT_YET_COMPETENT = "not_yet_competent", _("Not yet competent")

    # A seat stays taken once someone started: a drop-out's place is not refilled mid-course.
    SEAT_STATUSES = (Status.ENROLLED, Status.COMPLETED, Status.DROPPED_OUT)
    # Online registration is first come, first served: these take one of the quota's places.
    PLACE_STATUSES = (*SEAT_STATUSES, Status.APPLIED, Status.WAITLISTED)

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("participant")
    )
    package = models.ForeignKey(
        TrainingPackage, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("package")
    )
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.APPLIED)
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    completion_proposed_at = models.DateTimeField(
        _("completion proposed"),
        null=True,
        blank=True,
        help_text=_("Set by the system when attendance reached the package's minimum; staff confirm it."),
    )
    completion_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="confirmed_completions",
        verbose_name=_("completion confirmed by"),
    )
    assessment = models.CharField(
        _("assessment"), max_length=15, choices=Assessment.choices, default=Assessment.NOT_ASSESSED
    )
    certificate_number = models.CharField(_("training certificate number"), max_length=60, blank=True)
    competency = models.CharField(
        _("competency test (LSP)"), max_length=20, choices=Competency.choices, default=Competency.NOT_TESTED
    )
    competency_scheme = models.CharField(
        _("competency scheme (LSP)"), max_length=200, blank=True, help_text=_("The BNSP scheme the LSP tested.")
    )
    competency_certificate_number = models.CharField(_("competency certificate number"), max_length=80, blank=True)
    competency_expires_on = models.DateField(_("competency certificate valid until"), null=True, blank=True)
    waitlisted_at = models.DateTimeField(_("on the waitlist since"), null=True, blank=True)
    decision_reason = models.TextField(
        _("reason for the last change of status"),
        blank=True,
        help_text=_("Told to the person when they are turned down; every earlier reason is kept in the history."),
    )
    source = models.CharField(_("source"), max_length=15, choices=Source.choices, default=Source.STAFF)
    receipt_number = models.CharField(_("receipt number"), max_length=20, null=True, blank=True, unique=True)
    consent_at = models.DateTimeField(_("consent to data processing given"), null=True, blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=20, blank=True)
    # Online registration: anyone can type anyone's NIK, so what was typed is kept apart from the
    # person's record, the consent counts as the submitter's until staff verify it, and the person on
    # record is told (participants/services/public.py).
    consent_verified_at = models.DateTimeField(_("consent verified"), null=True, blank=True)
    consent_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="verified_consents",
        verbose_name=_("consent verified by"),
    )
    identity_to_verify = models.BooleanField(
        _("identity to verify"),
        default=False,
        help_text=_(
            "Registered online with a NIK on record, but with another name or birth date: staff check that it "
            "is the same person before accepting."
        ),
    )
    submitted = models.JSONField(
        _("as typed online"),
        default=list,
        blank=True,
        help_text=_("Each online registration for this enrollment as the person typed it, with its receipt number."),
    )
    owner_notices = models.JSONField(
        _("notices to the person on record"),
        default=list,
        blank=True,
        help_text=_(
            "Each notice that an application was made with this NIK: when, to which number (masked), the text."
        ),
    )
    override_reason = models.TextField(
        _("override reason"),
        blank=True,
        help_text=_("Why staff enrolled this person although a rule (such as one training a year) said no."),
    )
    overridden_rules = models.JSONField(
        _("rules overridden"),
        default=list,
        blank=True,
        help_text=_("The entry rules the override reason was written for; another failed rule needs its own reason."),
    )
    # Selection (participants/services/selection.py).
    doc_ktp = models.BooleanField(_("KTP checked"), default=False)
    doc_kk = models.BooleanField(_("KK checked"), default=False)
    doc_ak1 = models.BooleanField(_("AK/1 checked"), default=False)
    doc_employer = models.BooleanField(
        _("employer's letter checked"), default=False, help_text=_("Factory-worker packages: proof of work or family.")
    )
    test_score = models.DecimalField(
        _("written test score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    interview_score = models.DecimalField(
        _("interview or practical score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    selection_position = models.PositiveSmallIntegerField(
        _("moved to rank"),
        null=True,
        blank=True,
        help_text=_("Set by staff to move a person up or down the ranking, with a written reason."),
    )
    selection_position_reason = models.TextField(_("reason for the move"), blank=True)
    selection_rank = models.PositiveSmallIntegerField(_("selection rank"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_enrollments",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Age at enrollment, kept here when the person's birth date is erased (participant_anonymise), so
    # the age bands of every published figure stay the same; empty while the birth date is on record.
    age_at_enrollment = models.PositiveSmallIntegerField(_("age at enrollment"), null=True, blank=True, editable=False)
    # A summary of this person's attendance marks, kept current by the attendance services in the
    # same transaction as the marks (participants/attendance_summary.py): the dashboard sums these
    # instead of counting millions of marks.
    marks_total = models.PositiveIntegerField(_("attendance marks"), default=0, editable=False)
    marks_present = models.PositiveIntegerField(_("present marks"), default=0, editable=False)
    marks_excused = models.PositiveIntegerField(_("excused marks"), default=0, editable=False)
    marks_sick = models.PositiveIntegerField(_("sick marks"), default=0, editable=False)

    objects = EnrollmentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["marks_total", "marks_present", "marks_excused", "marks_sick"])

    class Meta:
        ordering = ["package", "participant__full_name"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        indexes = [models.Index(fields=["status"], name="participants_enr_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["participant", "package"], name="participants_enrollment_unique"),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "applied",
                        "waitlisted",
                        "enrolled",
                        "completed",
                        "dropped_out",
                        "withdrawn",
                        "rejected",
                    ]
                ),
                name="participants_enrollment_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_on__isnull=False),
                name="participants_enrollment_completed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="waitlisted") | Q(waitlisted_at__isnull=False),
                name="participants_enrollment_waitlist_has_time",
            ),
            models.CheckConstraint(
                condition=(Q(test_score__isnull=True) | Q(test_score__gte=0, test_score__lte=100))
                & (Q(interview_score__isnull=True) | Q(interview_score__gte=0, interview_score__lte=100)),
                name="participants_enrollment_scores_range",
            ),
        ]

    def __str__(self):
        return f"{self.participant} · {self.package.code}"


class Attendance(models.Model):
    """One mark: one participant at one meeting (Hadir, Izin, Sakit, Alpa)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present (H)")
        EXCUSED = "excused", _("Excused (I)")
        SICK = "sick", _("Sick (S)")
        ABSENT = "absent", _("Absent (A)")

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("enrollment")
    )
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("meeting")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    remark = models.CharField(_("remark"), max_length=200, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attendance_marks",
        verbose_name=_("marked by"),
    )
    marked_at = models.DateTimeField(_("marked at"))

    # Every change of a mark, with who made it: a forged or silently changed list can be traced.
    history = HistoricalRecords()

    class Meta:
        # No default ordering: ordering by the meeting's date joined the meetings into every query on the
        # marks table. Pages that list marks order them themselves.
        verbose_name = _("attendance mark")
        verbose_name_plural = _("attendance marks")
        indexes = [
            models.Index(fields=["session", "status"], name="participants_att_status_idx"),
            # The admin's list of marks, newest first, reads its page of 100 off this index instead of
            # sorting every mark (seconds at province size).
            models.Index(fields=["-marked_at", "-id"], name="participants_att_newest_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "session"], name="participants_attendance_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["present", "excused", "sick", "absent"]),
                name="participants_attendance_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.enrollment.participant} · {self.session} · {self.get_status_display()}"


class Outcome(models.Model):
    """A follow-up ("tracer") of a completer, 3, 6 or 12 months after the package ended."""

    class Round(models.IntegerChoices):
        MONTH_3 = 3, _("3 months")
        MONTH_6 = 6, _("6 months")
        MONTH_12 = 12, _("12 months")

    class Status(models.TextChoices):
        SELF_EMPLOYED = "self_employed", _("Running own business")
        EMPLOYED = "employed", _("Employed")
        FURTHER_TRAINING = "further_training", _("In further training or education")
        NOT_WORKING = "not_working", _("Not working")
        UNREACHABLE = "unreachable", _("Not reachable")

    class Source(models.TextChoices):
        SELF_REPORTED = "self_reported", _("Answered by the alumnus (personal link)")
        STAFF_CALL = "staff_call", _("Recorded by staff (call)")

    class Help(models.TextChoices):
        CAPITAL = "capital", _("Capital")
        TOOLS = "tools", _("Tools")
        INTERNSHIP = "internship", _("Internship")
        PLACEMENT = "placement", _("Job placement")

    WORKING_STATUSES = (Status.SELF_EMPLOYED, Status.EMPLOYED)

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="outcomes", verbose_name=_("enrollment")
    )
    round = models.PositiveSmallIntegerField(_("follow-up round"), choices=Round.choices)
    recorded_on = models.DateField(_("recorded on"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    related_to_training = models.BooleanField(
        _("related to the vocation"), default=False, help_text=_("The work or business uses what was trained.")
    )
    business_name = models.CharField(_("business name"), max_length=150, blank=True)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    monthly_income = RupiahField(_("monthly income (Rp)"), null=True, blank=True)
    employer_name = models.CharField(_("employer"), max_length=150, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Answered by the alumnus through their personal link, or by staff on a call.
    source = models.CharField(_("source"), max_length=15, choices=Source.choices, default=Source.STAFF_CALL)
    work_started_on = models.DateField(
        _("current work or business since"), null=True, blank=True, help_text=_("Gives the waiting time to work.")
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction with the training (1-5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    help_needed = models.JSONField(
        _("what would help"), default=list, blank=True, help_text=_("capital, tools, internship, placement")
    )
    contact_again = models.BooleanField(_("may be contacted again"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified by staff"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="verified_outcomes",
        verbose_name=_("verified by"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recorded_outcomes",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["enrollment", "round"]
        verbose_name = _("follow-up outcome")
        verbose_name_plural = _("follow-up outcomes")
        indexes = [models.Index(fields=["round", "status"], name="participants_outcome_round_idx")]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "round"], name="participants_outcome_unique_round"),
            models.CheckConstraint(condition=Q(round__in=[3, 6, 12]), name="participants_outcome_round_valid"),
            models.CheckConstraint(
                condition=Q(source__in=["self_reported", "staff_call"]), name="participants_outcome_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="participants_outcome_satisfaction_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["self_employed", "employed", "further_training", "not_working", "unreachable"]),
                name="participants_outcome_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.enrollment} · {self.get_round_display()}"


class FollowUpInvitation(models.Model):
    """A personal follow-up link sent to a completer for one round: when it went out, the reminders,
    and when it was answered (participants/services/followup_links.py)."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="followup_invitations", verbose_name=_("enrollment")
    )
    round = models.PositiveSmallIntegerField(_("follow-up round"), choices=Outcome.Round.choices)
    sent_at = models.DateTimeField(_("first sent"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["enrollment", "round"]
        verbose_name = _("follow-up link")
        verbose_name_plural = _("follow-up links")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "round"], name="participants_invitation_unique_round"),
        ]

    def __str__(self):
        return f"{self.enrollment} · {self.get_round_display()}"


class AllowancePayment(models.Model):
    """A participant's allowance ("uang saku") paid for a package: the days it counted, at the package's
    rate, paid with the package's payment list; the list's total is one spending entry
    (participants/allowances.py)."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.PROTECT, related_name="allowance_payment", verbose_name=_("enrollment")
    )
    days = models.PositiveSmallIntegerField(_("days counted"))
    daily_rate = RupiahField(_("daily allowance (Rp)"))
    amount = RupiahField(_("amount (Rp)"))
    paid_on = models.DateField(_("paid on"))
    spending = models.ForeignKey(
        Expenditure, on_delete=models.PROTECT, related_name="allowance_payments", verbose_name=_("spending entry")
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["enrollment"]
        verbose_name = _("allowance payment")
        verbose_name_plural = _("allowance payments")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount=models.F("days") * models.F("daily_rate")), name="participants_allowance_amount"
            ),
        ]

    def __str__(self):
        return f"{self.enrollment} · {self.amount}"


class Certificate(models.Model):
    """A training certificate ("sertifikat pelatihan") issued by the system, verifiable by its code at
    /sertifikat/<code>/. Revoking keeps the record."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("enrollment")
    )
    number = models.CharField(_("certificate number"), max_length=60, unique=True)
    code = models.CharField(_("verification code"), max_length=32, unique=True, editable=False)
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issued_certificates",
        verbose_name=_("issued by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="revoked_certificates",
        verbose_name=_("revoked by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("training certificate")
        verbose_name_plural = _("training certificates")
        constraints = [
            # One valid certificate per enrollment; a revoked one stays beside its replacement.
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(revoked_at__isnull=True),
                name="participants_certificate_one_valid",
            ),
        ]

    def __str__(self):
        return self.number


class ParticipantImport(models.Model):
    """An uploaded participant list, kept between its preview and its confirmation (and after, as a record).

    The file is kept in the database so that the confirmation works on any app server.
    """

    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    package = models.ForeignKey(
        TrainingPackage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="imports",
        verbose_name=_("enroll into package"),
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    # The file's rows as read once at upload (within the upload limits), for the preview and the
    # import; emptied with the content once imported.
    rows = models.JSONField(_("rows as read"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="participant_imports", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("participant import")
        verbose_name_plural = _("participant imports")

    def __str__(self):
        return self.filename


class PersonalDataExport(models.Model):
    """A record of every export that contains full NIKs: who, when, what selection, how many rows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="personal_data_exports", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    description = models.TextField(_("what was selected"))
    row_count = models.PositiveIntegerField(_("rows"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export with full NIKs")
        verbose_name_plural = _("exports with full NIKs")

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"
