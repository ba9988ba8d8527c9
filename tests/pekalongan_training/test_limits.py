"""A request bigger than MAX_REQUEST_BYTES is refused with 413 before anything reads its body."""

import io

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.urls import reverse

from tests import factories

LIMITS = "pekalongan_training.middleware.RequestSizeLimitMiddleware"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.MIDDLEWARE = [LIMITS, *[m for m in settings.MIDDLEWARE if m != LIMITS]]
    settings.MAX_REQUEST_BYTES = 6 * 1024 * 1024


@pytest.mark.django_db
def test_a_declared_200_mb_post_is_refused_in_indonesian(client):
    response = client.post(reverse("login"), {"username": "x"}, CONTENT_LENGTH=str(200 * 1024 * 1024))
    assert response.status_code == 413
    assert "Kiriman terlalu besar" in response.content.decode()


@pytest.mark.django_db
def test_a_post_within_the_limit_goes_through(client):
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 200  # the login form again, with its error


@pytest.mark.django_db
def test_a_logged_in_upload_just_over_the_limit_is_refused_too(client, settings):
    settings.MAX_REQUEST_BYTES = 1000
    client.force_login(factories.StaffFactory())
    response = client.post(reverse("intake:import-upload"), {"note": "x" * 2000})
    assert response.status_code == 413


@pytest.mark.django_db
@pytest.mark.parametrize(
    "meta",
    [{"HTTP_TRANSFER_ENCODING": "chunked", "CONTENT_LENGTH": ""}, {"CONTENT_LENGTH": "lots"}, {"CONTENT_LENGTH": "-5"}],
)
def test_a_post_of_unknown_size_is_refused(client, meta):
    assert client.post(reverse("login"), {"username": "x"}, **meta).status_code == 413


@pytest.mark.django_db
def test_a_get_without_a_length_is_answered(client):
    assert client.get(reverse("login"), HTTP_TRANSFER_ENCODING="chunked").status_code == 200


class UnreadableBody(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body was read")

    readline = readinto = read


@pytest.mark.django_db
def test_a_raw_wsgi_request_is_refused_without_reading_its_body():
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/accounts/login/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "CONTENT_TYPE": "multipart/form-data; boundary=xyz",
        "CONTENT_LENGTH": str(200 * 1024 * 1024),
        "wsgi.input": UnreadableBody(),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }
    statuses = []
    body = b"".join(WSGIHandler()(environ, lambda status, headers: statuses.append(status)))
    assert statuses == ["413 Request Entity Too Large"]
    assert b"Kiriman terlalu besar" in body
