"""The one spreadsheet writer (pekalongan_training/spreadsheets.py): CSV for Excel set to Indonesian,
CSV for programs, and XLSX with numbers that stay numbers."""

import csv
import datetime
import io

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from pekalongan_training.spreadsheets import (
    OPEN_DATA,
    Count,
    Money,
    Percent,
    Points,
    Sheet,
    Text,
    csv_response,
    csv_text,
    spreadsheet_response,
    xlsx_bytes,
    xlsx_response,
)
from tests import factories

ROWS = [
    ["Nama", "Hadir", "Persen", "Perubahan", "Penghasilan", "NIK", "Tanggal"],
    ['=HYPERLINK("http://example.com","klik")', Count(1234), Percent(7, 9), Points(-12.5), Money(1_500_000.5)],
    ["Siti", Count(0), Percent(0, 0), Points(None), Money(None), Text("3375014506980001"), datetime.date(2026, 9, 1)],
    [gettext_lazy("Status"), 3, 2.5, None],
]


def _read_csv(text: str, delimiter=";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


def test_csv_for_excel_in_indonesian():
    text = csv_text(ROWS)
    assert text.startswith("\ufeff") and "Nama;Hadir;Persen" in text
    rows = _read_csv(text)
    # Formula-safe text; counts as digits; a rate with a decimal comma and a % sign; points with a
    # decimal comma (no "+", which Excel would read as a formula); money rounded half up to whole rupiah.
    assert rows[1] == ['\'=HYPERLINK("http://example.com","klik")', "1234", "77,8%", "-12,5", "1500001"]
    # Nothing to divide by is an empty cell; the NIK as it is; a date as people write it.
    assert rows[2] == ["Siti", "0", "", "", "", "3375014506980001", "01/09/2026"]
    assert rows[3] == ["Status", "3", "2,5", ""]


def test_csv_for_programs_has_commas_decimal_points_and_no_bom():
    text = csv_text(
        [["group", "value"], ["=Medono", 2.5], ["Kauman", None], ["Noyontaan", datetime.date(2026, 9, 1)]], OPEN_DATA
    )
    assert not text.startswith("\ufeff")
    assert _read_csv(text, ",") == [
        ["group", "value"],
        ["'=Medono", "2.5"],
        ["Kauman", ""],
        ["Noyontaan", "2026-09-01"],
    ]


def test_xlsx_cells_are_numbers_with_number_formats_and_text_stays_text():
    content = xlsx_bytes(
        Sheet("Presensi [P1]: gelombang 3/2026 yang sangat panjang", ROWS, bold_rows={0}, widths={"A": 30}, freeze="B2")
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Presensi -P1-- gelombang 3-2026"  # 31 characters, none of []:*?/\\
    assert sheet.freeze_panes == "B2" and sheet.column_dimensions["A"].width == 30
    assert sheet["A1"].font.bold and not sheet["A2"].font.bold
    name, count, rate, points, money = sheet[2][:5]
    assert (name.value, name.data_type) == ('\'=HYPERLINK("http://example.com","klik")', "s")
    assert (count.value, count.number_format) == (1234, "#,##0")
    assert rate.value == pytest.approx(7 / 9) and rate.number_format == "0.0%"
    assert (points.value, points.number_format) == (-12.5, "+0.0;-0.0;0.0")
    assert (money.value, money.number_format) == (1_500_001, '"Rp"#,##0')
    assert all(cell.data_type == "n" for cell in (count, rate, points, money))
    _name, zero, empty_rate, no_points, no_money, nik, day = sheet[3]
    assert zero.value == 0 and empty_rate.value is None and no_points.value is None and no_money.value is None
    assert (nik.value, nik.data_type, nik.number_format) == ("3375014506980001", "s", "@")
    assert day.value == datetime.datetime(2026, 9, 1) and day.number_format == "DD/MM/YYYY"
    assert [cell.value for cell in sheet[4][:3]] == ["Status", 3, 2.5]


def test_several_sheets_in_one_workbook():
    workbook = load_workbook(io.BytesIO(xlsx_bytes(Sheet("Satu", [["a"]]), Sheet("Dua", [["b"]]))))
    assert workbook.sheetnames == ["Satu", "Dua"]


@pytest.mark.parametrize("value", [True, datetime.datetime(2026, 9, 1, 8, 0)])
def test_a_value_with_no_one_way_of_being_written_is_refused(value):
    with pytest.raises(TypeError):
        csv_text([[value]])
    with pytest.raises(TypeError):
        xlsx_bytes(Sheet("s", [[value]]))


def test_responses_name_their_file_and_refuse_unknown_formats():
    response = csv_response("peserta", [["a"]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="peserta.csv"'
    response = xlsx_response("presensi-P1", Sheet("P1", [["a"]]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="presensi-P1.xlsx"'
    assert response.content.startswith(b"PK")
    sheet = Sheet("Peserta", [["NIK"], [Text("3375014506980001")]])
    assert spreadsheet_response("csv", "templat", sheet).content.decode("utf-8-sig") == "NIK\r\n3375014506980001\r\n"
    assert spreadsheet_response("xlsx", "templat", sheet)["Content-Disposition"].endswith('templat.xlsx"')
    for fmt in ("json", "foo", "", "CSV"):
        with pytest.raises(Http404):
            spreadsheet_response(fmt, "templat", sheet)


@pytest.mark.django_db
def test_the_roster_export_uses_it_and_an_unknown_format_is_a_404(client):
    operator = factories.OperatorFactory()
    package = factories.TrainingPackageFactory()
    package.provider.operators.add(operator)
    enrollment = factories.EnrollmentFactory(package=package)
    session = factories.SessionFactory(package=package, date=datetime.date(2026, 9, 7))
    factories.AttendanceFactory(enrollment=enrollment, session=session, status="present")
    client.force_login(operator)
    for fmt in ("json", "foo", "CSV"):
        assert client.get(reverse("provider:package-export", args=[package.pk, fmt])).status_code == 404
    response = client.get(reverse("provider:package-export", args=[package.pk, "csv"]))
    assert response["Content-Disposition"] == f'attachment; filename="presensi-{package.code}.csv"'
    header, row = _read_csv(response.content.decode("utf-8-sig"))
    assert header[-3:] == ["Hadir", "Persen dari pertemuan terlaksana", "Persen dari pertemuan terjadwal"]
    assert row[-3:] == ["1", "100%", "100%"]
    sheet = load_workbook(io.BytesIO(client.get(reverse("provider:package-export", args=[package.pk, "xlsx"])).content))
    present, held, planned = sheet.active[5][-3:]
    assert (present.value, held.value, held.number_format, planned.value) == (1, 1.0, "0%", 1.0)
