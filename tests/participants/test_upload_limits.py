"""Uploads are refused within their limits: a small hostile file costs a few megabytes, not gigabytes."""

import io
import tracemalloc
import zipfile

import pytest
from django.urls import reverse
from django.utils import translation

from participants import imports
from participants.models import Participant, ParticipantImport
from tests import factories
from tests.participants.test_imports import GOOD, csv_bytes

pytestmark = pytest.mark.django_db

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "</Types>"
)
WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Peserta" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELATIONS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="sharedStrings.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    "</Relationships>"
)
SHEET_START = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
SHEET_END = "</sheetData></worksheet>"


def workbook(sheet_chunks, shared_chunks=None, extra=None) -> bytes:
    """A minimal XLSX written by hand; the big parts are written in chunks, never held whole."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELATIONS)
        for name, chunks in [("xl/worksheets/sheet1.xml", sheet_chunks), ("xl/sharedStrings.xml", shared_chunks)]:
            if chunks is not None:
                with archive.open(name, "w", force_zip64=True) as part:
                    for chunk in chunks:
                        part.write(chunk.encode())
        for name, chunks in (extra or {}).items():
            with archive.open(name, "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk)
    return buffer.getvalue()


def million_cells_in_one_row():
    yield SHEET_START + '<row r="1">'
    for _ in range(1000):
        yield "<c><v>1</v></c>" * 1000
    yield "</row>" + SHEET_END


def one_huge_shared_string():
    yield '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    for _ in range(50):
        yield "A" * (1024 * 1024)  # 50 MB of "A"
    yield "</t></si></sst>"


def zeros():
    for _ in range(150):
        yield bytes(1024 * 1024)  # 150 MB unpacked


def many_rows():
    yield SHEET_START
    for number in range(1, 10_100):
        yield f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>x</t></is></c></row>'
    yield SHEET_END


def refused(content: bytes, filename: str) -> tuple[str, float]:
    """The message read_table refuses the file with, and the peak memory it took, in MB."""
    tracemalloc.start()
    try:
        with translation.override("en"), pytest.raises(imports.ValidationError) as error:
            imports.read_table(content, filename)
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()
    return " ".join(error.value.messages), peak


def test_a_million_cells_in_one_row_are_refused_at_once():
    content = workbook(million_cells_in_one_row())
    assert len(content) < 100_000  # the pen test's file was 34 KB
    message, peak = refused(content, "row.xlsx")
    assert message == "A row of the file has more than 1,000 cells; delete the columns that are not in the template."
    assert peak < 50


def test_a_huge_shared_string_is_refused_without_loading_it():
    content = workbook(iter([SHEET_START + SHEET_END]), one_huge_shared_string())
    assert len(content) < 200_000
    message, peak = refused(content, "string.xlsx")
    assert message == "A cell of the file has more than 5,000 characters; shorten it or delete it."
    assert peak < 50


def test_a_zip_bomb_part_is_refused_before_it_is_unpacked():
    content = workbook(iter([SHEET_START + SHEET_END]), extra={"xl/media/image1.png": zeros()})
    message, peak = refused(content, "bomb.xlsx")
    assert message == "The file unpacks to more than 100 MB; save it again as .xlsx from Excel, or split it."
    assert peak < 50


def test_a_part_that_lies_about_its_size_is_read_no_further_than_it_says():
    content = bytearray(workbook(many_rows()))
    # Shrink the sheet's size in the zip's directory: the reader must not read past it.
    directory = content.rfind(b"xl/worksheets/sheet1.xml")
    header = content.rfind(b"PK\x01\x02", 0, directory)
    content[header + 24 : header + 28] = (100).to_bytes(4, "little")
    message, peak = refused(bytes(content), "lying.xlsx")
    assert "not a spreadsheet the template made" in message
    assert peak < 50


def test_too_many_rows_are_refused_with_what_to_do():
    message, _peak = refused(workbook(many_rows()), "rows.xlsx")
    assert message == "The file has more than 10,000 rows; split it into several files."
    lines = [GOOD[0]] + [GOOD[1]] * 10_020
    message, peak = refused(csv_bytes(lines), "rows.csv")
    assert message == "The file has more than 10,000 rows; split it into several files."
    assert peak < 50


@pytest.mark.parametrize(
    "content",
    [
        b"NIK;Nama\n" + b"1;" + b"A" * 6_000 + b"\n",
        b"NIK;Nama\n" + b";" * 30_000 + b"\n",
        b'NIK;Nama\n"' + b"A\n" * 100_000,
    ],
    ids=["long-cell", "long-line", "unclosed-quote"],
)
def test_long_csv_cells_and_lines_are_refused(content):
    message, peak = refused(content, "long.csv")
    assert message == "A cell of the file has more than 5,000 characters; shorten it or delete it."
    assert peak < 50


def test_something_else_named_xlsx_is_refused_with_what_to_do():
    message, _peak = refused(b"PK\x03\x04 not really a zip", "fake.xlsx")
    assert message == (
        "The file is not a spreadsheet the template made; save it again as .xlsx from Excel or upload a CSV."
    )


def test_the_upload_form_shows_the_limit_next_to_the_file_and_saves_nothing(client):
    client.force_login(factories.StaffFactory())
    upload = io.BytesIO(workbook(million_cells_in_one_row()))
    upload.name = "row.xlsx"
    response = client.post(reverse("intake:import-upload"), {"file": upload})
    assert response.status_code == 200
    (message,) = response.context["form"].errors["file"]
    assert "1.000" in message  # the limit, written the Indonesian way
    assert message in response.content.decode()
    assert not ParticipantImport.objects.exists()


def test_the_file_is_read_once_at_upload_and_never_again(client, monkeypatch):
    client.force_login(factories.StaffFactory())
    upload = io.BytesIO(csv_bytes(GOOD))
    upload.name = "peserta.csv"
    url = client.post(reverse("intake:import-upload"), {"file": upload})["Location"]
    batch = ParticipantImport.objects.get()
    assert batch.rows[1][1] == "Siti Ma'rufah"

    def no_parse(*args, **kwargs):
        raise AssertionError("the file was read again")

    monkeypatch.setattr(imports, "read_table", no_parse)
    monkeypatch.setattr(imports, "preview", no_parse)
    assert "3 baris" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert Participant.objects.count() == 3
    batch.refresh_from_db()
    assert (bytes(batch.content), batch.rows, batch.row_count) == (b"", None, 3)


def test_the_stored_rows_of_a_workbook_are_json_and_import_the_same(client):
    client.force_login(factories.StaffFactory())
    from tests.participants.test_imports import xlsx_bytes

    rows = [GOOD[0], [*GOOD[1][:3], imports.datetime.datetime(1990, 11, 27), *GOOD[1][4:]]]
    upload = io.BytesIO(xlsx_bytes(rows))
    upload.name = "peserta.xlsx"
    url = client.post(reverse("intake:import-upload"), {"file": upload})["Location"]
    assert ParticipantImport.objects.get().rows[1][3] == "1990-11-27"
    assert client.post(url).status_code == 302
    assert Participant.objects.get().birth_date == imports.datetime.date(1990, 11, 27)
