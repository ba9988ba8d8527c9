"""Participants' allowances (issue 16, point 5): the amount per person from their marks, the payment
service (one spending entry for the total, a payment per person, never twice) and the staff pages
(the list and its form, XLSX, the A4 list to sign).

The class, worked by hand (rate Rp50.000, five meetings):

    person   status       marks            present only   also excused
    Ani      completed    H H H I S        3  150.000     4  200.000
    Budi     completed    H H A A H        3  150.000     3  150.000
    Citra    dropped out  H H              2  100.000     2  100.000
    Dedi     completed    S A A S A        0        0     0        0
    Fajar    completed    I I I S A        0        0     3  150.000
    Gita     withdrawn    H                not on the list (holds no seat)
    Hadi     applied      -                not on the list
    total                                  8  400.000    12  600.000
"""

import datetime
import io

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from participants.allowances import allowance_list, allowances_pay
from participants.models import AllowancePayment, Attendance, Enrollment
from programs.models import Expenditure, TrainingPackage
from tests import factories

pytestmark = pytest.mark.django_db

# The marks by their Indonesian letters: Hadir, Izin, Sakit, Alpa.
H, I, S, A = Attendance.Status.PRESENT, Attendance.Status.EXCUSED, Attendance.Status.SICK, Attendance.Status.ABSENT  # noqa: E741
Status = Enrollment.Status
RATE = 50_000
PAID_ON = datetime.date(2026, 11, 30)  # in the program's year (2026), after the package, not in the future

CLASS = {
    "Ani": (Status.COMPLETED, [H, H, H, I, S]),
    "Budi": (Status.COMPLETED, [H, H, A, A, H]),
    "Citra": (Status.DROPPED_OUT, [H, H]),
    "Dedi": (Status.COMPLETED, [S, A, A, S, A]),
    "Fajar": (Status.COMPLETED, [I, I, I, S, A]),
    "Gita": (Status.WITHDRAWN, [H]),
    "Hadi": (Status.APPLIED, []),
}


def _package(*, counts_excused=False, status=TrainingPackage.Status.COMPLETED, budget=60_000_000, **kwargs):
    return factories.TrainingPackageFactory(
        code=kwargs.pop("code", "BLK-2026-09"),
        title="Tata Boga",
        status=status,
        budget=budget,
        allowance_daily_rate=kwargs.pop("rate", RATE),
        allowance_counts_excused=counts_excused,
        starts_on=datetime.date(2026, 9, 7),
        ends_on=datetime.date(2026, 9, 30),
        **kwargs,
    )


def _class(package, people=CLASS):
    sessions = list(package.sessions.order_by("date")) or [
        factories.SessionFactory(package=package, date=datetime.date(2026, 9, 7 + n)) for n in range(5)
    ]
    enrollments = {}
    for name, (status, marks) in people.items():
        enrollment = factories.EnrollmentFactory(
            package=package, status=status, participant=factories.ParticipantFactory(full_name=name)
        )
        for session, mark in zip(sessions, marks, strict=False):
            factories.AttendanceFactory(enrollment=enrollment, session=session, status=mark)
        enrollments[name] = enrollment
    return enrollments


def _days(allowances):
    return {row.enrollment.participant.full_name: (row.days, row.amount) for row in allowances.rows}


def _pay(package, **kwargs):
    """Pay, with the messages in English (the tests read them)."""
    arguments = {"paid_on": PAID_ON, "document_number": "BKU/0412/XI/2026", "by": factories.StaffFactory()}
    with translation.override("en"):
        return allowances_pay(package=package, **{**arguments, **kwargs})


# --- the amounts from the marks ------------------------------------------------------------------


def test_present_days_only_pay_the_days_present():
    package = _package()
    _class(package)
    allowances = allowance_list(package)
    assert _days(allowances) == {
        "Ani": (3, 150_000),
        "Budi": (3, 150_000),
        "Citra": (2, 100_000),
        "Dedi": (0, 0),
        "Fajar": (0, 0),
    }
    assert (allowances.total_days, allowances.total) == (8, 400_000)
    assert [row.enrollment.participant.full_name for row in allowances.payable] == ["Ani", "Budi", "Citra"]


def test_also_excused_pays_excused_days_and_never_sick_or_absent():
    package = _package(counts_excused=True)
    _class(package)
    allowances = allowance_list(package)
    assert _days(allowances) == {
        "Ani": (4, 200_000),
        "Budi": (3, 150_000),
        "Citra": (2, 100_000),
        "Dedi": (0, 0),
        "Fajar": (3, 150_000),
    }
    assert (allowances.total_days, allowances.total) == (12, 600_000)


def test_the_list_is_one_query_however_many_people():
    small, large = _package(code="A-1"), _package(code="A-2")
    _class(small, {"Ani": (Status.COMPLETED, [H])})
    _class(large, {f"Peserta {n}": (Status.COMPLETED, [H, I, H]) for n in range(12)})
    for package in (small, large):
        with CaptureQueriesContext(connection) as queries:
            allowances = allowance_list(package)
            assert allowances.total
        assert len(queries) == 1
    assert allowance_list(large).total == 12 * 2 * RATE


# --- paying ----------------------------------------------------------------------------------------


def test_paying_makes_one_spending_entry_for_the_total_and_a_payment_per_person():
    package = _package()
    people = _class(package)
    staff = factories.StaffFactory()
    payments = _pay(package, by=staff)
    spending = Expenditure.objects.get()
    assert (spending.package, spending.kind, spending.amount) == (package, Expenditure.Kind.ALLOWANCES, 400_000)
    assert (spending.spent_on, spending.document_number, spending.entered_by) == (PAID_ON, "BKU/0412/XI/2026", staff)
    stored = {p.enrollment_id: (p.days, p.daily_rate, p.amount, p.paid_on, p.spending_id, p.paid_by) for p in payments}
    assert stored == {
        people["Ani"].pk: (3, RATE, 150_000, PAID_ON, spending.pk, staff),
        people["Budi"].pk: (3, RATE, 150_000, PAID_ON, spending.pk, staff),
        people["Citra"].pk: (2, RATE, 100_000, PAID_ON, spending.pk, staff),
    }
    assert AllowancePayment.objects.count() == 3  # nobody with 0 days, nobody without a seat
    assert AllowancePayment.history.count() == 3
    assert all(row.paid for row in allowance_list(package).payable)


def test_a_second_run_pays_nobody_twice_and_says_so():
    package = _package()
    _class(package)
    _pay(package)
    with pytest.raises(ValidationError) as refused:
        _pay(package, document_number="BKU/0413/XI/2026")
    assert "Nobody is left to pay" in " ".join(refused.value.messages)
    assert Expenditure.objects.count() == 1 and AllowancePayment.objects.count() == 3


def test_a_second_run_pays_only_who_was_left():
    package = _package()
    _class(package)
    _pay(package)
    # A late-recorded person (marks entered after the first list was paid).
    late = _class(package, {"Joko": (Status.COMPLETED, [H, H, H, H])})["Joko"]
    payments = _pay(package, document_number="BKU/0500/XI/2026")
    assert [(payment.enrollment, payment.amount) for payment in payments] == [(late, 200_000)]
    assert list(Expenditure.objects.order_by("pk").values_list("amount", flat=True)) == [400_000, 200_000]


def test_a_person_paid_keeps_what_was_paid_when_a_mark_changes_after():
    package = _package()
    people = _class(package)
    _pay(package)
    mark = Attendance.objects.filter(enrollment=people["Budi"], status=A).first()
    mark.status = H
    mark.save()
    row = next(row for row in allowance_list(package).rows if row.enrollment == people["Budi"])
    assert (row.days, row.amount, row.days_now, row.marks_changed) == (3, 150_000, 4, True)


def test_over_the_pagu_is_refused_without_a_reason_and_accepted_with_one():
    package = _package(budget=300_000)
    _class(package)
    with pytest.raises(ValidationError) as refused:
        _pay(package)
    assert list(refused.value.message_dict) == ["over_pagu_reason"]
    assert not Expenditure.objects.exists() and not AllowancePayment.objects.exists()
    _pay(package, over_pagu_reason="Tambahan peserta disetujui Kepala Dinas")
    spending = Expenditure.objects.get()
    assert (spending.amount, spending.over_pagu_reason) == (400_000, "Tambahan peserta disetujui Kepala Dinas")
    assert AllowancePayment.objects.count() == 3


@pytest.mark.parametrize(
    "paid_on",
    [datetime.date(2025, 12, 31), datetime.date(2026, 9, 6), datetime.date(2999, 1, 1)],
    ids=["another fiscal year", "before the package", "in the future"],
)
def test_a_date_outside_the_year_before_the_package_or_in_the_future_is_refused(paid_on):
    package = _package()
    _class(package)
    with pytest.raises(ValidationError) as refused:
        _pay(package, paid_on=paid_on)
    assert list(refused.value.message_dict) == ["paid_on"]
    assert not Expenditure.objects.exists() and not AllowancePayment.objects.exists()


def test_a_missing_document_number_is_refused():
    package = _package()
    _class(package)
    with pytest.raises(ValidationError) as refused:
        _pay(package, document_number="  ")
    assert list(refused.value.message_dict) == ["document_number"]
    assert not Expenditure.objects.exists()


@pytest.mark.parametrize(
    "status", [TrainingPackage.Status.RUNNING, TrainingPackage.Status.PLANNED, TrainingPackage.Status.CANCELLED]
)
def test_a_package_not_completed_is_refused(status):
    package = _package(status=status)
    _class(package)
    with pytest.raises(ValidationError) as refused:
        _pay(package)
    assert not hasattr(refused.value, "error_dict")  # the form shows it above the fields
    assert "completed" in " ".join(refused.value.messages)
    assert not Expenditure.objects.exists() and not AllowancePayment.objects.exists()


def test_a_package_without_a_daily_rate_is_refused():
    package = _package(rate=0)
    _class(package)
    assert allowance_list(package).total == 0
    with pytest.raises(ValidationError) as refused:
        _pay(package)
    assert "no daily allowance" in " ".join(refused.value.messages)
    assert not Expenditure.objects.exists()


def test_a_package_where_nobody_has_a_day_is_refused():
    package = _package()
    _class(package, {"Dedi": (Status.COMPLETED, [S, A])})
    with pytest.raises(ValidationError) as refused:
        _pay(package)
    assert refused.value.messages == ["Nobody has a day counted: there is nothing to pay."]
    assert not Expenditure.objects.exists()


# --- the pages ---------------------------------------------------------------------------------------


def _urls(package):
    return [
        reverse("intake:allowances", args=[package.pk]),
        reverse("intake:allowances-export", args=[package.pk]),
        reverse("intake:allowances-print", args=[package.pk]),
    ]


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_anonymous_goes_to_the_login(client):
    for url in _urls(_package()):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_operators_even_of_the_package_and_officials_get_403(client):
    operator = factories.OperatorFactory()
    package = _package(provider=factories.ProviderFactory(operators=[operator]))
    for user in (operator, factories.OfficialFactory()):
        client.force_login(user)
        for url in _urls(package):
            assert client.get(url).status_code == 403, url
        assert client.post(_urls(package)[0], {"paid_on": "2026-11-30", "document_number": "X"}).status_code == 403
    assert not Expenditure.objects.exists()


def test_a_package_that_does_not_exist_is_a_404(staff_client):
    package = _package()
    missing = TrainingPackage.objects.order_by("-pk").first().pk + 1000
    for url in _urls(package):
        assert staff_client.get(url.replace(f"/{package.pk}/", f"/{missing}/")).status_code == 404


def test_the_exports_answer_only_a_get(staff_client):
    package = _package()
    for url in _urls(package)[1:]:
        assert staff_client.post(url).status_code == 405


def test_the_page_lists_everyone_with_a_seat_masked_and_the_total(staff_client, english):
    package = _package()
    people = _class(package)
    response = staff_client.get(_urls(package)[0])
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Ani", "Budi", "Citra", "Dedi", "Fajar"):
        assert people[name].participant.masked_nik in html
        assert people[name].participant.nik not in html
    assert "Gita" not in html and "Hadi" not in html
    assert "Rp400,000" in html and "Rp150,000" in html  # English
    assert "days present only (H)" in html
    assert 'name="document_number"' in html and 'type="date"' in html
    rows = response.context["allowances"].rows
    assert [(row.enrollment.participant.full_name, row.amount) for row in rows] == [
        ("Ani", 150_000),
        ("Budi", 150_000),
        ("Citra", 100_000),
        ("Dedi", 0),
        ("Fajar", 0),
    ]


def test_marking_the_list_paid_from_the_page(staff_client, staff_user, english):
    package = _package()
    _class(package)
    url = _urls(package)[0]
    data = {"paid_on": "2026-11-30", "document_number": "BKU/0412/XI/2026", "over_pagu_reason": ""}
    response = staff_client.post(url, data, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "Allowances of Rp400,000 paid to 3 people" in response.content.decode()
    spending = Expenditure.objects.get()
    assert (spending.amount, spending.entered_by, spending.kind) == (400_000, staff_user, Expenditure.Kind.ALLOWANCES)
    assert AllowancePayment.objects.filter(spending=spending).count() == 3
    # Again: nobody left, said on the page; nothing written.
    again = staff_client.post(url, {**data, "document_number": "BKU/0413/XI/2026"})
    assert again.status_code == 200
    assert "Nobody is left to pay" in again.content.decode()
    assert Expenditure.objects.count() == 1


def test_the_page_shows_each_refusal_next_to_its_field(staff_client, english):
    package = _package(budget=300_000)
    _class(package)
    url = _urls(package)[0]
    page = staff_client.get(url).content.decode()
    assert 'id="over-pagu"' in page  # warned before anyone types
    response = staff_client.post(url, {"paid_on": "2025-12-31", "document_number": "BKU/1"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "2026" in " ".join(form.errors["paid_on"])
    html = response.content.decode()
    assert 'id="error-summary"' in html and 'href="#id_paid_on"' in html
    response = staff_client.post(url, {"paid_on": "2026-11-30", "document_number": "BKU/1"})
    assert "above its pagu" in " ".join(response.context["form"].errors["over_pagu_reason"])
    response = staff_client.post(url, {"paid_on": "", "document_number": ""})
    assert set(response.context["form"].errors) == {"paid_on", "document_number"}
    response = staff_client.post(url, {"paid_on": "31-02-2026", "document_number": "x" * 61})
    assert set(response.context["form"].errors) == {"paid_on", "document_number"}
    assert not Expenditure.objects.exists() and not AllowancePayment.objects.exists()


def test_a_running_package_shows_why_it_cannot_be_paid_yet(staff_client, english):
    package = _package(status=TrainingPackage.Status.RUNNING)
    _class(package)
    response = staff_client.get(_urls(package)[0])
    html = response.content.decode()
    assert 'id="pay-refusal"' in html and "once the package is completed" in html
    assert 'name="document_number"' not in html
    response = staff_client.post(_urls(package)[0], {"paid_on": "2026-11-30", "document_number": "BKU/1"})
    assert response.status_code == 200 and not Expenditure.objects.exists()


def test_the_xlsx_has_numbers_as_numbers_and_masked_niks(staff_client, english):
    package = _package()
    people = _class(package)
    _pay(package)
    response = staff_client.get(_urls(package)[1])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "uang-saku-BLK-2026-09.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows.index(
        ["No.", "Name", "NIK", "Kelurahan", "Days counted", "Daily rate", "Amount", "Paid on", "Document number"]
    )
    body = rows[header + 1 : header + 4]
    assert [row[:7] for row in body] == [
        [1, "Ani", people["Ani"].participant.masked_nik, "Medono", 3, RATE, 150_000],
        [2, "Budi", people["Budi"].participant.masked_nik, "Medono", 3, RATE, 150_000],
        [3, "Citra", people["Citra"].participant.masked_nik, "Medono", 2, RATE, 100_000],
    ]
    assert all(row[7].date() == PAID_ON and row[8] == "BKU/0412/XI/2026" for row in body)
    assert rows[header + 4][1] == "Total" and rows[header + 4][4] == 8 and rows[header + 4][6] == 400_000
    amount = sheet.cell(row=header + 2, column=7)
    assert amount.data_type == "n" and amount.number_format == '"Rp"#,##0'
    assert sheet.cell(row=header + 2, column=5).number_format == "#,##0"
    assert not any(person.participant.nik in str(rows) for person in people.values())


def test_the_print_page_has_the_letterhead_the_boxes_the_total_and_the_signatures(staff_client):
    package = _package(counts_excused=True)
    people = _class(package)
    response = staff_client.get(_urls(package)[2])
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dinas Perindustrian dan Tenaga Kerja Kota Pekalongan" in html
    assert "css/allowances-print.css" in html and "<script>" not in html
    assert "BLK-2026-09" in html and "Rp600.000" in html and "Rp50.000" in html
    assert "Bendahara Pengeluaran" in html and "PPTK" in html and html.count("NIP.") == 3
    for name in ("Ani", "Budi", "Citra", "Fajar"):
        assert people[name].participant.masked_nik in html and people[name].participant.nik not in html
    assert "Dedi" not in html  # nothing to pay: not on the list to sign
    assert html.count('class="sign-half sign-left">1.</td>') == 1
    assert html.count('class="sign-half sign-right">2.</td>') == 1


def test_the_pages_take_as_many_queries_for_2_as_for_12_people(staff_client):
    packages = []
    for size, code in ((2, "Q-1"), (12, "Q-2")):
        package = _package(code=code)
        _class(package, {f"Peserta {code} {n}": (Status.COMPLETED, [H, H, I]) for n in range(size)})
        packages.append(package)

    def counts(package):
        sizes = []
        for url in _urls(package):
            with CaptureQueriesContext(connection) as queries:
                assert staff_client.get(url).status_code == 200
            sizes.append(len(queries))
        return sizes

    assert counts(packages[0]) == counts(packages[1])  # not paid yet
    for package in packages:
        _pay(package)
    assert counts(packages[0]) == counts(packages[1])  # paid: the payments and their entry come along
