"""In English, a page says nothing in Indonesian: every page of every role is rendered with the
language switch on English and searched for the Indonesian translations of our own catalogue."""

import gettext
import html
import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import a_city_for_every_page

pytestmark = pytest.mark.django_db


def indonesian_phrases() -> set[str]:
    """The translations in our catalogue that are clearly Indonesian sentences (several words, not
    the same as their English msgid), cut at their placeholders."""
    with open(settings.BASE_DIR / "locale" / "id" / "LC_MESSAGES" / "django.mo", "rb") as file:
        catalogue = gettext.GNUTranslations(file)._catalog
    phrases = set()
    for msgid, msgstr in catalogue.items():
        english = msgid[0] if isinstance(msgid, tuple) else msgid
        if not english or msgstr == english:
            continue
        for part in re.split(r"%\(\w+\)[sd]|%[sd]|\{[^}]*\}|<[^>]+>", msgstr):
            part = part.strip(" .,:;()\n")
            if len(part) >= 16 and part.count(" ") >= 2 and part not in english:
                phrases.add(part)
    return phrases


def visible_text(content: bytes) -> str:
    text = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", content.decode())
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text))


@pytest.fixture
def world(db):
    city = a_city_for_every_page(tag="en")
    city["staff"].is_superuser = True  # every admin page, the participants' too
    city["staff"].save()
    return city


def pages(world):
    running, session, completed = world["running"], world["session"], world["completed"]
    return [
        (None, "get", reverse("login")),
        (None, "post", reverse("login")),
        (None, "get", reverse("password_reset")),
        (None, "get", reverse("public:package-list")),
        (None, "get", reverse("public:register", args=[world["open"].pk])),
        (None, "post", reverse("public:register", args=[world["open"].pk])),
        (None, "get", reverse("public:status")),
        (None, "post", reverse("public:status")),
        (None, "get", reverse("public:announcement-list")),
        (None, "get", reverse("public:announcement", args=[world["announced"].pk])),
        ("operator", "get", reverse("provider:package-list")),
        ("operator", "get", reverse("provider:package-detail", args=[running.pk])),
        ("operator", "get", reverse("provider:session-attendance", args=[session.pk])),
        ("operator", "get", reverse("provider:session-add", args=[running.pk])),
        ("operator", "post", reverse("provider:session-add", args=[running.pk])),
        ("operator", "get", reverse("provider:package-results", args=[running.pk])),
        ("operator", "get", reverse("account")),
        ("operator", "get", reverse("password_change")),
        ("operator", "post", reverse("password_change")),
        ("official", "get", reverse("dashboard:index")),
        ("official", "get", reverse("dashboard:indicators")),
        ("official", "get", reverse("dashboard:print")),
        ("staff", "get", reverse("intake:package-enrollment", args=[running.pk])),
        ("staff", "get", reverse("intake:import-upload")),
        ("staff", "post", reverse("intake:import-upload")),
        ("staff", "get", reverse("intake:selection", args=[world["open"].pk])),
        ("staff", "post", reverse("intake:selection", args=[world["open"].pk])),
        ("staff", "get", reverse("intake:selection-import", args=[world["open"].pk])),
        ("staff", "post", reverse("intake:selection-decide", args=[world["open"].pk])),
        ("staff", "get", reverse("intake:followup-list")),
        ("staff", "get", reverse("intake:followup-record", args=[completed.pk, 3])),
        ("staff", "post", reverse("intake:followup-record", args=[completed.pk, 3])),
        ("staff", "get", "/admin/"),
        ("staff", "get", reverse("admin:programs_trainingpackage_change", args=[running.pk])),
        ("staff", "get", reverse("admin:programs_trainingpackage_changelist")),
        ("staff", "get", reverse("admin:participants_participant_add")),
        ("staff", "post", reverse("admin:participants_participant_add")),
        ("staff", "get", reverse("two_factor_setup")),
    ]


def test_english_pages_hold_no_indonesian_from_the_catalogue(client, world):
    phrases = indonesian_phrases()
    assert len(phrases) > 200  # the catalogue was read
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    found = {}
    for role, method, url in pages(world):
        client.logout()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        if role:
            client.force_login(world[role])
        response = client.post(url, {"sent": "1"}) if method == "post" else client.get(url)
        assert response.status_code in (200, 302), (role, method, url, response.status_code)
        text = visible_text(response.content)
        hits = sorted(phrase for phrase in phrases if phrase in text)
        if hits:
            found[f"{role or 'anonymous'} {method.upper()} {url}"] = hits
    assert not found, "\n".join(f"{where}: {hits}" for where, hits in found.items())
