"""The client address: X-Forwarded-For is trusted only when PROXY_COUNT says so; lock-out per address."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from pekalongan_training.middleware import client_ip


def _settings_value(name: str, **env) -> str:
    code = f"from django.conf import settings; print(settings.{name})"
    environment = {k: v for k, v in os.environ.items() if k not in {"PROXY_COUNT", "DEBUG", "BEHIND_TLS_PROXY"}}
    environment |= {"DJANGO_SETTINGS_MODULE": "pekalongan_training.settings", "SECRET_KEY": "x" * 60, **env}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize("debug", ["0", "1"])
def test_proxy_count_is_zero_unless_set(debug):
    assert _settings_value("PROXY_COUNT", DEBUG=debug) == "0"
    assert _settings_value("PROXY_COUNT", DEBUG=debug, PROXY_COUNT="1") == "1"


def test_forwarded_for_is_ignored_without_a_proxy(settings):
    settings.PROXY_COUNT = 0
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="198.51.100.1")
    assert client_ip(request) == "198.51.100.1"


def test_forwarded_for_is_read_behind_one_proxy(settings):
    settings.PROXY_COUNT = 1
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == "203.0.113.9"


@pytest.mark.django_db
def test_one_address_spraying_many_usernames_is_locked_out(client):
    user = get_user_model().objects.create_user("korban", password="benar-sekali-123")
    for number in range(5):
        client.post(reverse("login"), {"username": f"orang{number}", "password": "salah"}, REMOTE_ADDR="10.0.0.7")
    response = client.post(
        reverse("login"), {"username": user.username, "password": "benar-sekali-123"}, REMOTE_ADDR="10.0.0.7"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    other = client.post(
        reverse("login"), {"username": user.username, "password": "benar-sekali-123"}, REMOTE_ADDR="10.0.0.8"
    )
    assert other.status_code == 302
