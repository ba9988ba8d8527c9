"""Indonesian phone numbers in one normal form: the national form with a leading 0 (081234567890).

Shared by every app: the forms and the import store numbers in this form, and the WhatsApp link
(pekalongan_training.formatting.whatsapp_number) is made from it.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalize_phone(value: str) -> str:
    """0812-3456-7890, +62 812 3456 7890, 62812... and 812... all become 081234567890; '' stays ''."""
    text = (value or "").strip()
    if not text:
        return ""
    if re.search(r"[^\d\s\-+().]", text):
        raise ValidationError(_("A phone number has only digits, spaces and + - ( )."))
    digits = re.sub(r"\D", "", text)
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    elif digits.startswith("8"):
        digits = "0" + digits
    if not digits.startswith("0") or not 9 <= len(digits) <= 13:
        raise ValidationError(_("Write the number as 081234567890 or +62 812 3456 7890."))
    return digits
