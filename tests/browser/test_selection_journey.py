"""Selection in the browser: dinas staff type the scores on the sheet, decide and publish; a resident then
finds their own result on the status page, and the announcement lists them by receipt number and masked name."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Enrollment
from programs.models import TrainingPackage
from tests.browser.test_login import log_in
from tests.factories import (
    CohortFactory,
    EnrollmentFactory,
    ParticipantFactory,
    ProgramFactory,
    StaffFactory,
    TrainingPackageFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BIRTH_DATE = datetime.date(2001, 4, 21)


def _package_in_selection():
    """Registration closed yesterday, the class starts in ten days: two seats, four applicants."""
    today = timezone.localdate()
    starts = today + datetime.timedelta(days=10)
    package = TrainingPackageFactory(
        code="2026-LPK-09",
        title="Pelatihan Servis HP",
        status=TrainingPackage.Status.OPEN,
        quota=2,
        test_weight=40,
        interview_weight=60,
        starts_on=starts,
        ends_on=starts + datetime.timedelta(days=20),
        cohort=CohortFactory(
            program=ProgramFactory(fiscal_year=today.year),
            registration_opens=today - datetime.timedelta(days=20),
            registration_closes=today - datetime.timedelta(days=1),
            starts_on=starts,
            ends_on=starts + datetime.timedelta(days=40),
        ),
    )
    documents = {"doc_ktp": True, "doc_kk": True, "doc_ak1": True}
    rahayu = EnrollmentFactory(
        package=package,
        status=Enrollment.Status.APPLIED,
        participant=ParticipantFactory(full_name="Rahayu Ningsih", birth_date=BIRTH_DATE, sex="F"),
        source=Enrollment.Source.REGISTRATION,
        receipt_number="2026-RHY2K4",
        submitted=[{"receipt_number": "2026-RHY2K4", "full_name": "Rahayu Ningsih", "birth_date": "2001-04-21"}],
    )
    others = [
        EnrollmentFactory(
            package=package,
            status=Enrollment.Status.APPLIED,
            participant=ParticipantFactory(full_name=name),
            **documents,
        )
        for name in ("Bagus Saputra", "Slamet Riyadi", "Dewi Lestari")
    ]
    return package, rahayu, others


def test_staff_score_decide_and_publish_and_the_resident_reads_the_result(browser, live_server):
    package, rahayu, (bagus, slamet, dewi) = _package_in_selection()
    StaffFactory(username="staf-seleksi")
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = staff.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, "staf-seleksi")
    page.goto(f"{live_server.url}/intake/packages/{package.pk}/selection/")

    # Rahayu's documents were not ticked yet; the scores as people type them, with a decimal comma.
    row = page.locator(f"#row-{rahayu.pk}")
    for checkbox in row.locator("input[type=checkbox]").all():
        checkbox.check()
    scores = {rahayu: ("85", "90,5"), bagus: ("70", "80"), slamet: ("60", "65"), dewi: ("90", "55")}
    for enrollment, (test, interview) in scores.items():
        inputs = page.locator(f"#row-{enrollment.pk} input[inputmode=decimal]")
        inputs.nth(0).fill(test)
        inputs.nth(1).fill(interview)
    inputs.nth(1).press("Enter")  # Enter saves the sheet

    # Weighted 40/60: Rahayu 88.30, Bagus 76.00, Dewi 69.00, Slamet 63.00.
    expect(page.locator(f"#row-{rahayu.pk} [data-cell=rank]")).to_have_text("1")
    expect(page.locator(f"#row-{rahayu.pk} [data-cell=weighted]")).to_contain_text("88")
    expect(page.locator(f"#row-{bagus.pk} [data-cell=rank]")).to_have_text("2")
    expect(page.locator(f"#row-{dewi.pk} [data-cell=rank]")).to_have_text("3")
    expect(page.locator(f"#row-{slamet.pk} [data-cell=rank]")).to_have_text("4")

    # Decide with a waitlist of one: the confirmation says what will happen, then the decision.
    page.locator("#decide input[name=waitlist]").fill("1")
    page.locator("#decide button[type=submit]").click()
    expect(page.locator("#decide-counts [data-count=accepted]")).to_have_text("2")
    expect(page.locator("#decide-counts [data-count=waitlisted]")).to_have_text("1")
    expect(page.locator("#decide-counts [data-count=rejected]")).to_have_text("1")
    page.locator("form button.btn-danger").click()
    expect(page.locator(f"#row-{slamet.pk} [data-cell=status]")).to_be_visible()
    statuses = dict(Enrollment.objects.filter(package=package).values_list("participant__full_name", "status"))
    assert statuses == {
        "Rahayu Ningsih": "enrolled",
        "Bagus Saputra": "enrolled",
        "Dewi Lestari": "waitlisted",
        "Slamet Riyadi": "rejected",
    }
    assert Enrollment.objects.get(pk=slamet.pk).decision_reason == "tidak lolos seleksi"

    # Before publication the resident still reads "in selection".
    resident = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    phone = resident.new_page()
    phone.set_default_timeout(10_000)

    def look_up():
        phone.goto(f"{live_server.url}/pelatihan/status/")
        phone.locator("#id_receipt_number").fill("2026-rhy2k4")
        phone.locator("#id_birth_date").fill(BIRTH_DATE.isoformat())
        phone.locator("main form button[type=submit]").click()

    look_up()
    expect(phone.locator("[data-status='received']")).to_be_visible()

    page.locator("#decided-heading ~ form button[type=submit]").click()  # publish the announcement
    expect(page.locator("#announced")).to_be_visible()
    package.refresh_from_db()
    assert package.announcement_published_at is not None

    look_up()
    expect(phone.locator("[data-status='accepted']")).to_be_visible()
    phone.locator("[data-announcement-link]").click()
    main = phone.locator("main")
    expect(main).to_contain_text("2026-RHY2K4")
    expect(main).to_contain_text("R***** N******")
    expect(main).not_to_contain_text("Rahayu")
    expect(main).not_to_contain_text("Slamet")  # the rejected are not listed
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    staff.close()
    resident.close()
