"""The roster export: any package code gives a valid file, and no cell runs as a formula."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    operator = factories.OperatorFactory(username="operator")
    client.force_login(operator)
    return client, operator


def test_a_package_code_with_slashes_exports_and_names_the_file_safely(operator_client):
    client, operator = operator_client
    package = factories.TrainingPackageFactory(
        code="PKT/2026:[A]*?\\", provider=factories.ProviderFactory(operators=[operator])
    )
    factories.AttendanceFactory(enrollment__package=package, session__date=datetime.date(2026, 9, 8))
    for fmt in ("xlsx", "csv"):
        response = client.get(reverse("provider:package-export", args=[package.pk, fmt]))
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert "/" not in disposition and "\\\\" not in disposition and ":" not in disposition.split("filename")[1]
    workbook = load_workbook(io.BytesIO(response_xlsx(client, package)))
    title = workbook.sheetnames[0]
    assert len(title) <= 31 and not set(title) & set("/\\?*[]:")


def response_xlsx(client, package) -> bytes:
    return client.get(reverse("provider:package-export", args=[package.pk, "xlsx"])).content


def test_the_header_rows_cannot_run_a_formula(operator_client):
    client, operator = operator_client
    formula = '=HYPERLINK("http://evil.example","klik")'
    package = factories.TrainingPackageFactory(
        code="=1+1", title=formula, provider=factories.ProviderFactory(name=formula, operators=[operator])
    )
    factories.AttendanceFactory(
        enrollment__package=package,
        enrollment__participant__full_name="@SUM(1)",
        session__date=datetime.date(2026, 9, 8),
    )
    sheet = load_workbook(io.BytesIO(response_xlsx(client, package))).active
    texts = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert texts and all(text[:1] not in "=+-@" for text in texts)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
