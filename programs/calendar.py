"""The days no class is planned: Indonesian public holidays and cuti bersama, one rule for the project.

Meeting generation, manually added or moved meetings, and any later date rule (marking deadlines,
reminders) ask this module, so they all agree on which days are off.

The dates come from the `holidays` package (country ID): its "public" category is the national
holidays (hari libur nasional) and its "government" category the cuti bersama set each year by the
joint decree of three ministers (SKB 3 Menteri). Years not yet decreed carry estimated dates for the
lunar holidays, which the package names "(perkiraan)"; the names follow the active language
(Indonesian by default, English for the English interface).
"""

import datetime
import functools
from dataclasses import dataclass

import holidays
from django.utils import translation
from django.utils.formats import date_format

CATEGORIES = (holidays.PUBLIC, holidays.GOVERNMENT)


@dataclass(frozen=True)
class Holiday:
    """A day off and its name, e.g. 25 December 2026, "Hari Raya Natal"."""

    date: datetime.date
    name: str

    def __str__(self) -> str:
        return f"{date_format(self.date)} ({self.name})"


def _language() -> str:
    """The package's language for the active Django language: English names for English, else Indonesian."""
    return "en_US" if (translation.get_language() or "").startswith("en") else "id"


@functools.lru_cache(maxsize=64)
def _year(year: int, language: str) -> dict[datetime.date, str]:
    # Built once per year and language: meeting generation and seeding ask for thousands of dates.
    table = holidays.country_holidays("ID", years=year, categories=CATEGORIES, language=language)
    return dict(table)


def public_holidays(start: datetime.date, end: datetime.date) -> list[Holiday]:
    """Every public holiday and cuti bersama from start to end (both included), in date order."""
    language = _language()
    found = []
    for year in range(start.year, end.year + 1):
        found += [Holiday(day, name) for day, name in _year(year, language).items() if start <= day <= end]
    return sorted(found, key=lambda holiday: holiday.date)


def holiday_on(day: datetime.date) -> Holiday | None:
    """The public holiday or cuti bersama on this day, or None for a working day."""
    name = _year(day.year, _language()).get(day)
    return Holiday(day, name) if name else None


def is_holiday(day: datetime.date) -> bool:
    """Whether no class is planned on this day because of a public holiday or cuti bersama."""
    return day in _year(day.year, "id")
