"""The second factor: dinas staff give a code from an authenticator app (or a recovery code) after the
password, when OTP_REQUIRED; whoever set an app up is asked for it at every log-in."""

import os
import re
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import OfficialFactory, OperatorFactory, StaffFactory

PASSWORD = "kata-sandi-yang-panjang-1"


def code_for(device, steps_ahead=0):
    """The code the app shows now (or so many 30-second steps later; the device accepts one step of
    drift, and never the same step twice)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def log_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return response


@pytest.fixture
def required(settings):
    settings.OTP_REQUIRED = True
    return settings


@pytest.fixture(autouse=True)
def _no_waiting(settings):
    """A wrong code makes the next try wait a second, then two, four...: not here, but in
    test_wrong_codes_make_the_next_try_wait."""
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture
def staff(db):
    user = StaffFactory(username="staf")
    user.set_password(PASSWORD)
    user.save()
    return user


def set_up(client, user):
    """Sign in and set the app up through the pages; the confirmed device."""
    log_in(client, user)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=user)
    response = client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_staff_reach_no_page_before_the_code(client, staff, required):
    log_in(client, staff)
    for url in (reverse("intake:followup-list"), "/admin/", reverse("dashboard:index")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('two_factor_verify')}?next={url.replace('/', '%2F')}"
    # without a device, the code page leads to setting one up, keeping where to go after
    response = client.get(reverse("two_factor_verify") + "?next=/intake/followup/")
    assert response["Location"] == reverse("two_factor_setup") + "?next=%2Fintake%2Ffollowup%2F"


def test_setting_up_the_app_then_the_recovery_codes_are_shown_once(client, staff, required):
    log_in(client, staff)
    response = client.get(reverse("two_factor_setup") + "?next=/intake/followup/")
    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    page = response.content.decode()
    assert "<svg" in page  # the QR code, inline (no image request, nothing to cache)
    assert re.sub(r"\s", "", response.context["secret"]) and "otpauth" not in page

    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    wrong = client.post(reverse("two_factor_setup"), {"code": "000000", "next": "/intake/followup/"})
    assert wrong.status_code == 200
    assert "This code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("intake:followup-list")).status_code == 302

    response = client.post(reverse("two_factor_setup"), {"code": code_for(device), "next": "/intake/followup/"})
    assert response["Location"] == reverse("two_factor_recovery_codes") + "?next=%2Fintake%2Ffollowup%2F"
    codes = client.get(response["Location"]).context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert set(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True)) == set(codes)
    # shown once: the next look is the account page, which counts them
    again = client.get(reverse("two_factor_recovery_codes"))
    assert again["Location"] == reverse("account")
    assert client.get(reverse("account")).context["codes_left"] == 10
    assert client.get(reverse("intake:followup-list")).status_code == 200


def test_the_next_log_in_asks_for_the_code_and_a_recovery_code_works_once(client, staff, required):
    device = set_up(client, staff)
    codes = list(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    client.post(reverse("logout"))

    log_in(client, staff)
    assert client.get(reverse("intake:followup-list")).status_code == 302
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    wrong = client.post(reverse("two_factor_verify"), {"code": "123 456"})
    assert "This code is not right" in wrong.content.decode()
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device, 1), "next": "/intake/followup/"})
    assert response["Location"] == "/intake/followup/"
    assert client.get(reverse("intake:followup-list")).status_code == 200
    client.post(reverse("logout"))

    # the phone is lost: a recovery code, typed with a dash and in capitals, works once
    log_in(client, staff)
    typed = f"{codes[0][:4].upper()}-{codes[0][4:].upper()}"
    response = client.post(reverse("two_factor_verify"), {"code": typed}, follow=True)
    assert "9 are left" in response.content.decode()
    assert client.get(reverse("intake:followup-list")).status_code == 200
    client.post(reverse("logout"))
    log_in(client, staff)
    assert client.post(reverse("two_factor_verify"), {"code": codes[0]}).status_code == 200
    assert client.get(reverse("intake:followup-list")).status_code == 302


def test_wrong_codes_make_the_next_try_wait(client, staff, required, settings):
    device = set_up(client, staff)
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 10
    client.post(reverse("logout"))
    log_in(client, staff)
    for _ in range(3):
        client.post(reverse("two_factor_verify"), {"code": "000000"})
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device, 1)})
    assert "Too many wrong codes" in response.content.decode()
    assert client.get(reverse("intake:followup-list")).status_code == 302


def test_the_code_page_never_sends_anyone_to_another_site(client, staff, required):
    device = set_up(client, staff)
    client.post(reverse("logout"))
    log_in(client, staff)
    response = client.post(
        reverse("two_factor_verify"), {"code": code_for(device, 1), "next": "https://penipu.example/"}
    )
    assert response["Location"] == reverse("home")


def test_other_roles_are_not_asked_unless_they_set_an_app_up(client, required, reference_data):
    for user in (OperatorFactory(username="op"), OfficialFactory(username="pejabat")):
        client.force_login(user)
        assert client.get(reverse("home")).status_code in (200, 302)
        assert not client.get(reverse("home")).get("Location", "").startswith(reverse("two_factor_verify"))
        client.post(reverse("logout"))


def test_without_otp_required_only_those_who_set_an_app_up_are_asked(client, staff, settings):
    settings.OTP_REQUIRED = False
    log_in(client, staff)
    assert client.get(reverse("intake:followup-list")).status_code == 200
    device = set_up(client, staff)
    client.post(reverse("logout"))
    log_in(client, staff)
    assert client.get(reverse("intake:followup-list")).status_code == 302
    client.post(reverse("two_factor_verify"), {"code": code_for(device, 1)})
    assert client.get(reverse("intake:followup-list")).status_code == 200


def test_replacing_the_app_needs_a_code_first_and_drops_the_old_one(client, staff, required):
    old = set_up(client, staff)
    client.post(reverse("logout"))
    log_in(client, staff)
    assert client.get(reverse("two_factor_setup"))["Location"].startswith(reverse("two_factor_verify"))
    client.post(reverse("two_factor_verify"), {"code": code_for(old, 1)})
    client.get(reverse("two_factor_setup"))
    new = TOTPDevice.objects.get(user=staff, confirmed=False)
    client.post(reverse("two_factor_setup"), {"code": code_for(new)})
    assert list(TOTPDevice.objects.filter(user=staff).values_list("pk", flat=True)) == [new.pk]


@pytest.mark.parametrize(("debug", "expected"), [("0", "True"), ("1", "False")])
def test_required_in_production_optional_in_make_run(debug, expected):
    environment = {**os.environ, "DEBUG": debug, "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": ""}
    environment.pop("OTP_REQUIRED", None)
    output = subprocess.run(
        [sys.executable, "-c", "import pekalongan_training.settings as s; print(s.OTP_REQUIRED)"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=django_settings.BASE_DIR,
    )
    assert output.stdout.strip() == expected


@pytest.mark.django_db(transaction=True)
def test_codes_are_checked_in_a_transaction_of_their_own(client, required, reference_data):
    """Outside the test's own transaction, as in production: PostgreSQL refuses the device lock
    (select_for_update) outside a transaction, so the check must make one."""
    user = StaffFactory(username="staf-tx")
    user.set_password(PASSWORD)
    user.save()
    device = set_up(client, user)
    client.post(reverse("logout"))
    log_in(client, user)
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device, 1), "next": "/intake/followup/"})
    assert response.status_code == 302 and response["Location"] == "/intake/followup/"


def test_a_password_alone_never_sets_up_a_new_app_while_recovery_codes_remain(client, staff, required):
    set_up(client, staff)
    TOTPDevice.objects.filter(user=staff).delete()  # a superuser removed the lost phone's app
    client.post(reverse("logout"))
    log_in(client, staff)
    response = client.get(reverse("two_factor_setup"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert not TOTPDevice.objects.filter(user=staff).exists()
