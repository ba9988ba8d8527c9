"""The training certificate as a PDF: A4 landscape, one page per certificate, with a QR code of its
verification address (DESIGN.md, "Certificates anyone can verify").

fpdf2 (pure Python, no system libraries) draws the page; segno makes the QR code. The page uses
fpdf2's core font (Helvetica), which holds latin-1 only: every text goes through `pdf_text`, which
spells what latin-1 lacks in the nearest latin letters ("Dương" -> "Duong"), so no name stops a
whole package's PDF. The certificate is an Indonesian document: it is written in Indonesian whatever
the language of the person who downloads it.
"""

import io
import unicodedata
from collections.abc import Iterable

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from participants.models import Certificate
from participants.public_pages import dinas_contact

PAGE_WIDTH, PAGE_HEIGHT = 297, 210  # A4 landscape, mm
MARGIN = 22
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
QR_SIZE = 40  # mm: read by a phone from a printed copy, and by the tests at 216 dpi

# What NFKD does not take apart: punctuation people paste from word processors, and letters of
# their own.
_SPELLED = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": ",",
        "“": '"',
        "”": '"',
        "„": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "•": "·",
        "ß": "ss",
        "Đ": "D",
        "đ": "d",
        "Ł": "L",
        "ł": "l",
        "Ø": "O",
        "ø": "o",
        "Œ": "OE",
        "œ": "oe",
        "ı": "i",
    }
)


def pdf_text(text) -> str:
    """`text` in latin-1, the core fonts' characters: what latin-1 has stays, an accented letter it
    lacks loses its accent, anything else becomes "?"."""
    out = []
    for char in str(text).translate(_SPELLED):
        if ord(char) < 256:
            out.append(char)
            continue
        plain = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
        out.append(plain if plain and all(ord(part) < 256 for part in plain) else "?")
    return "".join(out)


def verification_url(code: str) -> str:
    """The absolute address of the public verification page, as the QR code holds it."""
    return settings.MESSAGE_SITE_URL.rstrip("/") + reverse("certificate-verify", args=[code])


def _qr_png(url: str) -> io.BytesIO:
    image = io.BytesIO()
    segno.make(url, error="m", micro=False).save(image, kind="png", scale=10, border=4)
    image.seek(0)
    return image


def _date(value) -> str:
    return date_format(value, "DATE_FORMAT")


class _CertificatePDF(FPDF):
    def centred(self, text: str, *, size: float, style: str = "", height: float | None = None, fit: bool = False):
        """A centred paragraph; with `fit` one line, the font made smaller until it fits (a long name)."""
        text = pdf_text(text)
        self.set_font("Helvetica", style, size)
        if fit:
            while size > 12 and self.get_string_width(text) > TEXT_WIDTH:
                size -= 1
                self.set_font("Helvetica", style, size)
        self.set_x(MARGIN)
        self.multi_cell(TEXT_WIDTH, height or size * 0.5, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _page(pdf: _CertificatePDF, certificate: Certificate, dinas_name: str) -> None:
    enrollment = certificate.enrollment
    package = enrollment.package
    pdf.add_page()
    pdf.set_draw_color(30, 60, 110)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, PAGE_WIDTH - 16, PAGE_HEIGHT - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, PAGE_WIDTH - 22, PAGE_HEIGHT - 22)
    pdf.set_text_color(20, 20, 20)

    pdf.set_y(26)
    pdf.centred(dinas_name, size=11)
    pdf.ln(3)
    pdf.set_text_color(30, 60, 110)
    pdf.centred(_("TRAINING CERTIFICATE"), size=30, style="B", height=13)
    pdf.set_text_color(20, 20, 20)
    pdf.centred(_("Number: %(number)s") % {"number": certificate.number}, size=12)
    pdf.ln(7)
    pdf.centred(_("This is to certify that"), size=13)
    pdf.ln(2)
    pdf.centred(enrollment.participant.full_name, size=26, style="B", height=12, fit=True)
    pdf.ln(2)
    pdf.centred(_("has completed the job training"), size=13)
    pdf.ln(1)
    pdf.centred(package.title, size=17, style="B", height=8)
    pdf.centred(
        _("Vocation: %(vocation)s · package %(code)s") % {"vocation": package.vocation.name, "code": package.code},
        size=12,
    )
    pdf.ln(2)
    facts = {"provider": package.provider.name, "start": _date(package.starts_on), "end": _date(package.ends_on)}
    if package.hours:
        held = _("held by %(provider)s from %(start)s to %(end)s, %(hours)s lesson hours (JP).") % {
            **facts,
            "hours": package.hours,
        }
    else:
        held = _("held by %(provider)s from %(start)s to %(end)s.") % facts
    pdf.centred(held, size=12, height=6)

    # Bottom left: where and when, and the provider's signature.
    bottom = PAGE_HEIGHT - 58
    pdf.set_xy(MARGIN, bottom)
    pdf.set_font("Helvetica", "", 11)
    place = dinas_contact().place or "Pekalongan"
    pdf.cell(120, 6, pdf_text(f"{place}, {_date(certificate.issued_on)}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(120, 6, pdf_text(_("Head of %(provider)s") % {"provider": package.provider.name}))
    pdf.line(MARGIN, bottom + 34, MARGIN + 90, bottom + 34)

    # Bottom right: the QR code and the address it holds, for those who type it.
    url = verification_url(certificate.code)
    qr_x = PAGE_WIDTH - MARGIN - QR_SIZE
    pdf.image(_qr_png(url), x=qr_x, y=bottom - 6, w=QR_SIZE, h=QR_SIZE)
    pdf.set_font("Helvetica", "", 7)
    pdf.set_xy(qr_x - 30, bottom - 6 + QR_SIZE)
    pdf.multi_cell(QR_SIZE + 30, 3.2, pdf_text(_("Check this certificate at %(url)s") % {"url": url}), align="R")


def certificate_pdf(certificates: Iterable[Certificate]) -> bytes:
    """One A4 landscape page per certificate, in the order given. Pass them with their enrollment's
    participant and package (vocation, provider) selected: the pages read nothing else."""
    pdf = _CertificatePDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    with translation.override("id"):
        pdf.set_title(pdf_text(_("Training certificates")))
        pdf.set_creator(pdf_text(dinas_contact().name))
        dinas_name = dinas_contact().name
        for certificate in certificates:
            _page(pdf, certificate, dinas_name)
    return bytes(pdf.output())
