"""Disclosure control for open data: every published count of people is rounded to a multiple of 5.

The rule, the same in every published table (reports/open_data.py) and on the public pages:

- a count of people is rounded to the nearest multiple of 5: 0 stays 0, 1-2 -> 0, 3-7 -> 5,
  8-12 -> 10, 13-17 -> 15 ... (there are no ties: 5 is odd);
- it is a function of the true count alone, so the same true count is published the same in
  every table, and every sum or difference of published counts is a multiple of 5: subtracting
  published cells from each other (a total minus its parts, a kecamatan minus its kelurahan, one
  table against another) can never give a count of 1 to 4. No large count is hidden: a published
  count is within 2 of the truth;
- a rate is computed from the rounded counts (so it tells nothing the counts do not), and is
  withheld (None, with RATE_WITHHELD_REASON beside it) when the rounded denominator is under
  MIN_RATE_BASE: a percentage over a handful of people would swing on one person;
- counts of packages are not people and are published as they are.

What rounding alone does not stop, and why it is accepted here: someone who knows that a kecamatan's
people are exactly the sum of its kelurahan can bound a cell by the others' ranges (each within 2);
when every range sits at its edge at once (say a kecamatan of 8 published as 10 over four kelurahan
of 2 published as 0) the bounds meet. Such a coincidence gives away a count of 2 for one kelurahan;
it cannot be aimed at one person, and it is the price of publishing every table without holes.
"""

from pekalongan_training.formatting import half_up

BASE = 5
MIN_RATE_BASE = 20  # people, after rounding
RATE_WITHHELD_REASON = "dasar kurang dari 20 orang"


def protect_count(n: int) -> int:
    """The published value of a true count of people: the nearest multiple of BASE."""
    if n < 0:
        raise ValueError("A count of people cannot be negative.")
    return BASE * ((n + BASE // 2) // BASE)


def protected_rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator in percent (one decimal, half up), over the *rounded* counts.

    None when the rounded denominator is under MIN_RATE_BASE. Counts already rounded may be passed:
    rounding them again leaves them as they are.
    """
    num, den = protect_count(numerator), protect_count(denominator)
    if den < MIN_RATE_BASE:
        return None
    return float(half_up(100 * num / den, 1))


def rate_note(denominator: int) -> str:
    """The reason a rate over this denominator is withheld, or "" when it is published."""
    return RATE_WITHHELD_REASON if protect_count(denominator) < MIN_RATE_BASE else ""
