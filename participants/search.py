"""Finding a person by what a clerk types: a NIK, its first digits, parts of the name, or both."""

from django.utils.text import smart_split, unescape_string_literal

from participants.nik import normalize_nik

NIK_LENGTH = 16


def _is_number(text: str) -> bool:
    return bool(text) and text.isascii() and text.isdigit()


def participant_search(queryset, query: str):
    """The people of `queryset` that match every word of `query`; an empty query filters nothing.

    A whole NIK (spaces, dots and dashes allowed) is looked up exactly. Otherwise words of digits
    make up the start of the NIK (typed in groups, "3375 0210" is one number) and every other word
    must be a part of the name, in any case ("siti 3375" finds the Sitis whose NIK starts 3375,
    "aminah siti" finds Siti Aminah); a phrase in quotes ("Siti Aminah") is one word.

    Each word is its own AND-ed filter, never a NIK test OR-ed with a name test, so that on
    PostgreSQL the NIK's prefix index and the trigram index on the upper-cased name (participants
    migrations 0011 and 0012; icontains compares UPPER(full_name)) can serve the query.
    """
    whole = normalize_nik(query)
    if len(whole) == NIK_LENGTH and _is_number(whole):
        return queryset.filter(nik=whole)
    digits = []
    for word in smart_split(query):
        if len(word) > 1 and word[0] in "\"'" and word[0] == word[-1]:
            word = unescape_string_literal(word)
        number = normalize_nik(word)
        if _is_number(number):
            digits.append(number)
        elif word.strip():
            queryset = queryset.filter(full_name__icontains=word.strip())
    if digits:
        queryset = queryset.filter(nik__startswith="".join(digits))
    return queryset
