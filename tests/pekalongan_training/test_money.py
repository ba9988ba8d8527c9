"""Rupiah amounts as people type them: one parser, one widget, the second confirmation, every form."""

import datetime
import re

import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from participants.forms.followups import FollowUpForm, OutcomeAdminForm
from participants.models import Outcome
from pekalongan_training.dates import add_months
from pekalongan_training.money import MAX_RUPIAH, RupiahFormField, RupiahInput
from programs.forms import TrainingPackageForm
from programs.models import Program, TrainingPackage
from tests import factories

pytestmark = pytest.mark.django_db

HOW_TO_WRITE = "Write the amount in whole rupiah, like 3.000.000."


@pytest.fixture
def english(client):
    """Pages and messages in English, whatever the catalogue says in Indonesian."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("3000000", 3_000_000),
        ("3.000.000", 3_000_000),
        ("Rp 3.000.000", 3_000_000),
        ("Rp3.000.000", 3_000_000),
        ("Rp3.000.000,00", 3_000_000),
        ("rp 3.000.000", 3_000_000),
        ("RP3.000.000", 3_000_000),
        ("Rp. 3.000.000", 3_000_000),
        ("Rp 3.000.000,-", 3_000_000),
        ("  3.000.000  ", 3_000_000),
        ("\u00a0Rp\u00a03.000.000\u00a0", 3_000_000),  # pasted from a spreadsheet
        ("3.000.000,0", 3_000_000),
        ("250.000.000", 250_000_000),
        ("999", 999),
        ("0", 0),
        ("1.000.000.000.000.000", MAX_RUPIAH),
    ],
)
def test_amounts_written_the_ways_people_write_them_are_read(typed, amount):
    with translation.override("id"):
        assert RupiahFormField(required=False).clean(typed) == amount


@pytest.mark.parametrize(
    "typed",
    [
        "3,5",
        "3.5",
        "3.000.00",
        "3.0000.000",
        "3.000.000,50",
        "3.000.000,5",
        "Rp",
        "Rp.",
        "-5",
        "Rp -5",
        "+5",
        "tiga juta",
        "3 juta",
        "3jt",
        "3e6",
        "3 000 000",
        "3,000,000",  # English grouping, on an Indonesian page
        ".000",
        "3..000",
        "IDR 3.000.000",
        "٣٠٠٠",  # digits of another script
        "<script>",
        "A" * 5000,
    ],
)
def test_anything_else_is_refused_with_how_to_write_it(typed):
    field = RupiahFormField(required=False)
    with translation.override("id"):
        with pytest.raises(ValidationError) as refused:
            field.clean(typed)
        assert refused.value.messages == [translation.gettext(HOW_TO_WRITE)]


@pytest.mark.parametrize("typed", ["1.000.000.000.000.001", "9" * 40, "9" * 64])
def test_huge_amounts_are_refused_not_a_server_error(typed):
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            RupiahFormField(required=False).clean(typed)
        assert refused.value.messages == ["An amount above Rp1,000,000,000,000,000 cannot be right; check the digits."]


def test_empty_is_no_amount_unless_one_is_required():
    assert RupiahFormField(required=False).clean("  ") is None
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            RupiahFormField().clean("")
        assert refused.value.messages == [HOW_TO_WRITE]


def test_the_english_pages_read_back_what_they_show():
    field = RupiahFormField(required=False)
    with translation.override("en"):
        assert field.widget.format_value(3_000_000) == "Rp3,000,000"
        assert field.clean("Rp3,000,000") == 3_000_000
        assert field.clean("3.000.000") == 3_000_000  # the Indonesian way is read in English too
        with pytest.raises(ValidationError):
            field.clean("3.5")


def test_the_widget_is_a_text_input_that_shows_rp3_000_000():
    with translation.override("id"):
        html = RupiahFormField().widget.render("budget", 3_000_000, {"id": "id_budget"})
    assert 'type="text"' in html and 'inputmode="numeric"' in html
    assert 'value="Rp3.000.000"' in html
    assert "number" not in html.replace('inputmode="numeric"', "")


def test_no_form_can_make_it_a_number_input():
    field = RupiahFormField(widget=RupiahInput)
    assert isinstance(field.widget, RupiahInput)
    for widget in (forms.NumberInput(attrs={"class": "wide", "step": 50_000}), forms.NumberInput):
        field = RupiahFormField(widget=widget)
        assert isinstance(field.widget, RupiahInput)
        assert 'type="text"' in field.widget.render("x", 5)
        assert "step" not in field.widget.render("x", 5)


def test_every_form_with_an_amount_uses_the_one_field():
    forms_and_fields = [
        (TrainingPackageForm(), "budget"),
        (FollowUpForm(), "monthly_income"),
        (OutcomeAdminForm(), "monthly_income"),
    ]
    for form, name in forms_and_fields:
        assert isinstance(form.fields[name], RupiahFormField), (form, name)
        assert isinstance(form.fields[name].widget, RupiahInput), (form, name)
    assert FollowUpForm().fields["monthly_income"].plausible == (100_000, 100_000_000)
    assert OutcomeAdminForm().fields["monthly_income"].plausible == (100_000, 100_000_000)
    assert TrainingPackageForm().fields["budget"].plausible is None  # budgets have no range


def test_a_bound_form_keeps_what_the_person_typed(english):
    form = FollowUpForm(data={"status": "employed", "monthly_income": "3,5 juta"})
    assert not form.is_valid()
    assert form.errors["monthly_income"] == [HOW_TO_WRITE]
    assert 'value="3,5 juta"' in str(form["monthly_income"])


# --- the admin -----------------------------------------------------------------------------------


def _program_data(program, **changes):
    data = {
        "name": program.name,
        "fiscal_year": program.fiscal_year,
        "funding_source": program.funding_source,
        "budget": program.budget,
        "target_participants": program.target_participants,
        "min_age": program.min_age,
        "max_age": program.max_age,
        "require_city_domicile": "on",
        "one_training_per_year": "on",
        "exclude_in_school": "on",
        "cohorts-TOTAL_FORMS": "0",
        "cohorts-INITIAL_FORMS": "0",
        "category_rules-TOTAL_FORMS": "0",
        "category_rules-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_the_program_admin_shows_and_saves_rupiah_as_written(staff_client):
    program = factories.ProgramFactory(budget=500_000_000)
    url = reverse("admin:programs_program_change", args=[program.pk])
    page = staff_client.get(url).content.decode()
    assert re.search(r'<input type="text" name="budget" value="Rp500\.000\.000"[^>]*inputmode="numeric"', page)

    response = staff_client.post(url, _program_data(program, budget="Rp 250.000.000"))
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.budget == 250_000_000


def test_the_program_admin_refuses_a_fraction_and_keeps_the_text(staff_client, english):
    program = factories.ProgramFactory(budget=500_000_000)
    url = reverse("admin:programs_program_change", args=[program.pk])
    response = staff_client.post(url, _program_data(program, budget="250.000.000,50"))
    assert response.status_code == 200
    assert HOW_TO_WRITE in response.content.decode()
    assert 'value="250.000.000,50"' in response.content.decode()
    assert Program.objects.get().budget == 500_000_000


def test_a_package_budget_as_written_in_the_package_admin(staff_client):
    package = factories.TrainingPackageFactory()
    url = reverse("admin:programs_trainingpackage_change", args=[package.pk])
    assert 'value="Rp60.000.000"' in staff_client.get(url).content.decode()
    data = {
        "code": package.code,
        "title": package.title,
        "vocation": package.vocation_id,
        "cohort": package.cohort_id,
        "provider": package.provider_id,
        "category": package.category,
        "status": package.status,
        "venue_kelurahan": "",
        "venue_address": "",
        "quota": package.quota,
        "hours": package.hours,
        "budget": "Rp72.500.000,00",
        "starts_on": package.starts_on.isoformat(),
        "ends_on": package.ends_on.isoformat(),
        "meeting_weekdays": ["0", "2", "4"],
        "session_starts_at": "08:00",
        "session_ends_at": "15:00",
        "min_attendance_percent": package.min_attendance_percent,
        "test_weight": package.test_weight,
        "interview_weight": package.interview_weight,
        "sessions-TOTAL_FORMS": "0",
        "sessions-INITIAL_FORMS": "0",
        "enrollments-TOTAL_FORMS": "0",
        "enrollments-INITIAL_FORMS": "0",
        "enrollments-2-TOTAL_FORMS": "0",
        "enrollments-2-INITIAL_FORMS": "0",
    }
    assert staff_client.post(url, data).status_code == 302
    assert TrainingPackage.objects.get().budget == 72_500_000


def test_the_outcome_admin_asks_to_confirm_an_implausible_income(staff_client, english):
    outcome = factories.OutcomeFactory(
        enrollment__package=factories.TrainingPackageFactory(
            starts_on=datetime.date(2025, 1, 6), ends_on=datetime.date(2025, 2, 28)
        ),
        recorded_on=datetime.date(2025, 6, 1),
    )
    url = reverse("admin:participants_outcome_change", args=[outcome.pk])
    data = {
        "enrollment": outcome.enrollment_id,
        "round": "3",
        "recorded_on": "2025-06-01",
        "status": "employed",
        "monthly_income": "250.000.000",
        "business_name": "",
        "sector": "",
        "employer_name": "PT Batik",
        "notes": "",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rp250,000,000 a month? Check the amount; if it is right, tick the box below and save again." in page
    assert 'name="monthly_income_confirmed"' in page and 'value="250000000"' in page
    assert Outcome.objects.get().monthly_income == 2_500_000

    assert staff_client.post(url, {**data, "monthly_income_confirmed": "250000000"}).status_code == 302
    assert Outcome.objects.get().monthly_income == 250_000_000


# --- the follow-up page --------------------------------------------------------------------------


@pytest.fixture
def completer():
    today = timezone.localdate()
    package = factories.TrainingPackageFactory(
        starts_on=add_months(today, -5) - datetime.timedelta(days=20), ends_on=add_months(today, -5)
    )
    return factories.EnrollmentFactory(package=package, status="completed")


def _follow_up(client, completer, **data):
    return client.post(reverse("intake:followup-record", args=[completer.pk, 3]), {"status": "employed", **data})


def test_an_income_typed_with_dots_on_the_follow_up_page_is_stored_whole(staff_client, completer):
    page = staff_client.get(reverse("intake:followup-record", args=[completer.pk, 3])).content.decode()
    assert 'type="number"' not in page
    assert re.search(r'<input type="text" name="monthly_income"[^>]*inputmode="numeric"', page)

    response = _follow_up(staff_client, completer, monthly_income="3.000.000", employer_name="PT Batik Pesisir")
    assert response.status_code == 302
    outcome = Outcome.objects.get()
    assert (outcome.monthly_income, outcome.employer_name) == (3_000_000, "PT Batik Pesisir")


def test_an_implausible_income_is_saved_only_after_the_box_is_ticked(staff_client, completer, english):
    response = _follow_up(staff_client, completer, monthly_income="50.000")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rp50,000 a month? Check the amount; if it is right, tick the box below and save again." in page
    box = re.search(r'<input type="checkbox"[^>]*name="monthly_income_confirmed"[^>]*>', page).group()
    assert 'value="50000"' in box and "checked" not in box
    assert "Yes, this amount is right" in page
    assert 'value="50.000"' in page  # what was typed stays in the input
    assert not Outcome.objects.exists()

    # A box ticked for another amount confirms nothing: the amount was changed after ticking.
    response = _follow_up(staff_client, completer, monthly_income="5.000", monthly_income_confirmed="50000")
    assert response.status_code == 200
    assert "Rp5,000 a month?" in response.content.decode()
    assert not Outcome.objects.exists()

    response = _follow_up(staff_client, completer, monthly_income="50.000", monthly_income_confirmed="50000")
    assert response.status_code == 302
    assert Outcome.objects.get().monthly_income == 50_000


def test_a_plausible_income_needs_no_box_and_an_empty_one_is_no_income(staff_client, completer):
    page = staff_client.get(reverse("intake:followup-record", args=[completer.pk, 3])).content.decode()
    assert "monthly_income_confirmed" not in page
    assert _follow_up(staff_client, completer, monthly_income="").status_code == 302
    assert Outcome.objects.get().monthly_income is None


def test_a_stored_implausible_income_stands_when_the_answer_is_edited(staff_client, completer):
    factories.OutcomeFactory(enrollment=completer, round=3, monthly_income=150_000_000)
    url = reverse("intake:followup-record", args=[completer.pk, 3])
    with translation.override("id"):
        page = staff_client.get(url).content.decode()
    assert 'value="Rp150.000.000"' in page
    box = re.search(r'<input type="checkbox"[^>]*name="monthly_income_confirmed"[^>]*>', page).group()
    assert 'value="150000000"' in box and "checked" in box
    # The browser sends the ticked box back with the amount as shown.
    response = _follow_up(
        staff_client, completer, monthly_income="Rp150.000.000", monthly_income_confirmed="150000000", notes="lagi"
    )
    assert response.status_code == 302
    assert Outcome.objects.get().monthly_income == 150_000_000
