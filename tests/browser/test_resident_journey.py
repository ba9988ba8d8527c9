"""A resident, on a phone and on a desktop: reads the package, registers, keeps the receipt, and later looks
the application up by receipt number and birth date."""

import datetime
import os
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Enrollment
from programs.models import TrainingPackage
from tests.browser.test_registration import fill_in_rahayu
from tests.factories import (
    CohortFactory,
    EnrollmentFactory,
    ProgramFactory,
    ProviderFactory,
    TrainingPackageFactory,
    VocationFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOTS_DIR")  # set it to keep screenshots of each step to look at


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)
        width, height = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        for part, top in enumerate(range(0, height, 1100)):
            clip = {"x": 0, "y": top, "width": width, "height": min(1100, height - top)}
            page.screenshot(path=os.path.join(SHOTS, f"{name}-part{part}.png"), full_page=True, clip=clip)


AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_MAIN = """async () => {
  const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
  const result = await axe.run("main", {runOnly: {type: "tag", values: tags}});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""


def _fits(page, width):
    """No sideways scrolling, and axe-core finds nothing serious in the page's own part (the header is
    base.html's, checked by test_accessibility.py)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.evaluate(AXE.read_text() + ";0")  # not a <script> tag: the page's Content-Security-Policy stays on
    assert page.evaluate(AXE_MAIN) == []


def _small_targets(page) -> list[str]:
    """Links, buttons and the labels of radios and tick boxes in the page's main part under 44 px tall."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
            'main a.tap-link, main .btn, main .form-check-label, main select, '
            + 'main input:not([type=hidden]):not([type=radio]):not([type=checkbox])')]
            .filter(e => e.offsetParent !== null && !e.closest('.visually-hidden'))
            .filter(e => e.getBoundingClientRect().height < 43.5)
            .map(e => e.outerHTML.slice(0, 80))"""
    )


@pytest.mark.parametrize("width", [390, 1280])
def test_register_keep_the_receipt_and_look_the_application_up(browser, live_server, width):
    today = timezone.localdate()
    package = TrainingPackageFactory(
        title="Barista Kelas Pagi",
        vocation=VocationFactory(name="Barista"),
        provider=ProviderFactory(name="LPK Kopi Batik"),
        status=TrainingPackage.Status.OPEN,
        venue_address="Gedung LPK Kopi Batik, Jl. Sriwijaya 44",
        meeting_weekdays="0123",
        starts_on=today + datetime.timedelta(days=20),
        ends_on=today + datetime.timedelta(days=40),
        cohort=CohortFactory(
            program=ProgramFactory(fiscal_year=today.year),
            registration_opens=today - datetime.timedelta(days=1),
            registration_closes=today + datetime.timedelta(days=10),
            starts_on=today + datetime.timedelta(days=20),
            ends_on=today + datetime.timedelta(days=60),
        ),
    )
    full = TrainingPackageFactory(
        title="Menjahit Penuh",
        vocation=VocationFactory(name="Menjahit"),
        status=TrainingPackage.Status.OPEN,
        quota=1,
        application_limit=1,  # applications beyond the quota are taken, up to the limit
        starts_on=package.starts_on,
        ends_on=package.ends_on,
        cohort=package.cohort,
    )
    EnrollmentFactory(package=full, status=Enrollment.Status.APPLIED)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(10_000)
    name = f"resident-{width}"

    # The list: rules, schedule, venue, places and the dinas; the full package offers no form.
    page.goto(f"{live_server.url}/pelatihan/")
    card = page.locator("article", has_text="Barista Kelas Pagi")
    expect(card).to_contain_text("Gedung LPK Kopi Batik, Jl. Sriwijaya 44")
    expect(card.locator("[data-availability='open']")).to_be_visible()
    expect(page.locator("article", has_text="Menjahit Penuh").locator("[data-availability='full']")).to_be_visible()
    expect(page.locator(f"a[href='/pelatihan/{full.pk}/daftar/']")).to_have_count(0)
    expect(page.locator(".public-contact")).to_contain_text("(0285) 421731")
    _fits(page, width)
    _shot(page, f"{name}-1-list")

    # An empty form: the summary at the top takes the focus, and its link for a radio group reaches the radio.
    page.locator(f"a[href='/pelatihan/{package.pk}/daftar/']").click()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert page.locator("#error-summary a[href='#']").count() == 0
    _shot(page, f"{name}-2-errors")
    page.locator("#error-summary a[href='#id_sex_0']").click()
    expect(page.locator("#id_sex_0")).to_be_focused()
    assert _small_targets(page) == []
    _fits(page, width)

    fill_in_rahayu(page)
    page.locator("main form button[type=submit]").click()

    # The receipt: the number, the date, the package, venue and schedule, what happens next; printable.
    number_cell = page.locator("[data-receipt-number]")
    expect(number_cell).to_have_text(re.compile(rf"^{today.year}-[A-Z2-9]{{6}}$"))
    number = number_cell.inner_text()
    main = page.locator("main")
    expect(main).to_contain_text("Rahayu Ningsih")
    expect(main).to_contain_text("Gedung LPK Kopi Batik, Jl. Sriwijaya 44")
    expect(main).to_contain_text(str(today.year))
    expect(page.locator("ol.public-steps li")).to_have_count(4)
    assert _small_targets(page) == []
    _fits(page, width)
    _shot(page, f"{name}-3-receipt")
    page.emulate_media(media="print")
    expect(page.locator("header")).to_be_hidden()
    expect(page.locator("#print-button")).to_be_hidden()
    if SHOTS:
        page.set_viewport_size({"width": 680, "height": 900})  # about A4's width between the margins
        _shot(page, f"{name}-4-receipt-print")
        page.set_viewport_size({"width": width, "height": 900})
    pdf = page.pdf(format="A4")  # with the print style sheet (media is "print" here): one A4 page
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    page.emulate_media(media="screen")

    # Later: the status page, first with a wrong birth date, then right.
    page.locator("ol.public-steps a[href='/pelatihan/status/']").click()
    page.locator("#id_receipt_number").fill(number.lower())
    page.locator("#id_birth_date").fill("2001-04-22")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("[data-status]")).to_have_count(0)
    _shot(page, f"{name}-5-status-wrong")
    page.locator("#id_birth_date").fill("2001-04-21")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("[data-status='received']")).to_be_visible()
    expect(page.locator("main [data-receipt-number]")).to_have_text(number)
    expect(main).to_contain_text("Barista Kelas Pagi")
    expect(main).not_to_contain_text("085612345678")
    assert _small_targets(page) == []
    _fits(page, width)
    _shot(page, f"{name}-6-status")
    context.close()
