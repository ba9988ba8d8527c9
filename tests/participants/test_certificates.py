"""Training certificates: issuing and revoking, the public verification page, the PDF and its QR code,
and who may use the staff pages (DESIGN.md, "Certificates anyone can verify")."""

import datetime
import re
from urllib.parse import quote

import pypdfium2
import pytest
import zxingcpp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.certificates_pdf import certificate_pdf, pdf_text, verification_url
from participants.models import Certificate, Enrollment
from participants.services import certificate_revoke, certificates_issue
from participants.services.certificates import ALPHABET, CODE_LENGTH
from programs.models import TrainingPackage
from tests import factories

pytestmark = pytest.mark.django_db

Status, Assessment = Enrollment.Status, Enrollment.Assessment
SITE = "https://pelatihan.pekalongankota.go.id"


def _package_with_people():
    """Three who passed, one who failed, one not assessed, one who dropped out, and one still in class."""
    package = factories.TrainingPackageFactory(
        code="BLK-2026-07",
        title="Menjahit Busana Muslim",
        status=TrainingPackage.Status.COMPLETED,
        hours=160,
        starts_on=datetime.date(2026, 9, 7),
        ends_on=datetime.date(2026, 11, 27),
    )
    passed = [
        factories.EnrollmentFactory(
            package=package,
            status=Status.COMPLETED,
            assessment=Assessment.PASSED,
            participant=factories.ParticipantFactory(full_name=name),
        )
        for name in ("Siti Aminah", "Dewi Lestari", "Rina Wulandari")
    ]
    others = [
        factories.EnrollmentFactory(package=package, status=Status.COMPLETED, assessment=Assessment.FAILED),
        factories.EnrollmentFactory(package=package, status=Status.COMPLETED, assessment=Assessment.NOT_ASSESSED),
        factories.EnrollmentFactory(package=package, status=Status.DROPPED_OUT, assessment=Assessment.PASSED),
        factories.EnrollmentFactory(package=package, status=Status.ENROLLED, assessment=Assessment.PASSED),
    ]
    return package, passed, others


def _issued(staff=None):
    package, passed, others = _package_with_people()
    certificates = certificates_issue(package=package, by=staff or factories.StaffFactory())
    return package, passed, others, certificates


# --- issuing and revoking -----------------------------------------------------------------------


def test_issue_gives_one_certificate_to_each_completer_who_passed():
    staff = factories.StaffFactory()
    package, passed, others, certificates = _issued(staff)
    assert sorted(certificate.enrollment_id for certificate in certificates) == sorted(e.pk for e in passed)
    assert Certificate.objects.count() == 3
    assert not Certificate.objects.filter(enrollment__in=others).exists()
    numbers = [certificate.number for certificate in certificates]
    codes = [certificate.code for certificate in certificates]
    assert len(set(numbers)) == 3 and len(set(codes)) == 3
    for certificate in certificates:
        assert re.fullmatch(rf"BLK-2026-07/[{ALPHABET}]{{6}}", certificate.number)
        assert len(certificate.code) == CODE_LENGTH and set(certificate.code) <= set(ALPHABET)
        assert certificate.issued_on == timezone.localdate()
        assert certificate.issued_by == staff
        assert certificate.revoked_at is None
        certificate.enrollment.refresh_from_db()
        assert certificate.enrollment.certificate_number == certificate.number


def test_numbers_do_not_follow_one_another():
    """Issued one after another, the random parts share no pattern a sequence would have."""
    package = factories.TrainingPackageFactory(code="PKT-SEQ")
    factories.EnrollmentFactory.create_batch(12, package=package, status=Status.COMPLETED, assessment=Assessment.PASSED)
    suffixes = [c.number.split("/")[1] for c in certificates_issue(package=package, by=None)]
    assert len(set(suffixes)) == 12
    assert suffixes != sorted(suffixes)  # 1 chance in 12! of failing by accident


def test_issuing_again_issues_nothing_twice():
    package, passed, _others, first = _issued()
    assert certificates_issue(package=package, by=None) == []
    assert Certificate.objects.count() == 3
    # A late result: only the newcomer gets one.
    late = factories.EnrollmentFactory(package=package, status=Status.COMPLETED, assessment=Assessment.PASSED)
    again = certificates_issue(package=package, by=None)
    assert [certificate.enrollment_id for certificate in again] == [late.pk]
    assert Certificate.objects.filter(revoked_at__isnull=True).count() == 4


def test_a_number_already_on_the_roster_is_kept():
    package = factories.TrainingPackageFactory()
    enrollment = factories.EnrollmentFactory(
        package=package, status=Status.COMPLETED, assessment=Assessment.PASSED, certificate_number="LPK/001/2026"
    )
    (certificate,) = certificates_issue(package=package, by=None)
    enrollment.refresh_from_db()
    assert enrollment.certificate_number == "LPK/001/2026"
    assert certificate.number != "LPK/001/2026"


@pytest.mark.parametrize("factory", [factories.OperatorFactory, factories.OfficialFactory])
def test_only_dinas_staff_issue(factory):
    package, _passed, _others = _package_with_people()
    with pytest.raises(ValidationError):
        certificates_issue(package=package, by=factory())
    assert Certificate.objects.count() == 0


def test_a_cancelled_package_gets_no_certificates():
    package, _passed, _others = _package_with_people()
    TrainingPackage.objects.filter(pk=package.pk).update(status=TrainingPackage.Status.CANCELLED)
    with pytest.raises(ValidationError):
        certificates_issue(package=package, by=None)
    assert Certificate.objects.count() == 0


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_revoking_needs_a_written_reason(reason):
    _package, _passed, _others, (certificate, *_rest) = _issued()
    with pytest.raises(ValidationError) as error:
        certificate_revoke(certificate=certificate, reason=reason, by=factories.StaffFactory())
    assert "reason" in error.value.message_dict
    certificate.refresh_from_db()
    assert certificate.revoked_at is None and certificate.revoke_reason == ""


def test_revoking_keeps_the_row_and_allows_a_new_certificate():
    staff = factories.StaffFactory()
    package, _passed, _others, (certificate, *_rest) = _issued(staff)
    certificate_revoke(certificate=certificate, reason="  Diterbitkan keliru: nilai belum final.  ", by=staff)
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert certificate.revoke_reason == "Diterbitkan keliru: nilai belum final."
    assert certificate.revoked_by == staff
    assert Certificate.objects.count() == 3  # kept
    certificate.enrollment.refresh_from_db()
    assert certificate.enrollment.certificate_number == ""
    with pytest.raises(ValidationError):  # once is enough
        certificate_revoke(certificate=certificate, reason="lagi", by=staff)
    (replacement,) = certificates_issue(package=package, by=staff)
    assert replacement.enrollment_id == certificate.enrollment_id and replacement.number != certificate.number
    assert Certificate.objects.filter(enrollment=certificate.enrollment).count() == 2


def test_an_operator_cannot_revoke():
    _package, _passed, _others, (certificate, *_rest) = _issued()
    with pytest.raises(ValidationError):
        certificate_revoke(certificate=certificate, reason="Salah", by=factories.OperatorFactory())
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


# --- the public verification page ---------------------------------------------------------------


def _verify(client, code, **extra):
    return client.get(reverse("certificate-verify", args=[code]), **extra)


def test_the_verification_address():
    assert reverse("certificate-verify", args=["ABC"]) == "/sertifikat/ABC/"


def test_a_valid_certificate_shows_its_facts_and_no_personal_data(client):
    _package, (enrollment, *_rest), _others, _certificates = _issued()
    certificate = enrollment.certificates.get()
    participant = enrollment.participant
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = _verify(client, certificate.code)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-state="valid"' in content and "This certificate is valid" in content
    assert participant.full_name in content
    assert certificate.number in content
    assert "Menjahit Busana Muslim" in content and "BLK-2026-07" in content
    assert enrollment.package.provider.name in content and enrollment.package.vocation.name in content
    assert "7 September 2026" in content and "27 November 2026" in content
    assert "160 JP" in content
    assert response["X-Robots-Tag"] == "noindex"
    for personal in (participant.nik, participant.nik[-4:] + "<", participant.phone, participant.address, "1998"):
        assert personal not in content
    assert "17 May" not in content and "17 Mei" not in content


def test_a_code_as_typed_by_hand_is_found(client):
    _package, (enrollment, *_rest), _others, _certificates = _issued()
    code = enrollment.certificates.get().code
    typed = "-".join(code[i : i + 4] for i in range(0, len(code), 4)).lower()
    assert _verify(client, typed).status_code == 200


def test_a_revoked_certificate_says_so_with_date_and_reason(client):
    _package, (enrollment, *_rest), _others, _certificates = _issued()
    certificate = enrollment.certificates.get()
    certificate_revoke(certificate=certificate, reason="Peserta tidak lulus uji ulang.", by=None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = _verify(client, certificate.code)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-state="revoked"' in content and 'data-state="valid"' not in content
    assert "Peserta tidak lulus uji ulang." in content
    assert timezone.localdate().strftime("%B %Y").split()[0] in content  # the month of the revocation
    assert certificate.number in content


@pytest.mark.parametrize(
    "code",
    [
        "Z" * CODE_LENGTH,  # well formed, not issued
        "ABC",
        "0" * CODE_LENGTH,  # a character no code has
        "A" * 300,
        "<script>alert(1)</script>",
        "%00",
    ],
)
def test_an_unknown_or_malformed_code_is_a_plain_404(client, code):
    _issued()
    response = client.get(f"/sertifikat/{quote(code, safe='')}/")
    assert response.status_code == 404
    assert b"data-state" not in response.content


def test_lookups_are_rate_limited_per_address(client, settings):
    settings.CERTIFICATE_LOOKUP_RATE_LIMIT = {"client": 3, "seconds": 3600}
    _package, (enrollment, *_rest), _others, _certificates = _issued()
    code = enrollment.certificates.get().code
    assert [_verify(client, code, REMOTE_ADDR="203.0.113.9").status_code for _ in range(2)] == [200, 200]
    assert _verify(client, "Z" * CODE_LENGTH, REMOTE_ADDR="203.0.113.9").status_code == 404  # counts too
    limited = _verify(client, code, REMOTE_ADDR="203.0.113.9")
    assert limited.status_code == 429
    assert enrollment.participant.full_name.encode() not in limited.content
    assert _verify(client, code, REMOTE_ADDR="203.0.113.10").status_code == 200  # another address


# --- the PDF ------------------------------------------------------------------------------------


def _pdf_certificates(package):
    return list(
        Certificate.objects.filter(enrollment__package=package)
        .select_related("enrollment__participant", "enrollment__package__vocation", "enrollment__package__provider")
        .order_by("pk")
    )


def test_the_pdf_has_a_landscape_page_per_certificate_and_a_qr_code_of_its_address(settings):
    settings.MESSAGE_SITE_URL = SITE + "/"
    package, _passed, _others, _certificates = _issued()
    certificates = _pdf_certificates(package)
    document = pypdfium2.PdfDocument(certificate_pdf(certificates))
    assert len(document) == 3
    for page, certificate in zip(document, certificates, strict=True):
        width, height = page.get_size()
        assert width > height
        assert round(width) == 842 and round(height) == 595  # A4 in points
        text = page.get_textpage().get_text_range()
        assert certificate.enrollment.participant.full_name in text
        assert certificate.number in text
        assert "27 November 2026" in text and "160" in text
        barcodes = zxingcpp.read_barcodes(page.render(scale=3).to_pil())
        expected = f"{SITE}/sertifikat/{certificate.code}/"
        assert verification_url(certificate.code) == expected
        assert [barcode.text for barcode in barcodes] == [expected]


def test_names_beyond_latin_1_do_not_stop_the_pdf():
    package = factories.TrainingPackageFactory(title="Tata Boga – Kue “Nusantara”")
    factories.EnrollmentFactory(
        package=package,
        status=Status.COMPLETED,
        assessment=Assessment.PASSED,
        participant=factories.ParticipantFactory(full_name="Nguyễn Thị Dương Łucja 王"),
    )
    certificates_issue(package=package, by=None)
    document = pypdfium2.PdfDocument(certificate_pdf(_pdf_certificates(package)))
    text = document[0].get_textpage().get_text_range()
    assert "Nguyen Thi Duong Lucja ?" in text
    assert 'Tata Boga - Kue "Nusantara"' in text
    assert pdf_text("José Müller") == "José Müller"  # latin-1 stays as it is


# --- the staff pages ----------------------------------------------------------------------------


def test_staff_issue_from_the_page_and_download_the_valid_ones(client):
    package, passed, _others = _package_with_people()
    client.force_login(factories.StaffFactory())
    url = reverse("intake:certificates", args=[package.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count("data-eligible") == 3
    response = client.post(url, {"issue": "1"})
    assert response.status_code == 302 and response["Location"] == url
    assert Certificate.objects.filter(enrollment__package=package).count() == 3
    assert client.post(url, {"issue": "1"}).status_code == 302
    assert Certificate.objects.filter(enrollment__package=package).count() == 3
    page = client.get(url).content.decode()
    assert page.count('data-state="valid"') == 3 and "data-eligible" not in page

    revoked = Certificate.objects.get(enrollment=passed[0])
    certificate_revoke(certificate=revoked, reason="Salah nama", by=None)
    response = client.get(reverse("intake:certificates-pdf", args=[package.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "sertifikat-BLK-2026-07.pdf" in response["Content-Disposition"]
    document = pypdfium2.PdfDocument(response.content)
    assert len(document) == 2  # the revoked one is left out
    text = "".join(page.get_textpage().get_text_range() for page in document)
    assert "Siti Aminah" not in text and "Dewi Lestari" in text


def test_the_pdf_of_a_package_without_certificates_goes_back_to_the_page(client):
    package, _passed, _others = _package_with_people()
    client.force_login(factories.StaffFactory())
    response = client.get(reverse("intake:certificates-pdf", args=[package.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:certificates", args=[package.pk])


def test_staff_revoke_with_a_reason_and_without_one_see_why_not(client):
    _package, _passed, _others, (certificate, *_rest) = _issued()
    client.force_login(factories.StaffFactory())
    url = reverse("intake:certificate-revoke", args=[certificate.pk])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(url, {"reason": " "})
    assert response.status_code == 200
    assert "Write why the certificate is revoked" in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    response = client.post(url, {"reason": "Nama salah eja"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoke_reason == "Nama salah eja"
    assert client.get(url).status_code == 405


def test_unknown_ids_are_404_for_staff(client):
    client.force_login(factories.StaffFactory())
    assert client.get(reverse("intake:certificates", args=[999999])).status_code == 404
    assert client.get(reverse("intake:certificates-pdf", args=[999999])).status_code == 404
    assert client.post(reverse("intake:certificate-revoke", args=[999999]), {"reason": "x"}).status_code == 404


def _staff_requests(package, certificate):
    return [
        ("get", reverse("intake:certificates", args=[package.pk]), {}),
        ("post", reverse("intake:certificates", args=[package.pk]), {"issue": "1"}),
        ("get", reverse("intake:certificates-pdf", args=[package.pk]), {}),
        ("post", reverse("intake:certificate-revoke", args=[certificate.pk]), {"reason": "Uji"}),
    ]


def test_anonymous_is_sent_to_login(client):
    package, _passed, _others, (certificate, *_rest) = _issued()
    for method, url, data in _staff_requests(package, certificate):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


@pytest.mark.parametrize("factory", [factories.OperatorFactory, factories.OfficialFactory])
def test_operators_and_officials_are_refused(client, factory):
    package, _passed, _others, (certificate, *_rest) = _issued()
    operator = factory()
    package.provider.operators.add(operator)  # even the package's own provider
    client.force_login(operator)
    for method, url, data in _staff_requests(package, certificate):
        assert getattr(client, method)(url, data).status_code == 403, url
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert Certificate.objects.count() == 3


def test_the_staff_page_query_count_does_not_grow_with_certificates(client):
    package = factories.TrainingPackageFactory()
    client.force_login(factories.StaffFactory())
    url = reverse("intake:certificates", args=[package.pk])

    def add_people(count):
        for _ in range(count):
            factories.EnrollmentFactory(package=package, status=Status.COMPLETED, assessment=Assessment.PASSED)
            factories.EnrollmentFactory(package=package, status=Status.COMPLETED, assessment=Assessment.FAILED)
        certificates_issue(package=package, by=None)
        factories.EnrollmentFactory(package=package, status=Status.COMPLETED, assessment=Assessment.PASSED)

    add_people(2)
    client.get(url)  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_people(10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count('data-state="valid"') == 13
    assert len(many) == len(few), [query["sql"] for query in many.captured_queries]


def test_a_certificate_whose_completion_was_undone_is_not_shown_as_valid(client):
    package = factories.TrainingPackageFactory()
    enrollment = factories.EnrollmentFactory(package=package, status="completed", assessment="passed")
    (certificate,) = certificates_issue(package=package, by=None)
    url = reverse("certificate-verify", args=[certificate.code])
    assert 'data-state="valid"' in client.get(url).content.decode()
    Enrollment.objects.filter(pk=enrollment.pk).update(assessment="failed")  # a result corrected since
    page = client.get(url).content.decode()
    assert 'data-state="not-valid"' in page and 'data-state="valid"' not in page
