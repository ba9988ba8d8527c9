"""An alumnus, on a phone, answers the 6-month follow-up through their personal link, then corrects it.

The link opens a form with no question answered; sent empty it says in Indonesian, beside each
question, what to choose; answered, it thanks the person, and the answer is a self-reported Outcome
with the invitation marked answered. Opened again, the link offers the correction form, and the
correction is kept in the Outcome's history. The page fits a 390-px phone and axe-core (the helper
of test_accessibility.py) finds nothing serious on it, empty and with errors.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Enrollment, FollowUpInvitation, Outcome
from participants.services import follow_up_link
from pekalongan_training.dates import add_months
from tests import factories
from tests.browser.test_accessibility import AXE, RUN
from tests.browser.test_resident_journey import _shot, _small_targets

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390  # the phone viewport of tests/browser/conftest.py


@pytest.fixture
def completer():
    """Finished 7 months ago: the 6-month round is due and its window open (until 12 months after)."""
    ends_on = add_months(timezone.localdate(), -7)
    package = factories.TrainingPackageFactory(
        title="Menjahit Busana Dasar", starts_on=ends_on - datetime.timedelta(days=30), ends_on=ends_on
    )
    person = factories.ParticipantFactory(full_name="Siti Aminah Rahayu", phone="081299887766")
    return factories.EnrollmentFactory(participant=person, package=package, status=Enrollment.Status.COMPLETED)


def _fits_and_passes_axe(page):
    """No sideways scrolling at 390 px; axe-core (evaluated, so the page's CSP stays on) finds nothing serious."""
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    page.evaluate(AXE.read_text() + ";0")
    violations = page.evaluate(RUN)
    assert violations == [], violations


def _field(page, name):
    """The wrapper crispy-forms draws around one question: its label or legend, inputs and message."""
    return page.locator(f"#div_id_{name}")


def test_an_alumnus_answers_on_a_phone_and_corrects_the_answer(page, live_server, completer):
    link = live_server.url + follow_up_link(enrollment=completer, round=6)
    page.goto(link)
    main = page.locator("main")
    expect(main.locator("h1")).to_contain_text("Siti")
    expect(main).to_contain_text("Menjahit Busana Dasar")
    expect(main).not_to_contain_text("Aminah")
    # No question starts answered.
    assert page.locator("main input[type=radio]").count() >= 4 + 2 + 5 + 2
    assert page.locator("main input[type=radio]:checked").count() == 0
    assert page.locator("main input[type=checkbox]:checked").count() == 0
    _fits_and_passes_axe(page)
    assert _small_targets(page) == []
    _shot(page, "alumni-1-form")

    # Sent empty: the summary, and each required question says what to choose, in Indonesian.
    page.get_by_role("button", name="Kirim jawaban saya").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(_field(page, "status")).to_contain_text("Pilih kegiatan Anda sekarang.")
    expect(_field(page, "satisfaction")).to_contain_text("Pilih angka 1 sampai 5.")
    expect(_field(page, "contact_again")).to_contain_text("Pilih ya atau tidak.")
    assert page.locator("main input[type=radio]:checked").count() == 0
    assert not Outcome.objects.filter(enrollment=completer).exists()
    _fits_and_passes_axe(page)
    _shot(page, "alumni-2-errors")

    # The answer: own business since two months after the training began.
    started = completer.package.starts_on + datetime.timedelta(days=60)
    _field(page, "status").get_by_label("Saya punya usaha sendiri").check()
    page.locator("#id_work_started_on").fill(started.isoformat())
    _field(page, "related_to_training").get_by_label("Ya").check()
    page.locator("#id_monthly_income").fill("Rp 2.500.000")
    page.locator("#id_business_name").fill("Jahit Siti")
    page.locator("#id_sector").fill("Penjahit")
    _field(page, "satisfaction").get_by_label("4: puas").check()
    _field(page, "help_needed").get_by_label("Modal usaha").check()
    _field(page, "help_needed").get_by_label("Alat atau peralatan kerja").check()
    _field(page, "contact_again").get_by_label("Ya").check()
    page.get_by_role("button", name="Kirim jawaban saya").click()

    thanks = page.locator("[data-answered='self']")
    expect(thanks).to_contain_text("Terima kasih, Siti")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert _small_targets(page) == []
    _shot(page, "alumni-3-thanks")

    outcome = Outcome.objects.get(enrollment=completer, round=6)
    assert outcome.source == Outcome.Source.SELF_REPORTED
    assert outcome.recorded_by is None
    assert outcome.status == Outcome.Status.SELF_EMPLOYED
    assert outcome.related_to_training is True
    assert outcome.monthly_income == 2_500_000
    assert (outcome.business_name, outcome.sector, outcome.employer_name) == ("Jahit Siti", "Penjahit", "")
    assert outcome.satisfaction == 4
    assert outcome.help_needed == ["capital", "tools"]
    assert outcome.work_started_on == started
    assert outcome.contact_again is True
    invitation = FollowUpInvitation.objects.get(enrollment=completer, round=6)
    assert invitation.answered_at is not None

    # Opened again: the thanks, and from there the correction form with the earlier choices made
    # (but not the income or the business: those are asked again).
    page.goto(link)
    expect(page.locator("[data-answered='self']")).to_be_visible()
    page.get_by_role("link", name="Ubah jawaban saya").click()
    expect(page.locator("main .alert-info")).to_be_visible()
    expect(_field(page, "status").get_by_label("Saya punya usaha sendiri")).to_be_checked()
    expect(_field(page, "satisfaction").get_by_label("4: puas")).to_be_checked()
    expect(page.locator("#id_monthly_income")).to_have_value("")
    _fits_and_passes_axe(page)
    _shot(page, "alumni-4-correction")
    page.locator("#id_monthly_income").fill("2.500.000")
    page.locator("#id_business_name").fill("Jahit Siti")
    page.locator("#id_sector").fill("Penjahit")
    _field(page, "satisfaction").get_by_label("5: sangat puas").check()
    page.get_by_role("button", name="Kirim jawaban saya").click()
    expect(page.locator("[data-answered='self']")).to_contain_text("Terima kasih, Siti")

    outcome.refresh_from_db()
    assert outcome.satisfaction == 5
    assert outcome.monthly_income == 2_500_000
    assert outcome.help_needed == ["capital", "tools"]
    assert outcome.source == Outcome.Source.SELF_REPORTED
    assert [h.satisfaction for h in outcome.history.order_by("history_date")] == [4, 5]
    assert Outcome.objects.filter(enrollment=completer).count() == 1
