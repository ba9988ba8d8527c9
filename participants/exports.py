"""The roster with its marks as CSV and XLSX. The NIK is masked: exports leave the building."""

from django.http import HttpResponse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from participants.selectors import Roster
from pekalongan_training.spreadsheets import Count, Percent, Sheet, csv_response, xlsx_response


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
