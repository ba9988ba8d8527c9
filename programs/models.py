"""Programs, waves, providers and packages: what the dinas plans and buys."""

import datetime

from django.conf import settings
from django.contrib.auth.models import User, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pekalongan_training.money import RupiahField
from pekalongan_training.roles import OFFICIAL_GROUP, OPERATOR_GROUP, STAFF_GROUP, is_dinas_staff


class Kecamatan(models.Model):
    code = models.CharField(_("Kemendagri code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")

    def __str__(self):
        return self.name


class Kelurahan(models.Model):
    code = models.CharField(_("Kemendagri code"), max_length=13, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kecamatan = models.ForeignKey(
        Kecamatan, on_delete=models.PROTECT, related_name="kelurahans", verbose_name=_("kecamatan")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")

    def __str__(self):
        return self.name


class AccreditationGrade(models.TextChoices):
    A = "A", _("A (excellent)")
    B = "B", _("B (good)")
    C = "C", _("C (sufficient)")


class Provider(models.Model):
    class Kind(models.TextChoices):
        LPK = "lpk", _("Private training institution (LPK)")
        BLK = "blk", _("Training centre (BLK)")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LPK)
    license_number = models.CharField(
        _("registration number"),
        max_length=40,
        blank=True,
        help_text=_("The LPK's registration number with the ministry, as written."),
    )
    address = models.TextField(_("address"), blank=True)
    kelurahan = models.ForeignKey(
        Kelurahan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="providers",
        verbose_name=_("kelurahan"),
        help_text=_("Leave empty for a provider outside Kota Pekalongan."),
    )
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # Kemnaker's references: the LPK's number in its registry (VIN LPK), the business number from OSS
    # (NIB, 13 digits) and the accreditation by LA-LPK, with the day it runs out.
    vin_lpk = models.CharField(
        _("VIN LPK"), max_length=40, blank=True, help_text=_("The LPK's number in Kemnaker's registry, as written.")
    )
    nib = models.CharField(
        _("NIB"),
        max_length=13,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{13}$", _("The NIB has 13 digits."))],
        help_text=_("Business identification number (OSS), 13 digits."),
    )
    accreditation_grade = models.CharField(
        _("accreditation"), max_length=1, choices=AccreditationGrade.choices, blank=True
    )
    accreditation_expires_on = models.DateField(_("accreditation valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="providers",
        verbose_name=_("operators"),
        help_text=_("User accounts that mark attendance and record results for this provider."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["lpk", "blk", "other"]), name="programs_provider_kind_valid"),
            models.CheckConstraint(
                condition=Q(accreditation_grade__in=["", "A", "B", "C"]), name="programs_provider_accreditation_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def accredited_on(self, day: datetime.date) -> bool:
        """Accredited with a grade that has not run out on `day` (a grade without an end date counts)."""
        return bool(self.accreditation_grade) and (
            self.accreditation_expires_on is None or self.accreditation_expires_on >= day
        )


class Vocation(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    kejuruan_code = models.CharField(
        _("Kemnaker vocation code (kejuruan)"),
        max_length=20,
        blank=True,
        help_text=_("The code of the kejuruan in Kemnaker's classification, as written."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("vocation")
        verbose_name_plural = _("vocations")

    def __str__(self):
        return self.name


# The entry rules a program sets, and a package category may change (CategoryRules), in the order a
# clerk checks a person (participants/eligibility.py checks them; the admin and its forms list them).
ENTRY_RULE_FIELDS = (
    "min_age",
    "max_age",
    "require_city_domicile",
    "exclude_in_school",
    "exclude_working",
    "require_ak1",
    "no_repeat_vocation",
    "one_training_per_year",
    "one_per_wave",
)


class Program(models.Model):
    class FundingSource(models.TextChoices):
        DBHCHT = "dbhcht", _("DBHCHT (tobacco excise share)")
        APBD = "apbd", _("APBD (city budget)")
        APBN = "apbn", _("APBN (state budget)")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)], db_index=True
    )
    funding_source = models.CharField(
        _("funding source"), max_length=10, choices=FundingSource.choices, default=FundingSource.DBHCHT
    )
    budget = RupiahField(_("budget (Rp)"), default=0, help_text=_("The program's whole pagu."))
    target_participants = models.PositiveIntegerField(_("target participants"), default=0)
    # Entry rules, checked at enrollment and registration (participants/eligibility.py).
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), default=18, help_text=_("Age on the first day of the package; 0 for no limit.")
    )
    require_city_domicile = models.BooleanField(
        _("residents of the city only"),
        default=True,
        help_text=_("The person must live in a kelurahan of Kota Pekalongan (usual for city-funded programs)."),
    )
    one_training_per_year = models.BooleanField(
        _("one training a year"), default=True, help_text=_("Not already in another package of the same year.")
    )
    exclude_in_school = models.BooleanField(
        _("not in school"), default=True, help_text=_("People still in school cannot join.")
    )
    max_age = models.PositiveSmallIntegerField(
        _("maximum age"), default=0, help_text=_("Age on the first day of the package; 0 for no limit.")
    )
    exclude_working = models.BooleanField(
        _("not working"),
        default=True,
        help_text=_(
            "People who work or run a business cannot join. Factory-worker packages instead require work at the "
            "named factory (or family of such a worker)."
        ),
    )
    require_ak1 = models.BooleanField(
        _("AK/1 card valid on the first day"),
        default=True,
        help_text=_("A job-seeker card (Kartu AK/1) issued within 2 years before the first day."),
    )
    no_repeat_vocation = models.BooleanField(
        _("not trained before in the same vocation"),
        default=True,
        help_text=_("Not completed an earlier training in the package's vocation."),
    )
    one_per_wave = models.BooleanField(
        _("one package a wave"), default=True, help_text=_("Not already accepted in another package of the same wave.")
    )

    class Meta:
        ordering = ["-fiscal_year", "name"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "name"], name="programs_program_unique_name_year"),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=2000, fiscal_year__lte=2100),
                name="programs_program_fiscal_year_range",
            ),
            models.CheckConstraint(
                condition=Q(funding_source__in=["dbhcht", "apbd", "apbn", "other"]),
                name="programs_program_funding_source_valid",
            ),
        ]

    def __str__(self):
        return self.name


class ProgramFunding(models.Model):
    """A program's pagu from one funding source (a program may be paid from more than one)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="funding", verbose_name=_("program"))
    funding_source = models.CharField(_("funding source"), max_length=10, choices=Program.FundingSource.choices)
    pagu = RupiahField(_("pagu (Rp)"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "funding_source"]
        verbose_name = _("program pagu by funding source")
        verbose_name_plural = _("program pagu by funding source")
        constraints = [
            models.UniqueConstraint(fields=["program", "funding_source"], name="programs_funding_unique_source"),
            models.CheckConstraint(
                condition=Q(funding_source__in=["dbhcht", "apbd", "apbn", "other"]),
                name="programs_funding_source_valid",
            ),
        ]

    def __str__(self):
        return f"{self.program} · {self.get_funding_source_display()}"


class Cohort(models.Model):
    """A wave ("gelombang") of a program: a registration window and a training period."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("program"))
    number = models.PositiveSmallIntegerField(_("wave number"), validators=[MinValueValidator(1)])
    registration_opens = models.DateField(_("registration opens"), null=True, blank=True)
    registration_closes = models.DateField(_("registration closes"), null=True, blank=True)
    starts_on = models.DateField(_("training starts"))
    ends_on = models.DateField(_("training ends"))

    class Meta:
        ordering = ["-program__fiscal_year", "program__name", "number"]
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="programs_cohort_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="programs_cohort_number_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="programs_cohort_dates_ordered",
                violation_error_message=_("The training cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(registration_opens__isnull=True)
                | Q(registration_closes__isnull=True)
                | Q(registration_closes__gte=F("registration_opens")),
                name="programs_cohort_registration_ordered",
                violation_error_message=_("Registration cannot close before it opens."),
            ),
            models.CheckConstraint(
                condition=Q(registration_closes__isnull=True) | Q(registration_closes__lt=F("starts_on")),
                name="programs_cohort_registration_before_training",
                violation_error_message=_("Registration must close before the training starts."),
            ),
        ]

    def __str__(self):
        return _("Wave %(number)s / %(year)s") % {"number": self.number, "year": self.program.fiscal_year}


JOB_SEEKER_TRAINING_SUB_ACTIVITY = "2.07.03.2.01.0001"


class TrainingPackageQuerySet(models.QuerySet):
    def for_operator(self, user):
        """Packages a user may see in the provider portal: their providers' packages; all for dinas staff."""
        if is_dinas_staff(user):
            return self
        return self.filter(provider__operators=user)


WEEKDAY_CHOICES = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]

weekdays_validator = RegexValidator(
    r"^(?!.*(.).*\1)[0-6]{1,7}$",
    _("Choose at least one meeting day."),
)


class TrainingPackage(models.Model):
    """A package ("paket pelatihan"): one class in one vocation by one provider, for a fixed quota."""

    class Category(models.TextChoices):
        KELURAHAN = "kelurahan", _("Kelurahan (private LPK in the kelurahan)")
        FACTORY_WORKERS = "factory_workers", _("Cigarette-factory workers")
        BLK = "blk", _("City BLK")
        LPK = "lpk", _("Private LPK premises")
        BLK_COMMUNITY = "blk_community", _("Community BLK")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open for registration")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    code = models.CharField(_("code"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=200)
    vocation = models.ForeignKey(
        Vocation, on_delete=models.PROTECT, related_name="packages", verbose_name=_("vocation")
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="packages", verbose_name=_("wave"))
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="packages", verbose_name=_("provider")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    venue_kelurahan = models.ForeignKey(
        Kelurahan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="packages",
        verbose_name=_("venue kelurahan"),
    )
    venue_address = models.CharField(_("venue address"), max_length=255, blank=True)
    quota = models.PositiveSmallIntegerField(_("quota"), validators=[MinValueValidator(1)])
    hours = models.PositiveSmallIntegerField(_("lesson hours (JP)"), default=0)
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (%)"),
        default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Share of the planned meetings a participant must attend to complete."),
    )
    budget = RupiahField(_("budget (Rp)"), default=0, help_text=_("The package's pagu in the budget (DPA)."))
    # The DBHCHT plan (PMK 72/2024): where the package sits in the budget, and what it is to deliver.
    sub_activity_code = models.CharField(
        _("sub-activity code"),
        max_length=30,
        default=JOB_SEEKER_TRAINING_SUB_ACTIVITY,
        help_text=_("Kode sub kegiatan; job-seeker training is 2.07.03.2.01.0001."),
    )
    account_code = models.CharField(
        _("account code"), max_length=40, blank=True, help_text=_("Kode rekening belanja, as in the DPA.")
    )
    planned_participants = models.PositiveSmallIntegerField(
        _("planned participants"),
        null=True,
        blank=True,
        help_text=_("The planned volume in people; empty means the quota."),
    )
    support_cost = RupiahField(
        _("support costs (BOP) (Rp)"),
        default=0,
        help_text=_("The part of the pagu for operational support costs (BOP), where used."),
    )
    # The participants' daily allowance ("uang saku", transport): per day present, and where the
    # package says so per excused day too (participants/allowances.py).
    allowance_daily_rate = RupiahField(_("daily allowance (Rp)"), default=0)
    allowance_counts_excused = models.BooleanField(
        _("allowance for excused days too"),
        default=False,
        help_text=_("Off: only days present are paid. On: excused days (I) are paid too."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    meeting_weekdays = models.CharField(
        _("meeting days"),
        max_length=7,
        default="01234",
        validators=[weekdays_validator],
        help_text=_("Weekdays on which the class meets; used to generate the meetings."),
    )
    session_starts_at = models.TimeField(_("meetings start at"), default=datetime.time(8, 0))
    session_ends_at = models.TimeField(_("meetings end at"), default=datetime.time(15, 0))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    operators_confirm_completion = models.BooleanField(
        _("operators may confirm completion"),
        default=False,
        help_text=_("If ticked, the provider's operators confirm completions themselves; otherwise dinas staff do."),
    )
    # Selection (participants/services/selection.py): applications up to a limit, scores with weights,
    # the decision and its public announcement.
    application_limit = models.PositiveSmallIntegerField(
        _("application limit"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Online registration closes when this many applications are in; empty: 5 times the quota."),
    )
    test_weight = models.PositiveSmallIntegerField(
        _("written test weight (%)"), default=50, validators=[MaxValueValidator(100)]
    )
    interview_weight = models.PositiveSmallIntegerField(
        _("interview or practical weight (%)"),
        default=50,
        validators=[MaxValueValidator(100)],
        help_text=_("The two weights add up to 100."),
    )
    selection_decided_at = models.DateTimeField(_("selection decided"), null=True, blank=True, editable=False)
    selection_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("selection decided by"),
    )
    announcement_published_at = models.DateTimeField(
        _("selection result announced"), null=True, blank=True, editable=False
    )

    objects = TrainingPackageQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("training package")
        verbose_name_plural = _("training packages")
        indexes = [
            models.Index(fields=["status"], name="programs_pkg_status_idx"),
            models.Index(fields=["category"], name="programs_pkg_category_idx"),
            models.Index(fields=["starts_on"], name="programs_pkg_starts_on_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quota__gte=1), name="programs_package_quota_positive"),
            models.CheckConstraint(
                condition=Q(min_attendance_percent__lte=100), name="programs_package_min_attendance_range"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="programs_package_dates_ordered",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
            models.CheckConstraint(
                condition=Q(session_ends_at__gt=F("session_starts_at")),
                name="programs_package_times_ordered",
                violation_error_message=_("Meetings must end after they start."),
            ),
            models.CheckConstraint(
                condition=Q(category__in=["kelurahan", "factory_workers", "blk", "lpk", "blk_community"]),
                name="programs_package_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "open", "running", "completed", "cancelled"]),
                name="programs_package_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(support_cost__lte=F("budget")),
                name="programs_package_support_cost_within_budget",
                violation_error_message=_("The support costs (BOP) are part of the pagu: they cannot be more."),
            ),
            models.CheckConstraint(
                condition=Q(test_weight__lte=100, interview_weight__lte=100)
                & Q(test_weight=100 - F("interview_weight")),
                name="programs_package_weights_100",
                violation_error_message=_("The written test and interview weights must add up to 100."),
            ),
        ]

    def __str__(self):
        return f"{self.code} · {self.title}"

    @property
    def weekdays(self) -> list[int]:
        return sorted(int(day) for day in self.meeting_weekdays)

    @property
    def is_closed(self) -> bool:
        """Completed or cancelled: marks and meetings no longer change."""
        return self.status in (self.Status.COMPLETED, self.Status.CANCELLED)

    @property
    def planned_volume(self) -> int:
        """The people the package is planned to train: the planned number, else the quota."""
        return self.planned_participants if self.planned_participants is not None else self.quota

    @property
    def applications_allowed(self) -> int:
        """Online applications taken before registration closes: the limit staff set, or 5 times the quota."""
        return self.application_limit or 5 * self.quota

    def present_needed(self, planned: int) -> int:
        """Present marks that reach min_attendance_percent of `planned` meetings (rounded up)."""
        return -(-self.min_attendance_percent * planned // 100)


class Expenditure(models.Model):
    """Money spent on a package, entered from its payment document (the DBHCHT realisation counts it).

    Entered through programs.services.spending_record, which refuses a total above the package's
    pagu unless a reason is written.
    """

    class Kind(models.TextChoices):
        INSTRUCTOR_FEES = "instructor_fees", _("Instructor fees")
        MATERIALS = "materials", _("Training materials")
        ALLOWANCES = "allowances", _("Participants' allowances")
        MEALS = "meals", _("Meals and snacks")
        VENUE = "venue", _("Venue")
        CERTIFICATION = "certification", _("Certification")
        OTHER = "other", _("Other")

    package = models.ForeignKey(
        TrainingPackage, on_delete=models.PROTECT, related_name="spending", verbose_name=_("training package")
    )
    spent_on = models.DateField(_("date"), help_text=_("The date of the payment document."))
    amount = RupiahField(_("amount (Rp)"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    document_number = models.CharField(
        _("document number"), max_length=60, help_text=_("The number of the SP2D, receipt or payment voucher.")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    over_pagu_reason = models.TextField(
        _("reason for going over the pagu"),
        blank=True,
        help_text=_("Needed when this entry takes the package's spending above its pagu."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
        editable=False,
    )
    entered_at = models.DateTimeField(_("entered"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["package", "spent_on", "pk"]
        verbose_name = _("spending entry")
        verbose_name_plural = _("spending")
        indexes = [models.Index(fields=["spent_on"], name="programs_expenditure_date_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="programs_expenditure_amount_positive"),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["instructor_fees", "materials", "allowances", "meals", "venue", "certification", "other"]
                ),
                name="programs_expenditure_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.package.code} · {self.get_kind_display()} · {self.document_number}"


class CategoryRules(models.Model):
    """A program's entry rules for one package category, where they differ from the program's.

    An empty field means "as the program". Factory-worker packages name the factory whose workers
    (and their families, by the same No. KK) may join.
    """

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="category_rules", verbose_name=_("program")
    )
    category = models.CharField(_("package category"), max_length=20, choices=TrainingPackage.Category.choices)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    require_city_domicile = models.BooleanField(_("residents of the city only"), null=True, blank=True)
    exclude_in_school = models.BooleanField(_("not in school"), null=True, blank=True)
    exclude_working = models.BooleanField(_("not working"), null=True, blank=True)
    require_ak1 = models.BooleanField(_("AK/1 card valid on the first day"), null=True, blank=True)
    no_repeat_vocation = models.BooleanField(_("not trained before in the same vocation"), null=True, blank=True)
    one_training_per_year = models.BooleanField(_("one training a year"), null=True, blank=True)
    one_per_wave = models.BooleanField(_("one package a wave"), null=True, blank=True)
    required_employer = models.CharField(
        _("named factory"),
        max_length=150,
        blank=True,
        help_text=_(
            "Factory-worker packages: the employer whose workers, and their families by the same No. KK, may join "
            "(for example PT Urip Sugiharto)."
        ),
    )

    class Meta:
        ordering = ["program", "category"]
        verbose_name = _("entry rules for a package category")
        verbose_name_plural = _("entry rules per package category")
        constraints = [
            models.UniqueConstraint(fields=["program", "category"], name="programs_categoryrules_unique"),
        ]

    def __str__(self):
        return f"{self.program} · {self.get_category_display()}"


class SessionQuerySet(models.QuerySet):
    def for_operator(self, user):
        if is_dinas_staff(user):
            return self
        return self.filter(package__provider__operators=user)


class Session(models.Model):
    """One meeting ("pertemuan") of a package."""

    package = models.ForeignKey(
        TrainingPackage, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("package")
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    # When the first mark of this meeting was made, kept by the attendance services: reporting
    # completeness and timeliness read this instead of joining the marks.
    first_marked_at = models.DateTimeField(_("attendance first recorded"), null=True, blank=True, editable=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["date", "starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["date"], name="programs_session_date_idx")]
        constraints = [
            models.UniqueConstraint(fields=["package", "date"], name="programs_session_unique_day"),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="programs_session_times_ordered",
                violation_error_message=_("A meeting must end after it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.package.code} · {date_format(self.date)}"


class OperatorAccountManager(UserManager):
    def get_queryset(self):
        # Only plain operator accounts: never one with staff or superuser rights, whatever its groups,
        # nor one that is also an official's or staff's (taking it over would reach more).
        return (
            super()
            .get_queryset()
            .filter(groups__name=OPERATOR_GROUP, is_staff=False, is_superuser=False)
            .exclude(groups__name__in=[OFFICIAL_GROUP, STAFF_GROUP])
            .distinct()
        )


class OperatorAccount(User):
    """A provider operator's login, as dinas staff manage it (programs/admin_accounts.py): create,
    link to a provider, deactivate. The users themselves; a proxy so its rights are separate from
    the full user admin, which stays with superusers."""

    objects = UserManager()  # the default: username uniqueness is checked against every user
    operators = OperatorAccountManager()

    class Meta:
        proxy = True
        verbose_name = _("operator account")
        verbose_name_plural = _("operator accounts")
