"""The NIK (Nomor Induk Kependudukan): parse, validate, compare with what a form says, mask.

A NIK is 16 digits: province (2), kab/kota (2), kecamatan (2), birth date DDMMYY with 40 added
to the day for women, and a serial (4, from 0001). What makes a NIK impossible is rejected; what
is only unusual (a province code outside the known list, a sex or birth date on the form that
disagrees with the NIK, since NIKs are not reissued when a birth date is corrected) only warns.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

# Province codes in use (Dukcapil); anything else only warns.
KNOWN_PROVINCE_CODES = frozenset(
    [str(code) for code in range(11, 20)]
    + ["21"]
    + [str(code) for code in range(31, 37)]
    + ["51", "52", "53"]
    + [str(code) for code in range(61, 66)]
    + [str(code) for code in range(71, 77)]
    + ["81", "82"]
    + [str(code) for code in range(91, 97)]
)

SEX_MALE = "M"
SEX_FEMALE = "F"


@dataclass(frozen=True)
class NikInfo:
    province: str
    regency: str
    district: str
    birth_date: datetime.date
    sex: str
    serial: str

    @property
    def region_code(self) -> str:
        """The kecamatan code where the NIK was issued, written like Kemendagri's: 33.75.01."""
        return f"{self.province}.{self.regency}.{self.district}"


def _birth_date(day: int, month: int, yy: int, today: datetime.date) -> datetime.date | None:
    """The real date DD-MM-YY that is not after today (2000s first, then 1900s); None if there is none."""
    for year in (2000 + yy, 1900 + yy):
        try:
            date = datetime.date(year, month, day)
        except ValueError:
            continue
        if date <= today:
            return date
    return None


def parse_nik(value: str, *, today: datetime.date | None = None) -> NikInfo:
    """Return what a NIK encodes, or raise ValidationError saying what is wrong with it."""
    today = today or timezone.localdate()
    if not isinstance(value, str) or len(value) != 16 or not (value.isascii() and value.isdigit()):
        raise ValidationError(_("NIK must be exactly 16 digits."), code="nik_format")
    province, regency, district = value[0:2], value[2:4], value[4:6]
    if regency == "00" or district == "00":
        raise ValidationError(
            _("NIK digits 3-6 (kab/kota and kecamatan) cannot be 00. Check the NIK on the KTP."),
            code="nik_region",
        )
    day, month, yy = int(value[6:8]), int(value[8:10]), int(value[10:12])
    if day == 0 or 32 <= day <= 40 or day > 71:
        raise ValidationError(_("NIK digits 7-8 must be the day of birth (01-31, or 41-71 for women)."), code="nik_day")
    if month == 0 or month > 12:
        raise ValidationError(_("NIK digits 9-10 must be the month of birth (01-12)."), code="nik_month")
    sex = SEX_FEMALE if day > 40 else SEX_MALE
    birth_date = _birth_date(day - 40 if day > 40 else day, month, yy, today)
    if birth_date is None:
        raise ValidationError(
            _("NIK digits 7-12 are not a real birth date (day %(day)02d, month %(month)02d).")
            % {"day": day - 40 if day > 40 else day, "month": month},
            code="nik_date",
        )
    serial = value[12:16]
    if serial == "0000":
        raise ValidationError(_("NIK digits 13-16 (serial number) cannot be 0000."), code="nik_serial")
    return NikInfo(province, regency, district, birth_date, sex, serial)


def validate_nik(value: str) -> None:
    """Model and form validator: rejects a NIK that cannot exist."""
    parse_nik(value)


def normalize_nik(value) -> str:
    """What people type or paste: trim it and drop the spaces, dots and dashes inside."""
    if value is None:
        return ""
    return "".join(ch for ch in str(value).strip() if ch not in " .-\u00a0")


def nik_warnings(value: str, *, sex: str | None = None, birth_date: datetime.date | None = None) -> list[str]:
    """Unusual but possible: messages to show, never reasons to refuse."""
    try:
        info = parse_nik(value)
    except ValidationError:
        return []
    warnings = []
    if info.province not in KNOWN_PROVINCE_CODES:
        warnings.append(
            _("NIK starts with province code %(code)s, which is not in use. Check the first two digits.")
            % {"code": info.province}
        )
    if sex and sex != info.sex:
        warnings.append(
            _("The NIK belongs to a woman (day of birth + 40), but the sex given is male.")
            if info.sex == SEX_FEMALE
            else _("The NIK belongs to a man, but the sex given is female. For women the NIK adds 40 to the day.")
        )
    if birth_date and (birth_date.day, birth_date.month, birth_date.year % 100) != (
        info.birth_date.day,
        info.birth_date.month,
        info.birth_date.year % 100,
    ):
        warnings.append(
            _("The birth date %(given)s differs from the one in the NIK (%(nik)s).")
            % {"given": date_format(birth_date), "nik": date_format(info.birth_date)}
        )
    return warnings


def mask_nik(value: str) -> str:
    """3375********0001: the region and the serial, never the birth date."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def parse_kk(value: str, *, today: datetime.date | None = None) -> datetime.date:
    """Check a family-card number (No. KK) and return the issue date it encodes.

    A No. KK is 16 digits like a NIK: province, kab/kota and kecamatan (2 each), the day the card
    was issued DDMMYY (no +40: a card has no sex), and a serial from 0001.
    """
    today = today or timezone.localdate()
    if not isinstance(value, str) or len(value) != 16 or not (value.isascii() and value.isdigit()):
        raise ValidationError(_("No. KK must be exactly 16 digits."), code="kk_format")
    if value[2:4] == "00" or value[4:6] == "00":
        raise ValidationError(
            _("No. KK digits 3-6 (kab/kota and kecamatan) cannot be 00. Check the number on the KK."),
            code="kk_region",
        )
    day, month, yy = int(value[6:8]), int(value[8:10]), int(value[10:12])
    issued = _birth_date(day, month, yy, today) if 1 <= month <= 12 and 1 <= day <= 31 else None
    if issued is None:
        raise ValidationError(
            _("No. KK digits 7-12 must be the day the card was issued (DDMMYY)."),
            code="kk_date",
        )
    if value[12:16] == "0000":
        raise ValidationError(_("No. KK digits 13-16 (serial number) cannot be 0000."), code="kk_serial")
    return issued


def validate_kk(value: str) -> None:
    """Model and form validator: rejects a No. KK that cannot exist."""
    parse_kk(value)
