"""Expenditure from a file: read within the upload limits, a preview with every row's errors, recorded all or
nothing through spending_record, and a template whose code, date and document columns are text."""

import datetime
import io

import openpyxl
import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from participants import imports
from participants.forms import spending as spending_forms
from programs.models import Expenditure
from tests import factories
from tests.test_admin import make_spending

pytestmark = pytest.mark.django_db

URL = "intake:spending-import"
HEADER = ["Kode Paket", "Tanggal", "Jumlah", "Jenis", "Nomor Dokumen", "Uraian", "Alasan Melebihi Pagu"]


@pytest.fixture
def english(staff_client):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return staff_client


@pytest.fixture
def package():
    return factories.TrainingPackageFactory(code="PKT-2026-001", budget=10_000_000)


def csv_file(rows, header=HEADER, name="belanja.csv") -> SimpleUploadedFile:
    lines = [";".join(header), *(";".join(str(cell) for cell in row) for row in rows)]
    return SimpleUploadedFile(name, "\n".join(lines).encode("utf-8"))


def xlsx_file(rows, header=HEADER) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("belanja.xlsx", buffer.getvalue())


def upload(client, file):
    return client.post(reverse(URL), {"file": file})


def confirm(client, response):
    return client.post(reverse(URL), {"payload": response.context["result"].payload()})


def errors(response) -> list[tuple[int, str, str]]:
    return response.context["result"].errors


def shown(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_page_and_the_template_are_for_dinas_staff(staff_client):
    for name in (URL, "intake:spending-import-template"):
        url = reverse(name)
        client = Client()
        assert client.get(url).status_code == 302  # to the login
        for user in (factories.OperatorFactory(), factories.OfficialFactory()):
            client.force_login(user)
            assert client.get(url).status_code == 403
        assert client.post(reverse(URL), {"file": csv_file([])}).status_code == 403
        assert staff_client.get(url).status_code == 200
    assert Expenditure.objects.count() == 0


def test_a_good_file_is_previewed_then_recorded_through_the_service(english, package, staff_user):
    rows = [
        ["PKT-2026-001", "10/09/2026", "3.000.000", "Honor instruktur", "SP2D/0001/2026", "Honor 24 JP", ""],
        ["pkt-2026-001", "2026-09-11", "Rp 1.500.000", "materials", "KW-12", "", ""],
        ["PKT-2026-001", "12-09-2026", "250000", "Venue", "KW-13", "Aula", ""],
    ]
    response = upload(english, csv_file(rows))
    assert response.status_code == 200
    result = response.context["result"]
    assert result.ok and result.total == 4_750_000
    assert "All 3 entries are right" in response.content.decode()
    assert Expenditure.objects.count() == 0  # a preview records nothing
    response = confirm(english, response)
    assert response.status_code == 302 and response["Location"] == reverse("admin:programs_expenditure_changelist")
    assert "Imported 3 spending entries, Rp4,750,000 in all." in shown(response)
    saved = list(Expenditure.objects.order_by("spent_on").values_list("spent_on", "amount", "kind", "document_number"))
    assert saved == [
        (datetime.date(2026, 9, 10), 3_000_000, "instructor_fees", "SP2D/0001/2026"),
        (datetime.date(2026, 9, 11), 1_500_000, "materials", "KW-12"),
        (datetime.date(2026, 9, 12), 250_000, "venue", "KW-13"),
    ]
    assert set(Expenditure.objects.values_list("entered_by", flat=True)) == {staff_user.pk}


def test_an_xlsx_with_number_and_date_cells_is_read(english, package):
    rows = [
        ["PKT-2026-001", datetime.datetime(2026, 9, 15), 3000000, "Konsumsi", "KW-20", None, None],
        ["PKT-2026-001", datetime.date(2026, 9, 16), 1250000.0, "Uang saku peserta", 12345, None, None],
    ]
    response = upload(english, xlsx_file(rows))
    assert response.context["result"].ok, errors(response)
    confirm(english, response)
    assert list(Expenditure.objects.order_by("pk").values_list("amount", "kind", "document_number")) == [
        (3_000_000, "meals", "KW-20"),
        (1_250_000, "allowances", "12345"),
    ]


def test_the_preview_lists_every_row_error_and_nothing_can_be_recorded(english, package):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    rows = [
        ["PKT-9999", "10/09/2026", "1.000.000", "Honor instruktur", "A1", "", ""],
        ["PKT-2026-001", "31/02/2026", "3,5", "Makan siang", "", "", ""],
        ["PKT-2026-001", tomorrow.strftime("%d/%m/%Y"), "1.000.000", "Venue", "A3", "", ""],
        ["PKT-2026-001", "31/12/2025", "1.000.000", "Venue", "A4", "", ""],
        ["PKT-2026-001", "10/09/2026", "6.000.000", "Venue", "A5", "", ""],
        ["PKT-2026-001", "11/09/2026", "5.000.000", "Venue", "A6", "", ""],
        ["PKT-2026-001", "12/09/2026", "0", "Venue", "A7", "", ""],
    ]
    response = upload(english, csv_file(rows))
    found = {(line, column): message for line, column, message in errors(response)}
    assert found[(2, "Kode Paket")] == "No package has the code PKT-9999."
    assert found[(3, "Tanggal")] == "Write the date as 27/11/2026 or 2026-11-27."
    assert "whole rupiah" in found[(3, "Jumlah")]
    assert found[(3, "Jenis")].startswith("Write one of: Instructor fees")
    assert found[(3, "Nomor Dokumen")] == "This column cannot be empty."
    assert found[(4, "Tanggal")] == "The date cannot be in the future."
    assert found[(5, "Tanggal")] == "The program is of 2026: money spent on it is dated in that year."
    assert (6, "Alasan Melebihi Pagu") not in found  # Rp6,000,000 of Rp10,000,000
    assert "Rp11,000,000" in found[(7, "Alasan Melebihi Pagu")]  # with the row above, over the pagu
    assert "more than Rp0" in found[(8, "Jumlah")]
    content = response.content.decode()
    assert 'name="payload"' not in content
    assert "nothing was imported" in content
    assert Expenditure.objects.count() == 0


def test_a_reason_lets_an_entry_go_over_the_pagu(english, package):
    rows = [
        ["PKT-2026-001", "10/09/2026", "6.000.000", "Venue", "A5", "", ""],
        ["PKT-2026-001", "11/09/2026", "5.000.000", "Venue", "A6", "", "Sewa gedung naik, disetujui Kadis"],
    ]
    response = upload(english, csv_file(rows))
    assert response.context["result"].ok, errors(response)
    confirm(english, response)
    assert Expenditure.objects.get(document_number="A6").over_pagu_reason == "Sewa gedung naik, disetujui Kadis"


def test_the_confirmation_records_all_or_nothing(english, package):
    rows = [
        ["PKT-2026-001", "10/09/2026", "4.000.000", "Venue", "A1", "", ""],
        ["PKT-2026-001", "11/09/2026", "4.000.000", "Venue", "A2", "", ""],
    ]
    response = upload(english, csv_file(rows))
    assert response.context["result"].ok
    make_spending(package=package, amount=3_000_000, document_number="OTHER")  # entered meanwhile
    response = confirm(english, response)
    assert response.status_code == 200
    assert [(line, column) for line, column, _message in errors(response)] == [(3, "Alasan Melebihi Pagu")]
    assert "The file has errors; nothing was imported." in " ".join(shown(response))
    assert list(Expenditure.objects.values_list("document_number", flat=True)) == ["OTHER"]


def test_a_file_imported_twice_is_refused_the_second_time(english, package):
    rows = [["PKT-2026-001", "10/09/2026", "1.000.000", "Venue", "A1", "", ""]] * 2
    response = upload(english, csv_file(rows))
    assert [message for _line, _column, message in errors(response)] == ["The same entry as row 2."]
    confirm(english, upload(english, csv_file(rows[:1])))
    response = upload(english, csv_file(rows[:1]))
    assert "already recorded" in errors(response)[0][2]
    assert Expenditure.objects.count() == 1


def test_a_changed_or_forged_preview_records_nothing(english, package):
    response = english.post(reverse(URL), {"payload": "W1sxLCB7fV1d:forged"})
    assert response.status_code == 302
    assert "This preview has expired or was changed; upload the file again." in shown(response)
    assert Expenditure.objects.count() == 0


def test_a_file_without_the_columns_or_rows_is_refused_at_the_upload(english, package):
    response = upload(english, csv_file([["PKT-2026-001", "1.000.000"]], header=["Kode Paket", "Jumlah"]))
    assert response.context["form"].errors["file"] == [
        "Columns missing: Tanggal, Jenis, Nomor Dokumen. Use the template."
    ]
    response = upload(english, csv_file([]))
    assert response.context["form"].errors["file"] == ["The file has a header but no spending entries."]
    response = upload(english, SimpleUploadedFile("belanja.pdf", b"%PDF-1.4"))
    assert "Upload an Excel file (.xlsx) or a CSV file (.csv)." in response.context["form"].errors["file"]


def test_an_oversized_file_is_refused_before_it_is_parsed(english, package, monkeypatch):
    def no_parse(*args, **kwargs):
        raise AssertionError("an oversized file must not be parsed")

    monkeypatch.setattr(imports, "read_table", no_parse)
    big = SimpleUploadedFile("belanja.csv", b"A" * (imports.MAX_FILE_BYTES + 1))
    response = upload(english, big)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The file is larger than 5 MB. Split the list into smaller files."
    ]
    assert response.context["result"] is None


def test_too_many_entries_are_refused(english, package, monkeypatch):
    monkeypatch.setattr(spending_forms, "MAX_ROWS", 2)
    rows = [["PKT-2026-001", "10/09/2026", "1.000", "Venue", f"A{n}", "", ""] for n in range(3)]
    response = upload(english, csv_file(rows))
    assert response.context["form"].errors["file"] == ["The file has more than 2 entries; split it into several files."]


def test_the_template_is_an_xlsx_with_text_columns(staff_client):
    response = staff_client.get(reverse("intake:spending-import-template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "templat-belanja.xlsx" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Belanja", "Contoh"]
    sheet = workbook["Belanja"]
    assert [cell.value for cell in sheet[1]] == HEADER
    for letter in ("A", "B", "E"):
        assert sheet[f"{letter}2"].number_format == "@"
        assert sheet[f"{letter}1001"].number_format == "@"
    assert sheet["C2"].number_format == "General"
    assert staff_client.post(reverse("intake:spending-import-template")).status_code == 405


def test_the_template_filled_in_is_read(english, package):
    workbook = openpyxl.load_workbook(io.BytesIO(english.get(reverse("intake:spending-import-template")).content))
    sheet = workbook["Belanja"]
    for column, value in zip("ABCDEFG", spending_forms.EXAMPLE_ROW, strict=True):
        sheet[f"{column}2"] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(english, SimpleUploadedFile("belanja.xlsx", buffer.getvalue()))
    assert response.context["result"].ok, errors(response)
    assert response.context["result"].rows[0].values["spent_on"] == datetime.date(2026, 9, 10)
