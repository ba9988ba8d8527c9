"""The Indonesian catalogue is complete, compiled, and covers every message in the code."""

import ast
import gettext
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE = Path(settings.BASE_DIR) / "locale"
PO = LOCALE / "id" / "LC_MESSAGES" / "django.po"


def parse_po(path: Path) -> dict[tuple[str, str], tuple[list[str], bool]]:
    """{(msgctxt, msgid): ([msgstr, ...], fuzzy)} from a .po file (enough of the format for ours)."""
    entries, current, key, fuzzy = {}, {}, None, False

    def flush():
        nonlocal current, fuzzy
        if "msgid" in current:
            strings = [value for name, value in sorted(current.items()) if name.startswith("msgstr")]
            entries[(current.get("msgctxt", ""), current["msgid"])] = (strings, fuzzy)
        current, fuzzy = {}, False

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            flush()
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            if key.startswith("msgid") and "msgstr" in "".join(current):
                flush()
            current[key] = ast.literal_eval(value)
    flush()
    return entries


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = parse_po(PO)
    assert len(entries) > 200
    untranslated = [msgid for (_, msgid), (strings, _) in entries.items() if msgid and not all(strings)]
    fuzzy = [msgid for (_, msgid), (_, is_fuzzy) in entries.items() if msgid and is_fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalogue_matches_the_po_file():
    with open(PO.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for (context, msgid), (strings, _) in parse_po(PO).items():
        if not msgid or context:
            continue
        assert compiled.gettext(msgid) == strings[0], f"django.mo is stale for {msgid!r}: run `make messages`"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext's xgettext is not installed")
def test_the_catalogue_has_every_message_of_the_code():
    scratch = LOCALE / "xx"
    try:
        call_command(
            "makemessages", locale=["xx"], ignore_patterns=["node_modules/*", ".venv/*", "tests/*"], verbosity=0
        )
        in_code = {msgid for (_, msgid) in parse_po(scratch / "LC_MESSAGES" / "django.po") if msgid}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    in_catalogue = {msgid for (_, msgid) in parse_po(PO) if msgid}
    assert sorted(in_code - in_catalogue) == [], "run `make messages` and translate the new messages"
