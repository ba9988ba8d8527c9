"""Random and hostile values posted to every form view: never a 500, never markup rendered unescaped.

The admin's forms, lists and actions are in tests/test_hostile_admin.py; here the public, portal and
intake forms, the participant-list upload and its confirmation, and the log-in and password-reset forms.
"""

import base64
import datetime
import io
import zipfile
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participants.models import Attendance, Enrollment, Participant, ParticipantImport
from pekalongan_training import accounts
from programs.models import TrainingPackage
from tests import factories
from tests.participants.test_imports import GOOD, HEADER, csv_bytes
from tests.participants.test_upload_limits import SHEET_END, SHEET_START, workbook

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
HOSTILE = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            SCRIPT,
            "<b>x</b>",
            "' OR 1=1 --",
            "'; DROP TABLE participants_participant; --",
            "\x00",
            "²",
            "-1",
            "0",
            "9" * 40,
            "A" * 5000,
            "2026-02-30",
            "31/02/1990",
            "25:99",
            "present",
            "on",
            "",
            "null",
            "{{ 7*7 }}",
        ]
    ),
)
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def form_data(fields):
    """Some of the fields (missing ones too), each with a hostile value."""
    return st.dictionaries(st.sampled_from(fields), HOSTILE, max_size=len(fields))


@pytest.fixture
def world(client):
    today = timezone.localdate()
    operator = factories.OperatorFactory()
    staff = factories.StaffFactory()
    package = factories.TrainingPackageFactory(
        provider=factories.ProviderFactory(operators=[operator]),
        starts_on=today - datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=10),
    )
    session = factories.SessionFactory(package=package, date=today)
    future = factories.SessionFactory(package=package, date=today + datetime.timedelta(days=2))
    enrollment = factories.EnrollmentFactory(package=package)
    open_package = factories.TrainingPackageFactory(
        status=TrainingPackage.Status.OPEN,
        starts_on=today + datetime.timedelta(days=20),
        ends_on=today + datetime.timedelta(days=40),
        cohort=factories.CohortFactory(
            registration_opens=today - datetime.timedelta(days=1),
            registration_closes=today + datetime.timedelta(days=5),
            starts_on=today + datetime.timedelta(days=20),
            ends_on=today + datetime.timedelta(days=60),
        ),
    )
    return locals()


REGISTRATION = [
    "nik",
    "full_name",
    "sex",
    "birth_date",
    "phone",
    "address",
    "kelurahan",
    "education",
    "employment_status_at_intake",
    "beneficiary_group",
    "consent",
    "website",
]


@FUZZ
@given(data=form_data(REGISTRATION))
def test_public_registration(client, world, data, settings):
    settings.REGISTRATION_RATE_LIMIT = (10_000, 3600)
    response = client.post(reverse("public:register", args=[world["open_package"].pk]), data)
    assert response.status_code in (200, 302, 400, 429)
    assert SCRIPT not in response.content.decode()


@FUZZ
@given(data=form_data(["username", "password", "next"]))
def test_login(client, world, data):
    assert client.post(reverse("login"), data).status_code in (200, 302, 400, 429)


@FUZZ
@given(status=HOSTILE, remark=HOSTILE)
def test_one_tap_and_the_page_after_it(client, world, status, remark):
    client.force_login(world["operator"])
    enrollment, session = world["enrollment"], world["session"]
    response = client.post(
        reverse("provider:attendance-mark", args=[session.pk, enrollment.pk]),
        {f"status-{enrollment.pk}": status, f"remark-{enrollment.pk}": remark},
        headers={"HX-Request": "true"},
    )
    assert response.status_code in (200, 400)
    page = client.get(reverse("provider:session-attendance", args=[session.pk])).content.decode()
    assert SCRIPT not in page
    if Attendance.objects.filter(remark__contains="<").exists():
        assert "&lt;" in page


@FUZZ
@given(data=form_data(["date", "starts_at", "ends_at", "topic"]))
def test_schedule_forms(client, world, data):
    client.force_login(world["operator"])
    for url in (
        reverse("provider:session-add", args=[world["package"].pk]),
        reverse("provider:session-move", args=[world["future"].pk]),
    ):
        assert client.post(url, data).status_code in (200, 302, 400)


@FUZZ
@given(values=st.lists(HOSTILE, min_size=3, max_size=3))
def test_results_form(client, world, values):
    client.force_login(world["operator"])
    prefix = world["enrollment"].pk
    data = dict(
        zip((f"{prefix}-assessment", f"{prefix}-certificate_number", f"{prefix}-competency"), values, strict=True)
    )
    response = client.post(reverse("provider:package-results", args=[world["package"].pk]), data)
    assert response.status_code in (200, 302, 400)
    assert SCRIPT not in client.get(reverse("provider:package-results", args=[world["package"].pk])).content.decode()


@FUZZ
@given(data=form_data(["participant", "override_reason", "action", "enrollment", "reason"]))
def test_staff_intake_posts(client, world, data):
    client.force_login(world["staff"])
    package = world["package"]
    for url in (
        reverse("intake:enrollment-add", args=[package.pk]),
        reverse("intake:applicants-decide", args=[package.pk]),
        reverse("intake:enrollment-withdraw", args=[package.pk, world["enrollment"].pk]),
    ):
        assert client.post(url, data).status_code in (302, 400, 404)
    assert (
        SCRIPT
        not in client.get(
            reverse("intake:package-enrollment", args=[package.pk]), {"q": data.get("reason", "")}
        ).content.decode()
    )


@FUZZ
@given(
    data=form_data(
        ["status", "related_to_training", "business_name", "sector", "monthly_income", "employer_name", "notes"]
    )
)
def test_follow_up_form(client, world, data):
    client.force_login(world["staff"])
    today = timezone.localdate()
    ended = factories.TrainingPackageFactory(
        starts_on=today - datetime.timedelta(days=200), ends_on=today - datetime.timedelta(days=120)
    )
    completer = factories.EnrollmentFactory(package=ended, status="completed")
    response = client.post(reverse("intake:followup-record", args=[completer.pk, 3]), data)
    assert response.status_code in (200, 302, 400)


@FUZZ
@given(params=form_data(["year", "wave", "category", "kecamatan", "provider", "vocation", "funding"]))
def test_dashboard_filters(client, world, params):
    client.force_login(factories.OfficialFactory())
    for name, args in (("dashboard:index", []), ("dashboard:export", ["csv"]), ("dashboard:print", [])):
        response = client.get(reverse(name, args=args), params)
        assert response.status_code in (200, 400)
        assert SCRIPT not in response.content.decode("utf-8", errors="ignore")


@pytest.mark.parametrize(
    "path",
    [
        "/provider/packages/99999999999999999999999/",
        "/provider/sessions/99999999999999999999/attendance/",
        "/intake/packages/99999999999999999999/",
        "/pelatihan/99999999999999999999/daftar/",
    ],
)
def test_a_huge_id_in_the_address_is_not_found(client, world, path):
    client.force_login(world["staff"])
    assert client.get(path).status_code == 404


def test_a_nul_character_anywhere_is_a_400_not_an_error(client, world):
    client.force_login(world["staff"])
    response = client.post(
        reverse("intake:enrollment-withdraw", args=[world["package"].pk, world["enrollment"].pk]), {"reason": "a\x00b"}
    )
    assert response.status_code == 400
    assert "tidak dapat diproses" in response.content.decode()
    assert (
        client.get(reverse("intake:package-enrollment", args=[world["package"].pk]), {"q": "\x00"}).status_code == 400
    )


# --- the participant-list upload and its confirmation ----------------------------------------------


def in_english(client):
    """The pages in English (the language switch's cookie), so that messages can be compared."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def staff_in_english(client):
    client.force_login(factories.StaffFactory())
    return in_english(client)


def multipart(parts) -> tuple[bytes, str]:
    """A form body as a browser (or a script) sends it, with the file names exactly as given: the
    test client would strip a path from them before the server sees it."""
    boundary = "----hostileBoundary7MA4YWxk"
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        body += b"Content-Type: application/octet-stream\r\n\r\n" if filename is not None else b"\r\n"
        body += content + b"\r\n"
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def post_upload(client, parts):
    body, content_type = multipart(parts)
    return client.post(reverse("intake:import-upload"), body, content_type=content_type)


def zip_bomb() -> bytes:
    """A workbook of 100 KB whose one extra part unpacks to 65 MB of zeros."""
    buffer = io.BytesIO(workbook(iter([SHEET_START + SHEET_END])))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/media/a.png", "w") as part:
        for _ in range(65):
            part.write(bytes(1024 * 1024))
    return buffer.getvalue()


def wide_row(cells: int) -> bytes:
    return workbook(iter([SHEET_START, '<row r="1">', "<c><v>1</v></c>" * cells, "</row>", SHEET_END]))


TEMPLATE_COLUMNS = "NIK, Nama Lengkap, Jenis Kelamin (L/P), Tanggal Lahir, Pendidikan"
REFUSED_UPLOADS = {
    "empty": (b"", "peserta.csv", "The submitted file is empty."),
    "text-named-xlsx": (
        b"Nama;NIK\nSiti;3375016711900001\n",
        "peserta.xlsx",
        "The file is not a spreadsheet the template made; save it again as .xlsx from Excel or upload a CSV.",
    ),
    "zip-bomb": (
        zip_bomb,  # made when the test runs, not when the tests are collected
        "bom.xlsx",
        "The file unpacks to more than 100 MB; save it again as .xlsx from Excel, or split it.",
    ),
    "only-a-header": (csv_bytes([HEADER]), "peserta.csv", "The file has a header but no participants."),
    "blank-lines": (b"\r\n;;;\r\n \r\n", "peserta.csv", "The file is empty."),
    "image-named-csv": (
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        "peserta.csv",
        f"Columns missing: {TEMPLATE_COLUMNS}. Use the template.",
    ),
    "tab-separated": (
        csv_bytes(GOOD, delimiter="\t", encoding="utf-16"),
        "peserta.csv",
        f"Columns missing: {TEMPLATE_COLUMNS}. Use the template.",
    ),
    "xlsx-10k-columns": (
        wide_row(10_000),
        "lebar.xlsx",
        "A row of the file has more than 1,000 cells; delete the columns that are not in the template.",
    ),
    "csv-10k-columns-in-a-long-line": (
        ";".join(["NIK"] * 10_000).encode(),
        "lebar.csv",
        "A cell of the file has more than 5,000 characters; shorten it or delete it.",
    ),
    "another-kind-of-file": (csv_bytes(GOOD), "peserta.xls", "Upload an Excel file (.xlsx) or a CSV file (.csv)."),
    "a-name-hiding-its-kind": (
        csv_bytes(GOOD),
        "peserta.csv\x00.exe",
        "Upload an Excel file (.xlsx) or a CSV file (.csv).",
    ),
}


@pytest.mark.parametrize(("content", "filename", "message"), REFUSED_UPLOADS.values(), ids=REFUSED_UPLOADS)
def test_a_hostile_file_is_refused_next_to_the_field_and_nothing_is_saved(staff_in_english, content, filename, message):
    content = content() if callable(content) else content
    response = post_upload(staff_in_english, [("file", filename, content)])
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}
    assert message.split(";")[0] in response.content.decode()
    assert not ParticipantImport.objects.exists() and not Participant.objects.exists()


def test_no_file_or_two_files_are_refused_with_what_to_do(staff_in_english):
    response = post_upload(staff_in_english, [("package", None, b"")])
    assert response.context["form"].errors == {"file": ["This field is required."]}
    response = post_upload(staff_in_english, [("file", "a.csv", csv_bytes(GOOD)), ("file", "b.csv", csv_bytes(GOOD))])
    assert response.context["form"].errors == {"file": ["Upload one file at a time."]}
    assert not ParticipantImport.objects.exists()


@pytest.mark.parametrize("package", ["abc", "9" * 40, "-1", "²", ["1", "2"]])
def test_a_package_that_is_no_package_is_refused_at_the_upload(staff_in_english, package):
    closed = factories.TrainingPackageFactory(status=TrainingPackage.Status.COMPLETED)
    for value in (package, str(closed.pk)):
        data = {"file": SimpleUploadedFile("peserta.csv", csv_bytes(GOOD)), "package": value}
        response = staff_in_english.post(reverse("intake:import-upload"), data)
        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["package"]
    assert staff_in_english.get(reverse("intake:import-upload"), {"package": package}).status_code == 200
    assert not ParticipantImport.objects.exists()


def good_rows(name) -> list[list[str]]:
    return [GOOD[0], [GOOD[1][0], name, *GOOD[1][2:]]]


# Files read as their writer meant them: the rows kept at upload, as the preview will show them.
READABLE_UPLOADS = {
    "utf-8-with-bom": (csv_bytes(good_rows("Siti Ma'rufah")), "Siti Ma'rufah"),
    "latin-1": (csv_bytes(good_rows("Andrés Müller"), encoding="latin-1"), "Andrés Müller"),
    "windows-1252": (csv_bytes(good_rows("Siti “Ipeh” Ma’rufah"), encoding="cp1252"), "Siti “Ipeh” Ma’rufah"),
    "utf-16-excel-unicode": (csv_bytes(good_rows("Ayşe Ṣalihah"), encoding="utf-16"), "Ayşe Ṣalihah"),
    "utf-16-big-endian": (b"\xfe\xff" + csv_bytes(good_rows("Ayşe"), encoding="utf-16-be"), "Ayşe"),
    "nul-bytes": (csv_bytes(good_rows("Si\x00ti")).replace(b";", b"\x00;"), "Siti"),
    "formula-as-text": (
        csv_bytes(good_rows('=HYPERLINK("http://x.example","klik")')),
        '=HYPERLINK("http://x.example","klik")',
    ),
    "csv-10k-columns": (csv_bytes([[*GOOD[0], *[""] * 9_990], [*GOOD[1], *[""] * 9_990]]), GOOD[1][1]),
}


@pytest.mark.parametrize(("content", "name"), READABLE_UPLOADS.values(), ids=READABLE_UPLOADS)
def test_a_file_in_another_encoding_or_with_odd_bytes_is_read_as_written(staff_in_english, content, name):
    response = post_upload(staff_in_english, [("file", "peserta.csv", content)])
    assert response.status_code == 302, response.context["form"].errors
    batch = ParticipantImport.objects.get()
    assert batch.rows[0][:2] == ["NIK", "Nama Lengkap"]
    assert batch.rows[1][1] == name
    assert len(batch.rows[1]) <= 40 and "\x00" not in str(batch.rows)
    assert escape(name) in staff_in_english.get(response["Location"]).content.decode()
    assert not Participant.objects.exists()  # nothing is written before the confirmation


def test_a_formula_in_a_workbook_gives_its_value_never_the_formula(staff_in_english):
    cells = "".join(
        f'<c r="{column}1" t="inlineStr"><is><t>{text}</t></is></c>'
        for column, text in zip("ABCDE", [*HEADER[:4], "Pendidikan"], strict=True)
    )
    row = (
        f'<c r="A2" t="inlineStr"><is><t>{GOOD[1][0]}</t></is></c>'
        '<c r="B2" t="str"><f>CONCATENATE("Si","ti")</f><v>Siti</v></c>'
        '<c r="C2" t="str"><f>"P"</f><v>P</v></c><c r="D2" t="inlineStr"><is><t>27/11/1990</t></is></c>'
        '<c r="E2"><f>1+1</f></c>'  # a formula without its value (as a script writes it): an empty cell
    )
    content = workbook(iter([SHEET_START, f'<row r="1">{cells}</row><row r="2">{row}</row>', SHEET_END]))
    response = post_upload(staff_in_english, [("file", "rumus.xlsx", content)])
    assert response.status_code == 302
    assert ParticipantImport.objects.get().rows[1][:5] == [GOOD[1][0], "Siti", "P", "27/11/1990", None]


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../../etc/peserta.csv", "peserta.csv"),
        ("..\\..\\Windows\\peserta.csv", "peserta.csv"),
        ("C:\\Users\\staf\\Desktop\\peserta.csv", "peserta.csv"),
        ("daftar peserta ‮vsc.csv", "daftar peserta vsc.csv"),
        ("名单 peserta.csv", "名单 peserta.csv"),
        ("A" * 400 + ".csv", None),
        ("<img src=x onerror=alert(1)>.csv", "<img src=x onerror=alert(1)>.csv"),
    ],
    ids=["unix-path", "windows-path", "drive-path", "right-to-left", "unicode", "overlong", "markup"],
)
def test_the_file_name_is_kept_without_its_path_and_shown_escaped(staff_in_english, sent, kept):
    response = post_upload(staff_in_english, [("file", sent, csv_bytes(GOOD))])
    assert response.status_code == 302
    name = ParticipantImport.objects.get().filename
    assert name == kept if kept else (len(name) <= 255 and name.endswith(".csv"))
    assert "/" not in name and "\\" not in name
    page = staff_in_english.get(response["Location"]).content.decode()
    assert "<img" not in page and (escape(name) in page or len(name) > 100)


@pytest.fixture
def uploaded(staff_in_english):
    """A list uploaded by dinas staff, waiting on its preview for the confirmation."""
    response = post_upload(staff_in_english, [("file", "peserta.csv", csv_bytes(GOOD))])
    return ParticipantImport.objects.get(), response["Location"]


@pytest.mark.parametrize("pk", ["abc", "9" * 40, "-1", "0", "1.0", "%C2%B2"])
def test_the_confirmation_of_an_id_that_is_no_id_is_not_found(staff_in_english, uploaded, pk):
    url = reverse("intake:import-upload") + f"{pk}/"
    assert staff_in_english.get(url).status_code == 404
    assert staff_in_english.post(url).status_code == 404
    assert not Participant.objects.exists()


def test_someone_elses_upload_cannot_be_seen_or_confirmed(client, uploaded):
    batch, url = uploaded
    client.force_login(factories.StaffFactory())
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    batch.refresh_from_db()
    assert batch.imported_at is None and not Participant.objects.exists()


def test_the_confirmation_imports_the_rows_kept_whatever_else_is_posted(staff_in_english, uploaded):
    batch, url = uploaded
    package = factories.TrainingPackageFactory(quota=40)
    tampered = {"package": package.pk, "rows": '[["NIK"],["1"]]', "content": "x", "created_by": "1", "pk": "9" * 40}
    assert staff_in_english.post(url, tampered).status_code == 302
    assert sorted(Participant.objects.values_list("nik", flat=True)) == sorted(row[0] for row in GOOD[1:])
    assert not Enrollment.objects.exists()  # the upload chose no package; a posted one is ignored
    # A second confirmation (a double click, a replay) imports nothing again.
    response = staff_in_english.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("intake:import-upload")
    assert Participant.objects.count() == 3
    batch.refresh_from_db()
    assert batch.row_count == 3


# --- log-in and password reset ---------------------------------------------------------------------

PASSWORD = "Benar-Sekali-2026"
LOGIN_HOSTILE = [
    "A" * 5000,
    "9" * 40,
    SCRIPT,
    "' OR 1=1 --",
    "\u202estaf\u200b",
    "ＳＴＡＦ",
    "  ",
    ["staf", "x"],
]


@pytest.fixture
def account():
    return factories.UserFactory(username="staf", email="staf@pekalongankota.go.id", password=PASSWORD)


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_the_log_in_forms_take_hostile_values_and_log_nobody_in(client, account, url_name):
    url = reverse(url_name)
    for value in LOGIN_HOSTILE:
        for data in (
            {"username": value, "password": value},
            {"username": "staf", "password": value},
            {"username": value},
        ):
            response = client.post(url, data)
            assert response.status_code in (200, 429), (data, response.status_code)  # 429: locked out
            assert SCRIPT not in response.content.decode()
            assert SESSION_KEY not in client.session
    assert client.post(url, {"username": "a\x00", "password": PASSWORD}).status_code == 400


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
@pytest.mark.parametrize(
    "next_url", ["//evil.example/", "https://evil.example/", "javascript:alert(1)", "/\\evil.example", "A" * 5000]
)
def test_after_log_in_a_hostile_next_address_stays_on_the_site(client, url_name, next_url):
    user = (
        factories.StaffFactory(password=PASSWORD)
        if url_name == "admin:login"
        else factories.OperatorFactory(password=PASSWORD)
    )
    response = client.post(reverse(url_name), {"username": user.username, "password": PASSWORD, "next": next_url})
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert (target.scheme, target.netloc) == ("", "") and not target.path.startswith(("/\\", "//"))


RESET_HOSTILE = [
    "A" * 5000 + "@example.com",
    "staf@pekalongankota.go.id" + "A" * 300,
    "STAF@PEKALONGANKOTA.GO.ID",
    "ſtaf@pekalongankota.go.id",  # the long s folds to "s": Django sends to the stored address only
    "staf@pekalongankota.go.ıd",
    "staf@pekalongankota.go.id\u200b",
    "staf@pekalongankota.go.id\r\nBcc: semua@example.com",
    '"<script>alert(1)</script>"@example.com',
    ["nobody@example.com", "staf@pekalongankota.go.id"],
    "9" * 40,
    " ",
]


def test_the_password_reset_form_takes_hostile_addresses_and_mails_only_the_stored_address(
    client, account, monkeypatch, settings
):
    settings.PASSWORD_RESET_RATE_LIMIT = {"email": 100, "client": 100, "seconds": 3600}
    monkeypatch.setattr(accounts, "_in_background", lambda work: work())  # the mail in this thread, at once
    for email in RESET_HOSTILE:
        response = client.post(reverse("password_reset"), {"email": email})
        assert response.status_code in (200, 302), email
        if response.status_code == 200:
            assert response.context["form"].errors["email"]
    assert client.post(reverse("password_reset"), {"email": "staf@pekalongankota.go.id\x00"}).status_code == 400
    assert mail.outbox, "the case-folded addresses reach the account"
    assert {address for message in mail.outbox for address in message.to} == {"staf@pekalongankota.go.id"}
    assert all("Bcc" not in str(message.message()) for message in mail.outbox)


@pytest.mark.parametrize(
    "uidb64",
    ["A" * 1000, "!!!", base64.urlsafe_b64encode(b"9" * 40).decode(), base64.urlsafe_b64encode(b"-1").decode(), "%00"],
)
def test_a_reset_link_with_garbage_in_it_says_the_link_is_invalid(client, account, uidb64):
    url = reverse("password_reset_confirm", kwargs={"uidb64": "x", "token": "set-password"}).replace(
        "/x/", f"/{uidb64}/"
    )
    for token in ("set-password", "A" * 1000, "1-2-3"):
        response = client.get(url.replace("set-password", token))
        assert response.status_code == 200
        assert response.context["validlink"] is False
