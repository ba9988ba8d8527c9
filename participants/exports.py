"""Spreadsheets of people: the roster with its marks (CSV, XLSX), the allowance payment list (XLSX)
and the by-name, by-address list of beneficiaries (XLSX, DBHCHT accountability).

The roster and the payment list mask the NIK: they leave the building. The list of beneficiaries
is the one with full NIKs (the central government asks for them): dinas staff only, and its view
logs every download (participants.models.PersonalDataExport).
"""

from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from participants.allowances import AllowanceList
from participants.models import Certificate, Enrollment
from participants.selectors import Roster
from pekalongan_training.spreadsheets import Count, Money, Percent, Sheet, Text, csv_response, xlsx_response


def roster_table(roster: Roster) -> list[list]:
    """Header and one row per person: name, masked NIK, status, one column per meeting, totals."""
    header = [_("Name"), _("NIK"), _("Status")]
    header += [date_format(column.session.date, "SHORT_DATE_FORMAT") for column in roster.columns]
    header += [_("Present"), _("Percent of held meetings"), _("Percent of planned meetings")]
    rows = [header]
    for row in roster.rows:
        rows.append(
            [
                row.participant.full_name,
                row.participant.masked_nik,
                row.enrollment.get_status_display(),
                *row.marks,
                Count(row.present),
                # As the roster page: present / the person's marks at meetings held so far, and / every meeting.
                Percent(row.present, row.marked_held, decimals=0),
                Percent(row.present, roster.planned, decimals=0),
            ]
        )
    return rows


def _name(roster: Roster) -> str:
    return f"presensi-{roster.package.code}"


def roster_csv(roster: Roster) -> HttpResponse:
    """Semicolon-separated with a BOM: what Excel set to Indonesian opens straight into columns."""
    return csv_response(_name(roster), roster_table(roster))


def roster_xlsx(roster: Roster) -> HttpResponse:
    """The package and provider on top, then the table, its header in bold; names and NIKs stay in view."""
    rows = [
        [f"{roster.package.code} · {roster.package.title}"],
        [roster.package.provider.name],
        [],
        *roster_table(roster),
    ]
    sheet = Sheet(roster.package.code, rows, bold_rows={3}, widths={"A": 28, "B": 20}, freeze="D5")
    return xlsx_response(_name(roster), sheet)


# --- the allowance payment list ----------------------------------------------------------------------


def allowance_rule(package) -> str:
    """What the package pays a day for, in words."""
    if package.allowance_counts_excused:
        return _("days present and excused days (H and I)")
    return _("days present only (H)")


def allowances_xlsx(allowances: AllowanceList) -> HttpResponse:
    """The payment list of a package: everyone with an amount, paid or not, and the total; NIK masked."""
    package = allowances.package
    header = [
        _("No."),
        _("Name"),
        _("NIK"),
        _("Kelurahan"),
        _("Days counted"),
        _("Daily rate"),
        _("Amount"),
        _("Paid on"),
        _("Document number"),
    ]
    rows = [
        [_("Participants' allowance payment list")],
        [f"{package.code} · {package.title}"],
        [f"{package.provider.name} · {date_format(package.starts_on)} – {date_format(package.ends_on)}"],
        [
            _("Daily rate"),
            Money(package.allowance_daily_rate),
            _("Counted: %(rule)s") % {"rule": allowance_rule(package)},
        ],
        [],
        header,
    ]
    for number, row in enumerate(allowances.payable, start=1):
        participant = row.enrollment.participant
        rows.append(
            [
                number,
                participant.full_name,
                participant.masked_nik,
                participant.kelurahan.name if participant.kelurahan_id else _("outside the city"),
                Count(row.days),
                Money(row.daily_rate),
                Money(row.amount),
                row.payment.paid_on if row.paid else _("not paid yet"),
                row.payment.spending.document_number if row.paid else "",
            ]
        )
    total_row = len(rows)
    rows.append(["", _("Total"), "", "", Count(allowances.total_days), "", Money(allowances.total), "", ""])
    sheet = Sheet(
        package.code,
        rows,
        bold_rows={0, 5, total_row},
        widths={"A": 6, "B": 30, "C": 20, "D": 18, "E": 10, "F": 14, "G": 16, "H": 14, "I": 22},
        freeze="C7",
    )
    return xlsx_response(f"uang-saku-{package.code}", sheet)


# --- the by-name, by-address list of beneficiaries ----------------------------------------------------


def beneficiary_enrollments(packages):
    """Seat holders of these packages, with everything the list shows, in one query.

    The certificate number is the valid certificate the system issued, if any (a subquery, so no
    query per person), else the number recorded on the enrollment.
    """
    valid = Certificate.objects.filter(enrollment=OuterRef("pk"), revoked_at__isnull=True)
    return (
        Enrollment.objects.filter(package__in=packages, status__in=Enrollment.SEAT_STATUSES)
        .select_related("participant__kelurahan__kecamatan", "package__provider")
        .annotate(valid_certificate_number=Subquery(valid.values("number")[:1]))
        .order_by("package__code", "participant__full_name", "pk")
    )


BENEFICIARY_HEADER_ROW = 4  # the index of the header row, after the title, the selection, the date and a blank


def beneficiaries_table(enrollments, selection: str) -> list[list]:
    """The list as the accountability file wants it: full NIK and No. KK as text, one row per seat."""
    header = [
        _("No."),
        _("NIK"),
        _("No. KK"),
        _("Name"),
        _("Address"),
        _("Kelurahan"),
        _("Kecamatan"),
        _("Target group"),
        _("Package code"),
        _("Package"),
        _("Provider"),
        _("Starts on"),
        _("Ends on"),
        _("Status"),
        _("Assessment"),
        _("Certificate number"),
    ]
    rows = [
        [_("By-name, by-address list of beneficiaries")],
        [selection],
        [_("Downloaded on %(date)s") % {"date": date_format(timezone.localdate())}],
        [],
        header,
    ]
    for number, enrollment in enumerate(enrollments, start=1):
        person, package = enrollment.participant, enrollment.package
        kelurahan = person.kelurahan
        rows.append(
            [
                number,
                Text(person.nik),
                Text(person.kk_number) if person.kk_number else None,
                person.full_name,
                person.address,
                kelurahan.name if kelurahan else _("outside the city"),
                kelurahan.kecamatan.name if kelurahan else "",
                person.get_beneficiary_group_display(),
                package.code,
                package.title,
                package.provider.name,
                package.starts_on,
                package.ends_on,
                enrollment.get_status_display(),
                enrollment.get_assessment_display(),
                enrollment.valid_certificate_number or enrollment.certificate_number,
            ]
        )
    return rows


def beneficiaries_xlsx(name: str, rows: list[list]) -> HttpResponse:
    sheet = Sheet(
        _("Beneficiaries"),
        rows,
        bold_rows={0, BENEFICIARY_HEADER_ROW},
        widths={"A": 6, "B": 20, "C": 20, "D": 28, "E": 34, "F": 18, "G": 18, "H": 26, "I": 14, "J": 30, "K": 26},
        freeze=f"E{BENEFICIARY_HEADER_ROW + 2}",
    )
    return xlsx_response(name, sheet)
