"""The by-name, by-address list of beneficiaries (issue 16, point 4): staff only, full NIKs as text,
seat holders only, the valid certificate's number, every download logged, a fixed number of queries."""

import datetime
import io

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.models import Certificate, Enrollment, Participant, PersonalDataExport
from programs.models import Kelurahan, TrainingPackage
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("intake:beneficiaries-export")
Status, Assessment = Enrollment.Status, Enrollment.Assessment
HEADER = [
    "No.",
    "NIK",
    "No. KK",
    "Name",
    "Address",
    "Kelurahan",
    "Kecamatan",
    "Target group",
    "Package code",
    "Package",
    "Provider",
    "Starts on",
    "Ends on",
    "Status",
    "Assessment",
    "Certificate number",
]


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows.index(HEADER)
    return sheet, header, rows[header + 1 :]


@pytest.fixture
def city():
    """One program with two packages in two waves (and one cancelled), and another program."""
    program = factories.ProgramFactory(name="Pelatihan DBHCHT 2026")
    provider = factories.ProviderFactory(name="LPK Batik Jlamprang")
    first = factories.TrainingPackageFactory(
        code="BLK-2026-01",
        title="Membatik Tulis",
        cohort=factories.CohortFactory(program=program),
        provider=provider,
        status=TrainingPackage.Status.COMPLETED,
        starts_on=datetime.date(2026, 9, 7),
        ends_on=datetime.date(2026, 9, 30),
    )
    second = factories.TrainingPackageFactory(
        code="BLK-2026-02", title="Barista", cohort=factories.CohortFactory(program=program)
    )
    cancelled = factories.TrainingPackageFactory(
        code="BLK-2026-03", cohort=second.cohort, status=TrainingPackage.Status.CANCELLED
    )
    elsewhere = factories.TrainingPackageFactory(code="APBD-2026-01")
    kauman = Kelurahan.objects.get(code="33.75.02.1004")
    siti = factories.EnrollmentFactory(
        package=first,
        status=Status.COMPLETED,
        assessment=Assessment.PASSED,
        certificate_number="OLD/1",
        participant=factories.ParticipantFactory(
            full_name="Siti Aminah",
            kk_number="3375010101090001",
            address="Jl. Hayam Wuruk No. 5, RT 02/RW 03",
            kelurahan=kauman,
            beneficiary_group=Participant.BeneficiaryGroup.FACTORY_WORKER,
        ),
    )
    Certificate.objects.create(
        enrollment=siti,
        number="BLK-2026-01/REVOKD",
        code="R" * 16,
        issued_on=datetime.date(2026, 10, 1),
        revoked_at=timezone.now(),
    )
    Certificate.objects.create(
        enrollment=siti, number="BLK-2026-01/ABCDEF", code="C" * 16, issued_on=datetime.date(2026, 10, 2)
    )
    budi = factories.EnrollmentFactory(
        package=first,
        status=Status.DROPPED_OUT,
        participant=factories.ParticipantFactory(full_name="Budi Santoso", kelurahan=None, address="Batang"),
    )
    revoked_only = factories.EnrollmentFactory(
        package=first,
        status=Status.COMPLETED,
        assessment=Assessment.PASSED,
        certificate_number="LPK/77/2026",
        participant=factories.ParticipantFactory(full_name="Dewi Lestari"),
    )
    Certificate.objects.create(
        enrollment=revoked_only,
        number="BLK-2026-01/XXXXXX",
        code="X" * 16,
        issued_on=datetime.date(2026, 10, 1),
        revoked_at=timezone.now(),
    )
    eko = factories.EnrollmentFactory(
        package=second, status=Status.ENROLLED, participant=factories.ParticipantFactory(full_name="Eko Prasetyo")
    )
    # Holding no seat: not beneficiaries.
    factories.EnrollmentFactory(package=first, status=Status.WITHDRAWN)
    factories.EnrollmentFactory(package=first, status=Status.REJECTED)
    factories.EnrollmentFactory(package=second, status=Status.APPLIED)
    factories.EnrollmentFactory(package=cancelled, status=Status.ENROLLED, participant__full_name="Batal")
    factories.EnrollmentFactory(package=elsewhere, status=Status.COMPLETED, participant__full_name="Lain Program")
    return {
        "program": program,
        "first": first,
        "second": second,
        "elsewhere": elsewhere,
        "siti": siti,
        "budi": budi,
        "dewi": revoked_only,
        "eko": eko,
    }


def test_a_package_list_has_every_column_of_its_seat_holders(staff_client, english, city):
    response = staff_client.get(URL, {"package": city["first"].pk})
    assert "penerima-manfaat-BLK-2026-01.xlsx" in response["Content-Disposition"]
    sheet, header, rows = _sheet(response)
    siti, budi, dewi = (city[name].participant for name in ("siti", "budi", "dewi"))
    assert rows == [
        [
            1,
            budi.nik,
            None,
            "Budi Santoso",
            "Batang",
            "outside the city",
            None,
            "Job seeker",
            "BLK-2026-01",
            "Membatik Tulis",
            "LPK Batik Jlamprang",
            datetime.datetime(2026, 9, 7),
            datetime.datetime(2026, 9, 30),
            "Dropped out",
            "Not assessed",
            None,
        ],
        [
            2,
            dewi.nik,
            None,
            "Dewi Lestari",
            "Jl. Merdeka No. 1",
            "Medono",
            "Pekalongan Barat",
            "Job seeker",
            "BLK-2026-01",
            "Membatik Tulis",
            "LPK Batik Jlamprang",
            datetime.datetime(2026, 9, 7),
            datetime.datetime(2026, 9, 30),
            "Completed",
            "Passed",
            "LPK/77/2026",  # its only system certificate is revoked: the number on the enrollment
        ],
        [
            3,
            siti.nik,
            "3375010101090001",
            "Siti Aminah",
            "Jl. Hayam Wuruk No. 5, RT 02/RW 03",
            "Kauman",
            "Pekalongan Timur",
            "Cigarette-factory worker",
            "BLK-2026-01",
            "Membatik Tulis",
            "LPK Batik Jlamprang",
            datetime.datetime(2026, 9, 7),
            datetime.datetime(2026, 9, 30),
            "Completed",
            "Passed",
            "BLK-2026-01/ABCDEF",  # the valid certificate, not the revoked one or the old number
        ],
    ]
    nik = sheet.cell(row=header + 2, column=2)
    assert nik.data_type == "s" and nik.number_format == "@"
    assert sheet.cell(row=header + 4, column=3).number_format == "@"
    assert sheet.cell(row=header + 2, column=12).number_format == "DD/MM/YYYY"


def test_a_program_list_covers_its_packages_but_cancelled_ones_and_no_other_program(staff_client, english, city):
    _sheet_, _header, rows = _sheet(staff_client.get(URL, {"program": city["program"].pk}))
    assert [(row[0], row[3], row[8]) for row in rows] == [
        (1, "Budi Santoso", "BLK-2026-01"),
        (2, "Dewi Lestari", "BLK-2026-01"),
        (3, "Siti Aminah", "BLK-2026-01"),
        (4, "Eko Prasetyo", "BLK-2026-02"),
    ]
    assert rows[3][13:] == ["Enrolled", "Not assessed", None]


def test_every_download_is_logged_with_the_selection_and_the_people_but_no_nik(staff_client, staff_user, city):
    staff_client.get(URL, {"package": city["first"].pk})
    staff_client.get(URL, {"program": city["program"].pk})
    logs = list(PersonalDataExport.objects.order_by("pk"))
    assert [(log.user, log.row_count) for log in logs] == [(staff_user, 3), (staff_user, 4)]
    assert "BLK-2026-01" in logs[0].description
    assert "Pelatihan DBHCHT 2026" in logs[1].description
    for key in ("siti", "budi", "dewi"):
        assert str(city[key].participant_id) in logs[0].description
    assert str(city["eko"].participant_id) in logs[1].description
    people = [city[key].participant for key in ("siti", "budi", "dewi", "eko")]
    assert not any(person.nik in log.description for log in logs for person in people)


def test_an_empty_package_gives_an_empty_list_and_no_log(staff_client, english):
    package = factories.TrainingPackageFactory()
    _sheet_, _header, rows = _sheet(staff_client.get(URL, {"package": package.pk}))
    assert rows == []
    assert not PersonalDataExport.objects.exists()


def test_who_may_download(client, city):
    query = {"package": city["first"].pk}
    response = client.get(URL, query)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    operator = factories.OperatorFactory()
    city["first"].provider.operators.add(operator)
    for user in (operator, factories.OfficialFactory()):
        client.force_login(user)
        assert client.get(URL, query).status_code == 403
    assert not PersonalDataExport.objects.exists()


def test_a_post_is_refused(staff_client, city):
    assert staff_client.post(URL + f"?package={city['first'].pk}").status_code == 405


@pytest.mark.parametrize(
    "query",
    [{}, {"program": "1", "package": "1"}, {"program": ""} | {"package": "1"}],
    ids=["neither", "both", "both, one empty"],
)
def test_neither_or_both_is_a_clear_400(staff_client, english, query):
    response = staff_client.get(URL, query)
    assert response.status_code == 400
    assert "?program=" in response.content.decode() and "?package=" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"program": "abc"},
        {"package": "-1"},
        {"package": ""},
        {"package": "99999999"},
        {"program": "1" * 40},
        {"package": "１２"},  # full-width digits
        {"program": "1.5"},
    ],
)
def test_a_bad_or_unknown_id_is_a_404(staff_client, query):
    assert staff_client.get(URL, query).status_code == 404
    assert not PersonalDataExport.objects.exists()


def test_the_queries_do_not_grow_with_people_or_packages(staff_client, english):
    program = factories.ProgramFactory()
    counts = []
    for size in (2, 12):
        cohort = factories.CohortFactory(program=program)
        packages = factories.TrainingPackageFactory.create_batch(size // 2, cohort=cohort)
        for n in range(size):
            enrollment = factories.EnrollmentFactory(
                package=packages[n % len(packages)], status=Status.COMPLETED, assessment=Assessment.PASSED
            )
            Certificate.objects.create(
                enrollment=enrollment,
                number=f"N-{enrollment.pk}",
                code=f"{enrollment.pk:0>16}",
                issued_on=datetime.date(2026, 10, 1),
            )
        for query in ({"program": program.pk}, {"package": packages[0].pk}):
            with CaptureQueriesContext(connection) as queries:
                _sheet(staff_client.get(URL, query))
            counts.append((query.keys(), len(queries)))
        program = factories.ProgramFactory()
    # The session, the user and their groups; the program or package; the rows (certificates in a
    # subquery); the log entry; the session saved again (3 with its savepoint).
    assert [count for _keys, count in counts] == [9, 9, 9, 9]
