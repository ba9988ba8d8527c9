"""No one singled out on the officials' pages: a group of fewer than 5 people shows its counts only."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from participants.models import Outcome
from pekalongan_training.dates import add_months
from programs.models import Kelurahan
from tests import factories

pytestmark = pytest.mark.django_db

INCOME_3, INCOME_6 = 4_321_000, 4_765_000  # nobody else earns these: any trace of them is a leak
with translation.override("id"):  # in the catalogue once /tmp/po/erasure.po is merged; English until then
    NOTE = gettext("Fewer than 5 people in this selection: only counts are shown.")


def _completers(provider, kelurahan, n, *, outcomes=False):
    """n people living in the kelurahan who completed a package of the provider that ended 7 months ago."""
    today = timezone.localdate()
    package = factories.TrainingPackageFactory(
        provider=provider,
        status="completed",
        starts_on=add_months(today, -8),
        ends_on=add_months(today, -7),
        budget=30_000_000,
    )
    for _ in range(n):
        person = factories.ParticipantFactory(kelurahan=kelurahan)
        enrollment = factories.EnrollmentFactory(participant=person, package=package, status="completed")
        if outcomes:
            for round_, income in ((3, INCOME_3), (6, INCOME_6)):
                factories.OutcomeFactory(
                    enrollment=enrollment,
                    round=round_,
                    status=Outcome.Status.SELF_EMPLOYED,
                    monthly_income=income,
                    recorded_on=today,
                )
    return package


@pytest.fixture
def three():
    """The official's export of one provider in one kecamatan: three women, with incomes at 3 and 6 months."""
    medono = Kelurahan.objects.get(code="33.75.01.1002")
    provider = factories.ProviderFactory(name="LPK Kecil")
    _completers(provider, medono, 3, outcomes=True)
    _completers(factories.ProviderFactory(), medono, 12)  # others elsewhere: not in the selection
    return {"provider": provider.pk, "kecamatan": medono.kecamatan_id}


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def _no_rate_or_money(text: str) -> None:
    assert not re.search(r"[0-9]%|Rp[0-9]|[0-9] poin", text)  # titles say "(Rp)"; a figure would be "Rp1..." or "50,0%"
    assert str(INCOME_3) not in text and str(INCOME_6) not in text
    assert "4.321.000" not in text and "4.765.000" not in text and "30.000.000" not in text


@pytest.mark.parametrize("role", [factories.OfficialFactory, factories.StaffFactory])
def test_a_selection_of_3_people_shows_counts_only_on_the_page(client, three, role):
    client.force_login(role())  # dinas staff see what officials see
    page = client.get(reverse("dashboard:index"), three).content.decode()
    assert NOTE in page
    assert 'data-figure="enrolled">&lt; 5<' in page and 'data-figure="completers">&lt; 5<' in page
    assert 'data-figure="completion-rate">–<' in page and 'data-figure="cost">–<' in page
    tables = page[page.index('aria-label="Angka utama"') : page.index('id="chart-data"')]
    _no_rate_or_money(tables)
    assert ">3<" not in tables  # not even the exact count
    charts = json.loads(page[page.index('id="chart-data"') :].split(">", 1)[1].split("</script>")[0])
    assert all(count is None for item in charts["outcomes"] for count in item["counts"])
    assert all(value is None for series in charts["categories"] for value in series["enrolled"])


def test_a_selection_of_3_people_shows_counts_only_in_print_csv_and_xlsx(client, three):
    client.force_login(factories.OfficialFactory())
    printed = client.get(reverse("dashboard:print"), three).content.decode()
    assert NOTE in printed and '<td class="n">&lt; 5</td>' in printed
    _no_rate_or_money(printed[printed.index("<h2>") :])
    rows = _csv(client.get(reverse("dashboard:export", args=["csv"]), three))
    assert [NOTE] in rows
    assert ["Peserta (orang)", "< 5"] in rows and ["Lulusan (orang)", "< 5"] in rows
    assert ["Tingkat penyelesaian", "", ""] in rows and ["Biaya per lulusan (Rp)", ""] in rows
    six = next(row for row in rows if row[:1] == ["6 bulan"])
    assert six[1:5] == ["< 5"] * 4 and set(six[5:]) == {""}
    _no_rate_or_money("\n".join(";".join(row) for row in rows if row != [NOTE]))
    sheet = load_workbook(io.BytesIO(client.get(reverse("dashboard:export", args=["xlsx"]), three).content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert NOTE in [cell.value for cell in cells] and "< 5" in [cell.value for cell in cells]
    assert not [cell for cell in cells if "%" in cell.number_format or "Rp" in cell.number_format]
    assert not [cell for cell in cells if cell.value in (3, INCOME_3, INCOME_6)]


def test_the_old_open_data_address_of_a_small_selection_sends_the_official_to_data(client, three):
    """Open data keeps its own rule (rounding, reports/disclosure.py) at /data/, over whole years: the
    filters that made a selection of 3 are not carried there."""
    client.force_login(factories.OfficialFactory())
    response = client.get(reverse("dashboard:open-data", args=["json"]), three)
    assert (response.status_code, response["Location"]) == (301, reverse("data:index"))


def _kecamatan_rows(client) -> dict[str, list[str]]:
    rows = _csv(client.get(reverse("dashboard:export", args=["csv"])))
    start = rows.index(["Menurut kecamatan domisili"])
    rows = rows[start + 2 : rows.index([], start)]
    return {row[0]: row[1:] for row in rows}


@pytest.mark.parametrize(("barat", "shown"), [(4, ["< 5", "< 5", "", ""]), (5, ["5", "5", "100,0%", "5"])])
def test_a_row_of_4_in_a_table_of_20_shows_counts_only_and_a_row_of_5_everything(client, barat, shown):
    provider = factories.ProviderFactory()
    _completers(provider, Kelurahan.objects.get(code="33.75.01.1002"), barat)  # Pekalongan Barat
    _completers(provider, Kelurahan.objects.get(code="33.75.02.1004"), 20 - barat)  # Pekalongan Timur
    client.force_login(factories.OfficialFactory())
    rows = _kecamatan_rows(client)
    assert rows["Pekalongan Barat"] == shown
    timur = str(20 - barat)
    assert rows["Pekalongan Timur"] == [timur, timur, "100,0%", timur]
    page = client.get(reverse("dashboard:index")).content.decode()
    assert NOTE not in page
    row = page[page.index('class="fw-normal">Pekalongan Barat</th>') :].split("</tr>")[0]
    if barat < 5:
        assert row.count("&lt; 5") == 2 and "%" not in row
    else:
        assert "100,0% dari 5" in row and "&lt; 5" not in row
    assert 'data-figure="enrolled">20<' in page and 'data-figure="completion-rate">100,0% dari 20<' in page
