"""Reading numbers that arrive in forms and addresses, where anything at all can be typed."""


def whole_number(value, *, digits: int = 18) -> int | None:
    """A non-negative whole number of at most `digits` ASCII digits, else None (never an exception)."""
    text = str(value or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= digits:
        return int(text)
    return None
