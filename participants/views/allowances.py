"""Participants' allowances per package, for dinas staff: the payment list, marking it paid, XLSX and A4.

    GET  /intake/packages/<id>/allowances/         intake:allowances          the list and the form
    POST /intake/packages/<id>/allowances/         intake:allowances          mark everyone left paid
    GET  /intake/packages/<id>/allowances.xlsx     intake:allowances-export   the list as XLSX
    GET  /intake/packages/<id>/allowances/print/   intake:allowances-print    the list to sign, A4

The amounts come from participants/allowances.py; the NIK is masked everywhere here (the list is
signed, copied and filed). Operators and officials get 403; a package that does not exist, 404.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from participants import exports
from participants.allowances import allowance_list, allowances_over_pagu, allowances_pay, allowances_refusal
from participants.public_pages import dinas_contact
from pekalongan_training.formatting import rupiah
from pekalongan_training.forms import DATE_INPUT
from pekalongan_training.roles import staff_view
from programs.models import Expenditure, TrainingPackage

DOCUMENT_NUMBER_MAX_LENGTH = Expenditure._meta.get_field("document_number").max_length


class AllowancePaymentForm(forms.Form):
    """The payment as its document says: the date, the document's number, and a reason if over the pagu."""

    paid_on = forms.DateField(
        label=_("Paid on"),
        widget=DATE_INPUT,
        help_text=_("The date of the payment document, in the program's year."),
        error_messages={
            "required": _("Write the date the allowances were paid."),
            "invalid": _("Write a date that exists, for example 27/11/2026."),
        },
    )
    document_number = forms.CharField(
        label=_("Document number"),
        max_length=DOCUMENT_NUMBER_MAX_LENGTH,
        help_text=_("The number of the SP2D, receipt or payment voucher."),
        error_messages={
            "required": _("Write the number of the payment document (SP2D, receipt or voucher)."),
            "max_length": _("A document number has at most %(limit_value)d characters."),
        },
    )
    over_pagu_reason = forms.CharField(
        label=_("Reason for going over the pagu"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when this payment takes the package's spending above its pagu."),
    )


def _package(pk) -> TrainingPackage:
    return get_object_or_404(TrainingPackage.objects.select_related("provider", "vocation", "cohort__program"), pk=pk)


@staff_view
@require_http_methods(["GET", "POST"])
def package_allowances(request, pk):
    """The payment list with its totals; a POST marks everyone left to pay as paid (one spending entry)."""
    package = _package(pk)
    form = AllowancePaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payments = allowances_pay(package=package, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            total = sum(payment.amount for payment in payments)
            messages.success(
                request,
                ngettext(
                    "Allowances of %(total)s paid to %(count)d person, entered as spending of the package.",
                    "Allowances of %(total)s paid to %(count)d people, entered as spending of the package.",
                    len(payments),
                )
                % {"total": rupiah(total), "count": len(payments)},
            )
            return redirect("intake:allowances", package.pk)
    allowances = allowance_list(package)
    refusal = allowances_refusal(package)
    return render(
        request,
        "participants/intake/allowances.html",
        {
            "package": package,
            "allowances": allowances,
            "rule": exports.allowance_rule(package),
            "refusal": refusal,
            "over_pagu": "" if refusal else allowances_over_pagu(allowances),
            "form": form,
        },
    )


@staff_view
@require_GET
def package_allowances_export(request, pk):
    """The payment list as XLSX: numbers as numbers, rupiah formatted, NIK masked."""
    package = _package(pk)
    return exports.allowances_xlsx(allowance_list(package))


@staff_view
@require_GET
def package_allowances_print(request, pk):
    """The payment list to print on A4 and sign: a box per person, the total, the officers' signatures."""
    package = _package(pk)
    allowances = allowance_list(package)
    paid_dates = {row.payment.paid_on for row in allowances.payable if row.paid}
    all_paid = bool(allowances.payable) and not allowances.to_pay
    return render(
        request,
        "participants/intake/allowances_print.html",
        {
            "package": package,
            "allowances": allowances,
            "rule": exports.allowance_rule(package),
            "contact": dinas_contact(),
            # The date by the signatures: the payment's, once everyone on the list was paid on one day.
            "signed_on": paid_dates.pop() if all_paid and len(paid_dates) == 1 else None,
        },
    )
