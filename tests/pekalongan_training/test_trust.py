"""Production settings, security headers, health check, login lock-out, password reset."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import StaffFactory

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # set for the browser tests
        "DJANGO_SETTINGS_MODULE": "pekalongan_training.settings",
        "DEBUG": "0",
        "SECRET_KEY": "k3y-for-the-deploy-check-" + "x9Q#2mZ!7bV@4nL$8cR%1tY^6wE&0pU*" * 2,
        "ALLOWED_HOSTS": "pelatihan.pekalongankota.go.id",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_a_secret_key_production_refuses_to_start(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update({"DJANGO_SETTINGS_MODULE": "pekalongan_training.settings", "DEBUG": "0"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_every_page_sends_a_content_security_policy_of_our_own_origin(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self';" in policy
    assert "unsafe-eval" not in policy and "http" not in policy
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_account_out(client):
    StaffFactory(username="staf")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "staf", "password": "salah"})
    response = client.post(reverse("login"), {"username": "staf", "password": "test-pass-123"})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sessions_end_after_a_working_day_of_inactivity():
    assert settings.SESSION_COOKIE_AGE == 9 * 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


@pytest.mark.django_db(transaction=True)
def test_password_reset_by_email_and_password_change(client, reference_data):
    from tests.pekalongan_training.test_password_reset import _outbox

    staff = StaffFactory(username="staf", email="staf@pekalongankota.go.id")
    response = client.post(reverse("password_reset"), {"email": "staf@pekalongankota.go.id"})
    assert response.status_code == 302
    outbox = _outbox(1)  # sent after the answer, in the background
    assert len(outbox) == 1 and "staf" in outbox[0].body
    client.force_login(staff)
    assert client.get(reverse("password_change")).status_code == 200


def test_the_client_address_behind_a_proxy(rf, settings):
    from pekalongan_training.middleware import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.2", REMOTE_ADDR="127.0.0.1")
    settings.PROXY_COUNT = 0
    assert client_ip(request) == "127.0.0.1"
    settings.PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.2"
    settings.PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.9"


@pytest.mark.django_db
def test_error_pages_are_indonesian_and_show_no_internals(client):
    from tests.factories import OperatorFactory, TrainingPackageFactory

    client.force_login(OperatorFactory())
    not_found = client.get(reverse("provider:package-detail", args=[TrainingPackageFactory().pk]))
    assert not_found.status_code == 404
    assert "Halaman tidak ditemukan" in not_found.content.decode()
    assert "Traceback" not in not_found.content.decode()
    forbidden = client.get(reverse("intake:import-upload"))
    assert forbidden.status_code == 403
    assert "Tidak diizinkan" in forbidden.content.decode()


def test_the_500_page_needs_nothing_from_the_request():
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "Terjadi kesalahan" in page and "{%" not in page


def test_collectstatic_builds_the_compressed_hashed_files(tmp_path):
    if not (ROOT / "node_modules" / "bootstrap").exists():
        pytest.skip("npm packages not installed (make test installs them)")
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "pekalongan_training.settings",
        "DEBUG": "0",
        "SECRET_KEY": "collectstatic-check-" + "q" * 40,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    code = (
        "import django; django.setup(); from django.conf import settings; settings.STATIC_ROOT = {!r}; "
        "from django.core.management import call_command; call_command('collectstatic', interactive=False, verbosity=0)"
    ).format(str(tmp_path / "static"))
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=300)
    built = {path.name for path in (tmp_path / "static").rglob("*")}
    assert any(name.startswith("bootstrap.min.") and name.endswith(".css.gz") for name in built)
    assert any(name.startswith("htmx.min.") and name.endswith(".js") for name in built)
    assert "staticfiles.json" in built


@pytest.mark.django_db
def test_an_overlong_username_is_refused_before_the_lock_out_records(client):
    response = client.post(reverse("login"), {"username": "x" * 5000, "password": "salah"})
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
