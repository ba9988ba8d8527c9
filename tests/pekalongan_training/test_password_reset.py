"""Password reset: the same answer for every address, the mail after the answer, and a limit."""

import time

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

# The mail is sent by another thread, which must see the account: committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


def _outbox(count: int, seconds: float = 5.0) -> list:
    """The outbox once it holds `count` mails (or after `seconds`), then a moment more for strays."""
    deadline = time.monotonic() + seconds
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.1)
    return mail.outbox


def _reset(client, email, address="198.51.100.7"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_one_a_mail(client):
    UserFactory(username="staf", email="staf@pekalongankota.go.id")
    known = _reset(client, "staf@pekalongankota.go.id")
    unknown = _reset(client, "nobody@example.com")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == reverse("password_reset_done")
    outbox = _outbox(1)
    assert len(outbox) == 1
    assert outbox[0].to == ["staf@pekalongankota.go.id"] and "staf" in outbox[0].body
    assert "/accounts/reset/" in outbox[0].body


def test_the_mail_is_sent_after_the_answer(client, monkeypatch):
    from pekalongan_training import accounts

    UserFactory(username="staf", email="staf@pekalongankota.go.id")
    scheduled = []
    monkeypatch.setattr(accounts, "_in_background", scheduled.append)
    response = _reset(client, "staf@pekalongankota.go.id")
    assert response.status_code == 302
    assert mail.outbox == [] and len(scheduled) == 1  # the answer left with no mail sent
    scheduled[0]()
    assert len(mail.outbox) == 1


def test_at_most_three_mails_per_address_an_hour_silently(client, settings):
    settings.PASSWORD_RESET_RATE_LIMIT = {"email": 3, "client": 10, "seconds": 3600}
    UserFactory(username="staf", email="staf@pekalongankota.go.id")
    answers = {_reset(client, "staf@pekalongankota.go.id", f"198.51.100.{n}")["Location"] for n in range(5)}
    assert answers == {reverse("password_reset_done")}
    assert len(_outbox(3)) == 3


def test_at_most_n_posts_per_client_an_hour_whatever_the_address(client, settings):
    settings.PASSWORD_RESET_RATE_LIMIT = {"email": 3, "client": 2, "seconds": 3600}
    UserFactory(username="staf", email="staf@pekalongankota.go.id")
    _reset(client, "a@example.com")
    _reset(client, "b@example.com")
    assert _reset(client, "staf@pekalongankota.go.id").status_code == 302
    assert _outbox(1, seconds=1) == []
    assert _reset(client, "staf@pekalongankota.go.id", "203.0.113.1").status_code == 302
    assert len(_outbox(1)) == 1


def test_the_form_is_shown_and_an_invalid_address_is_said(client):
    assert client.get(reverse("password_reset")).status_code == 200
    response = client.post(reverse("password_reset"), {"email": "not an address"})
    assert response.status_code == 200 and response.context["form"].errors["email"]
