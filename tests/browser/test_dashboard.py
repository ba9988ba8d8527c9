"""An official reads the dashboard, filters it by a kecamatan and downloads the tables."""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.test_login import log_in
from tests.factories import EnrollmentFactory, OfficialFactory, TrainingPackageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_official_filters_by_kecamatan_sees_charts_and_downloads_xlsx(page, live_server, tmp_path):
    OfficialFactory(username="pejabat")
    package = TrainingPackageFactory(status="completed")
    EnrollmentFactory.create_batch(5, package=package, status="completed")
    log_in(page, live_server, "pejabat")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("[data-figure=enrolled]")).to_have_text("5")
    expect(page.locator("html[data-charts-drawn=true]")).to_have_count(1)
    # each chart has its figures as a table too: five completers of one package, in one wave
    assert page.locator("details.chart-table").count() == 3
    waves = page.locator("details.chart-table").first
    waves.locator("summary").click()
    expect(waves.locator("tbody tr").nth(0).locator("td")).to_have_text(["5"])
    expect(waves.locator("tbody tr").nth(1).locator("td")).to_have_text(["5"])

    page.get_by_label("Kecamatan", exact=True).select_option(label="Pekalongan Timur")
    page.get_by_role("button", name="Tampilkan").click()
    expect(page).to_have_url(re.compile(r"kecamatan="))
    expect(page.locator("[data-figure=enrolled]")).to_have_text("0")
    expect(page.locator("html[data-charts-drawn=true]")).to_have_count(1)
    for canvas in ("chart-waves", "chart-outcomes", "chart-packages"):
        assert page.evaluate(f"Chart.getChart(document.getElementById('{canvas}')) !== undefined")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Unduh XLSX").click()
    path = tmp_path / "dasbor.xlsx"
    download_info.value.save_as(path)
    rows = [[cell for cell in row if cell is not None] for row in load_workbook(path).active.values]
    assert ["Kecamatan", "Pekalongan Timur"] in rows
