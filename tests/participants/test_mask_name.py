"""A name on a public announcement keeps each word's first letter and hides the rest, star for letter."""

import pytest

from participants.public_pages import mask_name


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Siti Aminah", "S*** A*****"),
        ("Muhammad Rizky Saputra", "M******* R**** S******"),
        ("Sukarno", "S******"),  # one name only, as many Javanese names are
        ("  Dewi   Lestari ", "D*** L******"),  # extra spaces, also at the ends
        ("Dewi\tLestari\u00a0Putri", "D*** L****** P****"),  # a tab and a non-breaking space
        ("A Yani", "A Y***"),  # a one-letter word stays as it is
        ("Ny. Sri", "N** S**"),
        ("siti aminah", "S*** A*****"),  # the first letter as a capital, as a name is written
        ("Nur'aini Al-Fatih", "N******* A*******"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_each_word_keeps_its_first_letter_and_a_star_for_each_other(name, masked):
    assert mask_name(name) == masked


def test_nothing_but_the_first_letters_is_left():
    masked = mask_name("Rahayu Setyaningsih")
    assert "ahayu" not in masked and "etyaningsih" not in masked
    assert len(masked) == len("Rahayu Setyaningsih")
