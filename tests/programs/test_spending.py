"""The DBHCHT plan and spending in the admin: the package's plan and allowance fields, the program's
pagu per funding source, spending entries through spending_record (inline and on their own), never
deleted, and the LPK accreditation warning at its boundary."""

import datetime

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from participants.models import AllowancePayment
from programs import forms as program_forms
from programs.forms import accreditation_warning
from programs.models import Expenditure, Program, ProgramFunding, Provider, TrainingPackage
from tests import factories
from tests.test_admin import make_allowance_payment, make_spending
from tests.test_hostile_admin import filled_in

pytestmark = pytest.mark.django_db

D = datetime.date
PAID_ON = D(2026, 9, 10)


@pytest.fixture
def english(staff_client):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return staff_client


@pytest.fixture
def package():
    return factories.TrainingPackageFactory(budget=10_000_000)


def change_url(package):
    return reverse("admin:programs_trainingpackage_change", args=[package.pk])


def page_post(client, package, rows=(), **changes):
    """The package's change page as a browser sends it, with new spending rows and changed fields."""
    data = filled_in(client.get(change_url(package)).content.decode(), "trainingpackage_form")
    data = {name: values[0] if len(values) == 1 else values for name, values in data.items()}
    existing = int(data["spending-INITIAL_FORMS"])
    for offset, row in enumerate(rows):
        index = existing + offset
        entry = {
            "spent_on": PAID_ON.isoformat(),
            "amount": "",
            "kind": Expenditure.Kind.MATERIALS,
            "document_number": f"SP2D-{index + 1:03d}",
            "description": "",
            "over_pagu_reason": "",
            **row,
        }
        data.update({f"spending-{index}-{name}": value for name, value in entry.items()})
    data["spending-TOTAL_FORMS"] = str(existing + len(rows))
    data.update(changes)
    data["_continue"] = "1"
    return client.post(change_url(package), data)


def spending_forms(response):
    (formset,) = [
        inline.formset for inline in response.context["inline_admin_formsets"] if inline.formset.model is Expenditure
    ]
    return formset.forms


def shown(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- the plan ------------------------------------------------------------------------------------


def test_the_package_page_has_the_plan_and_the_allowance_with_money_typed_as_text(english, package):
    page = english.get(change_url(package)).content.decode()
    assert "DBHCHT plan" in page and "Daily allowance" in page
    for name in ("budget", "support_cost", "allowance_daily_rate"):
        assert f'type="text" name="{name}"' in page and 'inputmode="numeric"' in page
    response = page_post(
        english,
        package,
        support_cost="Rp 3.000.000",
        allowance_daily_rate="50.000",
        account_code="5.1.02.01.01.0024",
        planned_participants="18",
        allowance_counts_excused="on",
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    package.refresh_from_db()
    assert (package.support_cost, package.allowance_daily_rate, package.planned_volume) == (3_000_000, 50_000, 18)
    assert package.account_code == "5.1.02.01.01.0024"
    assert package.sub_activity_code == "2.07.03.2.01.0001"
    assert package.allowance_counts_excused is True


def test_the_support_costs_stay_within_the_pagu_and_the_codes_are_digits_and_dots(english, package):
    response = page_post(english, package, support_cost="Rp 12.000.000", sub_activity_code="sub kegiatan 1")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["support_cost"] == ["The support costs (BOP) are part of the pagu: they cannot be more."]
    assert "digits and dots" in errors["sub_activity_code"][0]
    package.refresh_from_db()
    assert package.support_cost == 0


def test_the_pagu_cannot_be_cut_below_what_is_spent(english, package):
    make_spending(package=package, amount=6_000_000)
    response = page_post(english, package, budget="5.000.000")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["budget"] == [
        "Rp6,000,000 has already been spent on this package; the pagu cannot be lower."
    ]


# --- spending in the package's page ----------------------------------------------------------------


def test_over_the_pagu_without_a_reason_is_refused_next_to_the_reason_and_saved_with_one(english, package, staff_user):
    make_spending(package=package, amount=8_000_000)
    response = page_post(english, package, [{"amount": "3.000.000"}])
    assert response.status_code == 200
    new = spending_forms(response)[-1]
    assert "above its pagu of Rp10,000,000" in new.errors["over_pagu_reason"][0]
    assert "Rp11,000,000" in new.errors["over_pagu_reason"][0]
    assert Expenditure.objects.filter(package=package).count() == 1

    response = page_post(
        english, package, [{"amount": "Rp 3.000.000", "over_pagu_reason": "Tambahan bahan praktik, disetujui"}]
    )
    assert response.status_code == 302
    entry = Expenditure.objects.get(package=package, amount=3_000_000)
    assert (entry.over_pagu_reason, entry.entered_by, entry.spent_on) == (
        "Tambahan bahan praktik, disetujui",
        staff_user,
        PAID_ON,
    )


def test_two_new_rows_each_within_the_pagu_but_over_it_together_are_refused(english, package):
    response = page_post(english, package, [{"amount": "6.000.000"}, {"amount": "5.000.000"}])
    assert response.status_code == 200
    first, second = spending_forms(response)
    assert not first.errors
    assert "Rp11,000,000" in second.errors["over_pagu_reason"][0]
    assert not Expenditure.objects.exists()
    # Within the pagu together: both saved.
    assert page_post(english, package, [{"amount": "6.000.000"}, {"amount": "4.000.000"}]).status_code == 302
    assert sorted(Expenditure.objects.values_list("amount", flat=True)) == [4_000_000, 6_000_000]


def test_a_pagu_raised_on_the_same_page_counts_for_its_spending(english, package):
    response = page_post(english, package, [{"amount": "12.000.000"}], budget="15.000.000")
    assert response.status_code == 302
    assert Expenditure.objects.get().amount == 12_000_000


def test_a_date_in_the_future_or_outside_the_fiscal_year_is_refused_next_to_the_date(english, package):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = page_post(english, package, [{"amount": "1.000.000", "spent_on": tomorrow.isoformat()}])
    assert spending_forms(response)[-1].errors["spent_on"] == ["The date cannot be in the future."]
    response = page_post(english, package, [{"amount": "1.000.000", "spent_on": "2025-12-31"}])
    assert spending_forms(response)[-1].errors["spent_on"] == [
        "The program is of 2026: money spent on it is dated in that year."
    ]
    assert not Expenditure.objects.exists()


def test_an_amount_is_written_by_the_money_rule_and_more_than_zero(english, package):
    response = page_post(english, package, [{"amount": "3,5"}, {"amount": "0"}])
    first, second = spending_forms(response)
    assert "whole rupiah" in first.errors["amount"][0]
    assert "more than Rp0" in second.errors["amount"][0]
    assert not Expenditure.objects.exists()


def test_an_entry_is_corrected_in_the_inline_and_keeps_who_entered_it(english, package):
    entry = make_spending(package=package, amount=2_000_000)
    data_changes = {"spending-0-amount": "2.500.000", "spending-0-description": "Kain dan benang"}
    response = page_post(english, package, **data_changes)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.amount, entry.description) == (2_500_000, "Kain dan benang")
    assert entry.entered_by.is_staff and entry.history.count() == 2


def test_a_refusal_at_the_save_keeps_nothing_of_the_page(english, package, monkeypatch):
    """Another entry came in between the check and the save: the page is rolled back, and says so."""
    monkeypatch.setattr(program_forms, "spending_errors", lambda entries, **kwargs: [{} for _entry in entries])
    response = page_post(english, package, [{"amount": "12.000.000"}], title="Judul baru")
    assert response.status_code == 302 and response["Location"] == change_url(package)
    assert any(message.startswith("Nothing was saved:") for message in shown(response))
    package.refresh_from_db()
    assert package.title != "Judul baru"
    assert not Expenditure.objects.exists()


def test_the_package_page_shows_spent_pagu_and_left(english, package):
    make_spending(package=package, amount=2_500_000)
    make_spending(package=package, amount=1_000_000)
    page = english.get(change_url(package)).content.decode()
    assert 'data-money="pagu">Rp10,000,000<' in page
    assert 'data-money="spent">Rp3,500,000<' in page
    assert 'data-money="left">Rp6,500,000<' in page
    assert "35.0% of the pagu" in page


def test_the_package_page_keeps_a_flat_query_count_with_its_spending(staff_client, package):
    url = change_url(package)
    for _ in range(2):
        make_spending(package=package, amount=100_000)
    staff_client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(url).status_code == 200
    for _ in range(15):
        make_spending(package=package, amount=100_000)
    with CaptureQueriesContext(connection) as many:
        assert staff_client.get(url).status_code == 200
    assert len(many) == len(few)


# --- spending on its own --------------------------------------------------------------------------


def spending_add(client, package, **fields):
    data = {
        "package": package.pk,
        "spent_on": PAID_ON.isoformat(),
        "amount": "1.000.000",
        "kind": Expenditure.Kind.VENUE,
        "document_number": "KW-17",
        "description": "Sewa aula kelurahan",
        "over_pagu_reason": "",
        **fields,
    }
    return client.post(reverse("admin:programs_expenditure_add"), data)


def test_the_spending_admin_records_through_the_service(english, package, staff_user):
    make_spending(package=package, amount=9_500_000)
    response = spending_add(english, package)
    assert response.status_code == 200
    assert "above its pagu" in response.context["adminform"].form.errors["over_pagu_reason"][0]
    assert Expenditure.objects.count() == 1
    response = spending_add(english, package, amount="Rp 1.000.000", over_pagu_reason="Aula pengganti")
    assert response.status_code == 302
    entry = Expenditure.objects.get(document_number="KW-17")
    assert (entry.amount, entry.entered_by, entry.kind) == (1_000_000, staff_user, Expenditure.Kind.VENUE)
    response = spending_add(english, package, spent_on="2027-01-05", document_number="KW-18")
    assert response.context["adminform"].form.errors["spent_on"]


def test_the_spending_list_shows_rupiah_filters_and_searches(english):
    blk = factories.ProviderFactory(kind=Provider.Kind.BLK)
    old = factories.TrainingPackageFactory(
        cohort=factories.CohortFactory(program=factories.ProgramFactory(fiscal_year=2023)), provider=blk
    )
    wanted = make_spending(amount=3_000_000, kind=Expenditure.Kind.MEALS, document_number="SP2D/0099/2026")
    other = make_spending(package=old, spent_on=D(2023, 10, 2), kind=Expenditure.Kind.VENUE, document_number="KW-1")
    url = reverse("admin:programs_expenditure_changelist")
    response = english.get(url)
    content = response.content.decode()
    assert "Rp3,000,000" in content
    assert f'href="{reverse("intake:spending-import")}"' in content
    for params in (
        {"year": "2026"},
        {"kind__exact": "meals"},
        {"package__provider__id__exact": wanted.package.provider_id},
        {"q": "0099"},
        {"q": wanted.package.code},
    ):
        listed = set(english.get(url, params).context["cl"].result_list)
        assert wanted in listed and other not in listed, params


def test_spending_is_never_deleted_not_even_by_a_superuser(client, package):
    entry = make_spending(package=package)
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert client.get(reverse("admin:programs_expenditure_delete", args=[entry.pk])).status_code == 403
    assert (
        client.post(reverse("admin:programs_expenditure_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    )
    changelist = client.get(reverse("admin:programs_expenditure_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    page = client.get(change_url(package)).content.decode()
    assert "spending-0-DELETE" not in page
    assert Expenditure.objects.filter(pk=entry.pk).exists()


def test_an_entry_history_page_opens(english, package):
    entry = make_spending(package=package)
    assert english.get(reverse("admin:programs_expenditure_history", args=[entry.pk])).status_code == 200


def test_the_money_pages_are_for_dinas_staff(client, staff_client, package):
    entry = make_spending(package=package)
    payment = make_allowance_payment()
    urls = [
        reverse("admin:programs_expenditure_changelist"),
        reverse("admin:programs_expenditure_add"),
        reverse("admin:programs_expenditure_change", args=[entry.pk]),
        reverse("admin:participants_allowancepayment_changelist"),
        reverse("admin:participants_allowancepayment_change", args=[payment.pk]),
    ]
    for url in urls:
        assert staff_client.get(url).status_code == 200, url
    for user in (factories.OperatorFactory(), factories.OfficialFactory()):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_allowance_payments_are_read_only(staff_client):
    payment = make_allowance_payment()
    assert staff_client.get(reverse("admin:participants_allowancepayment_add")).status_code == 403
    page = staff_client.get(reverse("admin:participants_allowancepayment_change", args=[payment.pk]))
    assert b'name="_save"' not in page.content
    assert (
        staff_client.post(reverse("admin:participants_allowancepayment_change", args=[payment.pk]), {}).status_code
        == 403
    )
    listing = staff_client.get(reverse("admin:participants_allowancepayment_changelist")).content.decode()
    assert "Rp50.000" in listing and "Rp600.000" in listing
    assert AllowancePayment.objects.get().amount == 600_000
    assert not admin.site._registry[AllowancePayment].has_delete_permission(None)


# --- the program's pagu per funding source --------------------------------------------------------


def program_post(client, program, rows):
    url = reverse("admin:programs_program_change", args=[program.pk])
    data = filled_in(client.get(url).content.decode(), "program_form")
    data = {name: values[0] if len(values) == 1 else values for name, values in data.items()}
    for index, (source, pagu) in enumerate(rows):
        data.update({f"funding-{index}-funding_source": source, f"funding-{index}-pagu": pagu})
    data["funding-TOTAL_FORMS"] = str(len(rows))
    data["_continue"] = "1"
    return client.post(url, data)


def test_the_pagu_per_funding_source_adds_up_to_the_program_budget(english):
    program = factories.ProgramFactory(budget=500_000_000)
    response = program_post(english, program, [("dbhcht", "400.000.000"), ("apbd", "Rp 50.000.000")])
    assert response.status_code == 200
    (funding,) = [
        inline.formset for inline in response.context["inline_admin_formsets"] if inline.formset.model is ProgramFunding
    ]
    assert funding.non_form_errors() == [
        "The pagu per funding source adds up to Rp450,000,000, but the program's budget is Rp500,000,000. "
        "Make them equal, or remove the rows."
    ]
    assert not ProgramFunding.objects.exists()
    response = program_post(english, program, [("dbhcht", "400.000.000"), ("apbd", "Rp 100.000.000")])
    assert response.status_code == 302
    assert dict(ProgramFunding.objects.values_list("funding_source", "pagu")) == {
        "dbhcht": 400_000_000,
        "apbd": 100_000_000,
    }
    assert program_post(english, program, [("dbhcht", "400.000.000"), ("dbhcht", "100.000.000")]).status_code == 200
    assert Program.objects.get().funding.count() == 2


# --- Kemnaker and LPK references ------------------------------------------------------------------


def lpk(**fields):
    return factories.ProviderFactory(kind=Provider.Kind.LPK, name="LPK Busana Mandiri", **fields)


@pytest.mark.parametrize(
    ("expires", "warned"),
    [(D(2026, 9, 30), False), (D(2026, 9, 29), True)],
    ids=["expires-on-the-last-day", "expires-the-day-before"],
)
def test_the_accreditation_warning_at_its_boundary(english, expires, warned):
    provider = lpk(accreditation_grade="B", accreditation_expires_on=expires)
    package = factories.TrainingPackageFactory(provider=provider, status=TrainingPackage.Status.PLANNED)
    assert package.ends_on == D(2026, 9, 30)
    expected = (
        "The accreditation of LPK Busana Mandiri (grade B) runs out on 29 September 2026, before the package's "
        "last day, 30 September 2026."
    )
    response = page_post(english, package)
    assert response.status_code == 302
    assert any(expected in message for message in shown(response)) is warned
    page = english.get(change_url(package)).content.decode()
    assert (expected.replace("'", "&#x27;") in page) is warned


def test_no_accreditation_warning_for_a_blk_or_a_package_already_running(english):
    blk = factories.ProviderFactory(kind=Provider.Kind.BLK)
    assert accreditation_warning(factories.TrainingPackageFactory(provider=blk, status="planned")) == ""
    unaccredited = lpk()
    assert accreditation_warning(factories.TrainingPackageFactory(provider=unaccredited, status="running")) == ""
    planned = factories.TrainingPackageFactory(provider=unaccredited, status=TrainingPackage.Status.OPEN)
    with translation.override("en"):
        assert "has no accreditation on record" in accreditation_warning(planned)
    response = page_post(english, factories.TrainingPackageFactory(provider=blk, status="planned"))
    assert not any("accreditation" in message for message in shown(response))


def test_the_provider_admin_keeps_the_kemnaker_references(english):
    provider = lpk(accreditation_grade="A", accreditation_expires_on=D(2027, 6, 30))
    listing = english.get(reverse("admin:programs_provider_changelist")).content.decode()
    assert "A · until 30 June 2027" in listing
    url = reverse("admin:programs_provider_change", args=[provider.pk])
    data = filled_in(english.get(url).content.decode(), "provider_form")
    data = {name: values[0] if len(values) == 1 else values for name, values in data.items()}
    response = english.post(url, {**data, "nib": "9120 0012 3456 7", "vin_lpk": " 3375.0.0012 "})
    assert response.status_code == 302
    provider.refresh_from_db()
    assert (provider.nib, provider.vin_lpk) == ("9120001234567", "3375.0.0012")
    response = english.post(url, {**data, "nib": "12345"})
    assert response.context["adminform"].form.errors["nib"] == ["The NIB has 13 digits."]
    response = english.post(url, {**data, "accreditation_grade": ""})
    assert "Choose the accreditation grade" in response.context["adminform"].form.errors["accreditation_grade"][0]


def test_the_vocation_admin_shows_the_kejuruan_code(english):
    factories.VocationFactory(name="Menjahit", kejuruan_code="TKT.01")
    listing = english.get(reverse("admin:programs_vocation_changelist"), {"q": "TKT"}).content.decode()
    assert "TKT.01" in listing and "Menjahit" in listing
