"""Participant import: lists as kelurahan offices and factories really send them."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from participants import imports
from participants.models import Enrollment, Participant, ParticipantImport
from programs.models import TrainingPackage
from tests import factories
from tests.factories import make_nik

pytestmark = pytest.mark.django_db

HEADER = ["NIK", "Nama Lengkap", "Jenis Kelamin (L/P)", "Tanggal Lahir", "No. HP", "Kelurahan", "Pendidikan"]
SITI = make_nik(sex="F", birth_date=datetime.date(1990, 11, 27), serial=1)
BUDI = make_nik(sex="M", birth_date=datetime.date(1995, 1, 2), serial=2, region="337502")
NUR = make_nik(sex="F", birth_date=datetime.date(2000, 6, 30), serial=3, region="337503")


def csv_bytes(rows, delimiter=";", encoding="utf-8-sig") -> bytes:
    return "\r\n".join(delimiter.join(str(cell) for cell in row) for row in rows).encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD = [
    HEADER,
    [SITI, "Siti Ma'rufah", "P", "27/11/1990", "0812-3456-7890", "Medono", "SLTA"],
    [BUDI, "  BUDI  SANTOSO ", "L", "02-01-1995", "+62 813 1111 2222", "Kauman", "S1"],
    [NUR, "Nur", "P", "2000-06-30", "6285722223333", "", "3"],
]


def test_a_good_file_previews_and_imports_every_row():
    result = imports.preview(csv_bytes(GOOD), "peserta.csv")
    assert result.ok, result.errors
    assert (result.new_count, result.update_count) == (3, 0)
    imports.import_rows(content=csv_bytes(GOOD), filename="peserta.csv", package=None, actor=factories.StaffFactory())
    people = {p.nik: p for p in Participant.objects.all()}
    assert people[SITI].full_name == "Siti Ma'rufah"
    assert people[BUDI].full_name == "BUDI SANTOSO"  # capitals kept, spaces trimmed
    assert people[NUR].full_name == "Nur"
    assert {p.phone for p in people.values()} == {"081234567890", "081311112222", "085722223333"}
    assert people[SITI].birth_date == datetime.date(1990, 11, 27)
    assert people[BUDI].birth_date == datetime.date(1995, 1, 2)
    assert people[SITI].kelurahan.code == "33.75.01.1002"
    assert people[NUR].kelurahan is None
    assert people[BUDI].education == Participant.Education.BACHELOR
    assert people[NUR].education == Participant.Education.PRIMARY


def test_a_file_with_three_bad_rows_lists_them_and_saves_nothing():
    rows = [
        *GOOD,
        ["3375013102980001", "Tanggal Salah", "L", "01/01/1998", "", "", "SLTA"],  # 31 February in the NIK
        [
            make_nik(sex="M", birth_date=datetime.date(1990, 1, 1), serial=9),
            "Tanpa Kelamin",
            "X",
            "01/01/1990",
            "",
            "",
            "SLTA",
        ],
        [
            make_nik(sex="M", birth_date=datetime.date(1991, 1, 1), serial=8),
            "",
            "L",
            "32/01/1991",
            "",
            "Atlantis",
            "SLTA",
        ],
    ]
    result = imports.preview(csv_bytes(rows), "peserta.csv")
    assert not result.ok
    errors = result.errors
    assert {line for line, _column, _message in errors} == {5, 6, 7}
    assert (5, "NIK") in {(line, column) for line, column, _ in errors}
    assert (6, "Jenis Kelamin (L/P)") in {(line, column) for line, column, _ in errors}
    assert {column for line, column, _ in errors if line == 7} == {"Nama Lengkap", "Tanggal Lahir", "Kelurahan"}
    assert any("bukan tanggal lahir yang benar" in message for _l, _c, message in errors)
    with pytest.raises(ValidationError):
        imports.import_rows(
            content=csv_bytes(rows), filename="peserta.csv", package=None, actor=factories.StaffFactory()
        )
    assert not Participant.objects.exists()


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (csv_bytes(GOOD, delimiter=","), "comma.csv"),
        (csv_bytes(GOOD, delimiter=";", encoding="utf-8"), "no-bom.csv"),
        (csv_bytes(GOOD, delimiter=";", encoding="cp1252"), "windows.csv"),
        (xlsx_bytes(GOOD), "peserta.xlsx"),
    ],
    ids=["comma", "utf8-no-bom", "windows-1252", "xlsx"],
)
def test_separators_encodings_and_formats(content, filename):
    result = imports.preview(content, filename)
    assert result.ok, result.errors
    assert [row.data["full_name"] for row in result.rows] == ["Siti Ma'rufah", "BUDI SANTOSO", "Nur"]


def test_windows_1252_letters_survive():
    rows = [HEADER, [SITI, "Siti Ma’rufah Zoë", "P", "27/11/1990", "", "", "SLTA"]]
    result = imports.preview(csv_bytes(rows, encoding="cp1252"), "x.csv")
    assert result.rows[0].data["full_name"] == "Siti Ma’rufah Zoë"


def test_a_nik_excel_stored_as_a_number_is_refused_with_how_to_fix_it():
    rows = [HEADER, [int(SITI), "Siti", "P", "27/11/1990", "", "", "SLTA"]]
    result = imports.preview(xlsx_bytes(rows), "x.xlsx")
    (line, column, message), *_ = result.errors
    assert (line, column) == (2, "NIK")
    assert "angka" in message and "Teks" in message
    csv_result = imports.preview(
        csv_bytes([HEADER, ["3,37501E+15", "Siti", "P", "27/11/1990", "", "", "SLTA"]]), "x.csv"
    )
    assert "Teks" in csv_result.errors[0][2]


def test_nik_with_spaces_or_dots_is_cleaned():
    spaced = f"{SITI[:4]} {SITI[4:8]}.{SITI[8:12]} {SITI[12:]}"
    result = imports.preview(csv_bytes([HEADER, [spaced, "Siti", "P", "27/11/1990", "", "", "SLTA"]]), "x.csv")
    assert result.ok and result.rows[0].data["nik"] == SITI


def test_dates_as_excel_serials_and_date_cells():
    rows = [
        HEADER,
        [SITI, "Siti", "P", 33204, "", "", "SLTA"],  # Excel's serial for 27 November 1990
        [BUDI, "Budi", "L", datetime.datetime(1995, 1, 2), "", "", "SLTA"],
    ]
    result = imports.preview(xlsx_bytes(rows), "x.xlsx")
    assert result.ok, result.errors
    assert [row.data["birth_date"] for row in result.rows] == [datetime.date(1990, 11, 27), datetime.date(1995, 1, 2)]
    serial = imports.preview(csv_bytes([HEADER, [SITI, "Siti", "P", "33204", "", "", "SLTA"]]), "x.csv")
    assert serial.rows[0].data["birth_date"] == datetime.date(1990, 11, 27)


def test_empty_rows_at_the_end_and_headers_in_other_capitals():
    rows = [[h.upper() for h in HEADER], *GOOD[1:], ["", "", "", "", "", "", ""], [";"], []]
    result = imports.preview(csv_bytes(rows), "x.csv")
    assert result.ok, result.errors
    assert len(result.rows) == 3


def test_the_same_person_twice_in_one_file():
    rows = [HEADER, GOOD[1], GOOD[2], [SITI, "Siti lagi", "P", "27/11/1990", "", "", "SLTA"]]
    result = imports.preview(csv_bytes(rows), "x.csv")
    assert result.errors == [(4, "NIK", "NIK sama dengan baris 2.")]


def test_a_registered_nik_is_updated_and_a_disagreeing_sex_only_warns():
    person = factories.ParticipantFactory(nik=SITI, full_name="Siti", sex="F", birth_date=datetime.date(1990, 11, 27))
    rows = [HEADER, [SITI, "Siti Ma'rufah", "L", "27/11/1990", "081299998888", "Medono", "SLTA"]]
    result = imports.preview(csv_bytes(rows), "x.csv")
    assert result.ok and result.update_count == 1
    assert len(result.rows[0].warnings) == 1
    imports.import_rows(content=csv_bytes(rows), filename="x.csv", package=None, actor=factories.StaffFactory())
    person.refresh_from_db()
    assert (person.full_name, person.phone, Participant.objects.count()) == ("Siti Ma'rufah", "081299998888", 1)


def test_enrolling_a_file_into_a_package_checks_seats_and_entry_rules():
    package = factories.TrainingPackageFactory(quota=2)
    result = imports.preview(csv_bytes(GOOD), "x.csv", package)
    assert not result.ok
    # Nur lives outside the city (no kelurahan), and only two seats are free.
    messages = [message for _line, _column, message in result.errors]
    assert any("warga Kota Pekalongan" in message for message in messages)
    small = [HEADER, GOOD[1], GOOD[2]]
    imports.import_rows(content=csv_bytes(small), filename="x.csv", package=package, actor=factories.StaffFactory())
    assert Enrollment.objects.filter(package=package, status="enrolled", source="import").count() == 2


def test_the_import_pages_for_staff(client):
    staff = factories.StaffFactory()
    client.force_login(staff)
    template = client.get(reverse("intake:import-template", args=["xlsx"]))
    assert template.status_code == 200
    header = imports.read_table(template.content, "t.xlsx")[0]
    assert header[:2] == ["NIK", "Nama Lengkap"]
    upload = io.BytesIO(csv_bytes(GOOD))
    upload.name = "peserta.csv"
    response = client.post(reverse("intake:import-upload"), {"file": upload})
    batch = ParticipantImport.objects.get()
    assert response["Location"] == reverse("intake:import-preview", args=[batch.pk])
    preview = client.get(response["Location"])
    assert (preview.context["result"].new_count, preview.context["result"].error_count) == (3, 0)
    assert 'data-count="new">3<' in preview.content.decode()
    assert "intake:import-upload" not in preview.content.decode() and "Unggah ulang" not in preview.content.decode()
    assert client.post(response["Location"]).status_code == 302
    assert Participant.objects.count() == 3
    batch.refresh_from_db()
    assert batch.imported_at is not None


def test_uploads_other_than_xlsx_or_csv_are_refused(client):
    client.force_login(factories.StaffFactory())
    upload = io.BytesIO(b"MZ\x90\x00")
    upload.name = "virus.exe"
    response = client.post(reverse("intake:import-upload"), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ParticipantImport.objects.exists()


@pytest.mark.parametrize("factory", [factories.OperatorFactory, factories.OfficialFactory])
def test_import_is_for_staff_only(client, factory):
    client.force_login(factory())
    assert client.get(reverse("intake:import-upload")).status_code == 403


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (b'\x00\x01\x02binary junk\r\x00"\n' * 50, "junk.csv"),
        (b'NIK;Nama\n"unclosed' + b"x" * 200_000, "quote.csv"),
        (b"just some text, not a workbook", "fake.xlsx"),
        (b"PK\x03\x04 truncated zip", "broken.xlsx"),
        (csv_bytes([HEADER]), "header-only.csv"),
    ],
    ids=["binary", "unclosed-quote", "text-as-xlsx", "broken-zip", "header-only"],
)
def test_unreadable_files_get_a_message_not_an_error(content, filename):
    result = imports.preview(content, filename)
    assert not result.ok
    assert result.file_errors or result.errors


def test_too_long_cells_and_impossible_birth_dates_are_row_errors():
    rows = [
        HEADER,
        [SITI, "N" * 151, "P", "27/11/1990", "", "", "SLTA"],
        [BUDI, "Budi", "L", "01/01/0001", "", "", "SLTA"],
        [NUR, "Nur", "P", "99999", "", "", "SLTA"],
    ]
    result = imports.preview(csv_bytes(rows), "x.csv")
    assert {(line, column) for line, column, _m in result.errors} == {
        (2, "Nama Lengkap"),
        (3, "Tanggal Lahir"),
        (4, "Tanggal Lahir"),
    }


def test_an_update_leaves_what_is_on_record_where_a_cell_is_empty():
    person = factories.ParticipantFactory(
        nik=SITI, sex="F", birth_date=datetime.date(1990, 11, 27), phone="081200000000"
    )
    rows = [HEADER, [SITI, "Siti", "P", "27/11/1990", "", "", "SLTA"]]
    imports.import_rows(content=csv_bytes(rows), filename="x.csv", package=None, actor=factories.StaffFactory())
    person.refresh_from_db()
    assert person.phone == "081200000000" and person.kelurahan is not None


def _template(client, fmt):
    client.force_login(factories.StaffFactory())
    return client.get(reverse("intake:import-template", args=[fmt]))


def test_the_xlsx_template_keeps_the_nik_phone_kk_and_ak1_columns_text_for_every_row(client):
    workbook = load_workbook(io.BytesIO(_template(client, "xlsx").content))
    assert workbook.sheetnames == ["Peserta", "Contoh"]
    sheet = workbook["Peserta"]
    assert [cell.value for cell in sheet[1]] == [header for header, _name in imports.COLUMNS]
    assert [cell.value for cell in sheet[2]] == [None] * len(imports.COLUMNS)  # no example to import
    for row in (2, 1500, 10_001):  # every row a file may hold: the header and 10,000 people
        assert [sheet[f"{letter}{row}"].number_format for letter in "AFNO"] == ["@", "@", "@", "@"], row
    assert [sheet[f"{letter}1"].value for letter in "NO"] == ["No. KK", "No. Kartu AK1"]
    assert sheet["B1500"].number_format == "General"  # names and dates are not text
    assert sheet.column_dimensions["A"].number_format == "@"  # what Excel applies to cells typed later


def test_the_example_is_on_its_own_sheet_and_a_filled_in_template_imports_only_the_people_typed(client):
    workbook = load_workbook(io.BytesIO(_template(client, "xlsx").content))
    example = [[cell.value for cell in row] for row in workbook["Contoh"].iter_rows() if row[0].value]
    assert example[-1][:2] == ["3375014506980001", "Siti Aminah"]
    assert workbook["Contoh"]["A" + str(len(example) + 1)].data_type == "s"  # the example NIK is text
    sheet = workbook["Peserta"]
    for column, value in enumerate([SITI, "Siti Ma'rufah", "P", "Pekalongan", "27/11/1990", "081234567890"], start=1):
        sheet.cell(row=2, column=column, value=value)
    sheet.cell(row=2, column=9, value="SLTA")
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = imports.preview(buffer.getvalue(), "templat-peserta.xlsx")
    assert result.ok, (result.file_errors, result.errors)
    assert [row.data["nik"] for row in result.rows] == [SITI]


def test_the_csv_template_is_the_header_alone(client):
    csv_file = _template(client, "csv")
    assert csv_file["Content-Disposition"] == 'attachment; filename="templat-peserta.csv"'
    lines = csv_file.content.decode("utf-8-sig").splitlines()
    assert lines == [";".join(header for header, _name in imports.COLUMNS)]
    assert client.get(reverse("intake:import-template", args=["json"])).status_code == 404


def test_a_file_that_still_holds_the_example_row_is_refused():
    # As templates handed out before the example moved to its own sheet had it, in row 2.
    header = [header for header, _name in imports.COLUMNS]
    rows = [header, imports.EXAMPLE_ROW, [SITI, "Siti", "P", "", "27/11/1990", "", "", "", "SLTA"]]
    with translation.override("en"):
        result = imports.preview(xlsx_bytes(rows), "lama.xlsx")
    assert result.errors == [
        (2, "NIK", "This is the template's example row (Siti Aminah), not a real person: delete it.")
    ]
    assert (result.new_count, result.update_count, result.error_count) == (1, 0, 1)
    with pytest.raises(ValidationError):
        imports.import_rows(
            content=xlsx_bytes(rows), filename="lama.xlsx", package=None, actor=factories.StaffFactory()
        )
    assert not Participant.objects.exists()
    # Another person with the same NIK as the example (the name differs) is not refused for it.
    other = [rows[0], [imports.EXAMPLE_ROW[0], "Aminah Lain", "P", "", "05/06/1998", "", "", "", "SLTA"]]
    assert imports.preview(xlsx_bytes(other), "x.xlsx").ok


def test_the_counts_leave_the_error_rows_out():
    factories.ParticipantFactory(nik=SITI, sex="F", birth_date=datetime.date(1990, 11, 27))
    factories.ParticipantFactory(nik=NUR, sex="F", birth_date=datetime.date(2000, 6, 30))
    rows = [
        HEADER,
        GOOD[1],  # registered: an update
        GOOD[2],  # new
        [NUR, "Nur", "X", "2000-06-30", "", "", "3"],  # registered, but with an error
        [make_nik(sex="M", birth_date=datetime.date(1991, 1, 1), serial=8), "", "L", "01/01/1991", "", "", "S1"],
    ]
    result = imports.preview(csv_bytes(rows), "x.csv")
    assert (len(result.rows), result.new_count, result.update_count, result.error_count) == (4, 1, 1, 2)


def test_a_preview_with_errors_offers_to_upload_again_into_the_same_package(client):
    staff = factories.StaffFactory()
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    package = factories.TrainingPackageFactory(status=TrainingPackage.Status.OPEN)
    rows = [*GOOD, [BUDI, "Budi lagi", "L", "02-01-1995", "", "", "S1"]]  # the same NIK twice
    batch = ParticipantImport.objects.create(
        filename="x.csv",
        content=csv_bytes(rows),
        rows=imports.read_table(csv_bytes(rows), "x.csv"),
        package=package,
        created_by=staff,
    )
    page = client.get(reverse("intake:import-preview", args=[batch.pk])).content.decode()
    again = f'href="{reverse("intake:import-upload")}?package={package.pk}">Upload again</a>'
    assert again in page
    assert 'data-count="error">' in page and "Import 4 rows" not in page
    upload = client.get(f"{reverse('intake:import-upload')}?package={package.pk}")
    assert upload.context["form"]["package"].value() == package.pk
    assert f'<option value="{package.pk}" selected>' in upload.content.decode()
    assert client.get(f"{reverse('intake:import-upload')}?package=x").status_code == 200


def test_the_preview_says_what_a_new_person_gets_for_an_empty_work_status_or_group():
    with translation.override("en"):
        result = imports.preview(csv_bytes(GOOD), "x.csv")
    assert result.ok
    assert result.rows[0].warnings == [
        "Status Pekerjaan is empty: it will be recorded as “Other, not in the labour force”.",
        "Kelompok Sasaran is empty: it will be recorded as “Job seeker”.",
    ]
    factories.ParticipantFactory(nik=SITI)  # on record: an empty cell leaves what is there, no warning
    assert imports.preview(csv_bytes(GOOD), "x.csv").rows[0].warnings == []
