class IdConverter:
    """A database id in a URL: 1 to 18 digits, so a huge number is a 404, not a database error."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
