"""Participants' allowances ("uang saku", transport): the amount per person from their marks, and paying them.

A package sets a daily rate (TrainingPackage.allowance_daily_rate; 0: no allowance) and what counts:
days present (H) only, or also excused days (I) when allowance_counts_excused is on. Sick (S) and
absent (A) are never paid. Everyone holding a seat (enrolled, completed, dropped out) is on the
list: a person who dropped out is paid for the days they came.

    allowance_list(package) -> AllowanceList   the rows and totals, in two queries whatever the class size
    allowances_pay(*, package, paid_on, document_number, over_pagu_reason="", by) -> list[AllowancePayment]

The days are counted from the marks themselves, not from the summaries kept for the dashboard
(participants/attendance_summary.py): money follows the record people signed, and one package's
marks are few. Paying is all or nothing: one spending entry of kind allowances for the total
(programs.services.spending_record, with its rules: the pagu, the fiscal year, no future date) and
one AllowancePayment per person, linked to it. Who is paid is never paid again (the payment is one
to one with the enrollment); a person paid shows what was paid, even if a mark changed since.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from participants.models import AllowancePayment, Attendance, Enrollment
from programs.models import Expenditure, TrainingPackage
from programs.services import spending_over_pagu_error, spending_record

# spending_record's field names, as allowances_pay's arguments call them (so a form shows each error
# next to its own field).
SPENDING_TO_PAYMENT_FIELDS = {"spent_on": "paid_on", "document_number": "document_number"}


def counted_statuses(package: TrainingPackage) -> list[str]:
    """The marks that earn a day's allowance in this package."""
    statuses = [Attendance.Status.PRESENT]
    if package.allowance_counts_excused:
        statuses.append(Attendance.Status.EXCUSED)
    return statuses


@dataclass(frozen=True)
class AllowanceRow:
    """One person on the payment list: the days and amount paid, or to pay now if not paid yet."""

    enrollment: Enrollment
    days_now: int  # the days their marks count today
    payment: AllowancePayment | None

    @property
    def paid(self) -> bool:
        return self.payment is not None

    @property
    def days(self) -> int:
        return self.payment.days if self.payment else self.days_now

    @property
    def daily_rate(self) -> int:
        return self.payment.daily_rate if self.payment else self.enrollment.package.allowance_daily_rate

    @property
    def amount(self) -> int:
        return self.payment.amount if self.payment else self.days_now * self.daily_rate

    @property
    def marks_changed(self) -> bool:
        """Paid, but the marks count other days now (a mark corrected after the payment)."""
        return self.paid and self.days_now != self.payment.days

    @property
    def payable(self) -> bool:
        """On the list to sign: someone with an amount, paid or to be paid."""
        return self.amount > 0


@dataclass(frozen=True)
class AllowanceList:
    package: TrainingPackage
    rows: list[AllowanceRow]  # every seat holder, by name

    @property
    def payable(self) -> list[AllowanceRow]:
        return [row for row in self.rows if row.payable]

    @property
    def to_pay(self) -> list[AllowanceRow]:
        return [row for row in self.rows if not row.paid and row.amount > 0]

    @property
    def total(self) -> int:
        return sum(row.amount for row in self.rows)

    @property
    def total_days(self) -> int:
        return sum(row.days for row in self.payable)

    @property
    def total_paid(self) -> int:
        return sum(row.amount for row in self.rows if row.paid)

    @property
    def total_to_pay(self) -> int:
        return sum(row.amount for row in self.to_pay)


def _days(package: TrainingPackage):
    """The person's marks that count, as a subquery per enrollment (no GROUP BY over the joined rows)."""
    marks = (
        Attendance.objects.filter(enrollment=OuterRef("pk"), status__in=counted_statuses(package))
        .order_by()
        .values("enrollment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(marks, output_field=IntegerField()), Value(0))


def allowance_list(package: TrainingPackage) -> AllowanceList:
    """The package's seat holders with the days their marks count and what they were paid, in one query."""
    enrollments = (
        Enrollment.objects.filter(package=package, status__in=Enrollment.SEAT_STATUSES)
        .select_related("participant__kelurahan", "allowance_payment__spending")
        .annotate(allowance_days=_days(package))
        .order_by("participant__full_name", "pk")
    )
    rows = []
    for enrollment in enrollments:
        enrollment.package = package  # the row's rate; no query per person
        payment = getattr(enrollment, "allowance_payment", None)
        rows.append(AllowanceRow(enrollment=enrollment, days_now=enrollment.allowance_days, payment=payment))
    return AllowanceList(package=package, rows=rows)


def allowances_refusal(package: TrainingPackage) -> str:
    """Why this package's allowances cannot be paid at all now; '' when they can."""
    if not package.allowance_daily_rate:
        return _("This package has no daily allowance: set its daily rate in the admin first.")
    if package.status != TrainingPackage.Status.COMPLETED:
        return _(
            "Allowances are paid once the package is completed, when its attendance is final. "
            "Its status now: %(status)s."
        ) % {"status": package.get_status_display()}
    return ""


def allowances_over_pagu(allowances: AllowanceList) -> str:
    """Why paying everyone left now needs a reason (the pagu); '' when it does not."""
    if not allowances.total_to_pay:
        return ""
    return spending_over_pagu_error(package=allowances.package, amount=allowances.total_to_pay)


def _payment_errors(error: ValidationError) -> ValidationError:
    """spending_record's errors under allowances_pay's own argument names; any other is the form's."""
    if not hasattr(error, "error_dict"):
        return error
    errors = {}
    for name, messages in error.message_dict.items():
        field = SPENDING_TO_PAYMENT_FIELDS.get(name, name if name == "over_pagu_reason" else NON_FIELD_ERRORS)
        errors.setdefault(field, []).extend(messages)
    return ValidationError(errors)


@transaction.atomic
def allowances_pay(
    *,
    package: TrainingPackage,
    paid_on: datetime.date,
    document_number: str,
    over_pagu_reason: str = "",
    by,
) -> list[AllowancePayment]:
    """Mark the package's payment list paid: everyone with days counted who was not paid yet.

    The package row is locked (two clicks, two clerks: one payment). Refused unless the package is
    completed and has a daily rate, and when nobody is left to pay. One spending entry of kind
    allowances for the total, through spending_record (its errors under paid_on, document_number
    and over_pagu_reason); one AllowancePayment per person linked to it. All or nothing.
    """
    package = TrainingPackage.objects.select_for_update().select_related("cohort__program").get(pk=package.pk)
    refusal = allowances_refusal(package)
    if refusal:
        raise ValidationError(refusal)
    errors = {}
    if not (document_number or "").strip():
        errors["document_number"] = [_("Write the number of the payment document (SP2D, receipt or voucher).")]
    if paid_on and paid_on < package.starts_on:
        errors["paid_on"] = [
            _("The allowances are for days of the training: the date cannot be before its first day, %(date)s.")
            % {"date": date_format(package.starts_on)}
        ]
    if errors:
        raise ValidationError(errors)
    allowances = allowance_list(package)
    rows = allowances.to_pay
    if not rows:
        if allowances.total_paid:
            raise ValidationError(_("Nobody is left to pay: everyone with days counted has been paid."))
        raise ValidationError(_("Nobody has a day counted: there is nothing to pay."))
    total = sum(row.amount for row in rows)
    try:
        spending = spending_record(
            package=package,
            by=by,
            spent_on=paid_on,
            amount=total,
            kind=Expenditure.Kind.ALLOWANCES,
            document_number=document_number,
            description=ngettext(
                "Participants' allowances: %(count)d person", "Participants' allowances: %(count)d people", len(rows)
            )
            % {"count": len(rows)},
            over_pagu_reason=over_pagu_reason,
        )
    except ValidationError as error:
        raise _payment_errors(error) from error
    payments = [
        AllowancePayment(
            enrollment=row.enrollment,
            days=row.days_now,
            daily_rate=package.allowance_daily_rate,
            amount=row.amount,
            paid_on=paid_on,
            spending=spending,
            paid_by=by,
        )
        for row in rows
    ]
    return bulk_create_with_history(payments, AllowancePayment, default_user=by)
